/** The main window's settings and the page it loads: plain values, so tests can check them. */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { TrustedOrigins } from './ipc';

/** The security checklist's settings: the page gets no Node, an isolated world and a sandbox. */
export function mainWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Saccade',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  };
}

/** The dev server in an unpackaged app that has one, else the built page. */
export function pageUrl(origins: TrustedOrigins): string {
  return origins.devServerUrl && !origins.packaged ? origins.devServerUrl : origins.rendererFileUrl;
}
