/** The window's navigation, new-window and permission guards, with stand-ins for WebContents and Session. */
import { describe, expect, it } from 'vitest';
import { denyPermissions, guardNavigation, type GuardedContents, type PermissionSession } from '../../src-main/electron/navigation';

const PAGE = 'file:///app/out/renderer/index.html';

/** A stand-in WebContents: keeps the guards so the test can navigate and open windows. */
class StandInContents implements GuardedContents {
  willNavigate?: (event: { preventDefault(): void }, url: string) => void;
  openHandler?: (details: { url: string }) => { action: 'deny' };
  on(_event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): void {
    this.willNavigate = listener;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Returns whether the navigation was prevented. */
  navigate(url: string): boolean {
    let prevented = false;
    this.willNavigate!({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

function guarded() {
  const contents = new StandInContents();
  const opened: string[] = [];
  guardNavigation(contents, (url) => url.startsWith(PAGE), (url) => opened.push(url));
  return { contents, opened };
}

describe('navigation guards', () => {
  it('our own page may navigate within itself', () => {
    const { contents, opened } = guarded();
    expect(contents.navigate(`${PAGE}#/runs`)).toBe(false);
    expect(opened).toEqual([]);
  });

  it('a web link is kept out of the window and opened in the system browser', () => {
    const { contents, opened } = guarded();
    expect(contents.navigate('https://arxiv.org/abs/1406.6247')).toBe(true);
    expect(opened).toEqual(['https://arxiv.org/abs/1406.6247']);
  });

  it('other schemes are blocked and opened nowhere', () => {
    const { contents, opened } = guarded();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share']) expect(contents.navigate(url)).toBe(true);
    expect(opened).toEqual([]);
  });

  it('new windows are always denied; web links go to the system browser', () => {
    const { contents, opened } = guarded();
    expect(contents.openHandler!({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///tmp/x' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['http://example.com/']);
  });

  it('every permission request is denied', () => {
    let handler: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined;
    const session: PermissionSession = { setPermissionRequestHandler: (h) => void (handler = h) };
    denyPermissions(session);
    const answers: boolean[] = [];
    for (const p of ['media', 'notifications', 'geolocation']) handler!(undefined, p, (granted) => answers.push(granted));
    expect(answers).toEqual([false, false, false]);
  });
});
