// gifenc 1.0.3 ships no types: the part Saccade uses.
declare module 'gifenc' {
  export interface GifFrameOptions {
    /** [r, g, b] or [r, g, b, a] entries; required on the first frame (global table). */
    palette?: number[][] | null;
    /** Milliseconds; stored in centiseconds. */
    delay?: number;
    /** 0 loops forever, -1 plays once, n loops n times. First frame only. */
    repeat?: number;
    transparent?: boolean;
    transparentIndex?: number;
    colorDepth?: number;
    dispose?: number;
    first?: boolean;
  }
  export interface GifEncoderInstance {
    writeFrame(index: Uint8Array, width: number, height: number, opts?: GifFrameOptions): void;
    writeHeader(): void;
    finish(): void;
    bytes(): Uint8Array;
    bytesView(): Uint8Array;
    reset(): void;
    readonly buffer: ArrayBuffer;
  }
  export function GIFEncoder(opts?: { initialCapacity?: number; auto?: boolean }): GifEncoderInstance;
  export function quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number, opts?: Record<string, unknown>): number[][];
  export function applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: number[][], format?: string): Uint8Array;
  const defaultExport: typeof GIFEncoder;
  export default defaultExport;
}
