/**
 * The window's guards: the page never navigates away from itself, never opens windows, and gets
 * no permissions; web links open in the system browser. Pure, over the few members used.
 */

/** The members of Electron's WebContents the guards use. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The member of Electron's Session the permission guard uses. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
}

/** Only web pages go to the system browser: never file:, javascript: or custom schemes. */
export function isWebUrl(url: string): boolean {
  return /^https?:\/\//.test(url);
}

export function guardNavigation(contents: GuardedContents, isTrusted: (url: string) => boolean, openExternal: (url: string) => unknown): void {
  contents.on('will-navigate', (event, url) => {
    if (isTrusted(url)) return;
    event.preventDefault();
    if (isWebUrl(url)) void openExternal(url);
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isWebUrl(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

/** Camera, notifications, ...: the app never needs any of them. */
export function denyPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}
