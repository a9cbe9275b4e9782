import { Errors } from '../../src/errors.ts';

/**
 * The uploads folder's disk quota: each upload's size and when a stream last
 * played it. `makeRoom` picks the uploads to delete, least recently used
 * first and never one a stream is playing, so that a new one fits.
 */
export class UploadQuota {
  private readonly entries = new Map<string, { bytes: number; lastUsedMs: number }>();

  constructor(
    readonly maxBytes: number,
    /** True while a running stream plays the upload (it is never evicted then). */
    private readonly inUse: (id: string) => boolean,
  ) {}

  get usedBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  track(id: string, bytes: number, lastUsedMs = Date.now()): void {
    this.entries.set(id, { bytes, lastUsedMs });
  }

  /** A stream started on it: it becomes the most recently used. */
  touch(id: string, nowMs = Date.now()): void {
    const e = this.entries.get(id);
    if (e !== undefined) e.lastUsedMs = nowMs;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /**
   * The uploads to delete, oldest use first, so that `incoming` more bytes fit
   * under the quota. UPLOAD_TOO_LARGE (413) when the file alone exceeds it,
   * UPLOADS_FULL (507) when streams are playing what would have to go.
   */
  makeRoom(incoming: number): string[] {
    if (incoming > this.maxBytes) throw new Errors.UPLOADS_FULL(`the upload (${incoming} bytes) is larger than the uploads folder's quota of ${this.maxBytes} bytes (server option maxUploadsBytes)`);
    let excess = this.usedBytes + incoming - this.maxBytes;
    const evict: string[] = [];
    const byAge = [...this.entries].filter(([id]) => !this.inUse(id)).sort((a, b) => a[1].lastUsedMs - b[1].lastUsedMs);
    for (const [id, e] of byAge) {
      if (excess <= 0) break;
      evict.push(id);
      excess -= e.bytes;
    }
    if (excess > 0) {
      throw new Errors.UPLOADS_FULL(`the uploads folder is at its quota of ${this.maxBytes} bytes (server option maxUploadsBytes) and the uploads that would make room are being played; stop a stream or try later`);
    }
    return evict;
  }
}
