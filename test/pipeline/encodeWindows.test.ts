import { describe, expect, it } from 'vitest';
import { map, of, throwError, timer } from 'rxjs';
import { encodeWindows } from '../../src/pipeline/encodeWindows.ts';
import type { AudioWindow } from '../../src/pipeline/types.ts';
import { fakeWindow, testScheduler } from './helpers.ts';

const windows = { a: fakeWindow(0), b: fakeWindow(1), c: fakeWindow(2), d: fakeWindow(3) };
// An encoder that takes 4 frames per window.
const slow = (w: AudioWindow) => timer(4).pipe(map(() => ({ clean: w.clean[0], degraded: w.degraded[0] })));
const seqAndDrops = map((w: { seq: number; droppedTotal: number }) => `${w.seq}/${w.droppedTotal}`);

describe('encodeWindows', () => {
  it("'latest': one window encodes, one waits, a newer arrival replaces the waiting one (dropped, counted so far)", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab-c---d|', windows);
      const out = source.pipe(encodeWindows(slow, { policy: 'latest' }), seqAndDrops);
      // a: 0 -> 4 (b waits, and is replaced by c at 3: 1 dropped so far), c: 4 -> 8; d waits; d: 8 -> 12, then the end.
      expectObservable(out).toBe('----A---C---(D|)', { A: '0/1', C: '2/1', D: '3/1' });
    });
  });

  it("'latest' reports each dropped window", () => {
    const dropped: number[] = [];
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const out = cold('abcd|', windows).pipe(encodeWindows(slow, { policy: 'latest', onDrop: (w) => dropped.push(w.seq) }), seqAndDrops);
      expectObservable(out).toBe('----A---(D|)', { A: '0/2', D: '3/2' });
    });
    expect(dropped).toEqual([1, 2]);
  });

  it("'latest' with maxPending 2: the newest two wait, an arrival beyond that drops the oldest waiting one", () => {
    const dropped: number[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold('abcd|', windows).pipe(encodeWindows(slow, { policy: 'latest', maxPending: 2, onDrop: (w) => dropped.push(w.seq) }), seqAndDrops);
      // a: 0 -> 4; b, c wait; d arrives (b dropped); c: 4 -> 8, d: 8 -> 12.
      expectObservable(out).toBe('----A---C---(D|)', { A: '0/1', C: '2/1', D: '3/1' });
    });
    expect(dropped).toEqual([1]);
  });

  it("'all': nothing is dropped, windows wait their turn in order", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold('ab-c---d|', windows).pipe(encodeWindows(slow, { policy: 'all' }), seqAndDrops);
      expectObservable(out).toBe('----A---B---C---(D|)', { A: '0/0', B: '1/0', C: '2/0', D: '3/0' });
    });
  });

  it('stamps encodedAtMs with the scheduler clock; a synchronous encoder never stalls; errors pass through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold('a-b|', windows).pipe(encodeWindows(slow, { policy: 'latest' }), map((w) => w.encodedAtMs));
      expectObservable(out).toBe('----a---(b|)', { a: 4, b: 8 });
      const sync = cold('abc|', windows).pipe(encodeWindows((w) => of({ clean: w.clean[0], degraded: w.degraded[0] }), { policy: 'latest' }), seqAndDrops);
      expectObservable(sync).toBe('abc|', { a: '0/0', b: '1/0', c: '2/0' });
      const failing = cold('a|', windows).pipe(encodeWindows(() => throwError(() => new Error('boom')), { policy: 'latest' }));
      expectObservable(failing).toBe('#', undefined, new Error('boom'));
    });
  });
});
