/** The backend a job asks for: the one requested, else the studio's setting, else the best that loads. */
import type { BackendRequest } from '../shared/jobs';
import { BACKEND_NAMES as ALL_BACKENDS } from '../shared/backends';
import { ApiError } from './api-error';
import type { ProjectStore } from './project-store';

export const BACKEND_NAMES: readonly BackendRequest[] = ALL_BACKENDS;

export function backendOf(projects: ProjectStore, requested: string | undefined): BackendRequest | undefined {
  const name = requested || projects.getSettings().backend;
  if (!name) return undefined;
  if (!BACKEND_NAMES.includes(name as BackendRequest)) throw new ApiError(`unknown backend '${name}' (choose ${BACKEND_NAMES.join(', ')})`);
  return name as BackendRequest;
}
