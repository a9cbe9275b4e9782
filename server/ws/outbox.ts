import type WebSocket from 'ws';
import type { WsLimits } from '../options.ts';
import type { OutFrame } from './frames.ts';

/** Close codes the server uses (RFC 6455 §7.4.1). */
export const CLOSE = { policy: 1008, internalError: 1011, tryAgainLater: 1013, goingAway: 1001 } as const;

/**
 * Everything the server sends to one client goes through its outbox, which
 * never waits on the client: `ws.send` only queues. Results, audio and stats
 * are *droppable*: while more than `skipAboveBytes` is still buffered for the
 * client they are skipped (counted) instead of queued, so a slow client
 * costs the server a bounded amount of memory and the others nothing. A
 * client that stays behind for `closeAfterBehindMs`, or has more than
 * `closeAboveBytes` queued, is closed with 1013 (try again later); the
 * socket is cut `closeGraceMs` later if it does not answer the close.
 * A JSON message and its binary frame are sent or skipped together.
 */
export class Outbox {
  /** Droppable messages skipped because the client was behind. */
  skipped = 0;
  private behindSinceMs: number | null = null;
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: WsLimits,
    private readonly hooks: { onSkip(): void; onSlowClose(): void },
  ) {}

  get open(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  /** Queue a frame; returns false when it was skipped or the socket is not open. */
  send(frame: OutFrame, droppable: boolean): boolean {
    if (!this.open) return false;
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.limits.closeAboveBytes) {
      this.slowClose(`more than ${this.limits.closeAboveBytes} bytes waiting for this client`);
      return false;
    }
    if (droppable && buffered > this.limits.skipAboveBytes) {
      const now = Date.now();
      this.behindSinceMs ??= now;
      this.skipped++;
      this.hooks.onSkip();
      if (now - this.behindSinceMs > this.limits.closeAfterBehindMs) this.slowClose(`behind for more than ${this.limits.closeAfterBehindMs} ms`);
      return false;
    }
    if (droppable) this.behindSinceMs = null;
    this.ws.send(frame.text);
    if (frame.binary) this.ws.send(frame.binary);
    return true;
  }

  /** Close with a code and reason, cutting the socket after the grace period if the client never answers. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.close(code, reason.slice(0, 120));
    const timer = setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }

  private slowClose(why: string): void {
    this.hooks.onSlowClose();
    this.close(CLOSE.tryAgainLater, `too far behind (${why}); reconnect`);
  }
}
