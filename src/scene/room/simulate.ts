import { Errors } from '../../errors.ts';
import { createRng } from '../../random.ts';
import { createReceiver } from './createReceiver.ts';
import { insideRoom, sourcePosition, SPEED_OF_SOUND_MS } from './geometry.ts';
import { imageSources } from './ism.ts';
import { addDecayingTail } from './lateTail.ts';
import { resolveOptions } from './options.ts';
import type { ImageJob } from './receivers.ts';
import type { SimulateOptions } from './types.ts';

type Vec3 = [number, number, number];

/** The image-source part covers at least this much of the IR before the stochastic tail takes over, seconds. */
export const EARLY_PART_S = 0.08;
/** Length of the equal-power crossfade from the image sources to the late tail, seconds. */
export const CROSSFADE_S = 0.01;
/** Window before the crossfade whose reflection energy sets the level of the late tail, seconds. */
export const MATCH_WINDOW_S = 0.04;

/**
 * Room impulse response of a shoebox room, one Float32Array per receiver channel
 * (`channelCount(receiver)` of them; binaural: 0 = left ear; FOA: W, Y, Z, X).
 *
 * Hybrid model. The image-source method (Allen & Berkley 1979) renders the direct
 * path and every reflection arriving before the crossover time
 * tC = max(80 ms, first reflection + 35 ms), exactly: amplitude β^n/r with
 * β = sqrt(1 − α) from inverse Sabine, 16-tap windowed-sinc fractional delays,
 * per-image HRIRs / ambisonic gains / per-microphone paths. After tC a stochastic
 * tail takes over: diffuse-field noise for the receiver (seeded by `seed`),
 * decaying by exactly 60 dB per `rt60S`, its level matched to the reflection
 * energy of the 40 ms before the 10 ms equal-power crossfade. So the early part
 * is geometric and direction-true, and the decay rate is the target.
 * `room: null` gives the free-field (anechoic) response: the direct path alone.
 *
 * Levels: a direct path at 1 m has amplitude 1 (mono); binaural HRIRs are scaled
 * to 0 dB mean diffuse-field energy. Time starts at emission: the direct sound
 * arrives at distanceM/c (c = 343 m/s); nothing is aligned or trimmed. No air
 * absorption, no wall scattering, frequency-independent walls.
 *
 * Throws `INVALID_OPTION` (naming the field) for bad options or a source or
 * microphone outside the room, and `UNREACHABLE_RT60` when the room cannot reach
 * the RT60. Same options and seed give bit-identical output.
 *
 * @example
 * const [left, right] = await simulateRir({
 *   room: { dimensionsM: [6, 4.5, 3], rt60S: 0.6 }, receiver: { kind: 'binaural' },
 *   source: { azimuthDeg: 90, elevationDeg: 0, distanceM: 1.5 }, sampleRateHz: 16000, seed: 1,
 * });
 */
export async function simulateRir(opts: SimulateOptions): Promise<Float32Array[]> {
  const { reflection, centreM, lengthSamples: n } = resolveOptions(opts);
  const { room, sampleRateHz: fs } = opts;
  const receiver = await createReceiver(opts.receiver, fs);
  receiver.offsetsM.forEach((o, i) => {
    if (room && !insideRoom(room, [centreM[0] + o[0], centreM[1] + o[1], centreM[2] + o[2]])) {
      throw new Errors.INVALID_OPTION(`receiver.micsM[${i}] ${JSON.stringify(o)} puts a microphone outside the room; move the array or shrink it`);
    }
  });
  const out = Array.from({ length: receiver.channels }, () => new Float32Array(n));
  const src = sourcePosition(centreM, opts.source);
  const lengthS = n / fs;
  if (!room) {
    const direct = { count: 1, x: Float64Array.of(src[0]), y: Float64Array.of(src[1]), z: Float64Array.of(src[2]), order: Int32Array.of(0) };
    receiver.addImages({ images: direct, gainOfOrder: Float64Array.of(1), sampleRateHz: fs, part: 'direct', weight: () => 1 }, centreM, out);
    return out;
  }

  const tC = Math.max(EARLY_PART_S, firstReflectionS(room.dimensionsM, src, centreM) + MATCH_WINDOW_S - CROSSFADE_S / 2);
  const fadeStart = tC - CROSSFADE_S / 2;
  const hasTail = fadeStart < lengthS;
  const reachS = hasTail ? tC + CROSSFADE_S / 2 : lengthS + 0.01;
  // Equal-power crossfade: the images fade out as cos, the tail fades in as sin.
  const fade = (t: number): number => (Math.PI / 2) * Math.min(1, Math.max(0, (t - fadeStart) / CROSSFADE_S));
  const extentM = Math.max(...receiver.offsetsM.map((o) => Math.hypot(...o)));
  const images = imageSources(room.dimensionsM, src, centreM, reachS * SPEED_OF_SOUND_MS + extentM);
  const maxOrder = images.order.reduce((a, b) => Math.max(a, b), 0);
  const job: ImageJob = {
    images,
    gainOfOrder: Float64Array.from({ length: maxOrder + 1 }, (_, k) => reflection ** k),
    sampleRateHz: fs,
    part: 'reflections',
    weight: (t) => (t >= reachS ? 0 : hasTail ? Math.cos(fade(t)) : 1),
  };
  receiver.addImages(job, centreM, out);

  if (hasTail) {
    const start = Math.floor(fadeStart * fs);
    const delta = (3 * Math.LN10) / room.rt60S;
    let energy = 0;
    let expected = 0;
    for (let i = Math.max(0, Math.floor((fadeStart - MATCH_WINDOW_S) * fs)); i < Math.min(n, start); i++) {
      for (const ch of out) energy += ch[i] * ch[i];
      expected += Math.exp(-2 * delta * (i / fs - tC));
    }
    const noise = receiver.diffuseNoise(n - start, createRng(opts.seed).fork('room-late-tail'));
    const power = expected > 0 ? energy / expected : 0;
    addDecayingTail(out, noise, start, { power, rt60S: room.rt60S, crossoverS: tC, sampleRateHz: fs, fadeIn: (t) => Math.sin(fade(t)) });
  }
  // The direct path goes in last, so the tail's level is matched to the reflections alone.
  receiver.addImages({ ...job, part: 'direct', weight: () => 1 }, centreM, out);
  return out;
}

// Arrival time of the earliest first-order reflection at the receiver centre, seconds.
function firstReflectionS(dims: readonly number[], src: Vec3, rcv: Vec3): number {
  let best = Infinity;
  for (let a = 0; a < 3; a++) {
    for (const mirrored of [-src[a], 2 * dims[a] - src[a]]) {
      const d = src.map((v, i) => (i === a ? mirrored : v) - rcv[i]);
      best = Math.min(best, Math.hypot(d[0], d[1], d[2]));
    }
  }
  return best / SPEED_OF_SOUND_MS;
}
