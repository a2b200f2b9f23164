/**
 * The File menu's actions as the page performs them (browser mode, Chromium): a stand-in for the
 * preload's window.saccadeShell delivers the action Electron's menu would push on 'saccade:menu'.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, openStudio, projectOptions, tid, type Studio } from './helpers';

let studio: Studio | undefined;
let page: Page;

/** Delivers a menu action to every listener the page registered with the stand-in shell. */
function menu(action: string): Promise<void> {
  return page.evaluate((a) => {
    for (const l of (globalThis as unknown as { menuListeners: ((a: string) => void)[] }).menuListeners) l(a);
  }, action);
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('studio e2e: the File menu', () => {
  beforeAll(async () => {
    studio = await openStudio('saccade-e2e-menu-');
    page = studio.page;
    // The stand-in shell: keeps the page's listeners for the test to call.
    await studio.context.addInitScript(() => {
      const w = globalThis as unknown as { menuListeners: unknown[]; saccadeShell: unknown };
      w.menuListeners = [];
      w.saccadeShell = { onMenuAction: (l: unknown) => (w.menuListeners.push(l), () => {}) };
    });
    await page.reload();
    await page.waitForSelector(tid('status-backend'));
    await page.waitForFunction(() => (globalThis as unknown as { menuListeners: unknown[] }).menuListeners.length === 1);
  }, 150_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('New project creates the next "Project N" and opens it, without a reload', async () => {
    await page.click(tid('nav-runs'));
    const before = (await projectOptions(page)).map((o) => o.text);
    await menu('new-project');
    const name = `Project ${before.length + 1}`;
    await page.waitForSelector(`${tid('project-select')} option:checked:text-is("${name}")`, { state: 'attached' });
    expect((await projectOptions(page)).map((o) => o.text)).toEqual([...before, name]);
    // The same page: the view and the stand-in's listener are still there.
    expect(await page.evaluate(() => (globalThis as unknown as { menuListeners: unknown[] }).menuListeners.length)).toBe(1);
    await expect.poll(() => page.locator(tid('run-row')).count()).toBe(0);
  });

  it('Import dataset folder with no folder chosen (browser mode has no dialog) changes nothing', async () => {
    await page.click(tid('nav-runs'));
    await menu('import-folder');
    await page.waitForTimeout(300);
    expect(await page.locator(tid('import-panel')).count()).toBe(0);
    expect(await page.locator(tid('menu-error')).count()).toBe(0);
  });
});
