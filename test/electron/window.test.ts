/**
 * The window's settings, the page it loads, the native dialogs and the quit guard, with stand-ins
 * for Electron's dialog and the studio.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickFolder, saveExport, saveExportOptions, type SaveDialog } from '../../src-main/electron/dialogs';
import { QUIT_GRACE_MS, quitGuard } from '../../src-main/electron/quit';
import { mainWindowOptions, pageUrl } from '../../src-main/electron/window';
import type { ExportResult } from '../../src-main/shared/api';

const PAGE = 'file:///app/out/renderer/index.html';

describe('the main window', () => {
  it('is isolated and sandboxed, without Node, with our preload', () => {
    expect(mainWindowOptions('/app/out/preload/index.js').webPreferences).toEqual({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
  });

  it('loads the dev server only in an unpackaged app', () => {
    expect(pageUrl({ rendererFileUrl: PAGE, packaged: true })).toBe(PAGE);
    expect(pageUrl({ rendererFileUrl: PAGE, devServerUrl: 'http://localhost:5173/', packaged: true })).toBe(PAGE);
    expect(pageUrl({ rendererFileUrl: PAGE, devServerUrl: 'http://localhost:5173/', packaged: false })).toBe('http://localhost:5173/');
  });
});

describe('dialogs', () => {
  it('pickFolder: the chosen folder, or undefined when cancelled', async () => {
    const asked: unknown[] = [];
    const chosen = await pickFolder({ showOpenDialog: async (o) => (asked.push(o.properties), { canceled: false, filePaths: ['/data/digits'] }) });
    expect(chosen).toBe('/data/digits');
    expect(asked).toEqual([['openDirectory']]);
    expect(await pickFolder({ showOpenDialog: async () => ({ canceled: true, filePaths: [] }) })).toBeUndefined();
  });

  it('saveExport: offers the downloads folder and the right filter, writes where chosen', async () => {
    expect(saveExportOptions('run-3.gif', '/home/u/Downloads')).toMatchObject({
      defaultPath: path.join('/home/u/Downloads', 'run-3.gif'),
      filters: [{ name: 'GIF animation', extensions: ['gif'] }],
    });
    expect(saveExportOptions('run-3.png', '/d').filters).toEqual([{ name: 'Animated PNG', extensions: ['png'] }]);

    const written: [string, Uint8Array][] = [];
    /** A stand-in save dialog: answers with `filePath` and records the write. */
    const standIn = (answer: { canceled: boolean; filePath?: string }): SaveDialog => ({
      showSaveDialog: async () => answer,
      writeFile: async (file, bytes) => void written.push([file, bytes]),
      downloadsDir: '/d',
    });
    const result = { fileName: 'a.gif', bytes: new Uint8Array([71, 73, 70]) } as ExportResult;
    expect(await saveExport(standIn({ canceled: false, filePath: '/tmp/out.gif' }), result)).toBe('/tmp/out.gif');
    expect(await saveExport(standIn({ canceled: true }), result)).toBeUndefined();
    expect(await saveExport(standIn({ canceled: false, filePath: '' }), result)).toBeUndefined();
    expect(written).toEqual([['/tmp/out.gif', result.bytes]]);
  });
});

describe('quit guard', () => {
  /** A stand-in studio whose shutdown the test finishes. */
  function standInStudio(live: string[]) {
    let finish = () => {};
    const shutdowns: number[] = [];
    const studio = {
      liveRunIds: () => live,
      shutdown: (ms: number) => (shutdowns.push(ms), new Promise<void>((resolve) => (finish = resolve))),
    };
    return { studio, shutdowns, finish: () => finish() };
  }
  const quitEvent = () => {
    const e = { prevented: false, preventDefault: () => void (e.prevented = true) };
    return e;
  };

  it('quits at once without live runs', () => {
    const { studio, shutdowns } = standInStudio([]);
    const e = quitEvent();
    quitGuard(studio, () => {})(e);
    expect(e.prevented).toBe(false);
    expect(shutdowns).toEqual([]);
  });

  it('holds the quit while live runs stop, then quits; a second quit meanwhile goes through', async () => {
    const { studio, shutdowns, finish } = standInStudio(['r1']);
    let quits = 0;
    const guard = quitGuard(studio, () => quits++);
    const first = quitEvent();
    guard(first);
    expect(first.prevented).toBe(true);
    expect(shutdowns).toEqual([QUIT_GRACE_MS]);
    const second = quitEvent();
    guard(second);
    expect(second.prevented).toBe(false);
    expect(quits).toBe(0);
    finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(quits).toBe(1);
    expect(shutdowns).toHaveLength(1);
  });
});
