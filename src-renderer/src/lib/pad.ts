/** The drawing pad's model: strokes of points, Undo of the last stroke, Clear; drawn on any 2D context. */

export interface PadPoint {
  x: number;
  y: number;
}

export interface PadStroke {
  points: PadPoint[];
  width: number;
}

export type PadInk = 'white-on-black' | 'black-on-white';

export class PadModel {
  strokes: PadStroke[] = [];
  private current: PadStroke | undefined;

  /** A stroke starts (pointer down). */
  begin(point: PadPoint, width: number): void {
    this.current = { points: [point], width };
    this.strokes.push(this.current);
  }

  /** The pointer moved while down; false when no stroke is in progress. */
  extend(point: PadPoint): boolean {
    if (!this.current) return false;
    const last = this.current.points[this.current.points.length - 1]!;
    if (last.x === point.x && last.y === point.y) return false;
    this.current.points.push(point);
    return true;
  }

  /** The stroke ended (pointer up or cancelled); true when one was in progress. */
  end(): boolean {
    const had = this.current !== undefined;
    this.current = undefined;
    return had;
  }

  get drawing(): boolean {
    return this.current !== undefined;
  }

  /** Removes the last stroke; false when there was none. */
  undo(): boolean {
    this.current = undefined;
    return this.strokes.pop() !== undefined;
  }

  clear(): void {
    this.current = undefined;
    this.strokes = [];
  }

  get empty(): boolean {
    return this.strokes.length === 0;
  }
}

/** What drawPad needs of a CanvasRenderingContext2D. */
export interface PadContext {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  lineCap: string;
  lineJoin: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  fill(): void;
  stroke(): void;
}

export function inkColours(ink: PadInk): { background: string; ink: string } {
  return ink === 'white-on-black' ? { background: '#000', ink: '#fff' } : { background: '#fff', ink: '#000' };
}

/** Paints the background and every stroke (a lone point as a dot). */
export function drawPad(ctx: PadContext, strokes: readonly PadStroke[], width: number, height: number, ink: PadInk): void {
  const colours = inkColours(ink);
  ctx.fillStyle = colours.background;
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = colours.ink;
  ctx.fillStyle = colours.ink;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const s of strokes) {
    const [first, ...rest] = s.points;
    if (!first) continue;
    if (rest.length === 0) {
      ctx.beginPath();
      ctx.arc(first.x, first.y, s.width / 2, 0, Math.PI * 2);
      ctx.fill();
      continue;
    }
    ctx.lineWidth = s.width;
    ctx.beginPath();
    ctx.moveTo(first.x, first.y);
    for (const p of rest) ctx.lineTo(p.x, p.y);
    ctx.stroke();
  }
}
