/**
 * The browser mode's messages over one WebSocket, shared by the server and the renderer's client
 * (pure TypeScript: no Node or DOM APIs). A call is {id, method, params}; its answer {id, result}
 * or {id, error: {name, message}}; training events are pushed as {event: 'training', payload}.
 *
 * JSON alone would lose what Electron's structured clone keeps, so the renderer could tell the
 * transports apart: typed arrays become {"$typed": "u8" | "f32", "b64": ...}, non-finite numbers
 * {"$num": "NaN" | "Infinity" | "-Infinity"} and undefined array items {"$undef": 1}.
 */
import type { ApiErrorPayload, TrainingEvent } from '../shared/api';

export interface RequestMessage {
  id: number;
  method: string;
  params: unknown[];
}

export type ResponseMessage = { id: number; result: unknown } | { id: number; error: ApiErrorPayload };

export interface PushMessage {
  event: 'training';
  payload: TrainingEvent;
}

export type ServerMessage = ResponseMessage | PushMessage;

/** The URL path the API answers on, and the query parameter carrying the token. */
export const API_PATH = '/api';
export const TOKEN_PARAM = 'token';

/**
 * The largest message the server takes (bigger ones close the socket with 1009). Calls are small;
 * uploads go in UPLOAD_LIMITS.chunkBytes pieces, a third larger once in base64.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

// ---- base64 (no atob/Buffer: the same code runs everywhere and handles any size) ----

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let out = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i];
      const b = i + 1 < end ? bytes[i + 1] : 0;
      const c = i + 2 < end ? bytes[i + 2] : 0;
      const n = (a << 16) | (b << 8) | c;
      out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
      out += i + 1 < end ? ALPHABET[(n >> 6) & 63] : '=';
      out += i + 2 < end ? ALPHABET[n & 63] : '=';
    }
    parts.push(out);
  }
  return parts.join('');
}

export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const n =
      (sextet(clean, i) << 18) |
      (sextet(clean, i + 1) << 12) |
      ((i + 2 < clean.length ? sextet(clean, i + 2) : 0) << 6) |
      (i + 3 < clean.length ? sextet(clean, i + 3) : 0);
    out[o++] = (n >> 16) & 255;
    if (i + 2 < clean.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < clean.length) out[o++] = n & 255;
  }
  return out;
}

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const v = code < 128 ? LOOKUP[code] : -1;
  if (v < 0) throw new Error(`invalid base64 character at ${i}`);
  return v;
}

// ---- values ----

type Tagged = { $typed: 'u8' | 'f32'; b64: string } | { $num: 'NaN' | 'Infinity' | '-Infinity' } | { $undef: 1 };

/** A JSON-safe copy of `value` (typed arrays, non-finite numbers and undefined array items tagged). */
export function encodeValue(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    return { $num: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' } satisfies Tagged;
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return { $typed: 'u8', b64: bytesToBase64(value) } satisfies Tagged;
  if (value instanceof Float32Array) {
    return { $typed: 'f32', b64: bytesToBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) } satisfies Tagged;
  }
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, encodeValue);
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? ({ $undef: 1 } satisfies Tagged) : encodeValue(v)));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeValue(v);
  return out;
}

/** Reverses encodeValue. */
export function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const obj = value as Record<string, unknown>;
  if (typeof obj['$typed'] === 'string' && typeof obj['b64'] === 'string') {
    const bytes = base64ToBytes(obj['b64']);
    if (obj['$typed'] === 'u8') return bytes;
    if (obj['$typed'] === 'f32') {
      if (bytes.length % 4 !== 0) throw new Error(`f32 data of ${bytes.length} bytes is not a whole number of floats`);
      return new Float32Array(bytes.buffer, 0, bytes.length / 4);
    }
  }
  if (typeof obj['$num'] === 'string') return Number(obj['$num']);
  if (obj['$undef'] === 1 && Object.keys(obj).length === 1) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decodeValue(v);
  return out;
}

export function serialize(message: RequestMessage | ServerMessage): string {
  return JSON.stringify(encodeValue(message));
}

export function deserialize(text: string): unknown {
  return decodeValue(JSON.parse(text));
}

/** An error as it crosses a transport: plain {name, message}. */
export function errorPayload(err: unknown): ApiErrorPayload {
  if (err instanceof Error) return { name: err.name || 'Error', message: err.message };
  return { name: 'Error', message: String(err) };
}

/** Turns a crossed error back into an Error with the same name and message. */
export function errorFromPayload(payload: ApiErrorPayload): Error {
  const err = new Error(payload.message);
  err.name = payload.name;
  return err;
}

export function isRequestMessage(m: unknown): m is RequestMessage {
  if (!m || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  return typeof r['id'] === 'number' && typeof r['method'] === 'string' && Array.isArray(r['params']);
}
