/**
 * The tfjs backends Saccade can train on, best first: the one list every layer uses. webgpu runs
 * through Dawn (Vulkan, Metal, D3D12) on any workstation GPU; it comes before the native CPU build
 * because a real GPU beats it, and is skipped automatically on a software adapter.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;

export type BackendRequest = (typeof BACKEND_NAMES)[number];

export function isBackendName(name: string): name is BackendRequest {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}
