/** The one SaccadeApi instance the views use, whatever transport src/api picked. */
import type { SaccadeApi } from '../../../src-main/shared/api';
import { getApi } from '../api';

let connecting: Promise<SaccadeApi> | undefined;
let ready: SaccadeApi | undefined;

export function connect(): Promise<SaccadeApi> {
  connecting ??= Promise.resolve(getApi()).then((a) => (ready = a));
  return connecting;
}

/** The connected API (the shell renders views only after connect() resolved). */
export function api(): SaccadeApi {
  if (!ready) throw new Error('not connected to the Saccade backend yet');
  return ready;
}

/** A readable message from whatever a call threw ({name, message} crosses the transports). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
