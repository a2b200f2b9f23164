/**
 * Shared pieces of the browser-mode e2e files: `saccade serve` in a temp home, headless Chromium
 * on it, and small page helpers. Each e2e file opens its own studio (own server, browser, home).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import { buildZip } from '../helpers/zip';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(__dirname, '../..');
/** The README's screenshots are refreshed with SACCADE_SCREENSHOTS=1; other runs keep theirs in a temp folder. */
export const SHOTS = process.env.SACCADE_SCREENSHOTS === '1' ? join(ROOT, 'docs/screenshots') : join(tmpdir(), 'saccade-e2e-screenshots');

export const tid = (id: string) => `[data-testid="${id}"]`;

export interface Studio {
  /** The temp folder holding the home, Chromium's profile and any files a test writes. */
  temp: string;
  /** SACCADE_HOME of the server. */
  home: string;
  url: string;
  server: ChildProcess;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Starts `saccade serve --port 0` on `home` and resolves with the printed URL. */
export async function startServer(home: string): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [join(ROOT, 'bin/saccade.mjs'), 'serve', '--port', '0', '--no-open'], {
    cwd: ROOT,
    env: { ...process.env, SACCADE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 90 s:\n${log}`)), 90_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Saccade studio: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${log}`)));
  });
  return { server, url };
}

/** Ends a server a test started itself (startServer): SIGTERM, then SIGKILL if it is still there after 1.5 s. */
export async function stopServer(server: ChildProcess | undefined): Promise<void> {
  if (!server || server.exitCode !== null) return;
  server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  if (server.exitCode === null) server.kill('SIGKILL');
}

/** A temp home, the server on it and headless Chromium on the studio, connected. */
export async function openStudio(prefix: string): Promise<Studio> {
  const temp = mkdtempSync(join(tmpdir(), prefix));
  const home = join(temp, 'home');
  mkdirSync(SHOTS, { recursive: true });
  const { server, url } = await startServer(home);
  const context = await chromium.launchPersistentContext(join(temp, 'chromium'), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  await page.goto(url);
  await page.waitForSelector(tid('status-backend'));
  const close = async () => {
    await context.close();
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(temp, { recursive: true, force: true });
  };
  return { temp, home, url, server, context, page, close };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Sum of the canvas' RGB values: > 0 means something was drawn on black. */
export function canvasInk(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (el) => {
    // Runs in the page; the Node tsconfig has no DOM types, so the canvas is typed by hand.
    type Canvas2d = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
    const c = el as unknown as Canvas2d;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let s = 0;
    for (let i = 0; i < d.length; i += 4) s += d[i]! + d[i + 1]! + d[i + 2]!;
    return s;
  });
}

export interface RunForm {
  name: string;
  learningRate?: string;
  maxSteps?: number;
  epochs?: number;
  /** The visible name of an imported dataset in the Dataset select. */
  dataset?: string;
  /** Any other settings, by the form's field name (e.g. lrDecay). */
  settings?: Record<string, string>;
}

/** Fills the New run form for a tiny centered run (batch 32, 100 validation images). */
export async function fillRunForm(page: Page, form: RunForm): Promise<void> {
  await page.click(tid('nav-new'));
  await page.click(tid('preset-centered'));
  await page.fill(tid('input-batchSize'), '32');
  await page.fill(tid('input-validationSize'), '100');
  if (form.learningRate) await page.fill(tid('input-learningRate'), form.learningRate);
  if (form.epochs) await page.fill(tid('input-epochs'), String(form.epochs));
  for (const [key, value] of Object.entries(form.settings ?? {})) await page.fill(tid(`input-${key}`), value);
  if (form.dataset) await page.selectOption(tid('run-dataset'), { label: form.dataset });
  await page.fill(tid('run-name'), form.name);
  await page.fill(tid('run-max-steps'), form.maxSteps ? String(form.maxSteps) : '');
}

/** Fills the New run form (fillRunForm) and starts the run; resolves with its id once the Training view follows it. */
export async function startRun(page: Page, form: RunForm): Promise<string> {
  await fillRunForm(page, form);
  await page.waitForSelector(`${tid('start-run')}:not([disabled])`);
  await page.click(tid('start-run'));
  await page.waitForSelector(tid('view-training'));
  // The run list refreshes a moment after the start: wait until the view follows the new run.
  const checked = `${tid('training-run-select')} option:checked`;
  const deadline = Date.now() + 30_000;
  while (!((await page.$eval(checked, (e) => e.textContent ?? '').catch(() => '')) ?? '').startsWith(`${form.name} (`)) {
    if (Date.now() > deadline) throw new Error(`the Training view never followed the new run '${form.name}'`);
    await page.waitForTimeout(100);
  }
  return page.inputValue(tid('training-run-select'));
}

/** The step the Training view shows. */
export async function stepOf(page: Page): Promise<number> {
  return Number(await page.getAttribute(tid('step-value'), 'data-step'));
}

/** The Training view's status badge (its class holds the status). */
export async function trainingStatus(page: Page): Promise<string> {
  return (await page.getAttribute(tid('training-status'), 'class')) ?? '';
}

/** Writes the four MNIST-layout IDX files holding the first `train` and `test` images of the bundled MNIST. */
export async function writeSmallIdx(folder: string, train: number, test: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const mnist = await loadBundledMnist();
  const write = (prefix: 'train' | 't10k', set: typeof mnist.train, n: number) => {
    const px = set.width * set.height;
    writeFileSync(join(folder, `${prefix}-images-idx3-ubyte`), encodeIdx([n, set.height, set.width], set.images.slice(0, n * px)));
    writeFileSync(join(folder, `${prefix}-labels-idx1-ubyte`), encodeIdx([n], set.labels.slice(0, n)));
  };
  write('train', mnist.train, train);
  write('t10k', mnist.test, test);
}

/** The trainer processes below `root` (the server we started), from `ps`. */
export function trainerPids(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const mine = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (mine.has(r.ppid) && !mine.has(r.pid)) (mine.add(r.pid), (grew = true));
  }
  // The compiled trainer (out/main/trainer.js), or its source run through tsx in development.
  return rows.filter((r) => r.pid !== root && mine.has(r.pid) && /trainer-process\.ts|[\\/]trainer\.js(\s|$)/.test(r.args)).map((r) => r.pid);
}

/** Imports an IDX folder through the Datasets view under `name`. */
export async function importFolder(page: Page, name: string, folder: string): Promise<void> {
  await page.click(tid('nav-datasets'));
  await page.fill(tid('import-name'), name);
  await page.fill(tid('import-folder'), folder);
  await page.click(tid('import-button'));
  await page.waitForSelector(tid('import-ok'));
}

/** The project select's options, in order. */
export function projectOptions(page: Page): Promise<{ value: string; text: string }[]> {
  return page.$$eval(`${tid('project-select')} option`, (els) => els.map((e) => ({ value: (e as unknown as { value: string }).value, text: (e.textContent ?? '').trim() })));
}

/** Opens the named project in the sidebar. */
export async function openProjectNamed(page: Page, name: string): Promise<void> {
  const option = (await projectOptions(page)).find((o) => o.text === name);
  if (!option) throw new Error(`no project '${name}' in the sidebar`);
  await page.selectOption(tid('project-select'), option.value);
}

/** Creates a project through the sidebar (it opens). */
export async function createProject(page: Page, name: string): Promise<void> {
  await page.click(tid('project-new'));
  await page.fill(tid('project-name'), name);
  await page.click(`${tid('project-switcher')} button:has-text("Create")`);
  await page.waitForSelector(`${tid('project-select')} option:checked:text-is("${name}")`, { state: 'attached' });
}

/** A zip of every file under `dir` (hidden ones left out), inside one top folder `top`. */
export async function buildStoredZip(dir: string, top: string): Promise<Buffer> {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      if (name.startsWith('.')) continue;
      const p = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, p)).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk('');
  return buildZip(files.map((p) => ({ name: `${top}/${p}`, data: readFileSync(join(dir, p)) })));
}
