import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BehaviorSubject, config, NEVER, Observable, of, Subject, VirtualTimeScheduler } from 'rxjs';
import { Errors } from '../../src/errors.ts';
import { audioFrames } from '../../src/pipeline/audioFrames.ts';
import { encodeWindows } from '../../src/pipeline/encodeWindows.ts';
import { injectFault } from '../../src/pipeline/faultInjection.ts';
import { fileSource } from '../../src/pipeline/fileSource.ts';
import type { PortAudioLike } from '../../src/pipeline/micSource.ts';
import { micSource } from '../../src/pipeline/micSource.ts';
import { operate } from '../../src/pipeline/operate.ts';
import { renderScene, type VersionedScene } from '../../src/pipeline/renderScene.ts';
import { slidingWindows } from '../../src/pipeline/slidingWindows.ts';
import type { SceneChunk } from '../../src/pipeline/types.ts';
import { fakeWindow, rampChunk } from './helpers.ts';

// What escaped to RxJS's reportUnhandledError (in a server: an uncaught exception that ends the process).
let escaped: unknown[];
beforeEach(() => {
  escaped = [];
  config.onUnhandledError = (err) => escaped.push(err);
});
afterEach(() => {
  config.onUnhandledError = null;
  expect(escaped).toEqual([]);
});

type Failure = Error & { code?: string };

/** The error `out$` ends with (rejects if it completes instead). */
function failure(out$: Observable<unknown>): Promise<Failure> {
  return new Promise((resolve, reject) => {
    out$.subscribe({ error: resolve, complete: () => reject(new Error('the stream completed instead of failing')) });
  });
}

const broken = { startSample: 0, sampleRateHz: 1000, capturedAtMs: 0, conditionVersion: 0, clean: new Float32Array(8) } as unknown as SceneChunk;
const spec = { windowSamples: 4, hopSamples: 2, offsetSamples: 0, windowS: 0.004, hopS: 0.002 };

describe('operate', () => {
  it('a throw in a handler becomes the stream error OPERATOR_FAILED naming the step; error and complete forward by default', async () => {
    const double = operate<number, number>('double', (source, { sub, observe }) =>
      source.subscribe(
        observe({
          next: (x) => {
            if (x > 1) throw new RangeError(`too big: ${x}`);
            sub.next(2 * x);
          },
        }),
      ),
    );
    const seen: number[] = [];
    const err = await new Promise<Failure>((resolve) => of(1, 2, 3).pipe(double).subscribe({ next: (x) => seen.push(x), error: resolve }));
    expect(seen).toEqual([2]);
    expect(err).toMatchObject({ code: 'EARSHOT_OPERATOR_FAILED', message: "the stream's double step failed: too big: 2" });
    const done: string[] = [];
    of(1).pipe(double).subscribe({ next: (x) => done.push(`next ${x}`), complete: () => done.push('complete') });
    expect(done).toEqual(['next 2', 'complete']);
  });

  it('an EARSHOT_* error thrown by a handler reaches the stream as it is', async () => {
    const strict = operate<number, number>('strict', (source, { observe }) =>
      source.subscribe(
        observe({
          next: () => {
            throw new Errors.INVALID_OPTION('hopS must be positive');
          },
        }),
      ),
    );
    expect(await failure(of(1).pipe(strict))).toMatchObject({ code: 'EARSHOT_INVALID_OPTION', message: 'hopS must be positive' });
  });
});

describe('every hand-written step fails its stream, never the process', () => {
  it('slidingWindows: a chunk it cannot read', async () => {
    const err = await failure(of(broken).pipe(slidingWindows({ model: 'm', channels: 1, spec })));
    expect(err.code).toBe('EARSHOT_OPERATOR_FAILED');
    expect(err.message).toMatch(/slidingWindows step failed: /);
  });

  it('audioFrames: a chunk it cannot read', async () => {
    const err = await failure(of(broken).pipe(audioFrames({ frameS: 0.004 })));
    expect(err.message).toMatch(/^the stream's audioFrames step failed: /);
  });

  it('encodeWindows: a throwing onDrop callback', async () => {
    const windows = new Subject<ReturnType<typeof fakeWindow>>();
    const out = failure(
      windows.pipe(
        encodeWindows(() => NEVER, {
          policy: 'latest',
          onDrop: (w) => {
            throw new Error(`counter for window ${w.seq} is gone`);
          },
        }),
      ),
    );
    // Window 0 encodes (forever), 1 waits, 2 drops 1.
    for (let k = 0; k < 3; k++) windows.next(fakeWindow(k));
    expect(await out).toMatchObject({ message: "the stream's encodeWindows step failed: counter for window 1 is gone" });
    expect(windows.observed).toBe(false);
  });

  it('encodeWindows: an embed call that throws', async () => {
    const throwing = () => {
      throw new TypeError('session closed');
    };
    expect(await failure(of(fakeWindow(0)).pipe(encodeWindows(throwing, { policy: 'latest' })))).toMatchObject({ message: "the stream's encodeWindows step failed: session closed" });
  });

  it('renderScene: a fault in its scene handler', async () => {
    injectFault('renderScene');
    const scenes$ = new BehaviorSubject({ scene: null, version: 0 } as unknown as VersionedScene);
    const err = await failure(NEVER.pipe(renderScene(scenes$)));
    expect(err.message).toBe("the stream's renderScene step failed: fault injected into renderScene");
    expect(scenes$.observed).toBe(false);
  });

  const audio = { sampleRateHz: 1000, channels: [new Float32Array(100)] };
  it.each([
    ['paced (its timer)', { realtime: true }],
    ['unpaced, following until$ (its until$ handler)', { realtime: false, until$: new BehaviorSubject(1) }],
    ['unpaced, in bursts (its scheduled action)', { realtime: false }],
  ])('fileSource %s', async (_, opts) => {
    injectFault('fileSource');
    const scheduler = new VirtualTimeScheduler();
    const out = failure(fileSource({ audio, loop: true, chunkS: 0.01, scheduler, ...opts }));
    scheduler.flush();
    expect((await out).message).toBe("the stream's fileSource step failed: fault injected into fileSource");
  });

  it("micSource: a fault in the device's data callback does not throw into the device", async () => {
    injectFault('micSource');
    let handler: ((buf: Buffer) => void) | null = null;
    const quit: string[] = [];
    const fake: PortAudioLike = {
      getDevices: () => [],
      SampleFormatFloat32: 1,
      AudioIO: () => ({
        on: (event: string, fn: (x: never) => void) => void (event === 'data' && (handler = fn as (buf: Buffer) => void)),
        start: () => undefined,
        quit: () => void quit.push('quit'),
      }),
    };
    const out = failure(micSource({ device: { id: 0, name: 'fake', maxInputChannels: 1, defaultSampleRate: 16000 }, portAudio: fake }));
    expect(() => handler!(Buffer.alloc(64))).not.toThrow();
    expect((await out).message).toBe("the stream's micSource step failed: fault injected into micSource");
    expect(quit).toEqual(['quit']);
  });

  it('an injected fault hits one subscription only', async () => {
    injectFault('slidingWindows');
    const op = slidingWindows({ model: 'm', channels: 1, spec });
    expect((await failure(of(rampChunk(0, 8)).pipe(op))).message).toMatch(/fault injected into slidingWindows/);
    const seqs: number[] = [];
    of(rampChunk(0, 8)).pipe(op).subscribe((w) => seqs.push(w.seq));
    expect(seqs).toEqual([0, 1, 2]);
  });
});
