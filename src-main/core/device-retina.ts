/**
 * The multi-scale retina as tensor ops, so a device backend (WebGPU) can cut glimpses without
 * reading images or locations back to the CPU. Same values and layout as extractGlimpses in
 * retina.ts; this is a crop (one gather) followed by an average pool of each 2^s x 2^s block.
 */
import * as tf from '@tensorflow/tfjs';
import { retinaLength, type RetinaSpec } from './retina';

/**
 * The retina as tensor ops, for device backends (WebGPU): the same values and layout as
 * extractGlimpses, with nothing read back to the CPU. images: [count, channels * S * S] (planes one
 * after another, as extractGlimpses reads them); locations: [count, 2] (x, y) in location units;
 * returns [count, retinaLength(spec)] float32: scale after scale, within a scale channel after
 * channel, g*g values row-major. Call inside tf.tidy (the intermediates are not disposed here).
 *
 * Padding rule: the planes get a one-pixel zero border and every window row/column index is clamped
 * into [-1, S] before the gather, so any index outside the image lands on a zero of that border.
 * That is exactly "pixels outside the image count as zero" for every location whatsoever (no clamp
 * of locations and no padding that grows with unitPixels), and costs only (S+2)^2 per plane.
 *
 * Corners are floor(c - size/2 + 0.5) (Math.round's halves-up; tf.round would round halves to
 * even), computed in float32 from the float32 locations, whereas the CPU retina computes them in
 * float64. They agree whenever c - size/2 is a half exactly or further than float32 rounding
 * (~1e-6 px) from one; within that sliver a window may sit one pixel off, which no test or training
 * run should notice. unitPixels that float32 cannot hold exactly (e.g. 12.3) widen that sliver.
 *
 * Ops: reshape, pad, mul/add (float and int32), floor, cast, range, minimum/maximum, slice, gather,
 * sum, concat: all have WebGPU kernels.
 */
export function extractGlimpsesTensor(spec: RetinaSpec, images: tf.Tensor2D, locations: tf.Tensor2D): tf.Tensor2D {
  const { imageSize: S, glimpseSize: g, scales, channels: C, unitPixels } = spec;
  const count = images.shape[0];
  if (images.shape[1] !== C * S * S) throw new Error(`extractGlimpsesTensor: images are [${images.shape}], expected [count, ${C * S * S}]`);
  if (locations.shape[0] !== count || locations.shape[1] !== 2)
    throw new Error(`extractGlimpsesTensor: locations are [${locations.shape}], expected [${count}, 2]`);
  if (count === 0) return tf.zeros([0, retinaLength(spec)]);

  // One zero pixel on every side suffices: indices are clamped onto it below.
  const Sp = S + 2;
  const planes = tf.pad(images.reshape([count, C, S, S]), [
    [0, 0],
    [0, 0],
    [1, 1],
    [1, 1],
  ]);
  const flatPlanes = planes.reshape([count * C * Sp * Sp]);
  // Start of plane (n, c) in flatPlanes, shaped to broadcast over a window's rows and columns.
  const planeBase = tf.range(0, count * C, 1, 'int32').mul(tf.scalar(Sp * Sp, 'int32')).reshape([count, C, 1, 1]);
  // Location units to pixels relative to the image centre; the centre is folded into each scale's
  // constant below so that only one rounding separates the product from the floor.
  const offsetPx = tf.cast(locations, 'float32').mul(tf.scalar(unitPixels, 'float32'));

  const parts: tf.Tensor2D[] = [];
  for (let s = 0; s < scales; s++) {
    const f = 2 ** s;
    const size = g * f;
    // corner = Math.round(S/2 + off - size/2) = floor(off + (S/2 - size/2 + 0.5)); the constant is a
    // multiple of 0.5, exact in float32.
    const corner = tf.cast(tf.floor(offsetPx.add(tf.scalar(S / 2 - size / 2 + 0.5, 'float32'))), 'int32'); // [count, 2]
    // Window pixel coordinates per image and axis, clamped onto the zero border, then shifted into
    // padded coordinates: [count, 2, size].
    const coords = corner
      .reshape([count, 2, 1])
      .add(tf.range(0, size, 1, 'int32').reshape([1, 1, size]))
      .maximum(tf.scalar(-1, 'int32'))
      .minimum(tf.scalar(S, 'int32'))
      .add(tf.scalar(1, 'int32'));
    const cols = coords.slice([0, 0, 0], [count, 1, size]).reshape([count, 1, 1, size]);
    const rows = coords.slice([0, 1, 0], [count, 1, size]).reshape([count, 1, size, 1]);
    const index = planeBase.add(rows.mul(tf.scalar(Sp, 'int32'))).add(cols); // [count, C, size, size]
    const window = tf.gather(flatPlanes, index); // [count, C, size, size]
    let pooled: tf.Tensor;
    if (f === 1) {
      pooled = window;
    } else {
      // Sum the f columns, then the f rows, of each block (two short sums keep float32 error small),
      // then scale by 1/f^2, a power of two and so exact.
      pooled = window
        .reshape([count, C, g, f, g, f])
        .sum(5)
        .sum(3)
        .mul(tf.scalar(1 / (f * f), 'float32'));
    }
    parts.push(pooled.reshape([count, C * g * g]));
  }
  return parts.length === 1 ? parts[0] : tf.concat(parts, 1);
}
