/** Seeded pseudo-random numbers, so data, splits and initialisation repeat exactly from a seed. */

/** mulberry32: tiny, fast and good enough for shuffles, placements and weight init. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    // Mix the seed once so that neighbouring seeds do not start in step.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0) || 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher-Yates shuffle of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A child generator whose stream does not overlap this one's in practice. */
  fork(salt: number): Rng {
    return new Rng((this.int(0x7fffffff) ^ Math.imul(salt, 0x27d4eb2d)) >>> 0);
  }
}

/** murmur3's 32-bit finaliser: a bijection of 32-bit integers in which every input bit reaches every output bit. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The generator of one image's random draws at evaluation (its random first glimpse, its sampled
 * locations): a function of (seed, image index, Monte-Carlo sample) alone, so an image gets the
 * same draws whichever batch it is in, in whatever order, and through whichever path (evaluation,
 * the misclassified list, a trace, an export). Training's noise does not come from here.
 */
export function drawRng(seed: number, index: number, sample: number): Rng {
  let h = mix32((seed ^ 0x5bd1e995) >>> 0);
  h = mix32((h ^ Math.imul(index, 0x27d4eb2d)) >>> 0);
  h = mix32((h ^ Math.imul(sample + 1, 0x165667b1)) >>> 0);
  return new Rng(h);
}
