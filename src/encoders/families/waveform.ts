import { Errors } from '../../errors.ts';
import { zeroMeanUnitVar } from '../frontends/normalize.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Encoder, Feeds, GraphRunner } from '../types.ts';
import { graphInput } from './graphInput.ts';
import { convStackTiming, WAV2VEC2_CONV_STACK } from './timing.ts';
import { createWindowedEncoder } from './windowedEncoder.ts';

/**
 * The raw-waveform family: mono [B, N] (wav2vec 2.0, HuBERT, WavLM,
 * data2vec, UniSpeech) or multichannel [B, C, N] (WavJEPA-Nat: 2 channels,
 * 2.01 s, instance-normalised), output [B, T, D] or [B, D].
 *
 * Each call's samples are normalised per channel over the audio it holds
 * when `frontEnd.normalize` is 'zero-mean-unit-var' (transformers'
 * do_normalize; instance norm), then zero-padded: to the graph's fixed
 * length when its N axis is fixed, else only up to one receptive field
 * (a variable-length graph sees the clip's last window as it is, so no
 * padding leaks into its frames); a graph with an `attention_mask` input
 * gets 1 over the audio and 0 over the padding. Frame t of a window is centred at
 * `frameOffsetS + t · hopS` (default: wav2vec 2.0's conv stack, 12.5 ms +
 * 20 ms · t); the receptive field is taken as 2 · frameOffsetS.
 *
 * @example
 * const runner = await loader.open('/abs/models/export/wav2vec2-base-random.onnx');
 * const enc = createWaveformEncoder({ manifest, runner });
 * const { frames, timestampsS } = await enc.timestampEmbeddings([samples16k]);
 */
export function createWaveformEncoder(opts: { manifest: ModelManifest; runner: GraphRunner }): Encoder {
  const { manifest, runner } = opts;
  const fe = manifest.frontEnd;
  if (fe.kind !== 'waveform') throw new Errors.INVALID_MODEL(`model "${manifest.id}": frontEnd.kind is "${fe.kind}", not "waveform"`);
  const multichannel = manifest.channels > 1;
  const input = graphInput(manifest, runner, multichannel ? 'B,C,N' : 'B,N');
  const mismatch = (what: string) => new Errors.MODEL_MISMATCH(`model "${manifest.id}": ${what}`);
  if (multichannel && input.fixed.C !== undefined && input.fixed.C !== manifest.channels) {
    throw mismatch(`the graph takes ${input.fixed.C} channels but channels is ${manifest.channels}`);
  }
  const sr = manifest.sampleRateHz;
  const defaultRf = convStackTiming(WAV2VEC2_CONV_STACK).receptiveFieldSamples;
  const firstCentreS = manifest.frameOffsetS ?? defaultRf / 2 / sr;
  const receptiveField = Math.max(1, Math.round(2 * firstCentreS * sr));
  const windowSamples = Math.round(manifest.windowS * sr);
  const fixedN = input.fixed.N;
  if (fixedN !== undefined && fixedN < windowSamples) {
    throw mismatch(`windowS ${manifest.windowS} s is ${windowSamples} samples but the graph takes exactly ${fixedN}; set windowS <= ${fixedN / sr}`);
  }
  const contextSamples = fixedN !== undefined ? fixedN - windowSamples : Math.max(0, receptiveField - Math.round(manifest.hopS * sr));
  const normalize = fe.normalize === 'zero-mean-unit-var';
  const withMask = !multichannel && runner.info.inputs.some((v) => v.name === 'attention_mask');

  return createWindowedEncoder({
    manifest,
    runner,
    contextSamples,
    timing: { firstCentreS, hopS: manifest.hopS },
    prepare(channels) {
      const n = channels[0].length;
      const length = fixedN ?? Math.max(n, receptiveField);
      const data = new Float32Array(channels.length * length);
      channels.forEach((c, i) => data.set(normalize ? zeroMeanUnitVar(c) : c, i * length));
      const feeds: Feeds = { [manifest.input.name]: { type: 'float32', dims: input.dims({ B: 1, C: channels.length, N: length }), data } };
      // Hugging Face exports of models trained with padding masks (return_attention_mask) take one: 1 on audio, 0 on padding.
      if (withMask) feeds.attention_mask = { type: 'int64', dims: [1, length], data: BigInt64Array.from({ length }, (_, i) => (i < n ? 1n : 0n)) };
      return feeds;
    },
  });
}
