/**
 * Every API call is checked against its schema before a service sees it: through the real
 * WebSocket server (a malformed call gets a ValidationError naming the field) and through callApi,
 * which both transports use, on a real StudioService.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StudioService } from '../../src-main/services/studio-service';
import { callApi } from '../../src-main/transports/call-api';
import { startWsServer, type RunningServer } from '../../src-main/transports/ws-server';
import { tempDir } from '../helpers/mnist-subset';
import { ROOT } from '../helpers/saccade-cli';

let home: string;
let studio: StudioService;
let server: RunningServer;

beforeAll(async () => {
  home = tempDir('api-params');
  studio = await StudioService.create({ home, transport: 'websocket' });
  server = await startWsServer({ api: studio, staticDir: path.join(ROOT, 'out', 'renderer'), port: 0 });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** One raw call over a real socket, as any client could send it. */
function call(method: string, params: unknown[]): Promise<{ result?: unknown; error?: { name: string; message: string } }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  return new Promise((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method, params })));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { name: string; message: string } };
      if (m.id !== 1) return;
      ws.close();
      resolve(m);
    });
    ws.on('error', reject);
  });
}

describe('API calls are checked at the transport', () => {
  it('a wrong field type over the WebSocket gets a ValidationError naming the field', async () => {
    const projectId = (await studio.listProjects())[0]!.id;
    const answer = await call('startRun', [{ projectId, config: { task: 'centered', batchSize: 'x' } }]);
    expect(answer.error).toEqual({ name: 'ValidationError', message: 'startRun: config.batchSize: expected an integer, got "x"' });
    expect(fs.existsSync(path.join(home, 'runs')) ? fs.readdirSync(path.join(home, 'runs')) : []).toEqual([]);
  });

  const cases: [string, unknown[], string][] = [
    ['renameRun', ['abc'], 'renameRun: name is missing'],
    ['renameRun', ['abc', 'new', 'extra'], 'renameRun: takes up to 2 parameters (runId, name)'],
    ['getSamples', [{ dataset: 'centered', split: 'test', offset: 0, limit: 5000 }], 'getSamples: limit: must be at most 1000, got 5000'],
    ['getSamples', [{ dataset: 'centered', split: 'valid', offset: 0, limit: 5 }], 'getSamples: split: expected "train" or "test", got "valid"'],
    ['traceRun', [{ runId: 'r', indices: [1.5], mode: 'mean' }], 'traceRun: indices.0: expected an integer, got 1.5'],
    ['updateSettings', [{ smoothing: 0.5, colour: 'red' }], "updateSettings: patch: unknown field 'colour'"],
    ['startRun', [{ projectId: 'p', config: { task: 'centered', glimpsez: 3 } }], "startRun: config: unknown field 'glimpsez'"],
    ['listRuns', [], 'listRuns: projectId is missing'],
    ['deleteRun', [{ id: 'x' }], 'deleteRun: runId: expected a string, got {"id":"x"}'],
  ];
  for (const [method, params, message] of cases) {
    it(`${method}(${JSON.stringify(params).slice(1, -1)}) -> ${message}`, async () => {
      const err = await callApi(studio, method, params).then(() => undefined, (e: Error) => e);
      expect(err?.name).toBe('ValidationError');
      expect(err?.message).toBe(message);
    });
  }

  it('well-formed calls go through, optional trailing parameters included', async () => {
    const project = (await callApi(studio, 'createProject', ['checked'])) as { id: string };
    expect(await callApi(studio, 'listRuns', [project.id])).toEqual([]);
    await callApi(studio, 'deleteProject', [project.id, undefined]);
    expect(((await callApi(studio, 'getSamples', [{ dataset: 'centered', split: 'test', offset: 0, limit: 2 }])) as { items: unknown[] }).items).toHaveLength(2);
  });

  it('an unknown method is refused', async () => {
    await expect(callApi(studio, 'constructor', [])).rejects.toThrow("unknown method 'constructor'");
  });
});
