import type { AudioReader } from '../audio/audioReader.ts';

/**
 * Mono samples for fileSource to send, in order: from memory (always ready) or read from a
 * file ahead of the stream (ready once the read has landed). Pull-based, so the source
 * keeps its timing and only waits, never drops, when the reader is behind.
 */
export interface SampleFeed {
  readonly sampleRateHz: number;
  /** Samples that can be taken now. */
  available(): number;
  /** No samples will come beyond those available (the end, without loop). */
  done(): boolean;
  /** Take the next `n` samples (n <= available()). */
  take(n: number): Float32Array;
  /** Resolves when more samples are available or the feed is done; rejects with a read error. */
  ready(): Promise<void>;
  /** Stop reading (idempotent). */
  close(): void;
}

/** A feed over samples in memory, looped forever when `loop`. */
export function memoryFeed(mono: Float32Array, sampleRateHz: number, loop: boolean): SampleFeed {
  let at = 0;
  return {
    sampleRateHz,
    available: () => (loop ? Infinity : mono.length - at),
    done: () => !loop,
    take(n) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; ) {
        const take = Math.min(n - i, mono.length - at);
        out.set(mono.subarray(at, at + take), i);
        i += take;
        at = loop ? (at + take) % mono.length : at + take;
      }
      return out;
    },
    ready: () => Promise.resolve(),
    close() {},
  };
}

/**
 * A feed that reads mono blocks from `open()`'s reader while fewer than `aheadSamples`
 * are waiting (so memory holds a few blocks, whatever the file's length), and with
 * `loop` opens the file again at its end. The first read starts at once.
 */
export function readerFeed(open: () => Promise<AudioReader>, sampleRateHz: number, opts: { loop: boolean; aheadSamples: number }): SampleFeed {
  const blocks: Float32Array[] = [];
  let head = 0;
  let buffered = 0;
  let ended = false;
  let closed = false;
  let failure: unknown = null;
  let reader: Promise<AudioReader> | null = null;
  let reading: Promise<void> | null = null;
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  const wake = () => {
    const list = waiters;
    waiters = [];
    for (const w of list) {
      if (failure) w.reject(failure);
      else w.resolve();
    }
  };
  const fill = async () => {
    while (!closed && !ended && buffered < opts.aheadSamples) {
      reader ??= open();
      const r = await reader;
      const block = await r.read();
      if (closed) return;
      if (block === null) {
        await r.close();
        reader = null;
        if (!opts.loop) ended = true;
      } else {
        blocks.push(block[0]);
        buffered += block[0].length;
      }
      wake();
    }
  };
  const pump = () => {
    if (reading || closed) return;
    reading = fill()
      .catch((err: unknown) => {
        failure = err;
        wake();
      })
      .finally(() => (reading = null));
  };
  pump();
  return {
    sampleRateHz,
    available: () => buffered,
    done: () => ended,
    take(n) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; ) {
        const b = blocks[0];
        const take = Math.min(n - i, b.length - head);
        out.set(b.subarray(head, head + take), i);
        i += take;
        head += take;
        if (head === b.length) {
          blocks.shift();
          head = 0;
        }
      }
      buffered -= n;
      pump();
      return out;
    },
    ready() {
      if (failure) return Promise.reject(failure);
      if (ended) return Promise.resolve();
      pump();
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    close() {
      if (closed) return;
      closed = true;
      void reader?.then((r) => r.close()).catch(() => undefined);
      reader = null;
      blocks.length = 0;
      buffered = 0;
    },
  };
}
