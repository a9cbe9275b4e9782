import { Errors } from '../../errors.ts';
import type { Rng } from '../../random.ts';
import { SPEED_OF_SOUND_MS } from './geometry.ts';
import { addKernel, addKernelBands, fractionalDelayKernel, FRACTIONAL_DELAY_HALF_TAPS, type ImageSources } from './ism.ts';
import { DIFFUSE_DIRECTIONS, fibonacciSphere, planeWaveDiffuse, whiteNoise } from './lateTail.ts';
import type { ReceiverSpec } from './types.ts';

type Vec3 = [number, number, number];

/** What to render of an image set (see `Receiver.addImages`). */
export interface ImageJob {
  images: ImageSources;
  /** Per octave band b (see `RoomBands`), β_b^n for each reflection order n. */
  gainOfOrder: Float64Array[];
  /** Per band, the air's pressure attenuation in nepers per metre (amplitude × e^(−a·r)). */
  airNepersPerM: Float64Array;
  sampleRateHz: number;
  /** Weight of an image by its arrival time in seconds: 1 early, fading to 0 where the late tail takes over. */
  weight: (tS: number) => number;
  /** Only the direct path (order 0), or only the reflections. */
  part: 'direct' | 'reflections';
}

/** A receiver ready to render: how its channels hear image sources and a diffuse field. */
export interface Receiver {
  readonly channels: number;
  /** Listening points relative to the receiver centre, metres (they must all lie in the room). */
  readonly offsetsM: readonly Vec3[];
  /** Add each image's arrival (amplitude β_b^n·e^(−a_b·r)/r in band b, fractional delay r/c) to `out[b][channel]`. */
  addImages(job: ImageJob, centreM: Vec3, out: Float32Array[][]): void;
  /** `n` samples of stationary diffuse-field noise with this receiver's inter-channel statistics (any level). */
  diffuseNoise(n: number, rng: Rng): Float32Array[];
}

/**
 * Number of channels a receiver yields: mono 1, binaural 2 (0 = left ear),
 * foa 4 (ACN W, Y, Z, X; SN3D), array one per microphone.
 *
 * @example
 * channelCount({ kind: 'foa' }); // 4
 */
export function channelCount(receiver: ReceiverSpec): number {
  switch (receiver.kind) {
    case 'mono':
      return 1;
    case 'binaural':
      return 2;
    case 'foa':
      return 4;
    case 'array':
      return receiver.micsM.length;
  }
}

/** Smallest source–microphone distance used for the 1/r law, metres (keeps a coincident source finite). */
export const MIN_PATH_M = 0.01;

/**
 * Visit every image of `job` as heard at `pointM`: its delay in samples, its amplitude
 * in each band (β_b^n·e^(−a_b·r)/r × weight, in a scratch array valid during the call),
 * and the unit vector from the point towards it.
 */
export function forEachArrival(
  job: ImageJob,
  pointM: Vec3,
  visit: (delaySamples: number, amplitudes: Float64Array, ux: number, uy: number, uz: number) => void,
): void {
  const { images: im, gainOfOrder, airNepersPerM: air, sampleRateHz: fs } = job;
  const wantDirect = job.part === 'direct';
  const amps = new Float64Array(gainOfOrder.length);
  for (let i = 0; i < im.count; i++) {
    if ((im.order[i] === 0) !== wantDirect) continue;
    const dx = im.x[i] - pointM[0];
    const dy = im.y[i] - pointM[1];
    const dz = im.z[i] - pointM[2];
    const r = Math.max(MIN_PATH_M, Math.sqrt(dx * dx + dy * dy + dz * dz));
    const t = r / SPEED_OF_SOUND_MS;
    const w = job.weight(t);
    if (w === 0) continue;
    for (let b = 0; b < amps.length; b++) amps[b] = (gainOfOrder[b][im.order[i]] * Math.exp(-air[b] * r) * w) / r;
    visit(t * fs, amps, dx / r, dy / r, dz / r);
  }
}

/** An omnidirectional microphone. */
export function monoReceiver(): Receiver {
  const taps = new Float64Array(2 * FRACTIONAL_DELAY_HALF_TAPS);
  return {
    channels: 1,
    offsetsM: [[0, 0, 0]],
    addImages: (job, centreM, out) =>
      forEachArrival(job, centreM, (d, amps) => {
        addKernelBands(out, 0, fractionalDelayKernel(d, taps), taps, amps, 1);
      }),
    diffuseNoise: (n, rng) => [whiteNoise(n, rng)],
  };
}

/**
 * First-order ambisonics, ACN channel order W, Y, Z, X with SN3D normalisation:
 * an arrival of pressure p from the unit vector (ux, uy, uz) = (cos az cos el,
 * sin az cos el, sin el) adds W += p, Y += p·uy, Z += p·uz, X += p·ux.
 * The diffuse tail has independent W, Y, Z, X with powers 1, 1/3, 1/3, 1/3
 * (an isotropic field in SN3D).
 */
export function foaReceiver(): Receiver {
  const taps = new Float64Array(2 * FRACTIONAL_DELAY_HALF_TAPS);
  return {
    channels: 4,
    offsetsM: [[0, 0, 0]],
    addImages: (job, centreM, out) =>
      forEachArrival(job, centreM, (d, amps, ux, uy, uz) => {
        const start = fractionalDelayKernel(d, taps);
        for (let b = 0; b < amps.length; b++) {
          const [w, y, z, x] = out[b];
          const a = amps[b];
          addKernel(w, start, taps, a);
          addKernel(y, start, taps, a * uy);
          addKernel(z, start, taps, a * uz);
          addKernel(x, start, taps, a * ux);
        }
      }),
    diffuseNoise: (n, rng) =>
      [1, 1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)].map((g) => {
        const x = whiteNoise(n, rng);
        for (let i = 0; i < n; i++) x[i] *= g;
        return x;
      }),
  };
}

/**
 * Omni microphones at `micsM` (metres from the array centre, room axes: +x front,
 * +y left, +z up), one channel each. Each microphone hears every image at its own
 * distance; the diffuse tail sums 48 plane waves, so the inter-microphone coherence
 * approaches the diffuse-field sinc(k·d).
 */
export function arrayReceiver(micsM: readonly Vec3[], sampleRateHz: number): Receiver {
  if (!Array.isArray(micsM) || micsM.length === 0 || micsM.length > 64) {
    throw new Errors.INVALID_OPTION(`receiver.micsM must list 1..64 microphone positions [x, y, z] in metres, got ${JSON.stringify(micsM)}`);
  }
  micsM.forEach((m, i) => {
    if (!Array.isArray(m) || m.length !== 3 || !m.every(Number.isFinite)) {
      throw new Errors.INVALID_OPTION(`receiver.micsM[${i}] must be [x, y, z] in metres, got ${JSON.stringify(m)}`);
    }
  });
  const taps = new Float64Array(2 * FRACTIONAL_DELAY_HALF_TAPS);
  const dirs = fibonacciSphere(DIFFUSE_DIRECTIONS);
  return {
    channels: micsM.length,
    offsetsM: micsM.map((m) => [m[0], m[1], m[2]] as Vec3),
    addImages: (job, c, out) =>
      micsM.forEach((m, i) =>
        forEachArrival(job, [c[0] + m[0], c[1] + m[1], c[2] + m[2]], (d, amps) => {
          addKernelBands(out, i, fractionalDelayKernel(d, taps), taps, amps, 1);
        }),
      ),
    diffuseNoise: (n, rng) =>
      planeWaveDiffuse(n, micsM.length, DIFFUSE_DIRECTIONS, (k, ch, size, ordered) => {
        // A plane wave from u reaches the microphone at m earlier by u·m/c: G = exp(+jωu·m/c).
        const m = micsM[ch];
        const lead = (dirs[3 * k] * m[0] + dirs[3 * k + 1] * m[1] + dirs[3 * k + 2] * m[2]) / SPEED_OF_SOUND_MS;
        phasorRamp((2 * Math.PI * lead * sampleRateHz) / size, ordered);
        return { ordered };
      }, rng),
  };
}

// exp(j·step·b) at bins b = 0 .. N/2 in PFFFT's ordered layout (N = ordered.length; DC and Nyquist, real,
// in the first two floats), by rotation in double precision, re-anchored every 256 bins to stop rounding drift.
function phasorRamp(step: number, ordered: Float32Array): void {
  const half = ordered.length / 2;
  const c = Math.cos(step);
  const s = Math.sin(step);
  let re = 1;
  let im = 0;
  ordered[0] = 1;
  for (let b = 1; b < half; b++) {
    if (b % 256 === 0) {
      re = Math.cos(step * b);
      im = Math.sin(step * b);
    } else {
      const r = re * c - im * s;
      im = re * s + im * c;
      re = r;
    }
    ordered[2 * b] = re;
    ordered[2 * b + 1] = im;
  }
  ordered[1] = Math.cos(step * half);
}
