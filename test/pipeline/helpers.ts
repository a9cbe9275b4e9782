import { expect } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import type { AudioWindow, SceneChunk } from '../../src/pipeline/types.ts';

/** A TestScheduler comparing with vitest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A scene chunk of `n` samples whose values count up from `start` (clean and every degraded channel alike). */
export function rampChunk(start: number, n: number, opts: { channels?: number; version?: number; capturedAtMs?: number; sampleRateHz?: number } = {}): SceneChunk {
  const x = Float32Array.from({ length: n }, (_, i) => start + i);
  return {
    startSample: start,
    sampleRateHz: opts.sampleRateHz ?? 1000,
    capturedAtMs: opts.capturedAtMs ?? 0,
    conditionVersion: opts.version ?? 0,
    clean: x,
    degraded: Array.from({ length: opts.channels ?? 1 }, () => x.slice()),
  };
}

/** A window with `seq` and nothing else of interest (for encoder and drop tests). */
export function fakeWindow(seq: number): AudioWindow {
  const x = new Float32Array(4).fill(seq);
  return { model: 'm', seq, startSample: seq, t0S: seq, t1S: seq + 1, capturedAtMs: 0, conditionVersion: 0, clean: [x], degraded: [x] };
}
