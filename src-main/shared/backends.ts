/** The tfjs backends Saccade can train on, best first: the one list every layer uses. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

export type BackendRequest = (typeof BACKEND_NAMES)[number];

export function isBackendName(name: string): name is BackendRequest {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}
