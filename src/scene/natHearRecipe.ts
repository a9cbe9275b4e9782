/**
 * The Nat-HEAR evaluation code's scene recipe, step by step (condition
 * `recipe: "nathear"`), for numbers comparable with published Nat-HEAR
 * tables. Source: labhamlet/wavjepa, hear_api/heaRIR/augment.py
 * (`Augmenter.augment`), hear_api/heaRIR/scene_module/generate_scenes.py
 * (`process_audio`, `fade_noise`, `aggregate_noise`, `add_noise`) and
 * hear_api/heaRIR/iterators/SceneIterator.py (`preprocess_rirs`).
 *
 * Where it differs from the earshot recipe (render.ts):
 * - every RIR is cut or zero-padded to 64000 samples (4 s at 16 kHz), and a
 *   clip shorter than that is zero-padded to it *before* anything is
 *   measured: the SNR is set over the padded clip (source plus silence and
 *   reverb tail, noise over the whole 4 s), and the output is cut back to the
 *   clip. On a clip under 4 s the SNR actually heard is above nominal. Dry
 *   scenes (no RIR, which the code never has) are padded the same way;
 * - the noise is faded before it is convolved (cut to the padded clip with a
 *   200 ms fade-out when longer; faded in and out over 200 ms otherwise),
 *   its convolution is cut to the noise's own length (its reverb tail is
 *   dropped), and a shorter noise is laid at a random offset only then;
 * - one noise gain per channel (snrMode "per-channel").
 *
 * One choice of ours: the code cuts a longer noise file from its start, having
 * drawn one of thousands of WHAM! files at random; the bank holds a few long
 * recordings, so the window is drawn at a random start of the recording instead.
 */
import { colouredNoise } from '../dsp/colouredNoise.ts';
import { convolve } from '../dsp/convolver.ts';
import { normalizeRms } from '../dsp/level.ts';
import { mixAtSnr } from '../dsp/mix.ts';
import { createRng } from '../random.ts';
import { snrModeOf } from './condition.ts';
import type { NoisePlacement } from './placeNoise.ts';
import type { PreparedScene } from './prepare.ts';
import type { RenderedScene } from './render.ts';
import { addInto, fillChannels, measureMix, sceneParamsBase, withRoomMeasured } from './sceneParts.ts';

/** `preprocess_rirs(reverb, 32000)` pads or cuts every RIR to 2 · 32000 samples: 4 s at the 16 kHz the scenes run at. */
export const NATHEAR_RIR_S = 4;
/** `normalize_audio(audio, -14.0)` (hear_api/feature_helper.py); noise comes normalised the same way. */
export const NATHEAR_LEVEL_DBFS = -14;
/** `fade_noise(..., duration=0.2)`. */
export const NATHEAR_FADE_S = 0.2;

/**
 * Render one clip (mono, at the scene's rate) the way the Nat-HEAR evaluation
 * code does (see the module comment). Same contract as renderScene: same clip,
 * condition and seed give the same samples; `clipSeed` redraws only the
 * per-clip noise; silent input stays silent; output length = input length.
 * `measured` is taken on the output (the clip, after the cut back), so on a
 * short clip it shows the SNR the listener gets, not the nominal one.
 */
export function renderNatHear(clean: Float32Array, scene: PreparedScene, opts: { clipSeed?: number } = {}): RenderedScene {
  const { condition, sampleRateHz } = scene;
  const n = clean.length;
  const rirLength = Math.round(NATHEAR_RIR_S * sampleRateHz);
  const padded = Math.max(n, rirLength);
  const x = new Float32Array(padded);
  x.set(normalizeRms([clean], NATHEAR_LEVEL_DBFS)[0]);
  const source = scene.sourceRir ? convolve(x, fitRir(scene.sourceRir, rirLength)) : fillChannels(x, scene.channelCount);
  const base = sceneParamsBase(scene);
  const cut = (chs: Float32Array[]) => chs.map((ch) => ch.slice(0, n));
  if (condition.snrDb === 'clean') return { channels: cut(source), params: { ...base, noise: null }, measured: withRoomMeasured({ snrDb: null, snrDbPerChannel: null }, scene) };

  const rng = createRng(opts.clipSeed ?? condition.seed).fork('noise-signal');
  const fade = Math.floor(NATHEAR_FADE_S * sampleRateHz); // int(duration * sr)
  const noise = Array.from({ length: scene.channelCount }, () => new Float32Array(padded));
  const layers: NonNullable<RenderedScene['params']['noise']>['layers'] = [];
  for (const layer of scene.noiseLayers) {
    const draw = rng.fork(layer.noise.id);
    const recording = layer.noise.kind === 'colour' ? normalizeRms([colouredNoise(layer.noise.colour, padded, draw)], NATHEAR_LEVEL_DBFS)[0] : layer.noise.samples;
    // fade_noise: longer than the (padded) clip -> cut, fade out; otherwise fade in and out.
    let mono: Float32Array;
    let placement: NoisePlacement | null = null;
    if (recording.length > padded) {
      const offsetSamples = draw.int(0, recording.length - padded);
      mono = linspaceFade(recording.slice(offsetSamples, offsetSamples + padded), fade, 'out');
      placement = { mode: 'cut', offsetSamples };
    } else {
      mono = linspaceFade(linspaceFade(recording.slice(), fade, 'in'), fade, 'out');
    }
    // aggregate_noise: convolve_with_rir cuts each convolution to the noise's length.
    const spatial = layer.rir ? convolve(mono, fitRir(layer.rir, rirLength)) : fillChannels(mono, scene.channelCount);
    // process_audio: a shorter noise goes in at np.random.randint(0, L - len), an offset in [0, L - len).
    const offset = mono.length < padded ? draw.int(0, padded - mono.length - 1) : 0;
    if (mono.length < padded) placement = { mode: 'placed', offsetSamples: offset };
    for (let c = 0; c < noise.length; c++) addInto(noise[c].subarray(offset, offset + spatial[c].length), spatial[c]);
    layers.push({ id: layer.noise.id, positions: layer.positions, placement });
  }
  // add_noise: energies over the padded clip, one gain per channel (norms over the last axis).
  const { mixed, noiseGain, noiseGains } = mixAtSnr(source, noise, condition.snrDb, snrModeOf(condition));
  const [out, dry] = [cut(mixed), cut(source)];
  return { channels: out, params: { ...base, noise: { noiseGain, noiseGains, layers } }, measured: measureMix(dry, out, noiseGain, scene) };
}

// apply_fadein / apply_fadeout: torch.linspace(0, 1, len) (or 1 -> 0) over the first (last) `len` samples, in place;
// both ends of the ramp reach 0 and 1 exactly, unlike dsp/fade.ts. A ramp longer than x is cut to it.
function linspaceFade(x: Float32Array, len: number, dir: 'in' | 'out'): Float32Array {
  const m = Math.min(len, x.length);
  const step = len > 1 ? 1 / (len - 1) : 0;
  for (let i = 0; i < m; i++) {
    if (dir === 'in') x[i] *= len > 1 ? i * step : 1;
    else x[x.length - m + i] *= len > 1 ? 1 - (i + len - m) * step : 0;
  }
  return x;
}

// preprocess_rirs: zero-pad or cut each channel to `length` (padding changes nothing within the cut, so only a longer IR is cut).
export function fitRir(ir: Float32Array[], length: number): Float32Array[] {
  return ir[0].length > length ? ir.map((ch) => ch.subarray(0, length)) : ir;
}
