/**
 * `saccade serve`: the studio in a browser. Serves the built renderer (out/renderer) and the API
 * (WebSocket /api) on one port, behind a token printed in the URL.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StudioService } from '../services/studio-service';
import { defaultHome } from '../storage';
import { startWsServer, type RunningServer } from '../transports/ws-server';

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export interface ServeOptions {
  port?: number;
  host: string;
  open: boolean;
  home?: string;
}

export const DEFAULT_PORT = 5178;
export const SERVE_USAGE = `usage: saccade serve [--port N] [--host H] [--no-open] [--home DIR]

Serves the studio to a browser at http://127.0.0.1:PORT/?token=... (default port ${DEFAULT_PORT},
or a free one if it is taken; --port 0 picks a free one). The token is required for every request.
--host 0.0.0.0 makes it reachable from other machines: anyone with the URL can train and delete runs.
It serves the studio built into out/renderer (\`npm run build\`, which \`npm ci\` runs).
`;

/** The package root: where package.json, out/ and resources/ live. */
export function appRoot(): string {
  let dir = path.dirname(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'x'));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'resources'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function parseServeArgs(argv: string[]): ServeOptions | 'help' {
  const opts: ServeOptions = { host: '127.0.0.1', open: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ServeUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const raw = value();
        const port = Number(raw);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ServeUsageError(`--port must be 0 to 65535, not '${raw}'`);
        opts.port = port;
        break;
      }
      case '--host':
        opts.host = value();
        break;
      case '--home':
        opts.home = value();
        break;
      case '--no-open':
        opts.open = false;
        break;
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new ServeUsageError(`serve: unknown option '${argv[i]}' (see saccade serve --help)`);
    }
  }
  return opts;
}

export class ServeUsageError extends Error {
  override name = 'UsageError';
}

/**
 * The studio's built renderer: out/renderer, made by the electron-vite build (`npm run build`,
 * which `npm ci` runs), the one renderer build config. Nothing is built at run time.
 */
export function builtRenderer(root: string): string {
  const outDir = path.join(root, 'out', 'renderer');
  if (!fs.existsSync(path.join(outDir, 'index.html'))) {
    throw new Error(`the studio is not built (${path.join(outDir, 'index.html')} is missing): run \`npm run build\` in ${root}`);
  }
  return outDir;
}

/** The command that opens `target` in the browser: $BROWSER ('%s' marks the target) or the platform's opener. */
function browserCommand(target: string): [string, string[]] {
  // $BROWSER as Python's webbrowser and Jupyter take it.
  const browser = process.env['BROWSER']?.trim().split(/\s+/);
  if (browser?.[0]) {
    const args = browser.slice(1);
    return [browser[0], args.includes('%s') ? args.map((a) => (a === '%s' ? target : a)) : [...args, target]];
  }
  if (process.platform === 'darwin') return ['open', [target]];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '', target]];
  return ['xdg-open', [target]];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Opens the studio without the token in any command line (every local user can read those): as
 * Jupyter does, the browser opens a small redirect page instead of the URL, a file readable only
 * by this user (0600) in a private folder (0700) of the OS temp dir. Returns what removes it
 * (when the server stops).
 */
function openBrowser(url: string): () => void {
  let dir: string | undefined;
  const remove = () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  };
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-open-'));
    fs.chmodSync(dir, 0o700);
    const page = path.join(dir, 'open.html');
    const href = escapeHtml(url);
    const html = `<!doctype html>\n<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${href}"><title>Saccade</title></head>\n<body><p>Opening the Saccade studio: <a href="${href}">${href}</a></p></body></html>\n`;
    fs.writeFileSync(page, html, { mode: 0o600, flag: 'wx' });
    const [cmd, args] = browserCommand(page);
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No browser to open (or no temp dir): the printed URL is enough.
  }
  return remove;
}

function packageVersion(root: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Starts the studio server; resolves once it listens (stop it with `close`). */
export async function startStudioServer(
  opts: ServeOptions,
  log: (line: string) => void,
): Promise<{ server: RunningServer; studio: StudioService; close(): Promise<void> }> {
  const root = appRoot();
  const outDir = builtRenderer(root);
  const home = path.resolve(opts.home ?? defaultHome());
  const studio = await StudioService.create({
    home,
    transport: 'websocket',
    version: packageVersion(root),
    modelsDir: path.join(root, 'resources', 'models'),
  });
  const server = await startWsServer({
    api: studio,
    staticDir: outDir,
    host: opts.host,
    port: opts.port ?? DEFAULT_PORT,
    fallbackPort: opts.port === undefined,
  });
  return {
    server,
    studio,
    close: async () => {
      // The server first: no client can start anything while live runs stop and checkpoint.
      await server.close();
      await studio.shutdown();
    },
  };
}

export async function serve(argv: string[], io: Io): Promise<number> {
  let opts: ServeOptions | 'help';
  try {
    opts = parseServeArgs(argv);
  } catch (err) {
    io.err.write(`saccade: error: ${(err as Error).message}\n`);
    return 2;
  }
  if (opts === 'help') {
    io.out.write(SERVE_USAGE);
    return 0;
  }
  const log = (line: string) => io.err.write(`${line}\n`);
  if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
    log(`saccade: warning: listening on ${opts.host}: anyone who can reach this machine and has the URL can train, read and delete runs`);
  }
  let running: Awaited<ReturnType<typeof startStudioServer>>;
  try {
    running = await startStudioServer(opts, log);
  } catch (err) {
    io.err.write(`saccade: error: ${((err as Error).message ?? String(err)).split('\n')[0]}\n`);
    return 1;
  }
  io.out.write(`Saccade studio: ${running.server.url}\n`);
  log(`saccade: runs in ${running.studio.home}; Ctrl-C stops the server (live runs are stopped and checkpointed)`);
  for (const warning of running.studio.warnings) log(`saccade: warning: ${warning}`);
  const removeOpener = opts.open ? openBrowser(running.server.url) : () => {};
  process.once('exit', removeOpener);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(130);
      stopping = true;
      log('\nsaccade: stopping ...');
      process.off('SIGTERM', stop);
      running.close().then(
        () => (removeOpener(), resolve(0)),
        () => (removeOpener(), resolve(1)),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
