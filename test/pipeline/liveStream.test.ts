// End to end: real models (oww-speech-embedding, naive-logmel) on the shared worker pool, shipped speech and noise.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, skip, toArray, type Observable } from 'rxjs';
import { writeWav } from '../../src/audio/wav.ts';
import { createNaiveEncoder } from '../../src/encoders/naive.ts';
import { ModelRegistry } from '../../src/encoders/registry.ts';
import { OnnxPool } from '../../src/encoders/runtime/index.ts';
import type { Encoder } from '../../src/encoders/types.ts';
import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import { windowSpec } from '../../src/pipeline/streamConfig.ts';
import type { LiveStream, LiveStreamDeps, StreamConfig, WindowResult } from '../../src/pipeline/types.ts';
import { saveProbe, type ProbeFile } from '../../src/probes/probeFile.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { openBanks } from '../../src/scene/render.ts';
import { createRng } from '../../src/random.ts';
import { loadSpeech, rejection, tempDir } from '../helpers/audio.ts';
import { readManifest } from '../helpers/openwakeword.ts';

const OWW = 'oww-speech-embedding';
const NAIVE = 'naive-logmel';
let deps: LiveStreamDeps;
let pool: OnnxPool;
let dir: { dir: string; cleanup: () => Promise<void> };
let talk: string;
let talkSamples: number;
let probePath: string;

beforeAll(async () => {
  pool = new OnnxPool({ workers: 2, log: () => {} });
  const [banks, models] = await Promise.all([openBanks(), ModelRegistry.open()]);
  deps = { pool, banks, models };
  dir = await tempDir('earshot-live-');
  const digits = await Promise.all([3, 1, 4, 1, 5, 9].map((d) => loadSpeech(d)));
  const x = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((at, d) => (x.set(d, at), at + d.length), 0);
  talk = join(dir.dir, 'talk.wav');
  talkSamples = x.length;
  await writeWav(talk, { sampleRateHz: 16000, channels: [x] }, 'float32');
  // A probe over the speech embedding with random weights: enough to check the plumbing.
  const rng = createRng(9);
  const row = () => Array.from({ length: 96 }, () => rng.normal());
  const probe: ProbeFile = {
    format: 'earshot-linear-probe', version: 1, modelId: OWW, embeddingSize: 96, classes: ['a', 'b', 'c'],
    mean: Array(96).fill(0), std: Array(96).fill(1), weights: [row(), row(), row()], bias: [0, 0, 0], l2: 0.01, seed: 0,
    validation: [], trainedOn: { data: 'none', examples: 0, heldOut: [], condition: null },
  };
  probePath = join(dir.dir, 'abc.json');
  await saveProbe(probePath, probe);
});

afterAll(async () => {
  await pool.close();
  await dir.cleanup();
});

const CLEAN = validateCondition({ snrDb: 'clean' });
const NOISY = validateCondition({ snrDb: 0, room: { rt60S: 0.5 }, receiver: 'binaural', noise: { ids: ['cafe'], sources: 2 }, seed: 2 });

function config(over: Partial<StreamConfig> = {}): StreamConfig {
  return { source: { kind: 'file', path: talk, realtime: false, loop: false }, models: [OWW, NAIVE], probes: [], condition: CLEAN, ckaWindows: 16, ...over };
}

async function runToEnd(c: StreamConfig, d: LiveStreamDeps = deps): Promise<{ results: WindowResult[]; frames: number; stream: LiveStream }> {
  const stream = await createLiveStream(c, d);
  let frames = 0;
  stream.audio$.subscribe(() => frames++);
  const results = await lastValueFrom(stream.results$.pipe(toArray()));
  return { results, frames, stream };
}

const expectedWindows = (model: string, samples = talkSamples) => {
  const { windowSamples, hopSamples, offsetSamples } = windowSpec(readManifest(model));
  return Math.max(0, Math.floor((samples - offsetSamples - windowSamples) / hopSamples) + 1);
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolve once `ok()` holds: checked now and after every value of `values$` (rejects if it ends first). */
function when(values$: Observable<unknown>, ok: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ok()) return resolve();
    const sub = values$.subscribe({
      next: () => {
        if (!ok()) return;
        resolve();
        queueMicrotask(() => sub.unsubscribe());
      },
      error: reject,
      complete: () => reject(new Error(`the stream ended before ${what}`)),
    });
  });
}

describe('createLiveStream: a file read as fast as the encoders go', () => {
  it('a clean condition: every window of every model, degraded = clean (cosine 1, CKA 1), nothing dropped', async () => {
    const { results, frames, stream } = await runToEnd(config({ probes: [probePath] }));
    for (const model of [OWW, NAIVE]) {
      const mine = results.filter((r) => r.model === model);
      expect(mine.map((r) => r.seq)).toEqual(Array.from({ length: expectedWindows(model) }, (_, k) => k));
      for (const r of mine) {
        expect(r.metrics.cosine).toBeGreaterThan(0.99999);
        expect(r.droppedTotal).toBe(0);
        expect(r.conditionVersion).toBe(0);
        expect(r.metrics.levelDbfs.clean).toBeCloseTo(r.metrics.levelDbfs.degraded, 6);
        expect(r.sentAtMs).toBeGreaterThanOrEqual(r.encodedAtMs);
      }
      expect(mine.slice(2).every((r) => Math.abs(r.metrics.cka! - 1) < 1e-6)).toBe(true);
      expect(mine.slice(0, 2).every((r) => r.metrics.cka === null)).toBe(true);
    }
    const oww = results.filter((r) => r.model === OWW);
    expect(oww[0].probe).toMatchObject({ id: 'abc', classes: ['a', 'b', 'c'] });
    expect(oww.every((r) => r.metrics.probeAgreement === 1 && r.metrics.classDeltas!.every((d) => Math.abs(d) < 1e-9))).toBe(true);
    expect(results.find((r) => r.model === NAIVE)!.probe).toBeNull();
    // Speech throughout: the VAD hears it in most windows.
    expect(mean(oww.map((r) => r.metrics.vadProbability!))).toBeGreaterThan(0.5);
    expect(frames).toBe(Math.ceil(talkSamples / 1600));
    expect(stream.stats()).toMatchObject({ windows: results.length, dropped: 0 });
  });

  it('0 dB in a reverberant room: the embeddings drift (lower cosine), levels and probe deltas show it', async () => {
    const { results } = await runToEnd(config({ condition: NOISY, probes: [probePath] }));
    const oww = results.filter((r) => r.model === OWW);
    expect(oww).toHaveLength(expectedWindows(OWW));
    expect(mean(oww.map((r) => r.metrics.cosine))).toBeLessThan(0.95);
    expect(mean(oww.map((r) => r.metrics.cosine))).toBeGreaterThan(0);
    expect(oww.some((r) => r.metrics.classDeltas!.some((d) => Math.abs(d) > 1e-3))).toBe(true);
    expect(oww.every((r) => r.clean.length === 96 && r.degraded.length === 96)).toBe(true);
  });

  it('the same config and seed give the same results', async () => {
    const a = (await runToEnd(config({ condition: NOISY, models: [OWW] }))).results;
    const b = (await runToEnd(config({ condition: NOISY, models: [OWW] }))).results;
    expect(b.map((r) => r.metrics.cosine)).toEqual(a.map((r) => r.metrics.cosine));
  });
});

describe('createLiveStream: live sources', () => {
  it('a condition change mid-stream: new conditionVersion on results and condition$, metrics move (real-time file, looped)', async () => {
    const stream = await createLiveStream(config({ source: { kind: 'file', path: talk, realtime: true, loop: true }, models: [OWW] }), deps);
    const results: WindowResult[] = [];
    const versions: number[] = [];
    stream.results$.subscribe((r) => results.push(r));
    stream.condition$.subscribe((c) => versions.push(c.conditionVersion));
    const before = () => results.filter((r) => r.conditionVersion === 0);
    // Windows wholly after the change: they start after the first window under the new condition ended.
    const after = () => results.filter((r) => r.conditionVersion === 1 && r.t0S > results.find((x) => x.conditionVersion === 1)!.t1S);
    await when(stream.results$, () => before().length > 5, 'six results under the first condition');
    await stream.setCondition(NOISY);
    await when(stream.results$, () => after().length > 5, 'six results wholly under the new condition');
    await stream.stop();
    expect(Math.min(...before().map((r) => r.metrics.cosine))).toBeGreaterThan(0.99999);
    expect(mean(after().map((r) => r.metrics.cosine))).toBeLessThan(0.95);
    expect(versions).toEqual([0, 1]);
    // The stats cover every window (their latencies are the pipeline benchmark's business, not a unit test's).
    const stats = stream.stats();
    expect(stats.windows).toBe(results.length);
    expect(stats.latencyMsP50).toBeGreaterThanOrEqual(0);
    expect(stats.latencyMsP99).toBeGreaterThanOrEqual(stats.latencyMsP50);
  });

  it('a slow encoder on a real-time source drops windows (latest wins) and counts them', async () => {
    const naive = createNaiveEncoder(readManifest(NAIVE));
    const slow: Encoder = { ...naive, sceneEmbedding: async (ch) => (await sleep(200), naive.sceneEmbedding(ch)) };
    const stream = await createLiveStream(config({ source: { kind: 'file', path: talk, realtime: true, loop: true }, models: [NAIVE], vad: false }), { ...deps, encoders: { [NAIVE]: slow } });
    const results: WindowResult[] = [];
    stream.results$.subscribe((r) => results.push(r));
    await when(stream.results$, () => results.length >= 8, 'eight results');
    await stream.stop();
    const stats = stream.stats();
    // Windows every 80 ms, one encode per 200 ms or more: most are dropped.
    expect(stats.dropped).toBeGreaterThan(results.length);
    expect(stats.models![NAIVE]).toEqual({ windows: results.length, dropped: stats.dropped });
    const last = results.at(-1)!;
    expect(last.droppedTotal).toBeGreaterThan(0);
    expect(last.droppedTotal).toBeLessThanOrEqual(stats.dropped);
    // seq counts every window cut, so the gaps before the last result are drops; droppedTotal also counts the
    // windows replaced while that last one was encoding (bounded by every drop, above).
    const gaps = last.seq + 1 - results.length;
    expect(last.droppedTotal).toBeGreaterThanOrEqual(gaps);
  });

  it('a push source: 48 kHz chunks are resampled, rendered and encoded; push() on another source is an error', async () => {
    const stream = await createLiveStream(config({ source: { kind: 'push', sampleRateHz: 48000 }, models: [NAIVE] }), deps);
    const results: WindowResult[] = [];
    stream.results$.subscribe((r) => results.push(r));
    const speech = await loadSpeech(5, 48000);
    // Each 100 ms chunk once the windows of the ones before are out, as a microphone paced by a fast encoder would.
    const expectedAfter = (samples48: number) => expectedWindows(NAIVE, Math.floor(samples48 / 3) - 200) - 1;
    for (let i = 0; i < speech.length; i += 4800) {
      await when(stream.results$, () => results.length >= expectedAfter(i), `the windows of the first ${i} samples`);
      stream.push(speech.subarray(i, i + 4800));
    }
    await when(stream.results$, () => results.length >= expectedAfter(speech.length), 'the windows of the whole clip');
    await stream.stop();
    expect(stream.stats().dropped).toBe(0);
    const file = await createLiveStream(config({ models: [NAIVE] }), deps);
    expect(() => file.push(new Float32Array(10))).toThrow(/feeds 'push' sources/);
    await file.stop();
  });

  it('stop() completes results$ and audio$, and later condition changes are ignored', async () => {
    const stream = await createLiveStream(config({ source: { kind: 'file', path: talk, realtime: true, loop: true }, models: [NAIVE] }), deps);
    const done = lastValueFrom(stream.results$.pipe(toArray()));
    const audioDone = lastValueFrom(stream.audio$.pipe(toArray()));
    await firstValueFrom(stream.results$);
    await stream.stop();
    const n = (await done).length;
    expect((await audioDone).length).toBeGreaterThan(0);
    await stream.setCondition(NOISY);
    // Another stream's next results: time in which the stopped one would have cut windows too, were it running.
    const other = await createLiveStream(config({ source: { kind: 'file', path: talk, realtime: true, loop: true }, models: [NAIVE] }), deps);
    await firstValueFrom(other.results$.pipe(skip(2)));
    await other.stop();
    expect(stream.stats().windows).toBe(n);
  });
});

describe('createLiveStream: teardown', () => {
  it('stop() resolves once its graph calls are done, so the pool can close right after (a run in flight would abort the process)', async () => {
    const own = new OnnxPool({ workers: 2, log: () => {} });
    const streams = await Promise.all(
      [0, 1, 2, 3].map((seed) => createLiveStream(config({ source: { kind: 'file', path: talk, realtime: false, loop: true }, models: [OWW], condition: { ...NOISY, seed } }), { ...deps, pool: own })),
    );
    // Once each has results, its next windows are on the pool: stop while they run.
    await Promise.all(streams.map((s) => firstValueFrom(s.results$.pipe(skip(1)))));
    await Promise.all(streams.map((s) => s.stop()));
    await own.close();
    expect(streams.every((s) => s.stats().windows > 0)).toBe(true);
  });
});

describe('createLiveStream: errors before anything runs', () => {
  it('unknown models, probes for another model, missing files, bad configs and conditions', async () => {
    expect((await rejection(createLiveStream(config({ models: ['no-such-model'] }), deps))).code).toBe('EARSHOT_UNKNOWN_ID');
    expect((await rejection(createLiveStream(config({ models: [NAIVE], probes: [probePath] }), deps))).message).toMatch(/probe for model "oww-speech-embedding", which this stream does not run/);
    expect((await rejection(createLiveStream(config({ source: { kind: 'file', path: join(dir.dir, 'nope.wav'), realtime: false, loop: false } }), deps))).code).toBe('EARSHOT_FILE_NOT_FOUND');
    expect((await rejection(createLiveStream(config({ ckaWindows: 1 }), deps))).message).toMatch(/ckaWindows/);
    expect((await rejection(createLiveStream(config({ condition: { ...CLEAN, noise: { ids: ['nope'], sources: 1 }, snrDb: 5 } }), deps))).code).toBe('EARSHOT_UNKNOWN_ID');
  });

  it('a condition change that fails leaves the stream running on the old condition', async () => {
    const stream = await createLiveStream(config({ source: { kind: 'file', path: talk, realtime: true, loop: true }, models: [NAIVE] }), deps);
    const bad = await rejection(stream.setCondition({ ...NOISY, noise: { ids: ['nope'], sources: 1 } }));
    expect(bad.code).toBe('EARSHOT_UNKNOWN_ID');
    const r = await firstValueFrom(stream.results$);
    expect(r.conditionVersion).toBe(0);
    await stream.stop();
  });
});
