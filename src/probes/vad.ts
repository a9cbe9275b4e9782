import { Errors } from '../errors.ts';
import type { GraphLoader, GraphRunner } from '../encoders/types.ts';
import { loadProbeManifest } from './probeManifest.ts';

/** Samples per Silero VAD call at 16 kHz (32 ms). */
export const VAD_CHUNK_SAMPLES = 512;
export const VAD_SAMPLE_RATE_HZ = 16000;
const STATE_SIZE = 2 * 64;

/** Speech probability per 32 ms chunk: `probabilities[k]` for samples [512k, 512k + 512), centred at `timestampsS[k]`. */
export interface VadTrack {
  probabilities: Float32Array;
  timestampsS: Float64Array;
}

/**
 * Silero VAD v4 (MIT; the graph openWakeWord ships: inputs `input` [1, 512],
 * `sr` int64 scalar, `h` and `c` LSTM states [2, 1, 64]; outputs `output`
 * [1, 1], `hn`, `cn`) as a probe on raw audio: 16 kHz mono in [-1, 1], cut
 * into 512-sample chunks, each run with the state the previous chunk left,
 * giving the probability that the chunk holds speech. A stream starts with
 * zero state, as Silero's `reset_states`. Samples short of a full chunk wait
 * for the next push (a clip's last < 32 ms is not scored); digital silence
 * and steady noise score low. Not batchable: each call depends on the last.
 * A v5 graph (a single `state` input) is refused with a clear error.
 *
 * @example
 * const vad = await openSileroVad(loader);
 * const { probabilities } = await vad.track(speech16k);
 */
export class SileroVad {
  constructor(private readonly graph: GraphRunner) {
    const names = graph.info.inputs.map((i) => i.name).sort().join(',');
    if (names !== 'c,h,input,sr') {
      throw new Errors.MODEL_MISMATCH(`Silero VAD graph has inputs [${names}]; earshot runs the v4 graph (input, sr, h, c) that openWakeWord ships`);
    }
  }

  /** A streaming VAD with fresh state. */
  stream(): VadStream {
    return new VadStream(this.graph);
  }

  /** Probabilities for a whole clip (the same as one stream fed the clip in any chunks). */
  async track(samples: Float32Array): Promise<VadTrack> {
    const probabilities = await this.stream().push(samples);
    const timestampsS = Float64Array.from(probabilities, (_, k) => (k * VAD_CHUNK_SAMPLES + VAD_CHUNK_SAMPLES / 2) / VAD_SAMPLE_RATE_HZ);
    return { probabilities, timestampsS };
  }
}

/** One Silero VAD stream: push audio of any length, get the probability of each 32 ms chunk it completes. */
export class VadStream {
  private readonly chunk = new Float32Array(VAD_CHUNK_SAMPLES);
  private filled = 0;
  private h: Float32Array = new Float32Array(STATE_SIZE);
  private c: Float32Array = new Float32Array(STATE_SIZE);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly graph: GraphRunner) {}

  /** Add samples; resolves with one probability per completed chunk. Calls are serialised in order. */
  push(samples: Float32Array): Promise<Float32Array> {
    const copy = samples.slice();
    const next = this.queue.then(() => this.process(copy));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async process(samples: Float32Array): Promise<Float32Array> {
    const out: number[] = [];
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(VAD_CHUNK_SAMPLES - this.filled, samples.length - i);
      this.chunk.set(samples.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled < VAD_CHUNK_SAMPLES) break;
      out.push(await this.step());
      this.filled = 0;
    }
    return Float32Array.from(out);
  }

  private async step(): Promise<number> {
    const res = await sileroStep(this.graph, this.chunk.slice(), this.h, this.c);
    this.h = res.h;
    this.c = res.c;
    return res.probability;
  }
}

/** One Silero VAD v4 call on a chunk at 16 kHz with the LSTM state (h, c) carried in and out. */
export async function sileroStep(graph: GraphRunner, chunk: Float32Array, h: Float32Array, c: Float32Array): Promise<{ probability: number; h: Float32Array; c: Float32Array }> {
  const res = await graph.run(
    {
      input: { type: 'float32', dims: [1, chunk.length], data: chunk },
      sr: { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(VAD_SAMPLE_RATE_HZ)) },
      h: { type: 'float32', dims: [2, 1, 64], data: h },
      c: { type: 'float32', dims: [2, 1, 64], data: c },
    },
    { batchable: false },
  );
  return { probability: (res.output.data as Float32Array)[0], h: res.hn.data as Float32Array, c: res.cn.data as Float32Array };
}

/** Open Silero VAD from its ONNX file (default: the shipped models/probes/silero-vad.json's graph). */
export async function openSileroVad(loader: GraphLoader, path = loadProbeManifest('silero-vad').paths.model): Promise<SileroVad> {
  return new SileroVad(await loader.open(path));
}
