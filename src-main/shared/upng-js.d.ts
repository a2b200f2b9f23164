// upng-js 2.1.0 ships no types: the part Saccade uses.
declare module 'upng-js' {
  interface DecodedPng {
    width: number;
    height: number;
    depth: number;
    ctype: number;
    frames: { rect: { x: number; y: number; width: number; height: number }; delay: number; dispose: number; blend: number }[];
    tabs: Record<string, unknown>;
    data: Uint8Array;
  }
  const UPNG: {
    /** RGBA frames (ArrayBuffers) to PNG/APNG; cnum 0 = lossless; dels = per-frame delay in ms. */
    encode(bufs: ArrayBuffer[], w: number, h: number, cnum: number, dels?: number[], forbidPlte?: boolean): ArrayBuffer;
    decode(buffer: ArrayBuffer | Uint8Array): DecodedPng;
    /** One RGBA ArrayBuffer per frame. */
    toRGBA8(img: DecodedPng): ArrayBuffer[];
  };
  export default UPNG;
}
