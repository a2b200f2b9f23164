/** What the preload exposes to the renderer as `window.saccade`. */
export interface SaccadeApi {
  /** The app's version (package.json). */
  version(): Promise<string>;
}

declare global {
  interface Window {
    saccade: SaccadeApi;
  }
}
