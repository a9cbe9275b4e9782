import type { Condition } from './condition.ts';
import { RirBank } from './rirBank.ts';
import { NoiseBank } from './noiseBank.ts';
import { prepareScene, type PreparedScene } from './prepare.ts';
import { applyNoisePlacement, sampleNoisePlacement, type NoisePlacement } from './placeNoise.ts';
import { colouredNoise } from '../dsp/colouredNoise.ts';
import { convolve } from '../dsp/convolver.ts';
import { mixAtSnr } from '../dsp/mix.ts';
import { energy, normalizeRms } from '../dsp/level.ts';
import { createRng } from '../random.ts';

export interface SceneBanks {
  rirs: RirBank;
  noises: NoiseBank;
}

/** Open the shipped banks plus the user's folders (and single IR files). */
export async function openBanks(opts: { rirDirs?: string[]; rirFiles?: string[]; noiseDirs?: string[] } = {}): Promise<SceneBanks> {
  const [rirs, noises] = await Promise.all([RirBank.open({ userDirs: opts.rirDirs, userFiles: opts.rirFiles }), NoiseBank.open({ userDirs: opts.noiseDirs })]);
  return { rirs, noises };
}

/** The Nat-HEAR recipe's levels: source and noise each RMS-normalised to -14 dBFS; fades of 200 ms. */
export const SCENE_LEVEL_DBFS = -14;
export const NOISE_FADE_S = 0.2;

/** A rendered scene: the degraded channels, what was drawn at random, and what was measured on the output. */
export interface RenderedScene {
  channels: Float32Array[];
  params: {
    receiver: string;
    sourceRir: PreparedScene['sourceRirInfo'];
    noise: null | { noiseGain: number; layers: { id: string; positions: PreparedScene['noiseLayers'][number]['positions']; placement: NoisePlacement | null }[] };
  };
  /** SNR measured on the output: reverberant source against what the mix added to it (output − source), energies over all channels; RT60 by Schroeder integration of the source IR. */
  measured: { snrDb: number | null; rt60S: number | null };
}

/**
 * Render one clip (mono, at the scene's rate) into the prepared scene, the Nat-HEAR way:
 * normalise to -14 dBFS, convolve with the source IR (cut to the input length), lay each
 * noise recording under the clip (cut or placed, with 200 ms fades), convolve it with the
 * sum of its sources' IRs, and mix at the condition's SNR over all channels. The draws come
 * from the condition's seed: the same clip, condition and seed give identical samples.
 * `clipSeed` redraws only the per-clip noise (offsets, synthetic colours) over the same
 * prepared room, so each clip of a data set gets its own noise without re-simulating IRs.
 * Silent input stays silent (no noise is scaled against zero energy).
 */
export function renderScene(clean: Float32Array, scene: PreparedScene, opts: { clipSeed?: number } = {}): RenderedScene {
  const { condition, sampleRateHz } = scene;
  const n = clean.length;
  const [x] = normalizeRms([clean], SCENE_LEVEL_DBFS);
  const source = scene.sourceRir ? convolve(x, scene.sourceRir) : fill(x, scene.channelCount);
  const rt60S = scene.sourceRirInfo.rt60S;
  const base = { receiver: scene.receiverLabel, sourceRir: scene.sourceRirInfo };
  if (condition.snrDb === 'clean') return { channels: source, params: { ...base, noise: null }, measured: { snrDb: null, rt60S } };

  const rng = createRng(opts.clipSeed ?? condition.seed).fork('noise-signal');
  const noise = Array.from({ length: scene.channelCount }, () => new Float32Array(n));
  const layers: NonNullable<RenderedScene['params']['noise']>['layers'] = [];
  const fadeSamples = Math.round(NOISE_FADE_S * sampleRateHz);
  for (const layer of scene.noiseLayers) {
    let mono: Float32Array;
    let placement: NoisePlacement | null = null;
    if (layer.noise.kind === 'colour') {
      mono = colouredNoise(layer.noise.colour, n, rng.fork(layer.noise.id));
      [mono] = normalizeRms([mono], SCENE_LEVEL_DBFS);
    } else {
      placement = sampleNoisePlacement(layer.noise.samples.length, n, rng.fork(layer.noise.id));
      mono = applyNoisePlacement(layer.noise.samples, n, placement, fadeSamples);
    }
    const spatial = layer.rir ? convolve(mono, layer.rir) : fill(mono, scene.channelCount);
    for (let c = 0; c < noise.length; c++) addInto(noise[c], spatial[c]);
    layers.push({ id: layer.noise.id, positions: layer.positions, placement });
  }
  const { mixed, noiseGain } = mixAtSnr(source, noise, condition.snrDb);
  return {
    channels: mixed,
    params: { ...base, noise: { noiseGain, layers } },
    measured: { snrDb: noiseGain > 0 ? 10 * Math.log10(energy(source) / residualEnergy(mixed, source)) : null, rt60S },
  };
}

/** Prepare and render in one go (the offline path of `earshot render`). */
export async function renderCondition(clean: Float32Array, condition: Condition, banks: SceneBanks, sampleRateHz: number): Promise<RenderedScene> {
  return renderScene(clean, await prepareScene(condition, banks, sampleRateHz));
}

function fill(x: Float32Array, channels: number): Float32Array[] {
  return Array.from({ length: channels }, () => x.slice());
}

// Energy of (a − b) over all channels, without allocating the difference.
function residualEnergy(a: Float32Array[], b: Float32Array[]): number {
  let e = 0;
  for (let c = 0; c < a.length; c++) {
    const x = a[c];
    const y = b[c];
    for (let i = 0; i < x.length; i++) e += (x[i] - y[i]) ** 2;
  }
  return e;
}

function addInto(acc: Float32Array, x: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += x[i];
}
