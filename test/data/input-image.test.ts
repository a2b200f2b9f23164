/** A user's picture as a model's input (input-image.ts), against hand-computed pixels. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { borderMean, looksWhiteOnBlack, prepareInputImage } from '../../src-main/data/input-image';
import { DataError } from '../../src-main/data/idx';

function png(width: number, height: number, channels: 1 | 2 | 3 | 4, data: number[]): Promise<Uint8Array> {
  return sharp(Buffer.from(data), { raw: { width, height, channels } }).png().toBuffer().then((b) => new Uint8Array(b));
}

const grey4 = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160];

describe('prepareInputImage', () => {
  it('keeps a picture of the model size exactly; off never inverts, on always does', async () => {
    const bytes = await png(4, 4, 1, grey4);
    const off = await prepareInputImage(bytes, { imageSize: 4, channels: 1, whiteOnBlack: false }, 'off');
    expect(Array.from(off.pixels)).toEqual(grey4);
    expect(off.inverted).toBe(false);
    // Border: all but 60, 70, 100, 110: (10+20+30+40+50+80+90+120+130+140+150+160) / 12.
    expect(off.background).toBeCloseTo(1020 / 12, 9);
    const on = await prepareInputImage(bytes, { imageSize: 4, channels: 1, whiteOnBlack: false }, 'on');
    expect(Array.from(on.pixels)).toEqual(grey4.map((v) => 255 - v));
    expect(on.inverted).toBe(true);
  });

  it('resizes by area means: 4x4 to 2x2 is the mean of each 2x2 block, 2x2 to 4x4 repeats pixels', async () => {
    const small = await prepareInputImage(await png(4, 4, 1, grey4), { imageSize: 2, channels: 1, whiteOnBlack: false }, 'off');
    // (10+20+50+60)/4 = 35, (30+40+70+80)/4 = 55, (90+100+130+140)/4 = 115, (110+120+150+160)/4 = 135.
    expect(Array.from(small.pixels)).toEqual([35, 55, 115, 135]);
    const big = await prepareInputImage(await png(2, 2, 1, [0, 100, 200, 250]), { imageSize: 4, channels: 1, whiteOnBlack: false }, 'off');
    expect(Array.from(big.pixels)).toEqual([0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 250, 250, 200, 200, 250, 250]);
  });

  it("fits a wide picture in ('contain'), the margins at the background level", async () => {
    // 4x2: border = every pixel, mean (200*6 + 100*2) / 8 = 175.
    const wide = await png(4, 2, 1, [200, 200, 200, 200, 200, 100, 100, 200]);
    const r = await prepareInputImage(wide, { imageSize: 4, channels: 1, whiteOnBlack: false }, 'off');
    expect(r.background).toBe(175);
    expect(Array.from(r.pixels)).toEqual([175, 175, 175, 175, 200, 200, 200, 200, 200, 100, 100, 200, 175, 175, 175, 175]);
  });

  it("auto: a light-background photo is inverted for a white-on-black model, a dark one is not", async () => {
    const paper = [];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) paper.push(x >= 3 && x <= 4 && y >= 2 && y <= 5 ? 30 : 230);
    const light = await prepareInputImage(await png(8, 8, 1, paper), { imageSize: 8, channels: 1, whiteOnBlack: false }, 'auto');
    expect(light.inverted).toBe(false); // a black-on-white model: already its polarity
    const dark = paper.map((v) => 255 - v);
    const darkR = await prepareInputImage(await png(8, 8, 1, dark), { imageSize: 8, channels: 3, whiteOnBlack: true }, 'auto');
    expect(darkR.inverted).toBe(false);
    expect(darkR.background).toBe(25);
    // Colour output of a grey picture: three equal channels, unchanged.
    expect(Array.from(darkR.pixels.subarray(0, 6))).toEqual([25, 25, 25, 25, 25, 25]);
    const lightR = await prepareInputImage(await png(8, 8, 3, paper.flatMap((v) => [v, v, v])), { imageSize: 8, channels: 3, whiteOnBlack: true }, 'auto');
    expect(lightR.inverted).toBe(true);
    expect(lightR.background).toBe(230);
    expect(lightR.pixels[0]).toBe(25);
    expect(lightR.pixels[(2 * 8 + 3) * 3]).toBe(225);
  });

  it('flattens alpha onto white: a transparent canvas is a light background (inverted by auto)', async () => {
    // 4x4 RGBA: transparent everywhere but a black opaque 2x2 in the middle.
    const rgba: number[] = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) rgba.push(0, 0, 0, x >= 1 && x <= 2 && y >= 1 && y <= 2 ? 255 : 0);
    const r = await prepareInputImage(await png(4, 4, 4, rgba), { imageSize: 4, channels: 3, whiteOnBlack: true }, 'auto');
    expect(r.background).toBe(255);
    expect(r.inverted).toBe(true);
    expect(Array.from(r.pixels.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(r.pixels.subarray((1 * 4 + 1) * 3, (1 * 4 + 1) * 3 + 3))).toEqual([255, 255, 255]);
    // Light strokes on a transparent canvas go onto black, so they stay visible (not inverted then).
    const white = rgba.map((v, i) => (i % 4 === 3 ? v : 255));
    const w = await prepareInputImage(await png(4, 4, 4, white), { imageSize: 4, channels: 3, whiteOnBlack: true }, 'auto');
    expect(w.background).toBe(0);
    expect(w.inverted).toBe(false);
    expect(w.pixels[(1 * 4 + 1) * 3]).toBe(255);
    // Grey with alpha (2 channels): the same, white strokes onto black, for a grey model.
    const ga: number[] = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) ga.push(255, x >= 1 && x <= 2 && y >= 1 && y <= 2 ? 255 : 0);
    const g = await prepareInputImage(await png(4, 4, 2, ga), { imageSize: 4, channels: 1, whiteOnBlack: false }, 'off');
    expect(Array.from(g.pixels)).toEqual([0, 0, 0, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0]);
  });

  it('centres an off-centre blob MNIST-style: the ink box into 20/28 of the side, centre of mass at the centre', async () => {
    // 56x56 white paper with a black 8 x 16 bar (columns 4..11, rows 6..21): its box is 8 x 16,
    // fitted to 20 px high and 10 px wide, then placed with its centre of mass, (4.5, 9.5) in
    // the box, on (13.5, 13.5): left = round(9) = 9, top = round(4) = 4.
    const paper: number[] = [];
    for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) paper.push(x >= 4 && x <= 11 && y >= 6 && y <= 21 ? 0 : 255);
    const r = await prepareInputImage(await png(56, 56, 1, paper), { imageSize: 28, channels: 1, whiteOnBlack: true }, 'auto');
    expect(r.inverted).toBe(true);
    const expected = new Array<number>(28 * 28).fill(0);
    for (let y = 4; y < 24; y++) for (let x = 9; x < 19; x++) expected[y * 28 + x] = 255;
    expect(Array.from(r.pixels)).toEqual(expected);
    // A translated model's digits are 28 px: the box is 20 px there too, centred in its canvas.
    const t = await prepareInputImage(await png(56, 56, 1, paper), { imageSize: 60, channels: 1, whiteOnBlack: true, digitSize: 28 }, 'auto');
    let ink = 0;
    for (const v of t.pixels) if (v > 0) ink += 1;
    expect(ink).toBe(200);
    // Centre 29.5: left = round(29.5 - 4.5) = 25, top = round(29.5 - 9.5) = 20.
    expect([t.pixels[20 * 60 + 25], t.pixels[39 * 60 + 34], t.pixels[19 * 60 + 25], t.pixels[20 * 60 + 24]]).toEqual([255, 255, 0, 0]);
  });

  it('says what is wrong with an empty or non-image input', async () => {
    const target = { imageSize: 4, channels: 1 as const, whiteOnBlack: true };
    await expect(prepareInputImage(new Uint8Array(0), target, 'auto')).rejects.toThrow(DataError);
    await expect(prepareInputImage(new Uint8Array(0), target, 'auto')).rejects.toThrow(/empty/);
    await expect(prepareInputImage(new TextEncoder().encode('not a picture at all'), target, 'auto')).rejects.toThrow(/not an image/);
    await expect(prepareInputImage('/nonexistent/x.png', target, 'auto')).rejects.toThrow(/cannot be read/);
  });

  it('tells white-on-black data by its border', () => {
    const dark = new Uint8Array(16).fill(0);
    const light = new Uint8Array(16).fill(250);
    expect(borderMean({ data: light, width: 4, height: 4, channels: 1 })).toBe(250);
    expect(looksWhiteOnBlack([dark, dark], 4, 1)).toBe(true);
    expect(looksWhiteOnBlack([light, light, dark], 4, 1)).toBe(false);
  });
});
