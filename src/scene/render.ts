import { recipeOf, type Condition, type Recipe, type SnrMode } from './condition.ts';
import { RirBank } from './rirBank.ts';
import { NoiseBank } from './noiseBank.ts';
import { prepareScene, type PreparedScene } from './prepare.ts';
import { applyNoisePlacement, sampleNoisePlacement, type NoisePlacement } from './placeNoise.ts';
import { colouredNoise } from '../dsp/colouredNoise.ts';
import { convolve } from '../dsp/convolver.ts';
import { mixAtSnr } from '../dsp/mix.ts';
import { normalizeRms } from '../dsp/level.ts';
import { renderNatHear } from './natHearRecipe.ts';
import { addInto, fillChannels, measureMix, sceneParamsBase, withRoomMeasured } from './sceneParts.ts';
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
    /** The scene recipe and SNR definition rendered with (see condition.ts). */
    recipe: Recipe;
    snrMode: SnrMode;
    sourceRir: PreparedScene['sourceRirInfo'];
    /** `noiseGain` and `noiseGains`: see SnrMix in dsp/mix.ts. */
    noise: null | { noiseGain: number; noiseGains: number[]; layers: { id: string; positions: PreparedScene['noiseLayers'][number]['positions']; placement: NoisePlacement | null }[] };
  };
  /**
   * Measured on the output: the SNR of the reverberant source against what the
   * mix added to it (output − source), `snrDb` with energies over all channels,
   * `snrDbPerChannel` channel by channel (null without noise); the RT60 of the
   * source IR (see `SourceRirInfo.rt60S`) and its octave-band T20s keyed by centre frequency in Hz.
   */
  measured: { snrDb: number | null; snrDbPerChannel: number[] | null; rt60S: number | null; bandRt60S: Record<string, number | null> | null };
}

/**
 * Render one clip (mono, at the scene's rate) into the prepared scene, the Nat-HEAR way:
 * normalise to -14 dBFS, convolve with the source IR (cut to the input length), lay each
 * noise recording under the clip (cut or placed, with 200 ms fades), convolve it with the
 * sum of its sources' IRs, and mix at the condition's SNR (pooled over all channels, or per
 * channel: snrMode). Recipe "nathear" renders through natHearRecipe.ts instead. The draws come
 * from the condition's seed: the same clip, condition and seed give identical samples.
 * `clipSeed` redraws only the per-clip noise (offsets, synthetic colours) over the same
 * prepared room, so each clip of a data set gets its own noise without re-simulating IRs.
 * Silent input stays silent (no noise is scaled against zero energy).
 */
export function renderScene(clean: Float32Array, scene: PreparedScene, opts: { clipSeed?: number } = {}): RenderedScene {
  if (recipeOf(scene.condition) === 'nathear') return renderNatHear(clean, scene, opts);
  const { condition, sampleRateHz } = scene;
  const n = clean.length;
  const [x] = normalizeRms([clean], SCENE_LEVEL_DBFS);
  const source = scene.sourceRir ? convolve(x, scene.sourceRir) : fillChannels(x, scene.channelCount);
  const base = sceneParamsBase(scene);
  if (condition.snrDb === 'clean') return { channels: source, params: { ...base, noise: null }, measured: withRoomMeasured({ snrDb: null, snrDbPerChannel: null }, scene) };

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
    const spatial = layer.rir ? convolve(mono, layer.rir) : fillChannels(mono, scene.channelCount);
    for (let c = 0; c < noise.length; c++) addInto(noise[c], spatial[c]);
    layers.push({ id: layer.noise.id, positions: layer.positions, placement });
  }
  const { mixed, noiseGain, noiseGains } = mixAtSnr(source, noise, condition.snrDb, base.snrMode);
  return { channels: mixed, params: { ...base, noise: { noiseGain, noiseGains, layers } }, measured: measureMix(source, mixed, noiseGain, scene) };
}

/** Prepare and render in one go (the offline path of `earshot render`). */
export async function renderCondition(clean: Float32Array, condition: Condition, banks: SceneBanks, sampleRateHz: number): Promise<RenderedScene> {
  return renderScene(clean, await prepareScene(condition, banks, sampleRateHz));
}
