/**
 * The noise layers of the two offline scene recipes (render.ts, natHearRecipe.ts), block by
 * block: each layer's spatialised noise over samples [start, start + m) of the clip, with
 * the arithmetic of the whole-clip recipes (same draws, levels, fades and convolutions), so
 * a render made block by block (renderBlocks.ts) has their samples. The noise recordings
 * themselves are in memory already (the bank holds them); what does not grow here is the
 * clip: a noise longer than the clip is cut as it goes, coloured noise is generated as it
 * goes, and its level is measured first by running the same seeded generator once more.
 */
import { ColouredNoiseStream, type NoiseColour } from '../dsp/colouredNoise.ts';
import { convolve, StreamingConvolver } from '../dsp/convolver.ts';
import { rmsGainOfEnergy } from '../dsp/level.ts';
import type { Rng } from '../random.ts';
import { noisePlacementBlock, sampleNoisePlacement, type NoisePlacement } from './placeNoise.ts';
import type { PreparedScene } from './prepare.ts';
import { fillChannels } from './sceneParts.ts';

type Layer = PreparedScene['noiseLayers'][number];

/** One noise layer under a clip, block by block. */
export interface LayerBlocks {
  /** How the recording was laid under the clip (as renderScene reports it). */
  readonly placement: NoisePlacement | null;
  /** Add the layer's samples [start, start + acc[c].length) to `acc`; blocks come in order from 0. */
  addInto(acc: Float32Array[], start: number): void;
  dispose(): void;
}

/** The noise levels and fades the recipes use. */
export interface LayerSetup {
  channelCount: number;
  /** Length of the clip the noise goes under, samples (the nathear recipe: the clip padded to its RIR length). */
  lengthSamples: number;
  levelDbfs: number;
  fadeSamples: number;
}

/**
 * A layer of the earshot recipe (renderScene): coloured noise drawn for the clip and
 * normalised to `levelDbfs`, or the recording cut or placed with linear fades
 * (applyNoisePlacement), convolved with the layer's IR.
 *
 * @param rng the render's 'noise-signal' generator; the layer forks it by the noise's id
 */
export function earshotLayer(layer: Layer, rng: Rng, setup: LayerSetup): LayerBlocks {
  const n = setup.lengthSamples;
  const noise = layer.noise;
  let fill: (out: Float32Array, start: number) => void;
  let placement: NoisePlacement | null = null;
  if (noise.kind === 'colour') {
    const gain = colourGain(noise.colour, () => rng.fork(noise.id), n, setup.levelDbfs);
    const gen = new ColouredNoiseStream(noise.colour, rng.fork(noise.id));
    fill = (out) => scaleInPlace(gen.fill(out), gain);
  } else {
    const p = sampleNoisePlacement(noise.samples.length, n, rng.fork(noise.id));
    placement = p;
    fill = (out, start) => noisePlacementBlock(noise.samples, n, p, setup.fadeSamples, start, out);
  }
  return monoLayer(layer.rir, setup.channelCount, placement, fill);
}

/**
 * A layer of the nathear recipe (renderNatHear): coloured noise over the padded clip,
 * normalised and faded in and out (torch.linspace ramps); a longer recording cut at a
 * drawn start and faded out; a shorter one faded, convolved whole (cut to its own length)
 * and added at a drawn offset.
 *
 * @param rng the render's 'noise-signal' generator; the layer forks it by the noise's id
 * @param fitIr cuts an IR to the recipe's RIR length
 */
export function natHearLayer(layer: Layer, rng: Rng, setup: LayerSetup, fitIr: (ir: Float32Array[]) => Float32Array[]): LayerBlocks {
  const padded = setup.lengthSamples;
  const fade = setup.fadeSamples;
  const noise = layer.noise;
  const ir = layer.rir ? fitIr(layer.rir) : null;
  const draw = rng.fork(noise.id);
  if (noise.kind === 'colour') {
    const gain = colourGain(noise.colour, () => rng.fork(noise.id), padded, setup.levelDbfs);
    const gen = new ColouredNoiseStream(noise.colour, draw);
    return monoLayer(ir, setup.channelCount, null, (out, start) => {
      scaleInPlace(gen.fill(out), gain);
      linspaceFadeBlock(out, start, padded, fade, 'in');
      linspaceFadeBlock(out, start, padded, fade, 'out');
    });
  }
  const recording = noise.samples;
  if (recording.length > padded) {
    const offsetSamples = draw.int(0, recording.length - padded);
    return monoLayer(ir, setup.channelCount, { mode: 'cut', offsetSamples }, (out, start) => {
      out.set(recording.subarray(offsetSamples + start, offsetSamples + start + out.length));
      linspaceFadeBlock(out, start, padded, fade, 'out');
    });
  }
  // A recording no longer than the clip: faded and convolved whole (bounded by the bank), then laid at its offset.
  const mono = recording.slice();
  linspaceFadeBlock(mono, 0, mono.length, fade, 'in');
  linspaceFadeBlock(mono, 0, mono.length, fade, 'out');
  const spatial = ir ? convolve(mono, ir) : fillChannels(mono, setup.channelCount);
  const offset = mono.length < padded ? draw.int(0, padded - mono.length - 1) : 0;
  return {
    placement: mono.length < padded ? { mode: 'placed', offsetSamples: offset } : null,
    addInto(acc, start) {
      const m = acc[0].length;
      const from = Math.max(start, offset);
      const to = Math.min(start + m, offset + mono.length);
      for (let c = 0; c < acc.length; c++) for (let j = from; j < to; j++) acc[c][j - start] += spatial[c][j - offset];
    },
    dispose() {},
  };
}

/** A layer made of a mono signal `fill` writes block by block, convolved with `ir` (or copied to every channel). */
function monoLayer(ir: Float32Array[] | null, channelCount: number, placement: NoisePlacement | null, fill: (out: Float32Array, start: number) => void): LayerBlocks {
  const conv = ir ? new StreamingConvolver(ir) : null;
  let mono = new Float32Array(0);
  let spatial: Float32Array[] = [];
  return {
    placement,
    addInto(acc, start) {
      const m = acc[0].length;
      if (mono.length !== m) {
        mono = new Float32Array(m);
        spatial = Array.from({ length: channelCount }, () => new Float32Array(m));
      }
      fill(mono, start);
      if (conv) conv.processInto(mono, spatial, 0);
      for (let c = 0; c < channelCount; c++) {
        const from = conv ? spatial[c] : mono;
        const to = acc[c];
        for (let i = 0; i < m; i++) to[i] += from[i];
      }
    },
    dispose: () => conv?.dispose(),
  };
}

/** The gain normalizeRms gives `length` samples of seeded coloured noise: the generator run once to measure them. */
function colourGain(colour: NoiseColour, fork: () => Rng, length: number, levelDbfs: number): number {
  const gen = new ColouredNoiseStream(colour, fork());
  const block = new Float32Array(Math.min(length, 65536));
  let sum = 0;
  for (let at = 0; at < length; at += block.length) {
    const m = Math.min(block.length, length - at);
    gen.fill(block, m);
    for (let i = 0; i < m; i++) sum += block[i] * block[i];
  }
  return rmsGainOfEnergy(sum, length, levelDbfs);
}

function scaleInPlace(x: Float32Array, gain: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] *= gain;
  return x;
}

/**
 * natHearRecipe.ts's linspaceFade over the samples [start, start + x.length) of a signal of
 * `total` samples: a ramp of `len` samples (torch.linspace: both ends reach 0 and 1) over
 * its first (`in`) or last (`out`) samples, cut to the signal.
 */
export function linspaceFadeBlock(x: Float32Array, start: number, total: number, len: number, dir: 'in' | 'out'): void {
  const m = Math.min(len, total);
  const step = len > 1 ? 1 / (len - 1) : 0;
  for (let k = 0; k < x.length; k++) {
    const j = start + k;
    if (dir === 'in' && j < m) x[k] *= len > 1 ? j * step : 1;
    else if (dir === 'out' && j >= total - m) x[k] *= len > 1 ? 1 - (j - (total - m) + len - m) * step : 0;
  }
}
