/**
 * Issue #8 case 7: `saccade export` has the studio's bounds: an animation too large to draw is
 * refused with one line and exit 2 before anything is drawn; one inside them has the computed size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { animationSize } from '../../src-main/shared/animation-limits';
import { tempDir } from '../helpers/mnist-subset';
import { lastJson, ROOT, saccade } from '../helpers/saccade-cli';

const home = tempDir('export-limits');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const MODEL = path.join(ROOT, 'resources/models/centered');

describe('saccade export bounds', () => {
  it('refuses an animation over the bounds with one line naming the sizes, exit 2, no file', async () => {
    const out = path.join(home, 'wide.gif');
    // 64 digits in one row at scale 16: 30,688 px wide (the old pipeline drew and wrote it).
    const wide = await saccade(['export', '--model', MODEL, '--images', '0-63', '--scale', '16', '--columns', '64', '--out', out], home);
    expect(wide.stderr).toBe(
      'saccade: error: the animation would be 30,688 x 639 px (19.6 Mpx per frame, 6 frames); ' +
        'at most 8,192 px a side, 32 Mpx per frame and 192 Mpx over all frames of a GIF: use a smaller --scale or fewer --columns\n',
    );
    expect(wide.code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
    // The issue's: 256 digits at scale 32 in 64 columns, about 32 GB drawn the old way.
    const huge = await saccade(['export', '--model', MODEL, '--images', '0-255', '--scale', '32', '--columns', '64', '--format', 'apng', '--out', out], home);
    expect(huge.stderr).toMatch(/^saccade: error: the animation would be 61,376 x 5,304 px \(325\.5 Mpx per frame, 6 frames\); .* of an APNG: use a smaller --scale or fewer --columns\n$/);
    expect(huge.code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('writes an animation inside the bounds with the computed size', async () => {
    const out = path.join(home, 'grid.gif');
    const r = await saccade(['export', '--model', MODEL, '--images', '0-9', '--scale', '3', '--columns', '5', '--out', out, '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    const expected = animationSize({ images: 10, imageSize: 28, scale: 3, columns: 5, frames: 6 });
    const bytes = fs.readFileSync(out);
    expect([bytes.readUInt16LE(6), bytes.readUInt16LE(8)]).toEqual([expected.width, expected.height]);
    expect(lastJson(r.stdout)).toEqual({ type: 'summary', file: out, format: 'gif', frames: 6, size: `${expected.width}x${expected.height}`, bytes: bytes.length });
  });
});
