/**
 * Issue #8, the browser mode's server: no input ends `saccade serve`, every call gets an answer,
 * messages are bounded and uploads go in chunks. A real `saccade serve` process, reached over
 * real sockets (raw TCP, the `ws` client, the renderer's own WsApiClient).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { loadBundledMnist } from '../../src-main/data/dataset-files';
import { encodeIdx } from '../../src-main/data/idx';
import type { SaccadeApi } from '../../src-main/shared/api';
import { WsApiClient, type SocketLike } from '../../src-renderer/src/api/ws-client';
import { uploadFiles } from '../../src-renderer/src/lib/upload';
import { startServer } from '../e2e/helpers';
import { DIGIT_NAMES, writeDigitTree } from '../helpers/image-trees';

const MiB = 1024 * 1024;
let temp: string;
let server: ChildProcess;
let url: URL;
let token: string;

beforeAll(async () => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-hardening-'));
  const started = await startServer(path.join(temp, 'home'));
  server = started.server;
  url = new URL(started.url);
  token = url.searchParams.get('token')!;
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGINT');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  fs.rmSync(temp, { recursive: true, force: true });
});

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(pathAndQuery, url.origin), { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Writes `request` as raw bytes on a fresh TCP connection; resolves with all the server wrote back. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    socket.on('close', () => (clearTimeout(timer), resolve(reply)));
    socket.on('error', reject);
    socket.write(request, 'latin1');
  });
}

/** The server process is alive and still serves the studio. */
async function stillServes(): Promise<void> {
  const res = await get(`/?token=${token}`);
  expect(res.status).toBe(200);
  expect(server.exitCode).toBeNull();
}

function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://${url.host}/api?token=${token}`);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The next message on `ws`, or 'no answer' after `ms`. */
function nextMessage(ws: WebSocket, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no answer'), ms);
    ws.once('message', (data) => (clearTimeout(timer), resolve(String(data))));
  });
}

/** The close code `ws` ends with, or 0 if it stays open for `ms`. */
function closeCode(ws: WebSocket, ms = 10_000): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(0), ms);
    ws.once('close', (code) => (clearTimeout(timer), resolve(code)));
  });
}

describe('the token cookie', () => {
  it("is named for this server's port and scoped to the assets' path, HttpOnly, SameSite=Strict", async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(new URL(`/?token=${token}`, url.origin), resolve).on('error', reject));
    res.resume();
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^saccade_token_${url.port}=${token}; `));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/assets\/(;|$)/);
  });

  it('alone it opens only the static assets: not the page, not the API', async () => {
    const cookie = `saccade_token_${url.port}=${token}`;
    expect((await get('/', { Cookie: cookie })).status).toBe(403);
    expect((await get('/index.html', { Cookie: cookie })).status).toBe(403);
    expect((await get('/assets/nothing-here.js', { Cookie: cookie })).status).toBe(404);
    expect((await get('/assets/..%2findex.html', { Cookie: cookie })).status).toBe(404);
    expect((await get(`/assets/..%2findex.html?token=${token}`)).status).toBe(200);
    expect(await raw(`GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
  });
});

describe('no request ends saccade serve', () => {
  it('a request line that is no URL gets 400, on the page and the upgrade path', async () => {
    expect(await raw('GET http://a:b:c/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await stillServes();
    const upgrade = [
      'GET http://a:b:c/ HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      '',
      '',
    ].join('\r\n');
    expect(await raw(upgrade)).toMatch(/^HTTP\/1\.1 400/);
    await stillServes();
  });

  it('a token cookie that is not valid percent-encoding gets 403', async () => {
    const reply = await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: saccade_token_${url.port}=%E0%A4%A\r\nConnection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 403/);
    await stillServes();
  });

  it('an authenticated request for a path with a NUL byte gets 404', async () => {
    expect((await get(`/index.html%00.js?token=${token}`)).status).toBe(404);
    expect((await get(`/%00?token=${token}`)).status).toBe(404);
    await stillServes();
  });
});

describe('every call gets an answer', () => {
  it('a call whose typed array does not decode gets an error naming why', async () => {
    const ws = await openSocket();
    ws.send(JSON.stringify({ id: 7, method: 'getSamples', params: [{ $typed: 'u8', b64: '!!' }] }));
    const answer = JSON.parse(await nextMessage(ws)) as { id: number; error: { name: string; message: string } };
    expect(answer.id).toBe(7);
    expect(answer.error.name).toBe('ApiError');
    expect(answer.error.message).toMatch(/base64/);
    ws.close();
  });

  it('a message that is not JSON closes the socket (1007): no caller is left waiting on it', async () => {
    const ws = await openSocket();
    ws.send('{"id": 8, "method": "listPresets", "par');
    expect(await closeCode(ws)).toBe(1007);
    await stillServes();
  });
});

describe('the client answers every call too', () => {
  const client = () => new WsApiClient({ url: `ws://${url.host}/api?token=${token}`, createSocket: (u) => new WebSocket(u) as unknown as SocketLike });

  it('a call larger than the server takes is refused before it is sent; the other calls go on', async () => {
    const c = client();
    try {
      const big = c.api().checkConfig({ note: 'x'.repeat(5 * MiB) });
      const small = c.api().listPresets();
      await expect(big).rejects.toThrow(/checkConfig: the call is larger than the server takes/);
      expect((await small).length).toBe(4);
    } finally {
      c.close();
    }
  });

  it('an answer that does not decode rejects its call', async () => {
    // A stand-in server on 127.0.0.1 answering with a typed array that is not base64.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(JSON.stringify({ id: (JSON.parse(String(data)) as { id: number }).id, result: { $typed: 'u8', b64: '!!' } }))));
    const port = (wss.address() as { port: number }).port;
    const c = new WsApiClient({ url: `ws://127.0.0.1:${port}/`, createSocket: (u) => new WebSocket(u) as unknown as SocketLike });
    try {
      await expect(c.api().listPresets()).rejects.toThrow(/listPresets: the answer does not decode: invalid base64/);
    } finally {
      c.close();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});

describe('bounded messages and chunked uploads', () => {
  it('a message over the bound (5 MiB) closes the socket with 1009; the server goes on', async () => {
    const ws = await openSocket();
    ws.send(JSON.stringify({ id: 1, method: 'checkConfig', params: [{ note: 'x'.repeat(5 * MiB) }] }));
    expect(await closeCode(ws)).toBe(1009);
    const again = await openSocket();
    again.send(JSON.stringify({ id: 2, method: 'listPresets', params: [] }));
    expect(JSON.parse(await nextMessage(again))).toMatchObject({ id: 2 });
    again.close();
  });

  it('uploads IDX files larger than one message in bounded chunks, then imports them', async () => {
    const { train, test } = await loadBundledMnist();
    const n = 10_000;
    const files = [
      { name: 'train-images-idx3-ubyte', bytes: encodeIdx([n, 28, 28], train.images.subarray(0, n * 784)) },
      { name: 'train-labels-idx1-ubyte', bytes: encodeIdx([n], train.labels.subarray(0, n)) },
      { name: 't10k-images-idx3-ubyte', bytes: encodeIdx([n, 28, 28], test.images.subarray(0, n * 784)) },
      { name: 't10k-labels-idx1-ubyte', bytes: encodeIdx([n], test.labels.subarray(0, n)) },
    ];
    expect(files[0].bytes.length).toBeGreaterThan(5 * MiB);
    const sent: number[] = [];
    const client = new WsApiClient({
      url: `ws://${url.host}/api?token=${token}`,
      createSocket: (u) => {
        const ws = new WebSocket(u);
        const send = ws.send.bind(ws);
        (ws as unknown as { send(data: string): void }).send = (data: string) => (sent.push(Buffer.byteLength(data)), send(data));
        return ws as unknown as SocketLike;
      },
    });
    try {
      const api: SaccadeApi = client.api();
      const sources = files.map((f) => ({ name: f.name, size: f.bytes.length, read: async (start: number, end: number) => f.bytes.slice(start, end) }));
      const upload = await uploadFiles(api, sources);
      const info = await api.importDataset({ name: 'chunked', upload });
      expect(info.train + info.validation).toBe(n);
      expect(info.test).toBe(n);
      expect(Math.max(...sent)).toBeLessThan(2 * MiB);
      expect(sent.length).toBeGreaterThan(4 * 2);
      const page = await api.getSamples({ dataset: info.id, split: 'test', offset: n - 3, limit: 3 });
      expect(page.pixels).toEqual(test.images.slice((n - 3) * 784, n * 784));
      // The staging folder is gone once the files are in the dataset's own folder.
      expect(fs.readdirSync(path.join(temp, 'home', 'datasets', '.uploads'))).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('uploads a class-folder tree (each file by its relative path) over the socket, then imports it; unsafe paths are refused', async () => {
    const tree = await writeDigitTree(path.join(temp, 'tree'), { train: 4, test: 2 });
    const walk = (dir: string, prefix: string): { name: string; bytes: Uint8Array }[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}/${e.name}`) : [{ name: `${prefix}/${e.name}`, bytes: new Uint8Array(fs.readFileSync(path.join(dir, e.name))) }],
      );
    const files = walk(tree, 'digits');
    const client = new WsApiClient({ url: `ws://${url.host}/api?token=${token}`, createSocket: (u) => new WebSocket(u) as unknown as SocketLike });
    try {
      const api: SaccadeApi = client.api();
      // A path over 512 characters is refused by the call's schema, one with '..' by the uploads service.
      await expect(api.uploadDatasetChunk({ file: `${'a'.repeat(600)}.png`, offset: 0, bytes: new Uint8Array(1) })).rejects.toThrow(/file/);
      await expect(api.uploadDatasetChunk({ file: 'digits/../../../studio.json', offset: 0, bytes: new Uint8Array(1) })).rejects.toThrow(/'\.\.' segments/);
      const sources = files.map((f) => ({ name: f.name, size: f.bytes.length, read: async (start: number, end: number) => f.bytes.slice(start, end) }));
      const upload = await uploadFiles(api, sources);
      const info = await api.importDataset({ name: 'tree over ws', upload });
      expect(info).toMatchObject({ channels: 1, classes: 3, classNames: DIGIT_NAMES, split: 'given', perClass: { train: [4, 4, 4], test: [2, 2, 2] } });
      expect(info.folder).toBe(path.join(temp, 'home', 'datasets', 'tree-over-ws'));
      const page = await api.getSamples({ dataset: info.id, split: 'train', offset: 0, limit: 12 });
      expect(page.channels).toBe(1);
      expect(page.pixels.length).toBe(12 * 28 * 28);
      expect(fs.readdirSync(path.join(temp, 'home', 'datasets', '.uploads'))).toEqual([]);
      await stillServes();
    } finally {
      client.close();
    }
  });
});
