/**
 * The schemas of importDataset and uploadDatasetChunk, through callApi (what both transports use)
 * on a real StudioService: the import options pass, malformed ones are refused before a service
 * (or a trainer process) sees them, and an upload's file may be a path of up to 512 characters.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';
import { callApi } from '../../src-main/transports/call-api';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-import-params-'));
  studio = await StudioService.create({ home, transport: 'websocket' });
});
afterAll(async () => {
  await studio.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
});

async function refusal(method: string, params: unknown[]): Promise<Error | undefined> {
  return callApi(studio, method, params).then(
    () => undefined,
    (e: Error) => e,
  );
}

describe('import and upload parameters', () => {
  const refused: [string, unknown[], RegExp][] = [
    ['importDataset', [{ name: 'x', folder: '/tmp', channels: 2 }], /^importDataset: channels: /],
    ['importDataset', [{ name: 'x', folder: '/tmp', imageSize: 2 }], /^importDataset: imageSize: /],
    ['importDataset', [{ name: 'x', folder: '/tmp', imageSize: 28.5 }], /^importDataset: imageSize: expected an integer/],
    ['importDataset', [{ name: 'x', folder: '/tmp', skipBad: 'yes' }], /^importDataset: skipBad: /],
    ['importDataset', [{ name: 'x', folder: '/tmp', resize: 28 }], /unknown field 'resize'/],
    ['uploadDatasetChunk', [{ file: `${'a'.repeat(509)}.png`, offset: 0, bytes: new Uint8Array(1) }], /^uploadDatasetChunk: chunk\.file: must /],
    ['uploadDatasetChunk', [{ file: '', offset: 0, bytes: new Uint8Array(1) }], /^uploadDatasetChunk: chunk\.file: must /],
  ];
  for (const [method, params, message] of refused) {
    it(`${method} refuses ${JSON.stringify(params).slice(1, 90)}`, async () => {
      const err = await refusal(method, params);
      expect(err?.name).toBe('ValidationError');
      expect(err?.message).toMatch(message);
    });
  }

  it('a path of 512 characters in a folder tree goes through to the uploads service', async () => {
    const file = `${'d'.repeat(250)}/${'e'.repeat(250)}/${'f'.repeat(6)}.png`;
    expect(file).toHaveLength(512);
    const progress = (await callApi(studio, 'uploadDatasetChunk', [{ file, offset: 0, bytes: new Uint8Array(2) }])) as { upload: string; received: number };
    expect(progress.received).toBe(2);
    expect(fs.existsSync(path.join(home, 'datasets', '.uploads', progress.upload, ...file.split('/')))).toBe(true);
  });

  it('the import options reach the service (a folder that is not there gets the import job\'s own message)', async () => {
    const missing = path.join(home, 'nowhere');
    const err = await refusal('importDataset', [{ name: 'opts', folder: missing, imageSize: 16, channels: 3, skipBad: true }]);
    expect(err?.name).toBe('ApiError');
    expect(err?.message).toBe(`${missing}: no such folder`);
  });
});
