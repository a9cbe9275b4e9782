import type { PreparedScene } from './prepare.ts';
import { ColouredNoiseStream, type NoiseColour } from '../dsp/colouredNoise.ts';
import { dbToGain } from '../dsp/level.ts';
import { createRng, type Rng } from '../random.ts';
import { SCENE_LEVEL_DBFS } from './render.ts';

/**
 * Noise for live scenes, drawn chunk by chunk: recordings loop seamlessly from
 * a seeded offset, synthetic colours keep their filter state across chunks.
 */

export interface NoiseGenerator {
  /** Write the next `n` noise samples into out[0..n). */
  fill(out: Float32Array, n: number): void;
}

export function noiseGenerator(noise: PreparedScene['noiseLayers'][number]['noise'], rng: Rng, loopFade: number): NoiseGenerator {
  if (noise.kind === 'colour') return new ColourStream(noise.colour, rng);
  const loop = loopBuffer(noise.samples, loopFade);
  return new LoopPlayer(loop, loop.length > 0 ? rng.int(0, loop.length - 1) : 0);
}

const loops = new WeakMap<Float32Array, Map<number, Float32Array>>();

/**
 * A recording made seamless for looping: its last `fadeSamples` (at most half
 * of it) are crossfaded into its start with equal-power (sin/cos) gains, the
 * right law for the uncorrelated head and tail of a noise, and cut off.
 * Played cyclically, every step is a step of the recording or of the fade.
 * Cached per recording.
 */
export function loopBuffer(samples: Float32Array, fadeSamples: number): Float32Array {
  let byFade = loops.get(samples);
  if (!byFade) loops.set(samples, (byFade = new Map()));
  const hit = byFade.get(fadeSamples);
  if (hit) return hit;
  const f = Math.min(fadeSamples, Math.floor(samples.length / 2));
  const m = samples.length - f;
  const loop = samples.slice(0, m);
  for (let i = 0; i < f; i++) {
    const w = (Math.PI / 2) * (i / f);
    loop[i] = samples[i] * Math.sin(w) + samples[m + i] * Math.cos(w);
  }
  byFade.set(fadeSamples, loop);
  return loop;
}

class LoopPlayer implements NoiseGenerator {
  constructor(private readonly loop: Float32Array, private at: number) {}

  fill(out: Float32Array, n: number): void {
    const len = this.loop.length;
    if (len === 0) return void out.fill(0, 0, n);
    for (let i = 0; i < n;) {
      const take = Math.min(n - i, len - this.at);
      out.set(this.loop.subarray(this.at, this.at + take), i);
      i += take;
      this.at = (this.at + take) % len;
    }
  }
}

/** Coloured noise drawn chunk by chunk (src/dsp/colouredNoise.ts), scaled to about -14 dBFS; the SNR gain sets the mixed level anyway. */
class ColourStream implements NoiseGenerator {
  private readonly stream: ColouredNoiseStream;
  private readonly gain: number;
  constructor(colour: NoiseColour, rng: Rng, gain?: number) {
    this.stream = new ColouredNoiseStream(colour, rng);
    this.gain = gain ?? dbToGain(SCENE_LEVEL_DBFS) / unscaledRms(colour);
  }

  fill(out: Float32Array, n: number): void {
    this.stream.fill(out, n);
    for (let i = 0; i < n; i++) out[i] *= this.gain;
  }
}

const colourRms = new Map<NoiseColour, number>();

// RMS of an unscaled generator, measured once per colour over 2^16 samples of a fixed seed.
function unscaledRms(colour: NoiseColour): number {
  let rms = colourRms.get(colour);
  if (rms === undefined) {
    const x = new Float32Array(1 << 16);
    new ColourStream(colour, createRng(0), 1).fill(x, x.length);
    rms = Math.sqrt(x.reduce((e, v) => e + v * v, 0) / x.length);
    colourRms.set(colour, rms);
  }
  return rms;
}
