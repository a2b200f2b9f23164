import UPNG from 'upng-js';
import { describe, expect, it } from 'vitest';
import { encodeApng, encodeGif } from '../../src-main/shared/animation';
import { COLOUR_PALETTE, PALETTE, drawTraceFrame, indicesToRgba } from '../../src-main/shared/frames';
import { tinyTrace } from './fixtures';

/** Walks GIF blocks: image count, delays (centiseconds) and whether a loop extension is present. */
function parseGif(bytes: Uint8Array): { width: number; height: number; images: number; delays: number[]; loops: boolean; tableSize: number } {
  let p = 6;
  const width = bytes[p]! | (bytes[p + 1]! << 8);
  const height = bytes[p + 2]! | (bytes[p + 3]! << 8);
  const flags = bytes[p + 4]!;
  p += 7;
  const tableSize = flags & 0x80 ? 1 << ((flags & 7) + 1) : 0;
  p += 3 * tableSize;
  const skipSubBlocks = () => {
    while (bytes[p] !== 0) p += bytes[p]! + 1;
    p += 1;
  };
  let images = 0;
  let loops = false;
  const delays: number[] = [];
  for (;;) {
    const b = bytes[p++];
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = bytes[p++];
      if (label === 0xf9) delays.push(bytes[p + 2]! | (bytes[p + 3]! << 8));
      if (label === 0xff) loops = true;
      skipSubBlocks();
    } else if (b === 0x2c) {
      const f = bytes[p + 8]!;
      p += 9;
      if (f & 0x80) p += 3 * (1 << ((f & 7) + 1));
      p += 1;
      skipSubBlocks();
      images++;
    } else {
      throw new Error(`unexpected GIF block 0x${(b ?? 0).toString(16)} at ${p - 1}`);
    }
  }
  return { width, height, images, delays, loops, tableSize };
}

const trace = tinyTrace();
const frames = trace.steps.map((_, t) => drawTraceFrame(trace, t, { scale: 3, showProbs: true }));

describe('encodeGif', () => {
  it('writes a GIF89a with one image per step, the fixed palette and the delay', () => {
    const gif = encodeGif(frames, { delayMs: 250 });
    expect(new TextDecoder().decode(gif.subarray(0, 6))).toBe('GIF89a');
    const info = parseGif(gif);
    expect(info.images).toBe(trace.steps.length);
    expect(info.delays).toEqual([25, 25, 25, 25]);
    expect([info.width, info.height]).toEqual([frames[0]!.width, frames[0]!.height]);
    expect(info.loops).toBe(true);
    expect(info.tableSize).toBe(64);
    expect([...gif.subarray(13, 13 + 3 * 64)]).toEqual(PALETTE.flat());
  });

  it('plays once when loop is false', () => {
    expect(parseGif(encodeGif(frames, { delayMs: 100, loop: false })).loops).toBe(false);
  });

  it('refuses a frame wider or taller than the 65,535 px a GIF header can hold (it used to wrap)', () => {
    const wide = { width: 65536, height: 1, indices: new Uint8Array(65536) };
    expect(() => encodeGif([wide], { delayMs: 100 })).toThrow('65,536 x 1 px: a GIF is at most 65,535 px a side');
    const tall = { width: 1, height: 70000, indices: new Uint8Array(70000) };
    expect(() => encodeGif([tall], { delayMs: 100 })).toThrow('1 x 70,000 px: a GIF is at most 65,535 px a side');
    const widest = parseGif(encodeGif([{ width: 65535, height: 1, indices: new Uint8Array(65535) }], { delayMs: 100 }));
    expect([widest.width, widest.height]).toEqual([65535, 1]);
  });

  it('refuses frames of different sizes', () => {
    expect(() => encodeGif([frames[0]!, drawTraceFrame(trace, 0, { scale: 1 })], { delayMs: 100 })).toThrow(/differ in size/);
  });
});

describe('encodeApng', () => {
  it('writes an APNG that decodes to the same frames', () => {
    const png = encodeApng(frames, { delayMs: 200 });
    const img = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
    expect([img.width, img.height]).toEqual([frames[0]!.width, frames[0]!.height]);
    expect(img.frames).toHaveLength(frames.length);
    const rgba = UPNG.toRGBA8(img);
    expect(rgba).toHaveLength(frames.length);
    frames.forEach((f, i) => expect(new Uint8Array(rgba[i]!)).toEqual(indicesToRgba(f)));
    expect(img.frames.map((fr) => fr.delay)).toEqual([200, 200, 200, 200]);
  });
});

describe('colour animations', () => {
  const t = tinyTrace();
  const n = t.imageSize;
  const pixels: number[] = [];
  for (let i = 0; i < n * n; i++) pixels.push((i * 37) % 256, (i * 91) % 256, (i * 13) % 256);
  const colour = { ...t, channels: 3, pixels };
  const colourFrames = colour.steps.map((_, i) => drawTraceFrame(colour, i, { scale: 3, showProbs: true }));

  it('GIF: the 256-colour palette as the global table, the frames quantized into it', () => {
    const gif = encodeGif(colourFrames, { delayMs: 100 });
    const parsed = parseGif(gif);
    expect(parsed.tableSize).toBe(256);
    expect([...gif.subarray(13, 13 + 3 * 256)]).toEqual(COLOUR_PALETTE.flat());
    expect(parsed.images).toBe(colourFrames.length);
  });

  it('APNG: full colour, each frame decoding to its true-colour RGBA', () => {
    const png = encodeApng(colourFrames, { delayMs: 100 });
    const img = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
    const rgba = UPNG.toRGBA8(img);
    colourFrames.forEach((f, i) => expect(new Uint8Array(rgba[i]!)).toEqual(f.trueColour!()));
    // Unquantized: the image's own colours, more than the palette has.
    const first = new Uint8Array(rgba[0]!);
    expect([first[0], first[1], first[2]]).toEqual([0, 0, 0]);
    const x = 3 * 5 + 1; // image pixel (5, 0), zoomed by 3: clear of the boxes
    expect([...first.subarray(x * 4, x * 4 + 3)]).toEqual([(5 * 37) % 256, (5 * 91) % 256, (5 * 13) % 256]);
  });
});
