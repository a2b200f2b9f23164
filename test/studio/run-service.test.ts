/** RunService, through the StudioService facade: run deletion is by exact id. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';

let home: string;
let studio: StudioService;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-runs-'));
  studio = await StudioService.create({ home, transport: 'websocket', version: '9.9.9' });
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('RunService', () => {
  it('deleteRun needs the exact id: a prefix deletes nothing', async () => {
    const meta = studio.runs.createRun({ task: 'centered', config: {}, dataset: { source: 'x', train: 0, validation: 0, test: 0 }, seed: 1 });
    const dir = path.join(home, 'runs', meta.id);
    await expect(studio.deleteRun(meta.id.slice(0, 8))).rejects.toThrow(/exact run id/);
    await expect(studio.deleteRun(` ${meta.id}`)).rejects.toThrow(/exact run id/);
    expect(fs.existsSync(dir)).toBe(true);
    await studio.deleteRun(meta.id);
    expect(fs.existsSync(dir)).toBe(false);
  });

});
