/**
 * ExportService (issue #8 case 7): the studio's export is bounded with a clear message, and
 * drawn and encoded in a trainer process, not on the server's event loop and heap. Real studio,
 * real shipped model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioService } from '../../src-main/services/studio-service';
import { animationSize } from '../../src-main/shared/animation-limits';
import { ROOT } from '../helpers/saccade-cli';

const MB = 1024 * 1024;

let home: string;
let studio: StudioService;
let runId: string;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-export-'));
  const modelsDir = path.join(home, 'models');
  fs.cpSync(path.join(ROOT, 'resources/models/centered'), path.join(modelsDir, 'centered'), { recursive: true });
  studio = await StudioService.create({ home: path.join(home, 'studio'), transport: 'websocket', version: '9.9.9', modelsDir });
  runId = studio.runs.listRuns()[0]!.id;
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function gifSize(bytes: Uint8Array): [number, number] {
  expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe('GIF89a');
  return [bytes[6]! | (bytes[7]! << 8), bytes[8]! | (bytes[9]! << 8)];
}

describe('StudioService.exportAnimation', () => {
  // First, so that no earlier test in this process has raised its peak memory.
  it('draws and encodes a large GIF outside the server process: its memory stays put', async () => {
    // 256 digits at scale 9 in 16 columns: 4,302 x 5,982 px, 6 frames, about 150 Mpx to draw.
    const request = { runId, indices: range(256), mode: 'mean' as const, format: 'gif' as const, scale: 9, delayMs: 100, columns: 16 };
    const before = process.memoryUsage().rss;
    const result = await studio.exportAnimation(request);
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
    const expected = animationSize({ images: 256, imageSize: 28, scale: 9, columns: 16, frames: 6 });
    expect([result.width, result.height, result.frames]).toEqual([expected.width, expected.height, 6]);
    expect(gifSize(result.bytes)).toEqual([4302, 5982]);
    expect(result.fileName).toBe(`${runId}-glimpses.gif`);
    expect(result.mimeType).toBe('image/gif');
    // Drawing it here took about 1.4 bytes per pixel of all frames (over 200 MB); the server now
    // holds only the finished file.
    expect(peakGrowth).toBeLessThan(result.bytes.length + 64 * MB);
  });

  it('refuses an animation over the bounds with the sizes and what to change', async () => {
    // 64 digits in one row at scale 16: 30,688 px wide (the old pipeline drew it on the server).
    await expect(studio.exportAnimation({ runId, indices: range(64), mode: 'mean', format: 'gif', scale: 16, delayMs: 100, columns: 64 })).rejects.toThrow(
      'the animation would be 30,688 x 639 px (19.6 Mpx per frame, 6 frames); at most 8,192 px a side, 32 Mpx per frame and 192 Mpx over all frames of a GIF: use a smaller scale or fewer columns',
    );
    // The issue's: 256 digits at scale 32 in 64 columns, about 32 GB drawn the old way.
    await expect(studio.exportAnimation({ runId, indices: range(256), mode: 'mean', format: 'apng', scale: 32, delayMs: 100, columns: 64 })).rejects.toThrow(
      /^the animation would be 61,376 x 5,304 px \(325\.5 Mpx per frame, 6 frames\); .* of an APNG: use a smaller scale or fewer columns$/,
    );
  });

  it('exports an APNG whose frames have the computed size', async () => {
    const result = await studio.exportAnimation({ runId, indices: [0, 1, 2], mode: 'sampled', format: 'apng', scale: 2, delayMs: 50 });
    expect(result.mimeType).toBe('image/apng');
    expect(result.fileName).toBe(`${runId}-glimpses.png`);
    expect([...result.bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const view = new DataView(result.bytes.buffer, result.bytes.byteOffset);
    const expected = animationSize({ images: 3, imageSize: 28, scale: 2, frames: 6 });
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([expected.width, expected.height]);
    expect([result.width, result.height, result.frames]).toEqual([expected.width, expected.height, 6]);
  });
});
