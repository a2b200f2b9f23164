/** Glimpse traces: where a model looked on one image, as plain data (crosses processes and IPC). */

/** One scale's square window on the image, in pixels (may reach outside the image). */
export interface GlimpseBox {
  /** Left edge (column) of the window, in pixels. */
  x: number;
  /** Top edge (row) of the window, in pixels. */
  y: number;
  /** Width and height of the window, in pixels. */
  size: number;
}

export interface GlimpseStep {
  /** Location in the model's coordinates, each in [-1, 1]: x horizontal, y vertical. */
  loc: [number, number];
  /** Centre of the glimpse in pixels: [x (column), y (row)]. */
  centerPx: [number, number];
  /** One box per scale, smallest first. */
  boxes: GlimpseBox[];
  /** Class probabilities the action network gives after this step. */
  probs: number[];
  /** What the retina saw: per scale, glimpseSize^2 pixels in [0, 1], row-major, channels interleaved (as `pixels`). */
  patches: number[][];
}

export interface GlimpseTrace {
  /** Index of the image in the test set it came from. */
  index: number;
  /** Image side in pixels (images are square). */
  imageSize: number;
  /** Levels 0..255, row-major, imageSize^2 pixels with `channels` values each (grey, or R, G, B). */
  pixels: number[];
  /** 1 (grey) or 3 (RGB); absent in traces saved before colour: 1. */
  channels?: number;
  /** Class names by label, when the data has them. */
  classNames?: string[];
  label: number;
  /** Class predicted after the last step. */
  prediction: number;
  glimpseSize: number;
  /** 'mean' follows the policy's mean; 'sampled' draws locations as in training. */
  mode: 'mean' | 'sampled';
  steps: GlimpseStep[];
}
