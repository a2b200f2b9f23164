import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, decodeValue, deserialize, encodeValue, serialize } from '../../src-main/transports/ws-protocol';

describe('ws-protocol', () => {
  it('base64 matches Node for every length remainder', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 30000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      const b64 = bytesToBase64(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(b64)).toEqual(bytes);
    }
  });

  it('typed arrays nested anywhere survive a JSON round trip', () => {
    const f32 = new Float32Array([0.5, -1.25, 3.4028234663852886e38, 1e-7]);
    const u8 = Uint8Array.from([0, 1, 254, 255, 128]);
    const value = { id: 7, result: { pixels: u8, deep: [{ w: f32 }, [u8.subarray(1, 3)]], name: 'x', n: null } };
    const back = deserialize(serialize(value as never)) as typeof value;
    expect(back.result.pixels).toBeInstanceOf(Uint8Array);
    expect(back.result.pixels).toEqual(u8);
    expect(back.result.deep[0]).toEqual({ w: f32 });
    expect((back.result.deep[0] as { w: Float32Array }).w).toBeInstanceOf(Float32Array);
    expect(back.result.deep[1]).toEqual([Uint8Array.from([1, 254])]);
    expect(back.result.name).toBe('x');
    expect(back.result.n).toBeNull();
  });

  it('a Float32Array view at an odd offset is encoded as its own elements only', () => {
    const buf = new ArrayBuffer(32);
    const view = new Float32Array(buf, 8, 3);
    view.set([1, 2, 3]);
    expect(decodeValue(JSON.parse(JSON.stringify(encodeValue(view))))).toEqual(new Float32Array([1, 2, 3]));
  });

  it('NaN, infinities and undefined array items come back as they were', () => {
    const back = deserialize(serialize({ id: 1, result: { rows: [[1, NaN, Infinity, -Infinity]], params: [1, undefined, 2] } })) as {
      result: { rows: number[][]; params: unknown[] };
    };
    expect(back.result.rows[0][0]).toBe(1);
    expect(Number.isNaN(back.result.rows[0][1])).toBe(true);
    expect(back.result.rows[0].slice(2)).toEqual([Infinity, -Infinity]);
    expect(back.result.params).toEqual([1, undefined, 2]);
    expect(back.result.params.length).toBe(3);
  });
});
