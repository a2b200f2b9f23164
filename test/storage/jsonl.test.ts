import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendJsonLine, readJsonLines, repairJsonl } from '../../src-main/storage/jsonl';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saccade-jsonl-'));
  file = path.join(dir, 'metrics.jsonl');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('jsonl', () => {
  it('appends one line per object and reads them back in order', () => {
    appendJsonLine(file, { step: 1 });
    appendJsonLine(file, { step: 2 });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"step":1}\n{"step":2}\n');
    expect(readJsonLines(file)).toEqual([{ step: 1 }, { step: 2 }]);
  });

  it('reads a missing file as empty', () => {
    expect(readJsonLines(file)).toEqual([]);
  });

  it('skips a torn last line and garbled lines instead of throwing', () => {
    fs.writeFileSync(file, '{"step":1}\nnot json\n{"step":2}\n{"step":3,"lo');
    expect(readJsonLines(file)).toEqual([{ step: 1 }, { step: 2 }]);
  });

  it('repairJsonl cuts a torn final line so appends start clean', () => {
    fs.writeFileSync(file, '{"step":1}\n{"step":2,"lo');
    expect(repairJsonl(file)).toBe('{"step":2,"lo'.length);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"step":1}\n');
    appendJsonLine(file, { step: 3 });
    expect(readJsonLines(file)).toEqual([{ step: 1 }, { step: 3 }]);
  });

  it('repairJsonl leaves a clean file alone and keeps a whole record that lost its newline', () => {
    fs.writeFileSync(file, '{"step":1}\n');
    expect(repairJsonl(file)).toBe(0);
    fs.writeFileSync(file, '{"step":1}\n{"step":2}');
    expect(repairJsonl(file)).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"step":1}\n{"step":2}\n');
    expect(repairJsonl(path.join(dir, 'missing.jsonl'))).toBe(0);
  });
});
