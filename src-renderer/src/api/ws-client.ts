/**
 * The SaccadeApi over the browser mode's WebSocket: the same promises and events the Electron
 * preload gives, so the UI cannot tell them apart. Calls made while (re)connecting wait in a
 * queue; calls still unanswered when the socket closes are rejected with a clear error; the
 * socket reconnects with backoff.
 */
import { API_METHODS, type ApiMethod, type SaccadeApi, type TrainingEvent, type Unsubscribe } from '../../../src-main/shared/api';
import {
  API_PATH,
  MAX_MESSAGE_BYTES,
  TOKEN_PARAM,
  decodeValue,
  errorFromPayload,
  serialize,
  type RequestMessage,
  type ServerMessage,
} from '../../../src-main/transports/ws-protocol';

interface Pending {
  message: RequestMessage;
  resolve(value: unknown): void;
  reject(err: Error): void;
  sent: boolean;
}

/** The minimal WebSocket surface used (the browser's, or a test double). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const OPEN = 1;

export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

export class WsApiClient {
  private socket: SocketLike | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: TrainingEvent) => void>();
  private nextId = 1;
  private delay: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: WsClientOptions) {
    this.delay = options.minDelayMs ?? 250;
    this.connect();
  }

  call(method: ApiMethod, params: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new ConnectionError('the Saccade connection was closed'));
    return new Promise((resolve, reject) => {
      const message: RequestMessage = { id: this.nextId++, method, params };
      const entry: Pending = { message, resolve, reject, sent: false };
      this.pending.set(message.id, entry);
      if (this.socket?.readyState === OPEN) this.send(entry);
      else if (!this.socket && !this.reconnectTimer) this.connect();
    });
  }

  onTrainingEvent(listener: (event: TrainingEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Closes for good: pending calls are rejected, no reconnects. */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.close();
    this.rejectAll('the Saccade connection was closed');
  }

  /** The SaccadeApi view of this client. */
  api(): SaccadeApi {
    const api = { onTrainingEvent: (l: (e: TrainingEvent) => void) => this.onTrainingEvent(l) } as Record<string, unknown>;
    for (const method of API_METHODS) api[method] = (...params: unknown[]) => this.call(method, params);
    return api as unknown as SaccadeApi;
  }

  private send(entry: Pending): void {
    entry.sent = true;
    const text = serialize(entry.message);
    // The server would close the socket on it (and fail every other pending call): refuse it here.
    if (text.length > MAX_MESSAGE_BYTES / 3 && new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES) {
      this.pending.delete(entry.message.id);
      entry.reject(new ConnectionError(`${entry.message.method}: the call is larger than the server takes (${MAX_MESSAGE_BYTES} bytes); files go with uploadDatasetChunk`));
      return;
    }
    this.socket!.send(text);
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = create(this.options.url);
    } catch (err) {
      this.rejectAll(`cannot connect to the Saccade server: ${(err as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.delay = this.options.minDelayMs ?? 250;
      for (const entry of this.pending.values()) if (!entry.sent) this.send(entry);
    };
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onerror = () => {
      // A close event follows; it does the work.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.rejectAll('the connection to the Saccade server closed before it answered (is `saccade serve` still running?)');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const wait = this.delay;
    this.delay = Math.min(this.options.maxDelayMs ?? 10_000, this.delay * 2);
    this.reconnectTimer = setTimeout(() => this.connect(), wait);
  }

  private receive(data: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return;
    }
    let message: ServerMessage;
    try {
      message = decodeValue(json) as ServerMessage;
    } catch (err) {
      // An answer that does not decode still ends its call.
      const id = (json as { id?: unknown } | null)?.id;
      const entry = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (entry) {
        this.pending.delete(id as number);
        entry.reject(new ConnectionError(`${entry.message.method}: the answer does not decode: ${(err as Error).message}`));
      }
      return;
    }
    if ('event' in message) {
      if (message.event === 'training') for (const l of [...this.listeners]) l(message.payload);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if ('error' in message) entry.reject(errorFromPayload(message.error));
    else entry.resolve(message.result);
  }

  private rejectAll(why: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(new ConnectionError(`${entry.message.method}: ${why}`));
  }
}

/** The API socket's URL for a page served by `saccade serve` (token taken from the page's URL). */
export function apiUrlFor(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${API_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}
