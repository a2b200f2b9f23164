/** Just enough GIF parsing for the e2e: walks the blocks and counts frames. */

export interface GifInfo {
  width: number;
  height: number;
  /** Graphic control extensions (0x21 0xF9): one per animation frame. */
  graphicControls: number;
  images: number;
}

export function parseGif(bytes: Uint8Array): GifInfo {
  const sig = String.fromCharCode(...bytes.subarray(0, 6));
  if (sig !== 'GIF89a' && sig !== 'GIF87a') throw new Error(`not a GIF: ${sig}`);
  const width = bytes[6]! | (bytes[7]! << 8);
  const height = bytes[8]! | (bytes[9]! << 8);
  const flags = bytes[10]!;
  let p = 13;
  if (flags & 0x80) p += 3 * (1 << ((flags & 7) + 1));
  const skipSubBlocks = () => {
    while (p < bytes.length) {
      const n = bytes[p++]!;
      if (n === 0) return;
      p += n;
    }
  };
  let graphicControls = 0;
  let images = 0;
  while (p < bytes.length) {
    const b = bytes[p++];
    if (b === 0x3b) break;
    if (b === 0x21) {
      if (bytes[p++] === 0xf9) graphicControls++;
      skipSubBlocks();
    } else if (b === 0x2c) {
      images++;
      const f = bytes[p + 8]!;
      p += 9;
      if (f & 0x80) p += 3 * (1 << ((f & 7) + 1));
      p++; // LZW minimum code size
      skipSubBlocks();
    } else {
      throw new Error(`unexpected GIF block 0x${b?.toString(16)} at ${p - 1}`);
    }
  }
  return { width, height, graphicControls, images };
}
