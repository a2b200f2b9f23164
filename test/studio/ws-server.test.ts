/**
 * The browser mode end to end: `saccade serve` in its own process (serving the built renderer),
 * reached from Node with the `ws` client through the renderer's own WsApiClient.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SaccadeApi, TrainingEvent } from '../../src-main/shared/api';
import { WsApiClient, type SocketLike } from '../../src-renderer/src/api/ws-client';

const root = path.resolve(__dirname, '../..');
let home: string;
let server: ChildProcess;
let url: URL;
let client: WsApiClient;
let api: SaccadeApi;

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(pathAndQuery, url.origin), { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-serve-'));
  server = spawn(process.execPath, [path.join(root, 'bin/saccade.mjs'), 'serve', '--port', '0', '--no-open', '--home', home], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const found = out.split('\n').find((l) => l.startsWith('Saccade studio: '));
      if (found) resolve(found);
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  url = new URL(line.slice('Saccade studio: '.length).trim());
  client = new WsApiClient({
    url: `ws://${url.host}/api?token=${url.searchParams.get('token')}`,
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
  });
  api = client.api();
}, 180_000);

afterAll(async () => {
  client?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGINT');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  fs.rmSync(home, { recursive: true, force: true });
});

describe('saccade serve', () => {
  it('prints one URL on 127.0.0.1 with a long random token', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toMatch(/^[0-9a-f]{48}$/);
  });

  it('answers 403 without the token or with a wrong one', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/index.html?token=nope')).status).toBe(403);
    expect((await get('/', { Cookie: 'saccade_token=nope' })).status).toBe(403);
  });

  it('serves index.html with the token, sets the cookie and the strict CSP', async () => {
    const res = await get(`/?token=${url.searchParams.get('token')}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<div id="app">');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    // Assets load with the cookie alone.
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(res.body)![1];
    const withCookie = await get(`/${asset}`, { Cookie: cookie.split(';')[0] });
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers['content-type']).toMatch(/javascript/);
  });

  it('refuses the WebSocket without the token', async () => {
    const ws = new WebSocket(`ws://${url.host}/api`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
  });

  it('calls the API over the WebSocket, typed arrays included', async () => {
    const presets = await api.listPresets();
    expect(presets.map((p) => p.name)).toEqual(['centered', 'translated', 'cluttered60', 'cluttered100']);
    const page = await api.getSamples({ dataset: 'centered', split: 'test', offset: 0, limit: 2 });
    expect(page.pixels).toBeInstanceOf(Uint8Array);
    expect(page.pixels.length).toBe(2 * 784);
    expect(await api.pickFolder()).toBeUndefined();
  });

  it('refuses methods outside the contract, and errors cross as {name, message}', async () => {
    const call = (client as unknown as { call(m: string, p: unknown[]): Promise<unknown> }).call.bind(client);
    await expect(call('constructor', [])).rejects.toThrow(/unknown method 'constructor'/);
    await expect(call('shutdown', [])).rejects.toThrow(/unknown method/);
    const err = await api.checkConfig({}).then(() => undefined);
    expect(err).toBeUndefined();
    await expect(api.renameProject('missing', 'x')).rejects.toMatchObject({ name: 'ProjectError', message: "no project with id 'missing'" });
  });

  it('reports the backend a new run would use', async () => {
    const info = await api.getAppInfo();
    expect(info.transport).toBe('websocket');
    expect(info.home).toBe(home);
    expect(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']).toContain(info.backend.name);
  });

  it('starts a run, streams its training events, stops it; the stopped run traces and exports', async () => {
    const events: TrainingEvent[] = [];
    const unsubscribe = api.onTrainingEvent((e) => events.push(e));
    const [project] = await api.listProjects();
    const { runId } = await api.startRun({
      projectId: project.id,
      name: 'tiny',
      config: { task: 'centered', batchSize: 8, glimpses: 2, glimpseHidden: 16, locationHidden: 16, glimpseFeatures: 32, coreHidden: 32, validationSize: 500, mcSamples: 1 },
      maxSteps: 5000,
    });
    expect(runId).toMatch(/centered|tiny/);
    const until = async (pred: () => boolean, what: string, ms = 90_000) => {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${events.map((e) => e.event.type).join(',')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until(() => events.some((e) => e.runId === runId && e.event.type === 'progress'), 'a progress event');
    expect(events.some((e) => e.event.type === 'run')).toBe(true);
    expect(events.some((e) => e.event.type === 'backend')).toBe(true);
    expect((await api.listRuns(project.id)).map((r) => r.id)).toContain(runId);

    await api.stopRun(runId);
    await until(() => events.some((e) => e.runId === runId && e.event.type === 'result'), 'the result');
    const row = (await api.listRuns(project.id)).find((r) => r.id === runId)!;
    expect(row.status).toBe('stopped');
    expect((await api.listCheckpoints(runId)).map((c) => c.name)).toContain('best');
    const metrics = await api.getMetrics(runId);
    expect(metrics.columns.slice(0, 3)).toEqual(['step', 'epoch', 'time']);

    const traces = await api.traceRun({ runId, indices: [0, 1], mode: 'mean' });
    expect(traces.map((t) => t.index)).toEqual([0, 1]);
    const gif = await api.exportAnimation({ runId, indices: [0, 1], mode: 'mean', format: 'gif', scale: 2, delayMs: 100 });
    expect(gif.bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(gif.bytes.subarray(0, 6))).toBe('GIF89a');
    expect(gif.frames).toBeGreaterThan(1);
    const wrong = await api.listMisclassified(runId, 5);
    expect(wrong.length).toBeLessThanOrEqual(5);
    for (const w of wrong) expect(w.prediction).not.toBe(w.label);
    unsubscribe();
  });
});
