import { Errors } from '../../errors.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Encoder, Feeds, GraphRunner, TimestampEmbeddings, TimestampStream } from '../types.ts';
import type { FrameTiming } from './timing.ts';
import { adaptChannels } from '../adaptChannels.ts';
import { meanOverFrames } from '../timestamps.ts';
import { concatFrames } from '../timestampStream.ts';
import { frameTimestamps, planWindows, windowCentre, type WindowSpan } from './windowing.ts';

/** What a family tells the shared encoder about one model (see {@link createWindowedEncoder}). */
export interface WindowedModel {
  manifest: ModelManifest;
  runner: GraphRunner;
  /** Samples past each window's end that a call also sees (see windowing.ts). */
  contextSamples: number;
  /** Where frame t of a window sits ("B,T,D" outputs). */
  timing: FrameTiming;
  /** The feeds for one call (the manifest's input, and any other input the graph needs) from `manifest.channels` channels of the samples [start, end) (shorter than a window at the clip's end). */
  prepare(channels: Float32Array[]): Feeds;
}

/**
 * The HEAR-style {@link Encoder} every model family shares: checks the
 * channels, cuts the clip into windows (the policy in windowing.ts), runs
 * one call per window through the {@link GraphRunner} with
 * `batchable: true` (all at once, so a pool may stack them), and
 * concatenates the frames with their timestamps. The scene embedding is
 * the mean of the timestamp embeddings. `timestampStream()` runs each
 * window as soon as its samples and context have arrived, keeping only
 * the samples from the next window's start on.
 *
 * Mono models ("channels": 1) take the mean of the given channels; other
 * models need exactly `manifest.channels` (WRONG_CHANNELS otherwise).
 * Empty audio is EMPTY_AUDIO; a graph answering with another embedding size
 * than the manifest's is MODEL_MISMATCH.
 */
export function createWindowedEncoder(model: WindowedModel): Encoder {
  const { manifest, runner, timing } = model;
  const windowSamples = Math.round(manifest.windowS * manifest.sampleRateHz);
  const perWindow = manifest.output.layout === 'B,D';

  async function timestampEmbeddings(channels: Float32Array[]): Promise<TimestampEmbeddings> {
    const input = inputChannels(manifest, channels);
    const n = input[0].length;
    const spans = planWindows(n, windowSamples, model.contextSamples);
    const outputs = await Promise.all(
      spans.map((s) => runner.run(model.prepare(input.map((c) => c.subarray(s.start, s.end))), { batchable: true })),
    );
    return concatFrames(manifest.embeddingSize, spans.map((s, k) => framesOf(s, outputs[k], n)));
  }

  function timestampStream(): TimestampStream {
    let held: Float32Array[] = [];
    /** Clip index of held[c][0]: the start of the next window. */
    let start = 0;
    let queue: Promise<unknown> = Promise.resolve();
    // The windows whose samples [start, start + W + context) are all here (`last`: the clip ends, so every window left).
    const runReady = async (last: boolean): Promise<TimestampEmbeddings> => {
      const n = start + (held[0]?.length ?? 0);
      const spans: WindowSpan[] = [];
      for (let s = start; last ? s < n : s + windowSamples + model.contextSamples <= n; s += windowSamples) {
        spans.push({ start: s, end: Math.min(n, s + windowSamples + model.contextSamples), own: Math.min(windowSamples, n - s) });
      }
      const outputs = await Promise.all(
        spans.map((sp) => runner.run(model.prepare(held.map((c) => c.subarray(sp.start - start, sp.end - start))), { batchable: true })),
      );
      // A window that ran before the end saw no more than the clip: its own end bounds its frames.
      const parts = spans.map((sp, k) => framesOf(sp, outputs[k], last ? n : sp.end));
      const next = start + spans.length * windowSamples;
      held = held.map((c) => c.slice(Math.min(c.length, next - start)));
      start = next;
      return concatFrames(manifest.embeddingSize, parts);
    };
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
      const result = queue.then(fn);
      queue = result.catch(() => undefined);
      return result;
    };
    return {
      push: (channels) => serial(async () => {
        const input = inputChannels(manifest, channels, true);
        held = held.length === 0 ? input.map((c) => c.slice()) : held.map((c, i) => joined(c, input[i]));
        return runReady(false);
      }),
      end: () => serial(async () => {
        if (start + (held[0]?.length ?? 0) === 0) throw new Errors.EMPTY_AUDIO(`audio given to model "${manifest.id}"`);
        return runReady(true);
      }),
    };
  }

  function framesOf(span: WindowSpan, out: Feeds, clipSamples: number): { data: Float32Array; timestampsS: Float64Array } {
    const t = out[manifest.output.name];
    const rank = perWindow ? 2 : 3;
    const dims = squeezeTo(t?.dims ?? [], rank);
    if (t === undefined || !(t.data instanceof Float32Array) || dims.length !== rank || dims[0] !== 1 || dims[rank - 1] !== manifest.embeddingSize) {
      const got = t === undefined ? `no output '${manifest.output.name}'` : `'${manifest.output.name}' ${t.type} [${t.dims.join(', ')}]`;
      throw new Errors.MODEL_MISMATCH(`model "${manifest.id}": expected float32 [1, ${perWindow ? '' : 'T, '}${manifest.embeddingSize}] (output.layout ${manifest.output.layout}, embeddingSize), got ${got}`);
    }
    const timestampsS = perWindow
      ? Float64Array.of(windowCentre(span, manifest.sampleRateHz))
      : frameTimestamps(span, dims[1], timing, manifest.sampleRateHz, clipSamples);
    return { data: t.data, timestampsS };
  }

  return {
    manifest,
    timestampEmbeddings,
    timestampStream,
    async sceneEmbedding(channels) {
      return meanOverFrames(await timestampEmbeddings(channels));
    },
  };
}

/** `dims` with size-1 axes after the batch axis dropped, left to right, until `rank` remain (a graph may add them: [1, 1, D] is "B,D"). */
function squeezeTo(dims: number[], rank: number): number[] {
  const out = [...dims];
  for (let i = 1; out.length > rank && i < out.length; ) {
    if (out[i] === 1) out.splice(i, 1);
    else i++;
  }
  return out;
}

/** The channels a model is fed: the mix-down for mono models, the channels as given otherwise (checked; `piece`: a piece of a stream, which may be empty). */
function inputChannels(manifest: ModelManifest, channels: Float32Array[], piece = false): Float32Array[] {
  const want = manifest.channels;
  if (channels.length === 0 || (want > 1 && channels.length !== want)) {
    const hint = channels.length === 1
      ? 'Render the scene with a receiver that has that many channels (e.g. --receiver binaural for 2), or pick a mono model.'
      : `Give exactly ${want} (input layout ${manifest.input.layout}).`;
    throw new Errors.WRONG_CHANNELS(manifest.id, want, `${channels.length} channel${channels.length === 1 ? '' : 's'}. ${hint}`);
  }
  const n = channels[0].length;
  const bad = channels.findIndex((c) => c.length !== n);
  if (bad >= 0) throw new Errors.INVALID_OPTION(`model "${manifest.id}": channel ${bad} has ${channels[bad].length} samples, channel 0 has ${n}; channels must have equal lengths`);
  if (n === 0 && !piece) throw new Errors.EMPTY_AUDIO(`audio given to model "${manifest.id}"`);
  return adaptChannels(channels, want, manifest.id);
}

function joined(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
