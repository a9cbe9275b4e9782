/**
 * A FIFO of samples for cutting overlapping windows: push chunks at the back,
 * copy a window from the front, drop a hop. Amortised O(1) per sample: the
 * storage grows by doubling and is compacted when half of it is consumed.
 */
export class SampleQueue {
  private buf: Float32Array;
  private head = 0;
  private tail = 0;

  constructor(capacity = 1024) {
    this.buf = new Float32Array(Math.max(16, capacity));
  }

  get length(): number {
    return this.tail - this.head;
  }

  push(x: Float32Array): void {
    if (this.tail + x.length > this.buf.length) {
      const n = this.length;
      if (n + x.length <= this.buf.length / 2) this.buf.copyWithin(0, this.head, this.tail);
      else {
        const next = new Float32Array(2 * (n + x.length));
        next.set(this.buf.subarray(this.head, this.tail));
        this.buf = next;
      }
      this.head = 0;
      this.tail = n;
    }
    this.buf.set(x, this.tail);
    this.tail += x.length;
  }

  /** A copy of the first `n` samples (n <= length). */
  copy(n: number): Float32Array {
    return this.buf.slice(this.head, this.head + n);
  }

  /** Forget the first `n` samples (all of them when n > length). */
  drop(n: number): void {
    this.head = Math.min(this.tail, this.head + n);
  }
}

