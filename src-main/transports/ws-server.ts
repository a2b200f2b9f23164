/**
 * The browser mode: one HTTP server serving the built renderer and the API over a WebSocket at
 * /api. Every request needs the token (query parameter once, then an HttpOnly SameSite=Strict
 * cookie), as Jupyter does; only the contract's methods can be called.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SaccadeApi, TrainingEvent } from '../shared/api';
import { callApi } from './call-api';
import { API_PATH, MAX_MESSAGE_BYTES, TOKEN_PARAM, decodeValue, errorPayload, isRequestMessage, serialize, type ServerMessage } from './ws-protocol';

export interface WsServerOptions {
  api: SaccadeApi;
  /** The built renderer (index.html and assets/). */
  staticDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When the port is taken, take a free one instead of failing. */
  fallbackPort?: boolean;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};


export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/** The page's Content Security Policy: only its own scripts, and the API socket on this host. */
export function contentSecurityPolicy(hostHeader: string | undefined): string {
  const ws = hostHeader && /^[A-Za-z0-9.:[\]-]+$/.test(hostHeader) ? ` ws://${hostHeader}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // Not percent-encoding: not our token.
      }
    }
  }
  return undefined;
}

/** The request's URL, or undefined when it is none (`GET http://a:b:c/` makes new URL() throw). */
function requestUrl(req: http.IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/** Where the built renderer keeps its scripts and styles (vite's assets folder). */
const ASSETS_PATH = '/assets/';

export async function startWsServer(options: WsServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const host = options.host ?? '127.0.0.1';
  const staticDir = path.resolve(options.staticDir);
  const sockets = new Set<WebSocket>();
  let cookieName = 'saccade_token';

  // The page and the API always carry the token in their URL; the cookie only lets the page's
  // own assets load, so it is scoped to their path (and named for this port): other servers on
  // 127.0.0.1 never see it on their pages, and with it alone nothing but static files opens.
  const authorized = (req: http.IncomingMessage, url: URL): 'query' | 'cookie' | false => {
    if (sameToken(url.searchParams.get(TOKEN_PARAM), token)) return 'query';
    if (url.pathname.startsWith(ASSETS_PATH) && sameToken(cookieValue(req.headers.cookie, cookieName), token)) return 'cookie';
    return false;
  };

  const handleRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = requestUrl(req);
    if (!url) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('400 bad request\n');
      return;
    }
    const baseHeaders: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    const how = authorized(req, url);
    if (!how) {
      res.writeHead(403, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('403 forbidden: open the URL with ?token=... that `saccade serve` printed\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...baseHeaders, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (how === 'query') baseHeaders['Set-Cookie'] = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=${ASSETS_PATH}`;
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      rel = '/';
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    // A NUL byte makes fs throw synchronously; no file of ours has one.
    const file = rel.includes('\0') ? '' : path.resolve(staticDir, `.${path.posix.normalize(rel)}`);
    // What the cookie opens is checked on the decoded path too (/assets/..%2findex.html is the page).
    const root = how === 'cookie' ? path.join(staticDir, ASSETS_PATH) : staticDir + path.sep;
    if (!file.startsWith(root)) {
      res.writeHead(404, baseHeaders);
      res.end();
      return;
    }
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) {
        res.writeHead(404, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`404 not found: ${rel}\n`);
        return;
      }
      const headers: Record<string, string | number> = {
        ...baseHeaders,
        'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': stat.size,
      };
      if (file.endsWith('.html')) headers['Content-Security-Policy'] = contentSecurityPolicy(req.headers.host);
      else headers['Cache-Control'] = 'private, max-age=3600';
      res.writeHead(200, headers);
      if (req.method === 'HEAD') res.end();
      // A file gone between stat and read ends this response, not the server.
      else fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
    });
  };

  const server = http.createServer((req, res) => {
    // No request may end the server: whatever a handler throws becomes a 500 for that request.
    try {
      handleRequest(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    }
  });

  // Uploads come in chunks (uploadDatasetChunk): no message needs to be larger than this.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    // The http server stops watching the socket for errors once it is handed over here.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    try {
      const url = requestUrl(req);
      if (!url) return refuse('400 Bad Request');
      const origin = req.headers.origin;
      // A page elsewhere must not drive the API even if it learnt the token: same origin only.
      const sameOrigin = !origin || origin === `http://${req.headers.host}`;
      if (url.pathname !== API_PATH || !authorized(req, url) || !sameOrigin) return refuse('403 Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      refuse('500 Internal Server Error');
    }
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const send = (m: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(serialize(m));
    };
    const unsubscribe = options.api.onTrainingEvent((payload: TrainingEvent) => send({ event: 'training', payload }));
    ws.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        // Not JSON, so no id to answer: close (1007) so the client fails its pending calls.
        ws.close(1007, 'not JSON');
        return;
      }
      const id = (json as { id?: unknown } | null)?.id;
      const fail = (message: string) => typeof id === 'number' && send({ id, error: { name: 'ApiError', message } });
      let message: unknown;
      try {
        message = decodeValue(json);
      } catch (err) {
        fail(`the call's values do not decode: ${(err as Error).message}`);
        return;
      }
      if (!isRequestMessage(message)) {
        fail('a call needs {id, method, params: []}');
        return;
      }
      const callId = message.id;
      const answer = (m: ServerMessage) => {
        try {
          send(m);
        } catch (err) {
          // A result JSON cannot carry still gets an answer.
          send({ id: callId, error: { name: 'ApiError', message: `the answer cannot be sent: ${(err as Error).message}` } });
        }
      };
      callApi(options.api, message.method, message.params).then(
        (result) => answer({ id: callId, result }),
        (err: unknown) => answer({ id: callId, error: errorPayload(err) }),
      );
    });
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
    // On a bad frame (1009 too large, 1007 ...) ws is already closing with that code: cutting the
    // socket now would lose the close frame that tells the client why.
    ws.on('error', () => {
      if (ws.readyState === ws.OPEN) ws.terminate();
    });
  });

  const port = await listen(server, host, options.port ?? 0, options.fallbackPort ?? false);
  cookieName = `saccade_token_${port}`;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    host,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: http.Server, host: string, port: number, fallback: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' && fallback && port !== 0) {
        server.removeListener('error', onError);
        listen(server, host, 0, false).then(resolve, reject);
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
