import { beforeAll, describe, expect, it } from 'vitest';
import { validateCondition } from '../../src/scene/condition.ts';
import { prepareScene, type PreparedScene } from '../../src/scene/prepare.ts';
import { openBanks, type SceneBanks } from '../../src/scene/render.ts';
import { StreamingScene, type StreamingSceneOptions } from '../../src/scene/streamingScene.ts';
import { loopBuffer } from '../../src/scene/liveNoise.ts';
import { dbfsOf, energyOf, loadSpeech } from '../helpers/audio.ts';

const RATE = 16000;
let speech: Float32Array;
let banks: SceneBanks;

beforeAll(async () => {
  const digits = await Promise.all(Array.from({ length: 10 }, (_, d) => loadSpeech(d, RATE)));
  speech = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((at, d) => (speech.set(d, at), at + d.length), 0);
  banks = await openBanks();
});

const prepare = (partial: object) => prepareScene(validateCondition(partial), banks, RATE);

/** Stream `x` through a scene in chunks of the given sizes (cycled); `at` switches scenes at sample positions. */
function stream(x: Float32Array, scene: PreparedScene, sizes: number[], opts: Partial<StreamingSceneOptions> = {}, at = new Map<number, PreparedScene>()) {
  const live = new StreamingScene(scene, opts);
  const clean = new Float32Array(x.length);
  const out = Array.from({ length: 8 }, () => new Float32Array(x.length));
  let channels = 0;
  const stops = [...at.keys(), x.length].sort((a, b) => a - b);
  let i = 0;
  let k = 0;
  for (const stop of stops) {
    while (i < stop) {
      const n = Math.min(sizes[k++ % sizes.length], stop - i);
      const chunk = live.process(x.subarray(i, i + n));
      clean.set(chunk.clean, i);
      chunk.degraded.forEach((ch, c) => out[c].set(ch, i));
      channels = chunk.degraded.length;
      i += n;
    }
    const next = at.get(stop);
    if (next) live.setScene(next);
  }
  live.dispose();
  return { clean, degraded: out.slice(0, channels) };
}

const maxDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((ch, c) => ch.reduce((m, v, i) => Math.max(m, Math.abs(v - b[c][i])), 0)));
const maxJump = (a: Float32Array, from: number, to: number) => {
  let m = 0;
  for (let i = Math.max(1, from); i < to; i++) m = Math.max(m, Math.abs(a[i] - a[i - 1]));
  return m;
};
const ODD = [37, 1999, 5, 320, 777, 4096, 1];

describe('StreamingScene: chunking', () => {
  it.each([
    ['binaural room, café from 2 sources', { snrDb: 5, room: { rt60S: 0.5 }, receiver: 'binaural', noise: { ids: ['cafe'], sources: 2 }, seed: 3 }],
    ['bank IR, pink noise', { snrDb: 0, room: { bank: 'street' }, noise: { ids: ['pink'], sources: 1 }, seed: 1 }],
    ['dry mono, vinyl (8 s, loops) and brown noise', { snrDb: 10, noise: { ids: ['vinyl', 'brown'], sources: 2 }, seed: 2 }],
  ])('%s: one chunk and many odd chunks give the same samples within 1e-5', async (_, partial) => {
    const scene = await prepare(partial);
    const x = new Float32Array(2 * speech.length);
    x.set(speech);
    x.set(speech, speech.length);
    const whole = stream(x, scene, [x.length]);
    const odd = stream(x, scene, ODD);
    expect(maxDiff(whole.degraded, odd.degraded)).toBeLessThan(1e-5);
    expect(maxDiff([whole.clean], [odd.clean])).toBeLessThan(1e-6);
    expect(whole.degraded.every((ch) => ch.every(Number.isFinite))).toBe(true);
  });

  it('the same scene and seed give identical output; another seed differs', async () => {
    const a = stream(speech, await prepare({ snrDb: 0, noise: { ids: ['cafe'], sources: 1 }, seed: 5 }), [320]);
    const b = stream(speech, await prepare({ snrDb: 0, noise: { ids: ['cafe'], sources: 1 }, seed: 5 }), [320]);
    const c = stream(speech, await prepare({ snrDb: 0, noise: { ids: ['cafe'], sources: 1 }, seed: 6 }), [320]);
    expect(maxDiff(a.degraded, b.degraded)).toBe(0);
    expect(maxDiff(a.degraded, c.degraded)).toBeGreaterThan(1e-2);
  });
});

describe('StreamingScene: live levels', () => {
  it('levels the input to about -14 dBFS with a slow running RMS, whatever its own level', async () => {
    const scene = await prepare({ snrDb: 'clean' });
    const loud = stream(speech, scene, [320]);
    const quiet = stream(speech.map((v) => v * 0.05), scene, [320]); // -26 dB
    // A dry mono clean scene is the levelled input itself.
    expect(maxDiff(loud.degraded, [loud.clean])).toBe(0);
    expect(dbfsOf([loud.clean.subarray(3 * RATE)])).toBeGreaterThan(-16);
    expect(dbfsOf([loud.clean.subarray(3 * RATE)])).toBeLessThan(-12);
    // The running mean square is bias-corrected, so the output hardly depends on the input level (only
    // through the samples under the -70 dBFS gate).
    const from = RATE / 2;
    const rel = maxDiff([loud.clean.subarray(from)], [quiet.clean.subarray(from)]) / loud.clean.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(rel).toBeLessThan(0.1);
    expect(Math.abs(dbfsOf([loud.clean.subarray(from)]) - dbfsOf([quiet.clean.subarray(from)]))).toBeLessThan(1.5);
    // No overshoot at the onset: the near-silence before the first word is under the gate.
    expect(dbfsOf([loud.clean.subarray(0, RATE / 2)])).toBeLessThan(-10);
  });

  it.each([0, 5, 15])('mixes the noise at %s dB SNR from running energies (within 1.5 dB over the stream)', async (snrDb) => {
    const room = { room: { rt60S: 0.4 }, receiver: 'binaural', noise: { ids: ['cafe', 'rain'], sources: 3 }, seed: 7 };
    const noisy = stream(speech, await prepare({ ...room, snrDb }), [640]);
    const source = stream(speech, await prepare({ ...room, snrDb: 'clean' }), [640]);
    const noise = noisy.degraded.map((ch, c) => ch.map((v, i) => v - source.degraded[c][i]));
    const from = 2 * RATE;
    const measured = 10 * Math.log10(energyOf(source.degraded.map((c) => c.subarray(from))) / energyOf(noise.map((c) => c.subarray(from))));
    expect(Math.abs(measured - snrDb)).toBeLessThan(1.5);
  });

  it('silence in, silence out (no noise is scaled against zero energy)', async () => {
    const out = stream(new Float32Array(RATE), await prepare({ snrDb: 0, room: { rt60S: 0.3 }, receiver: 'binaural', noise: { ids: ['cafe'], sources: 1 } }), [333]);
    expect(out.degraded.every((ch) => ch.every((v) => v === 0))).toBe(true);
  });

  it('digital silence inside the input holds the noise level (the trackers freeze)', async () => {
    const x = new Float32Array(speech.length + 2 * RATE);
    x.set(speech.subarray(0, 4 * RATE));
    x.set(speech.subarray(4 * RATE), 6 * RATE);
    const out = stream(x, await prepare({ snrDb: 0, noise: { ids: ['white'], sources: 1 } }), [320]);
    const noise = out.degraded[0].map((v, i) => v - out.clean[i]);
    const level = (from: number, to: number) => dbfsOf([noise.subarray(from * RATE, to * RATE)]);
    // In the 2 s gap only noise plays, at the level it had just before.
    expect(Math.abs(level(4.5, 5.9) - level(3.9, 4))).toBeLessThan(0.5);
    expect(level(4.5, 5.9)).toBeGreaterThan(-40);
  });
});

describe('StreamingScene: noise loops', () => {
  it('a looped recording has no step larger than the recording\'s own at the loop point', () => {
    const rec = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.05) * 0.5 + Math.sin(i * 0.31 + 1) * 0.2);
    const loop = loopBuffer(rec, 800);
    expect(loop.length).toBe(4200);
    const natural = maxJump(rec, 1, rec.length);
    expect(Math.abs(loop[0] - loop[loop.length - 1])).toBeLessThanOrEqual(natural * 1.01);
    expect(maxJump(loop, 1, loop.length)).toBeLessThanOrEqual(natural * 1.5);
    expect(loopBuffer(rec, 800)).toBe(loop);
  });
});

describe('StreamingScene: condition changes', () => {
  const left = { snrDb: 'clean', receiver: 'binaural', source: { azimuthDeg: 90, distanceM: 1 }, room: { rt60S: 0.3 }, seed: 1 };
  const right = { ...left, source: { azimuthDeg: -90, distanceM: 1 } };

  it('blends the old and the new scene with a 50 ms raised-cosine ramp; the new one is pre-rolled over the input history', async () => {
    const [a, b] = await Promise.all([prepare(left), prepare(right)]);
    const t0 = RATE + 123;
    const y = stream(speech, a, ODD, {}, new Map([[t0, b]]));
    const ya = stream(speech, a, [speech.length]);
    const yb = stream(speech, b, [speech.length]);
    const len = 0.05 * RATE;
    for (let c = 0; c < 2; c++) {
      const expected = ya.degraded[c].map((v, t) => {
        const g = t < t0 ? 0 : t >= t0 + len ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (t - t0)) / len);
        return v + g * (yb.degraded[c][t] - v);
      });
      expect(maxDiff([y.degraded[c]], [expected])).toBeLessThan(1e-5);
    }
  });

  it('does not click: the largest sample step during the switch stays that of the signals; a hard switch clicks', async () => {
    const [a, b] = await Promise.all([prepare(left), prepare(right)]);
    const ya = stream(speech, a, [speech.length]).degraded[0];
    const yb = stream(speech, b, [speech.length]).degraded[0];
    // Switch where the two scenes differ most (left ear: the talker moves from the left to the right).
    let t0 = RATE;
    for (let t = RATE; t < 2.5 * RATE; t++) if (Math.abs(ya[t] - yb[t]) > Math.abs(ya[t0] - yb[t0])) t0 = t;
    const L = 0.05 * RATE;
    const natural = Math.max(maxJump(ya, t0 - 2 * L, t0 + 2 * L), maxJump(yb, t0 - 2 * L, t0 + 2 * L));
    const faded = stream(speech, a, [320], {}, new Map([[t0, b]])).degraded[0];
    const hard = stream(speech, a, [320], { crossfadeS: 0 }, new Map([[t0, b]])).degraded[0];
    expect(maxJump(faded, t0 - 2 * L, t0 + 2 * L)).toBeLessThanOrEqual(natural * 1.01);
    expect(maxJump(hard, t0 - 2 * L, t0 + 2 * L)).toBeGreaterThan(natural * 1.5);
  });

  it('changes channel count mid-stream (mono -> binaural) without a jump', async () => {
    const [a, b] = await Promise.all([prepare({ snrDb: 'clean' }), prepare(left)]);
    const y = stream(speech, a, [320], {}, new Map([[2 * RATE, b]]));
    expect(y.degraded).toHaveLength(2);
    expect(y.degraded.every((ch) => ch.every(Number.isFinite))).toBe(true);
  });

  it('tags: the tag of the newest scene playing; setScene at another rate and use after dispose are errors', async () => {
    const a = await prepare({ snrDb: 'clean' });
    const live = new StreamingScene(a, {}, 4);
    expect(live.tag).toBe(4);
    live.process(speech.subarray(0, 320));
    live.setScene(await prepare({ snrDb: 'clean', seed: 2 }), 5);
    expect(live.tag).toBe(4);
    live.process(speech.subarray(320, 640));
    expect(live.tag).toBe(5);
    expect(() => live.setScene({ ...a, sampleRateHz: 8000 })).toThrow(/8000 Hz/);
    live.dispose();
    expect(() => live.process(speech.subarray(0, 10))).toThrow(/dispose/);
  });

  it('rejects bad options by name', async () => {
    const a = await prepare({ snrDb: 'clean' });
    expect(() => new StreamingScene(a, { levelTimeConstantS: 0 })).toThrow(/levelTimeConstantS/);
    expect(() => new StreamingScene(a, { blockSize: 1000 })).toThrow(/blockSize/);
  });
});
