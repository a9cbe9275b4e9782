import type { GraphRunner } from './types.ts';

/** Samples per openWakeWord hop: one embedding every 1280 samples (80 ms at 16 kHz). */
export const OWW_HOP_SAMPLES = 1280;
/** Samples the mel graph sees per hop: the new 1280 plus the 480 before them (3 mel frames of context). */
export const OWW_MEL_CONTEXT_SAMPLES = 1760;
/** Mel frames per embedding window, the frames one hop adds, mel bins, embedding size. */
export const OWW_WINDOW_FRAMES = 76;
export const OWW_FRAMES_PER_HOP = 8;
export const OWW_MEL_BINS = 32;
export const OWW_EMBEDDING_DIM = 96;
/**
 * Most windows in one call of the embedding graph: past 16 its speed per window no longer
 * improves on a CPU and its intermediate tensors (about 1.2 MB per window) grow with the batch.
 */
export const OWW_EMBED_BATCH = 16;
/** The mel graph's STFT: 512-sample frames every 160 samples, no padding. */
const MEL_FRAME = 512;
const MEL_SHIFT = 160;

/** A run of consecutive embeddings: `count` rows of 96 starting at hop index `first` (0-based). */
export interface OwwEmbeddings {
  first: number;
  count: number;
  embeddings: Float32Array;
}

/**
 * Centre time (seconds at 16 kHz) of the audio behind embedding `index`
 * (0-based; hop m = index + 1 ends at sample 1280·m). Its 76 mel frames cover
 * samples [1280·m − 12640, 1280·m − 128), 0.782 s; for the first nine
 * embeddings part of that span lies before the stream began (the warm-up
 * frames), so the span is cut at sample 0 and the centre is that of the real
 * audio. From index 9 on: (1280·m − 6384) / 16000.
 */
export function owwTimestampS(index: number): number {
  const lastFrame = Math.floor((OWW_HOP_SAMPLES * (index + 1) - MEL_FRAME) / MEL_SHIFT);
  const end = lastFrame * MEL_SHIFT + MEL_FRAME;
  const start = Math.max(0, (lastFrame - OWW_WINDOW_FRAMES + 1) * MEL_SHIFT);
  return (start + end) / 2 / 16000;
}

/**
 * openWakeWord's streaming front-end (`AudioFeatures._streaming_features` in
 * openwakeword/utils.py), over any chunk sizes: push 16 kHz mono audio in
 * [-1, 1], get one 96-d speech embedding (Google speech_embedding) per
 * completed 80 ms hop.
 *
 * Per hop, exactly as upstream fed 1280 samples at a time: the audio is
 * scaled to the int16 range (×32768, so 16-bit files reach the graph as their
 * own integers; clipped to [−32768, 32767]); melspectrogram.onnx runs alone
 * ([1, 1760] → 8 frames of 32; the very first hop has only 1280 samples → 5
 * frames) because the graph's 80 dB floor is relative to the maximum of the
 * whole call; each frame becomes x/10 + 2; the mel buffer starts as 76 frames
 * of ones (upstream's `np.ones((76, 32))`), and the last 76 frames after the
 * hop go to embedding_model.onnx ([N, 76, 32, 1] → [N, 1, 1, 96], batched).
 * Samples short of a full hop wait for the next push; audio shorter than
 * 80 ms gives no embedding. Silence gives finite embeddings (the mel graph
 * floors its log). Deviation from upstream, by design: upstream runs the mel
 * once per `predict` call, so a call with several hops normalises over all
 * of them and results depend on chunking; here every hop is its own call, so
 * any chunking gives the same embeddings as 1280-sample chunks upstream.
 *
 * @example
 * const s = new OwwStream(mel, embedding);
 * const { first, count, embeddings } = await s.push(chunk); // count = new 80 ms hops
 */
export class OwwStream {
  private readonly raw = new Float32Array(OWW_MEL_CONTEXT_SAMPLES);
  /** New samples since the last hop, stored at raw[480 + i]. */
  private pending = 0;
  private hops = 0;
  private readonly melBuffer = new Float32Array(OWW_WINDOW_FRAMES * OWW_MEL_BINS).fill(1);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly mel: GraphRunner, private readonly embedding: GraphRunner) {}

  /** Embeddings emitted so far (= completed hops). */
  get emitted(): number {
    return this.hops;
  }

  /** Add samples; resolves with the embeddings of every hop they complete. Calls are serialised in order. */
  push(samples: Float32Array): Promise<OwwEmbeddings> {
    const copy = samples.slice();
    const next = this.queue.then(() => this.process(copy));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async process(samples: Float32Array): Promise<OwwEmbeddings> {
    const first = this.hops;
    const batches: Promise<Float32Array>[] = [];
    const ctx = OWW_MEL_CONTEXT_SAMPLES - OWW_HOP_SAMPLES;
    let i = 0;
    while (i < samples.length) {
      // Up to one batch of hops: their mel calls at once (they depend on the audio only), then the buffer in order.
      const inputs: Float32Array[] = [];
      while (i < samples.length && inputs.length < OWW_EMBED_BATCH) {
        const take = Math.min(OWW_HOP_SAMPLES - this.pending, samples.length - i);
        copyInt16Range(this.raw, ctx + this.pending, samples, i, take);
        this.pending += take;
        i += take;
        if (this.pending < OWW_HOP_SAMPLES) break;
        inputs.push(this.hops === 0 ? this.raw.slice(ctx) : this.raw.slice());
        this.raw.copyWithin(0, OWW_HOP_SAMPLES);
        this.pending = 0;
        this.hops++;
      }
      if (inputs.length === 0) break;
      // At most two embedding calls in flight: memory stays a few batches whatever the push's length.
      if (batches.length >= 2) await batches[batches.length - 2];
      const spectra = await Promise.all(inputs.map((input) => this.melFrames(input)));
      const windows = spectra.map((fresh) => this.addMelFrames(fresh));
      // Not awaited here: the next batch's mel calls overlap this batch's embedding call (on another worker).
      batches.push(this.embed(windows));
      batches[batches.length - 1].catch(() => undefined);
    }
    const parts = await Promise.all(batches);
    const embeddings = parts.length === 1 ? parts[0] : new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    if (parts.length > 1) parts.reduce((at, p) => (embeddings.set(p, at), at + p.length), 0);
    return { first, count: this.hops - first, embeddings };
  }

  /** The mel graph on one hop's input: its new frames (x / 10 + 2 comes in addMelFrames). */
  private async melFrames(input: Float32Array): Promise<Float32Array> {
    const { inputs, outputs } = this.mel.info;
    const out = await this.mel.run({ [inputs[0].name]: { type: 'float32', dims: [1, input.length], data: input } }, { batchable: false });
    const spec = out[outputs[0].name].data as Float32Array;
    const frames = Math.floor((input.length - MEL_FRAME) / MEL_SHIFT) + 1;
    return spec.subarray(spec.length - frames * OWW_MEL_BINS);
  }

  /** Roll one hop's frames into the buffer; returns the window (a copy of the buffer). */
  private addMelFrames(fresh: Float32Array): Float32Array {
    const buf = this.melBuffer;
    buf.copyWithin(0, fresh.length);
    const at = buf.length - fresh.length;
    for (let k = 0; k < fresh.length; k++) buf[at + k] = fresh[k] / 10 + 2;
    return buf.slice();
  }

  private async embed(windows: Float32Array[]): Promise<Float32Array> {
    if (windows.length === 0) return new Float32Array(0);
    const size = OWW_WINDOW_FRAMES * OWW_MEL_BINS;
    const batch = new Float32Array(windows.length * size);
    windows.forEach((w, n) => batch.set(w, n * size));
    const { inputs, outputs } = this.embedding.info;
    const dims = [windows.length, OWW_WINDOW_FRAMES, OWW_MEL_BINS, 1];
    const out = await this.embedding.run({ [inputs[0].name]: { type: 'float32', dims, data: batch } }, { batchable: true });
    return out[outputs[0].name].data as Float32Array;
  }
}

/**
 * dst[at + k] = samples[from + k] on openWakeWord's int16 scale, clamped, for k < count. A loop of
 * its own: inside the async process() it made V8 recompile that whole function again and again.
 */
function copyInt16Range(dst: Float32Array, at: number, samples: Float32Array, from: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const v = samples[from + k] * 32768;
    dst[at + k] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}
