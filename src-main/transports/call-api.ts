/**
 * The one way a transport calls the API: only the contract's method names, and only with
 * parameters its schema accepts (ValidationError naming the field otherwise), so services see
 * checked values whichever transport the call came by.
 */
import { API_METHODS, type ApiMethod, type SaccadeApi } from '../shared/api';
import { checkParams } from './api-params';

const API_SET: ReadonlySet<string> = new Set(API_METHODS);

export function isApiMethod(method: string): method is ApiMethod {
  return API_SET.has(method);
}

export async function callApi(api: SaccadeApi, method: string, params: unknown[]): Promise<unknown> {
  if (!isApiMethod(method)) throw Object.assign(new Error(`unknown method '${method}'`), { name: 'ApiError' });
  const args = checkParams(method, params);
  const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(api, args);
}
