import { pageToken } from './api.ts';
import { FRAME_AUDIO, FRAME_EMBEDDINGS, announcesBinary, decodeFrame, encodeMessage, parseMessage, type AudioMsg, type ClientMsg, type ResultMsg, type ServerMsg } from './wire.ts';

export interface SocketHandlers {
  onOpen(): void;
  /** A server message, with its binary frame's values when it announced one. */
  onMessage(msg: ServerMsg, data: Float32Array | null): void;
  onClose(code: number, reason: string): void;
  /** Something the server sent could not be read (the message is dropped). */
  onProblem(err: Error): void;
  onRtt(ms: number): void;
}

/**
 * The WebSocket to earshot (`/ws` on the page's origin, with the page's
 * `?token=`): pairs each `result`/`audio` message with the binary frame after
 * it, pings every 2 s for the round trip, and reconnects after a drop
 * (0.5 s, doubling to 8 s) until `close`.
 */
export class EarshotSocket {
  private ws: WebSocket | null = null;
  private pending: ResultMsg | AudioMsg | null = null;
  private retryMs = 500;
  private closed = false;
  private pingTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly handlers: SocketHandlers) {}

  connect(): void {
    this.closed = false;
    const url = new URL('ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.hash = '';
    const token = pageToken();
    if (token) url.searchParams.set('token', token);
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.pending = null;
    ws.onopen = () => {
      this.retryMs = 500;
      this.pingTimer = setInterval(() => this.send({ type: 'ping', t: performance.now() }), 2000);
      this.handlers.onOpen();
    };
    ws.onmessage = (e: MessageEvent<string | ArrayBuffer>) => this.receive(e.data);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.handlers.onClose(e.code, e.reason);
      if (!this.closed) {
        setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 8000);
      }
    };
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  /** Send one message (and its binary frame); false when not connected. */
  send(msg: ClientMsg, binary?: ArrayBuffer): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encodeMessage(msg));
    if (binary) ws.send(binary);
    return true;
  }

  /** Bytes queued in the browser, not yet on the wire. */
  get bufferedBytes(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  private receive(data: string | ArrayBuffer): void {
    try {
      if (typeof data === 'string') {
        if (this.pending) {
          this.pending = null;
          this.handlers.onProblem(new Error('the server sent a message where a binary frame was announced; that result is dropped'));
        }
        const msg = parseMessage(data);
        if (announcesBinary(msg)) this.pending = msg;
        else if (msg.type === 'pong' && typeof msg.t === 'number') this.handlers.onRtt(performance.now() - msg.t);
        else this.handlers.onMessage(msg, null);
        return;
      }
      const msg = this.pending;
      this.pending = null;
      if (!msg) throw new Error('the server sent a binary frame nobody announced');
      this.handlers.onMessage(msg, decodeFrame(data, msg.type === 'result' ? FRAME_EMBEDDINGS : FRAME_AUDIO));
    } catch (err) {
      this.handlers.onProblem(err as Error);
    }
  }
}
