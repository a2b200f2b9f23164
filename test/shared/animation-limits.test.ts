import { describe, expect, it } from 'vitest';
import { ANIMATION_LIMITS, AnimationLimitError, animationSize, checkAnimationSize } from '../../src-main/shared/animation-limits';
import { drawTraceGridFrame } from '../../src-main/shared/frames';
import type { GlimpseTrace } from '../../src-main/shared/trace';
import { tinyTrace } from './fixtures';

/** A trace of an n x n image with `steps` glimpses (content does not change the frame's size). */
function traceOf(n: number, steps: number): GlimpseTrace {
  const t = tinyTrace(Array.from({ length: steps }, () => [0, 0] as [number, number]));
  return { ...t, imageSize: n, pixels: new Array<number>(n * n).fill(128) };
}

function limitError(f: () => unknown): AnimationLimitError {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AnimationLimitError);
  return caught as AnimationLimitError;
}

describe('animationSize', () => {
  it('is exactly the size drawTraceGridFrame draws, for the export options', () => {
    for (const [images, imageSize, scale, columns] of [
      [1, 28, 4, undefined],
      [2, 28, 1, undefined],
      [3, 8, 2, 2],
      [9, 28, 4, undefined],
      [10, 60, 3, 4],
      [5, 100, 2, 64],
      [17, 28, 7, 5],
    ] as const) {
      const traces = Array.from({ length: images }, () => traceOf(imageSize, 3));
      const frame = drawTraceGridFrame(traces, 0, { scale, columns: columns ?? Math.min(images, 8), showProbs: true, showTrail: true });
      const size = animationSize({ images, imageSize, scale, columns, frames: 3 });
      expect([size.width, size.height], `${images} images of ${imageSize} px, scale ${scale}, columns ${columns}`).toEqual([frame.width, frame.height]);
      expect(size.frames).toBe(3);
    }
  });

  it('counts the class-name line when the traces carry class names', () => {
    for (const [images, imageSize, scale] of [
      [1, 28, 4],
      [3, 20, 1],
      [4, 64, 3],
    ] as const) {
      const traces = Array.from({ length: images }, () => ({ ...traceOf(imageSize, 3), classNames: Array.from({ length: 10 }, (_, k) => `class ${k}`) }));
      const frame = drawTraceGridFrame(traces, 0, { scale, columns: Math.min(images, 8), showProbs: true, showTrail: true });
      const size = animationSize({ images, imageSize, scale, frames: 3, captions: true });
      expect([size.width, size.height]).toEqual([frame.width, frame.height]);
      expect(size.height).toBeGreaterThan(animationSize({ images, imageSize, scale, frames: 3 }).height);
    }
  });

  it('computes the issue\'s 256 images at scale 32 in 64 columns without drawing them', () => {
    // 64 cells of 896 px and 63 gaps of 64 px; 4 rows of 896 + 382 px (the probability strip:
    // 16 pad, 224 bars, 16 pad, 5 x 22 font, 16 pad) and 3 gaps.
    expect(animationSize({ images: 256, imageSize: 28, scale: 32, columns: 64, frames: 6 })).toMatchObject({ width: 61376, height: 5304, frames: 6 });
  });
});

describe('checkAnimationSize', () => {
  it('refuses the issue\'s 32 GB export before anything is allocated, saying what and what to change', () => {
    const err = limitError(() => checkAnimationSize({ images: 256, imageSize: 28, scale: 32, columns: 64, frames: 6 }, 'gif', 'flags'));
    expect(err.message).toBe(
      'the animation would be 61,376 x 5,304 px (325.5 Mpx per frame, 6 frames); ' +
        'at most 8,192 px a side, 32 Mpx per frame and 192 Mpx over all frames of a GIF: use a smaller --scale or fewer --columns',
    );
  });

  it('names the studio\'s fields when asked, and says which way the columns should go', () => {
    const tall = limitError(() => checkAnimationSize({ images: 256, imageSize: 28, scale: 8, columns: 1, frames: 6 }, 'apng', 'fields'));
    expect(tall.message).toMatch(/^the animation would be 224 x 85,232 px \(19\.1 Mpx per frame, 6 frames\); .* of an APNG: use a smaller scale or more columns$/);
    const total = limitError(() => checkAnimationSize({ images: 256, imageSize: 28, scale: 6, columns: 16, frames: 6 }, 'apng', 'fields'));
    expect(total.message).toMatch(/\(\d+\.\d Mpx per frame, 6 frames\); .* 48 Mpx over all frames of an APNG: use a smaller scale or fewer images$/);
  });

  it('accepts what the README and the studio export by default', () => {
    for (const imageSize of [28, 60, 100]) {
      expect(checkAnimationSize({ images: 8, imageSize, scale: 4, columns: 4, frames: 8 }, 'apng', 'flags').width).toBeLessThanOrEqual(ANIMATION_LIMITS.side);
      expect(() => checkAnimationSize({ images: 256, imageSize, scale: 2, columns: 16, frames: 8 }, 'gif', 'flags')).not.toThrow();
    }
  });

  it('keeps the limits far inside GIF\'s 16-bit header fields', () => {
    expect(ANIMATION_LIMITS.side).toBeLessThanOrEqual(65535);
  });
});
