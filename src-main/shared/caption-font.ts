/**
 * Class names in exported frames: the "Seven plus" pixel font of js-pixel-fonts (ASCII, 7 px
 * capitals, descenders below), read from its JSON glyph table only, so no PNG encoder or other
 * Node module comes along into the renderer. Characters it lacks are drawn as '?'.
 */
import sevenPlus from 'js-pixel-fonts/data/seven-plus.json';

interface Glyph {
  offset: number;
  pixels: number[][];
}

const GLYPHS = (sevenPlus as { glyphs: Record<string, Glyph> }).glyphs;

/** Rows a line of text takes at zoom 1: capitals are 7 high, descenders reach 2 lower. */
export const CAPTION_ROWS = 9;

function glyphOf(ch: string): Glyph {
  return GLYPHS[ch] ?? GLYPHS['?']!;
}

function glyphWidth(g: Glyph): number {
  return g.pixels[0]?.length ?? 0;
}

/** Width of `text` at zoom 1, glyphs one pixel apart. */
export function captionWidth(text: string): number {
  const chars = [...text];
  return chars.reduce((sum, ch) => sum + glyphWidth(glyphOf(ch)), 0) + Math.max(0, chars.length - 1);
}

/** The longest start of `text` (with '.' when cut) that fits in `width` pixels at zoom 1. */
export function fitCaption(text: string, width: number): string {
  if (captionWidth(text) <= width) return text;
  const chars = [...text];
  for (let n = chars.length - 1; n > 0; n--) {
    const cut = chars.slice(0, n).join('').trimEnd() + '.';
    if (captionWidth(cut) <= width) return cut;
  }
  return '';
}

/** Calls `plot(x, y)` for every ink pixel of `text` with its top-left at (x, y), zoomed. */
export function drawCaption(text: string, x: number, y: number, zoom: number, plot: (x: number, y: number, size: number) => void): number {
  let cx = x;
  for (const ch of text) {
    const g = glyphOf(ch);
    g.pixels.forEach((row, r) => {
      row.forEach((ink, c) => {
        if (ink) plot(cx + c * zoom, y + (r + g.offset) * zoom, zoom);
      });
    });
    cx += (glyphWidth(g) + 1) * zoom;
  }
  return cx - x;
}
