import { describe, expect, it } from 'vitest';
import { escapeCsv, metricsToCsv, toCsv } from '../../src-renderer/src/lib/csv';

describe('CSV export', () => {
  it('escapes commas, quotes and newlines', () => {
    expect(escapeCsv('plain')).toBe('plain');
    expect(escapeCsv('a,b')).toBe('"a,b"');
    expect(escapeCsv('say "hi"')).toBe('"say ""hi"""');
    expect(escapeCsv('two\nlines')).toBe('"two\nlines"');
    expect(escapeCsv(NaN)).toBe('');
    expect(escapeCsv(undefined)).toBe('');
    expect(escapeCsv(0.5)).toBe('0.5');
  });

  it('text cells that a spreadsheet would run as a formula get a leading quote; numbers stay numbers', () => {
    // OWASP's CSV injection advice: = + - @ tab and CR start a formula in Excel, LibreOffice, Sheets.
    expect(escapeCsv('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(escapeCsv('+1+2')).toBe("'+1+2");
    expect(escapeCsv('-2+3')).toBe("'-2+3");
    expect(escapeCsv('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(escapeCsv('\t=1')).toBe("'\t=1");
    expect(escapeCsv('\r=1')).toBe(`"'\r=1"`);
    expect(escapeCsv(-1.5)).toBe('-1.5');
    expect(escapeCsv(-0.001)).toBe('-0.001');
    expect(escapeCsv('a=b')).toBe('a=b');
    const csv = metricsToCsv([{ id: 'r1', name: '=cmd|calc', series: { runId: 'r1', columns: ['step', 'epoch', 'time', 'loss'], rows: [[20, 0.5, 1000, -0.25]] } }]);
    expect(csv.split('\r\n')[1]).toBe("r1,'=cmd|calc,20,0.5,1000,-0.25");
  });

  it('writes a header and one line per row', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('joins runs on the union of their columns, blanks where a run lacks one', () => {
    const csv = metricsToCsv([
      { id: 'r1', name: 'first, run', series: { runId: 'r1', columns: ['step', 'epoch', 'time', 'loss'], rows: [[20, 0.5, 1000, 1.25]] } },
      { id: 'r2', name: 'second', series: { runId: 'r2', columns: ['step', 'epoch', 'time', 'validationAccuracy'], rows: [[40, 1, 2000, 0.9]] } },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'run,name,step,epoch,time,loss,validationAccuracy',
      'r1,"first, run",20,0.5,1000,1.25,',
      'r2,second,40,1,2000,,0.9',
      '',
    ]);
  });
});
