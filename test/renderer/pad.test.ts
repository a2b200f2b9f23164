import { describe, expect, it } from 'vitest';
import { PadModel, drawPad, inkColours, type PadContext } from '../../src-renderer/src/lib/pad';

function recorder(): PadContext & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    lineCap: 'butt',
    lineJoin: 'miter',
    fillRect: (x, y, w, h) => void calls.push(`fillRect ${x} ${y} ${w} ${h}`),
    beginPath: () => void calls.push('beginPath'),
    moveTo: (x, y) => void calls.push(`moveTo ${x} ${y}`),
    lineTo: (x, y) => void calls.push(`lineTo ${x} ${y}`),
    arc: (x, y, r) => void calls.push(`arc ${x} ${y} ${r}`),
    fill: () => void calls.push('fill'),
    stroke: () => void calls.push('stroke'),
  };
}

describe('drawing pad model', () => {
  it('records strokes between down and up, and ignores moves with no button down', () => {
    const pad = new PadModel();
    expect(pad.extend({ x: 1, y: 1 })).toBe(false);
    expect(pad.end()).toBe(false);
    pad.begin({ x: 0, y: 0 }, 20);
    expect(pad.drawing).toBe(true);
    expect(pad.extend({ x: 5, y: 5 })).toBe(true);
    expect(pad.extend({ x: 5, y: 5 })).toBe(false); // same point twice
    expect(pad.end()).toBe(true);
    pad.begin({ x: 9, y: 9 }, 10);
    pad.end();
    expect(pad.strokes.map((s) => s.points.length)).toEqual([2, 1]);
    expect(pad.extend({ x: 3, y: 3 })).toBe(false);
  });

  it('undoes the last stroke only, and clears all', () => {
    const pad = new PadModel();
    for (let i = 0; i < 3; i++) {
      pad.begin({ x: i, y: i }, 20);
      pad.extend({ x: i + 1, y: i });
      pad.end();
    }
    expect(pad.undo()).toBe(true);
    expect(pad.strokes.map((s) => s.points[0]!.x)).toEqual([0, 1]);
    pad.clear();
    expect(pad.empty).toBe(true);
    expect(pad.undo()).toBe(false);
  });

  it('paints the background, then each stroke as a round line (a lone point as a dot)', () => {
    const pad = new PadModel();
    pad.begin({ x: 10, y: 10 }, 20);
    pad.extend({ x: 30, y: 40 });
    pad.end();
    pad.begin({ x: 50, y: 50 }, 8);
    pad.end();
    const ctx = recorder();
    drawPad(ctx, pad.strokes, 100, 100, 'white-on-black');
    expect(ctx.calls).toEqual(['fillRect 0 0 100 100', 'beginPath', 'moveTo 10 10', 'lineTo 30 40', 'stroke', 'beginPath', 'arc 50 50 4', 'fill']);
    expect(ctx.strokeStyle).toBe('#fff');
    expect(ctx.lineCap).toBe('round');
    expect(inkColours('black-on-white')).toEqual({ background: '#fff', ink: '#000' });
  });
});
