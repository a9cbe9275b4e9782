import { Errors } from '../../errors.ts';
import { createRng } from '../../random.ts';
import { createReceiver } from './createReceiver.ts';
import { insideRoom, sourcePosition, SPEED_OF_SOUND_MS } from './geometry.ts';
import { imageSources } from './ism.ts';
import { resolveOptions } from './options.ts';
import { butterworthHighpassPower, filterZeroPhaseInto, sumFiltered, type Response } from '../../dsp/zeroPhase.ts';
import type { ImageJob } from './receivers.ts';
import type { SimulateOptions } from './types.ts';
import { addSquares } from '../../dsp/level.ts';

type Vec3 = [number, number, number];

/** The image-source part covers at least this much of the IR before the stochastic tail takes over, seconds. */
export const EARLY_PART_S = 0.08;
/**
 * The image-source part lasts at least until this many images have arrived (a room-size
 * dependent crossover: about 80 ms in a 30 m³ room, 150 ms in 300 m³), capped at `MAX_EARLY_PART_S`.
 */
export const EARLY_IMAGES = 2000;
export const MAX_EARLY_PART_S = 0.25;
/** Length of the equal-power crossfade from the image sources to the late tail, seconds. */
export const CROSSFADE_S = 0.01;
/** Window before the crossfade whose reflection energy sets the level of the late tail, seconds. */
export const MATCH_WINDOW_S = 0.04;

/** Cut-off of the zero-phase Butterworth high-pass (order 2, applied forward and backward) on the image sources, Hz. */
export const HIGHPASS_HZ = 20;
/** How long after the image-source part its band filters and high-pass may ring, seconds. */
const FILTER_RING_S = 0.3;

/**
 * Room impulse response of a shoebox room, one Float32Array per receiver channel
 * (`channelCount(receiver)` of them; binaural: 0 = left ear; FOA: W, Y, Z, X).
 *
 * Hybrid model, computed in octave bands (125 Hz up to the last octave below Nyquist;
 * see `roomBands` for the walls and the air). The image-source method (Allen & Berkley
 * 1979) renders the direct path and every reflection arriving before the crossover time
 * tC (see `crossoverS`: 80 ms in small rooms, later in large ones, where the image
 * sources are sparse enough to stay cheap) exactly: in band b an image of order n at
 * distance r has amplitude β_b^n·e^(−a_b·r)/r (walls, air) and delay r/c, with 16-tap
 * windowed-sinc fractional delays and per-image HRIRs / ambisonic gains / per-microphone
 * paths. Each band's image sources are band-passed (complementary raised-cosine
 * crossovers on a log-frequency axis, zero phase: the bands sum back to the input) and
 * high-passed (second-order Butterworth at 20 Hz, zero phase, as Allen & Berkley and
 * pyroomacoustics do: the reflections are all positive, so an unfiltered sum carries a
 * large infrasonic hump).
 * After tC a stochastic tail takes over: diffuse-field noise for the receiver (seeded by
 * `seed`), split into the same bands, each decaying by 60 dB per its band's RT60, and
 * each matched in level to its band's reflection energy in the 40 ms before the 10 ms
 * equal-power crossfade, so the decay continues without a step in every band.
 * `room: null` gives the free-field (anechoic) response: the direct path alone.
 *
 * Levels: a direct path at 1 m has amplitude 1 (mono); binaural HRIRs are scaled
 * to 0 dB mean diffuse-field energy. Time starts at emission: the direct sound
 * arrives at distanceM/c (c = 343 m/s); nothing is aligned or trimmed. Walls are
 * uniform (the same material on all six) and do not scatter.
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
  const { bands, centreM, lengthSamples: n } = resolveOptions(opts);
  const { room, sampleRateHz: fs } = opts;
  const receiver = await createReceiver(opts.receiver, fs);
  receiver.offsetsM.forEach((o, i) => {
    if (room && !insideRoom(room, [centreM[0] + o[0], centreM[1] + o[1], centreM[2] + o[2]])) {
      throw new Errors.INVALID_OPTION(`receiver.micsM[${i}] ${JSON.stringify(o)} puts a microphone outside the room; move the array or shrink it`);
    }
  });
  const src = sourcePosition(centreM, opts.source);
  if (!room || !bands) {
    const out = Array.from({ length: receiver.channels }, () => new Float32Array(n));
    const direct = { count: 1, x: Float64Array.of(src[0]), y: Float64Array.of(src[1]), z: Float64Array.of(src[2]), order: Int32Array.of(0) };
    const job: ImageJob = { images: direct, gainOfOrder: [Float64Array.of(1)], airNepersPerM: Float64Array.of(0), sampleRateHz: fs, part: 'direct', weight: () => 1 };
    receiver.addImages(job, centreM, [out]);
    return out;
  }

  const lengthS = n / fs;
  const tC = crossoverS(room.dimensionsM, src, centreM);
  const fadeStart = tC - CROSSFADE_S / 2;
  const hasTail = fadeStart < lengthS;
  const reachS = hasTail ? tC + CROSSFADE_S / 2 : lengthS + 0.01;
  // Equal-power crossfade: the images fade out as cos, the tail fades in as sin.
  const fade = (t: number): number => (Math.PI / 2) * Math.min(1, Math.max(0, (t - fadeStart) / CROSSFADE_S));
  const extentM = Math.max(...receiver.offsetsM.map((o) => Math.hypot(...o)));
  const images = imageSources(room.dimensionsM, src, centreM, reachS * SPEED_OF_SOUND_MS + extentM);
  const maxOrder = images.order.reduce((a, b) => Math.max(a, b), 0);
  const B = bands.centresHz.length;
  const job: ImageJob = {
    images,
    gainOfOrder: bands.reflection.map((beta) => Float64Array.from({ length: maxOrder + 1 }, (_, k) => beta ** k)),
    airNepersPerM: Float64Array.from(bands.airNepersPerM),
    sampleRateHz: fs,
    part: 'reflections',
    weight: (t) => (t >= reachS ? 0 : hasTail ? Math.cos(fade(t)) : 1),
  };
  // The image sources fill the first part of the IR; their filters ring a while longer.
  const early = Math.min(n, Math.ceil((reachS + FILTER_RING_S) * fs));
  const reflections = Array.from({ length: B }, () => Array.from({ length: receiver.channels }, () => new Float32Array(early)));
  receiver.addImages(job, centreM, reflections);

  const split = octaveSplit(bands.centresHz, HIGHPASS_HZ, fs);
  // Each band's tail will start at the power its reflections (alone, in band) had just before the crossfade.
  const start = Math.floor(fadeStart * fs);
  const windowStart = Math.max(0, Math.floor((fadeStart - MATCH_WINDOW_S) * fs));
  const inBand = new Float32Array(early);
  const matchEnergy = hasTail
    ? split.map((response, b) => {
        let energy = 0;
        for (const ch of reflections[b]) {
          filterZeroPhaseInto(ch, fs, [response], [inBand]);
          energy += addSquares(0, inBand, windowStart, Math.min(start, early));
        }
        return energy;
      })
    : [];
  // The direct path joins the reflections (in place: their energies are taken).
  receiver.addImages({ ...job, part: 'direct', weight: () => 1 }, centreM, reflections);
  const out = Array.from({ length: receiver.channels }, (_, ch) => {
    const y = new Float32Array(n);
    y.set(sumFiltered(reflections.map((band) => band[ch]), split, fs).subarray(0, early));
    return y;
  });
  if (!hasTail) return out;

  const noise = receiver.diffuseNoise(n - start, createRng(opts.seed).fork('room-late-tail'));
  // The noise is periodic (or white): split it circularly, with no edge transients.
  const noiseBands = noise.map((ch) => {
    const bandsOfCh = split.map(() => new Float32Array(ch.length));
    filterZeroPhaseInto(ch, fs, split, bandsOfCh, { circular: true });
    return bandsOfCh;
  });
  // The tail's fade-in, shared by the bands; 1 after the crossfade.
  const fadeIn = new Float64Array(n - start);
  for (let i = 0; i < fadeIn.length; i++) fadeIn[i] = Math.sin(fade((start + i) / fs));
  const envelope = new Float64Array(n - start);
  for (let b = 0; b < B; b++) {
    const delta = (3 * Math.LN10) / bands.rt60S[b];
    const energy = matchEnergy[b];
    let expected = 0;
    for (let i = windowStart; i < start; i++) expected += Math.exp(-2 * delta * (i / fs - tC));
    let noisePower = 0;
    for (const ch of noiseBands) noisePower += addSquares(0, ch[b]);
    noisePower /= n - start;
    if (!(expected > 0 && noisePower > 0 && energy > 0)) continue;
    const scale = Math.sqrt(energy / expected / noisePower);
    decayEnvelope(envelope, scale, delta, (start / fs) - tC, fs, fadeIn);
    for (let ch = 0; ch < out.length; ch++) addProduct(out[ch], start, noiseBands[ch][b], envelope);
  }
  return out;
}

// The hot loops of simulateRir, as small functions the JIT optimises on their own.

// envelope[i] = scale · exp(−δ(t0 + i/fs)) · fadeIn[i]: the exponential by a constant ratio per sample, re-anchored every 1024 samples.
function decayEnvelope(envelope: Float64Array, scale: number, delta: number, t0: number, fs: number, fadeIn: Float64Array): void {
  const ratio = Math.exp(-delta / fs);
  let decay = 1;
  for (let i = 0; i < envelope.length; i++) {
    if (i % 1024 === 0) decay = Math.exp(-delta * (t0 + i / fs));
    else decay *= ratio;
    envelope[i] = scale * decay * fadeIn[i];
  }
}

// y[at + i] += x[i] · w[i].
function addProduct(y: Float32Array, at: number, x: Float32Array, w: Float64Array): void {
  for (let i = 0; i < w.length; i++) y[at + i] += x[i] * w[i];
}

const splits = new Map<string, Response[]>();

/** Band responses: complementary octave crossovers (they sum to 1) times the high-pass; one set per layout (their sampled gains are cached). */
function octaveSplit(centresHz: readonly number[], highpassHz: number, sampleRateHz: number): Response[] {
  const key = `${centresHz.join(',')}|${highpassHz}|${sampleRateHz}`;
  let hit = splits.get(key);
  if (!hit) {
    const hp = butterworthHighpassPower(2, highpassHz, sampleRateHz);
    hit = centresHz.map((_, b) => (hz: number) => hp(hz) * octaveWeight(centresHz, b, hz));
    splits.set(key, hit);
  }
  return hit;
}

/**
 * Weight of band b at `hz`: 1 around its centre, a cos² / sin² ramp across the middle
 * `CROSSOVER_OCTAVES` between neighbouring centres on a log-frequency axis (so the weights
 * of all bands sum to 1), the outer bands flat to DC and to Nyquist. Narrow ramps keep a
 * band's decay from leaking into its neighbours' octaves when walls differ a lot between bands.
 */
export function octaveWeight(centresHz: readonly number[], b: number, hz: number): number {
  const ramp = (lo: number, hi: number) => {
    const x = (Math.log2(hz / lo) / Math.log2(hi / lo) - 0.5) / CROSSOVER_OCTAVES + 0.5;
    return x <= 0 ? 0 : x >= 1 ? 1 : Math.sin((Math.PI / 2) * x) ** 2;
  };
  const c = centresHz[b];
  if (hz <= c) return b === 0 ? 1 : ramp(centresHz[b - 1], c);
  return b === centresHz.length - 1 ? 1 : 1 - ramp(c, centresHz[b + 1]);
}

/** Width of the crossover between neighbouring octave bands, octaves. */
export const CROSSOVER_OCTAVES = 0.5;

/**
 * The crossover time tC (seconds from emission) from image sources to the late tail for a
 * source and receiver centre in a room: max(80 ms, first reflection + 35 ms, the time by
 * which `EARLY_IMAGES` images have arrived but at most 250 ms).
 */
export function crossoverS(dimensionsM: readonly [number, number, number], sourceM: Vec3, centreM: Vec3): number {
  return Math.max(EARLY_PART_S, firstReflectionS(dimensionsM, sourceM, centreM) + MATCH_WINDOW_S - CROSSFADE_S / 2, imageBudgetS(dimensionsM));
}

// When EARLY_IMAGES images have arrived ((4/3)·π·(c·t)³ / V of them by time t), at most MAX_EARLY_PART_S.
function imageBudgetS([x, y, z]: readonly number[]): number {
  return Math.min(MAX_EARLY_PART_S, Math.cbrt((3 * EARLY_IMAGES * x * y * z) / (4 * Math.PI)) / SPEED_OF_SOUND_MS);
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
