import { requireCommonJs } from '../commonjs.ts';
import { Errors } from '../errors.ts';
import { createRng } from '../random.ts';
import { adaptChannels } from './adaptChannels.ts';
import type { ModelManifest } from './manifest.ts';
import { meanOverFrames } from './timestamps.ts';
import type { Encoder, TimestampEmbeddings, TimestampStream } from './types.ts';

const FFT = requireCommonJs<typeof import('fft.js')>('fft.js');

/** Log-mel settings of the naive baseline (the manifest's `frontEnd` of kind "naive-logmel", plus its sample rate). */
export interface NaiveLogMelOptions {
  sampleRateHz: number;
  numMelBins: number;
  frameLengthMs: number;
  frameShiftMs: number;
}

/** Floor added to the mel power before the log (silence gives ln 1e-6 ≈ -13.8 in every bin). */
export const NAIVE_LOG_FLOOR = 1e-6;

/** HTK mel: 2595 log10(1 + f / 700) (torchaudio `mel_scale='htk'`). */
function melHtk(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/**
 * A log-mel spectrogram function, small and local to the naive baseline:
 * frames of `frameLengthMs` every `frameShiftMs` (no centre padding; audio
 * shorter than one frame is zero-padded to one), periodic Hann window,
 * zero-padded to the next power of two, |FFT|² (fft.js, as src/scene uses),
 * `numMelBins` HTK triangles from 0 Hz to Nyquist without area normalisation
 * (torchaudio `MelSpectrogram(norm=None, mel_scale='htk')`), then
 * ln(mel + 1e-6). Returns frames × numMelBins, row-major, and the frame count.
 */
export function createNaiveLogMel(opts: NaiveLogMelOptions): (samples: Float32Array) => { frames: number; logMel: Float64Array } {
  const win = Math.round((opts.sampleRateHz * opts.frameLengthMs) / 1000);
  const hop = Math.round((opts.sampleRateHz * opts.frameShiftMs) / 1000);
  let size = 2;
  while (size < win) size *= 2;
  const bins = size / 2 + 1;
  const window = Float64Array.from({ length: win }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / win));
  const nMel = opts.numMelBins;
  const melMax = melHtk(opts.sampleRateHz / 2);
  const edges = Float64Array.from({ length: nMel + 2 }, (_, i) => 700 * (10 ** ((i * melMax) / (nMel + 1) / 2595) - 1));
  const fb = new Float64Array(nMel * bins);
  const first = new Int32Array(nMel).fill(bins);
  const last = new Int32Array(nMel);
  for (let m = 0; m < nMel; m++) {
    for (let k = 0; k < bins; k++) {
      const f = (k * opts.sampleRateHz) / size;
      const w = Math.min((f - edges[m]) / (edges[m + 1] - edges[m]), (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]));
      if (w > 0) {
        fb[m * bins + k] = w;
        first[m] = Math.min(first[m], k);
        last[m] = k + 1;
      }
    }
  }
  const fft = new FFT(size);
  const frame = new Array<number>(size).fill(0);
  const spectrum = fft.createComplexArray() as number[];
  const power = new Float64Array(bins);
  return (samples) => {
    const frames = samples.length === 0 ? 0 : samples.length < win ? 1 : Math.floor((samples.length - win) / hop) + 1;
    const logMel = new Float64Array(frames * nMel);
    for (let t = 0; t < frames; t++) {
      for (let n = 0; n < win; n++) frame[n] = (samples[t * hop + n] ?? 0) * window[n];
      fft.realTransform(spectrum, frame);
      for (let k = 0; k < bins; k++) power[k] = spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2;
      for (let m = 0; m < nMel; m++) {
        let e = 0;
        for (let k = first[m]; k < last[m]; k++) e += fb[m * bins + k] * power[k];
        logMel[t * nMel + m] = Math.log(e + NAIVE_LOG_FLOOR);
      }
    }
    return { frames, logMel };
  };
}

/**
 * The HEAR-Naive baseline (hear-baseline's `RandomProjectionMelEmbedding`,
 * scaled to 16 kHz speech): per frame, the log-mel column of
 * {@link createNaiveLogMel} times a fixed random matrix, embeddingSize ×
 * numMelBins, drawn from N(0, 1/numMelBins) by `createRng(frontEnd.seed)`
 * (the same seed gives the same bytes). Pure JS, no ONNX graph. A floor
 * every learned encoder should beat; its drift under a condition is the
 * drift of the log-mel itself. Timestamps: frame centres,
 * (t · shift + length / 2) / sampleRateHz. Channels are mixed down to mono.
 * Scene embedding: the mean over frames. `timestampStream()` gives the same
 * frames for a clip fed in pieces, holding less than one frame of samples.
 *
 * @throws INVALID_MODEL when the manifest's front-end is not "naive-logmel"
 * @example
 * const enc = createNaiveEncoder(manifest); // models/naive-logmel.json
 * const { frames, embeddings } = await enc.timestampEmbeddings([speech16k]);
 */
export function createNaiveEncoder(manifest: ModelManifest): Encoder {
  const fe = manifest.frontEnd;
  if (fe.kind !== 'naive-logmel') throw new Errors.INVALID_MODEL(`manifest "${manifest.id}": frontEnd.kind = "${fe.kind}", expected "naive-logmel"`);
  const opts = { sampleRateHz: manifest.sampleRateHz, numMelBins: fe.numMelBins, frameLengthMs: fe.frameLengthMs, frameShiftMs: fe.frameShiftMs };
  const logMel = createNaiveLogMel(opts);
  const dim = manifest.embeddingSize;
  const rng = createRng(fe.seed);
  const scale = 1 / Math.sqrt(fe.numMelBins);
  // W[d][m] drawn in (d, m) order, stored transposed: projection[m * dim + d].
  const projection = new Float64Array(dim * fe.numMelBins);
  for (let d = 0; d < dim; d++) for (let m = 0; m < fe.numMelBins; m++) projection[m * dim + d] = rng.normal() * scale;
  const shiftS = Math.round((opts.sampleRateHz * opts.frameShiftMs) / 1000) / opts.sampleRateHz;
  const halfS = Math.round((opts.sampleRateHz * opts.frameLengthMs) / 1000) / 2 / opts.sampleRateHz;

  const frameSamples = Math.round((opts.sampleRateHz * opts.frameLengthMs) / 1000);
  const hopSamples = Math.round((opts.sampleRateHz * opts.frameShiftMs) / 1000);

  // The embeddings of the log-mel frames of `samples`, the first being frame `first` of the clip.
  const embed = (samples: Float32Array, first: number): TimestampEmbeddings => {
    const { frames, logMel: x } = logMel(samples);
    const embeddings = new Float32Array(frames * dim);
    const n = fe.numMelBins;
    const acc = new Float64Array(dim);
    for (let t = 0; t < frames; t++) {
      acc.fill(0);
      // projection is stored mel-major (numMelBins rows of dim) so this inner loop runs over contiguous memory.
      for (let m = 0; m < n; m++) {
        const v = x[t * n + m];
        const row = m * dim;
        for (let d = 0; d < dim; d++) acc[d] += projection[row + d] * v;
      }
      embeddings.set(acc, t * dim);
    }
    return { dim, frames, embeddings, timestampsS: Float64Array.from({ length: frames }, (_, t) => (first + t) * shiftS + halfS) };
  };
  const timestampEmbeddings = async (channels: Float32Array[]): Promise<TimestampEmbeddings> => embed(adaptChannels(channels, 1, manifest.id)[0], 0);

  // A stream keeps the samples from the next frame's start on; a clip shorter than one frame gets its one padded frame at the end.
  const timestampStream = (): TimestampStream => {
    let held = new Float32Array(0);
    let next = 0;
    let seen = 0;
    return {
      async push(channels) {
        const [mono] = adaptChannels(channels, 1, manifest.id);
        seen += mono.length;
        const joined = new Float32Array(held.length + mono.length);
        joined.set(held);
        joined.set(mono, held.length);
        const frames = joined.length < frameSamples ? 0 : Math.floor((joined.length - frameSamples) / hopSamples) + 1;
        const out = embed(joined.subarray(0, frames === 0 ? 0 : (frames - 1) * hopSamples + frameSamples), next);
        held = joined.slice(frames * hopSamples);
        next += frames;
        return out;
      },
      async end() {
        const out = next === 0 && seen > 0 ? embed(held, 0) : embed(new Float32Array(0), next);
        held = new Float32Array(0);
        return out;
      },
    };
  };
  return { manifest, timestampEmbeddings, timestampStream, sceneEmbedding: async (channels) => meanOverFrames(await timestampEmbeddings(channels)) };
}
