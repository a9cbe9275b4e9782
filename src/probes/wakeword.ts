import { Errors } from '../errors.ts';
import type { GraphLoader, GraphRunner } from '../encoders/types.ts';
import { loadProbeManifest } from './probeManifest.ts';

/** Embeddings as the openWakeWord encoder gives them: `frames` rows of `dim` (96). */
export interface EmbeddingRows {
  dim: number;
  frames: number;
  embeddings: Float32Array;
}

/** Head scores over a clip: `scores[k]` is the window ending at embedding `firstFrame + k`. */
export interface WakeWordTrack {
  firstFrame: number;
  scores: Float32Array;
}

/**
 * A ready-made openWakeWord wake-word head (alexa, hey_jarvis, hey_mycroft,
 * hey_rhasspy, timer, weather): a small ONNX classifier over the last
 * `frames` speech embeddings ([1, frames, 96]; 16 for most heads, weather 22,
 * timer 34, read from the graph) giving a score in [0, 1]. A multi-class head
 * (timer: background + 6 durations) scores max over its non-background
 * classes, as upstream's `Model.predict` reports each labelled class.
 * Licence of the heads: CC BY-NC-SA 4.0 (non-commercial).
 */
export class WakeWordHead {
  /** Embeddings per window. */
  readonly frames: number;
  /** Class labels of the outputs used for the score (from the graph's output name when it holds a JSON mapping). */
  readonly labels: string[];
  private readonly classIndices: number[];

  constructor(readonly id: string, private readonly graph: GraphRunner) {
    const shape = graph.info.inputs[0]?.shape ?? [];
    if (shape.length !== 3 || typeof shape[1] !== 'number' || shape[2] !== 96) {
      throw new Errors.MODEL_MISMATCH(`wake-word head "${id}" takes [${shape}], expected [1, frames, 96]`);
    }
    this.frames = shape[1];
    const outName = graph.info.outputs[0].name;
    const mapping = parseClassMapping(outName);
    this.classIndices = mapping === null ? [0] : Object.keys(mapping).map(Number);
    this.labels = mapping === null ? [id] : Object.values(mapping);
  }

  /** Score one window: `frames` × 96 embeddings, row-major. Per-class scores in `this.labels` order, and their max. */
  async scoreWindow(window: Float32Array): Promise<{ score: number; classScores: Float32Array }> {
    if (window.length !== this.frames * 96) throw new Errors.INVALID_OPTION(`head "${this.id}" needs ${this.frames}×96 = ${this.frames * 96} values, got ${window.length}`);
    const { inputs, outputs } = this.graph.info;
    const out = await this.graph.run({ [inputs[0].name]: { type: 'float32', dims: [1, this.frames, 96], data: window } }, { batchable: false });
    const y = out[outputs[0].name].data as Float32Array;
    const classScores = Float32Array.from(this.classIndices, (c) => y[c]);
    return { score: Math.max(...classScores), classScores };
  }

  /** Scores of every full window of a clip's embeddings (none when the clip has fewer than `frames`). */
  async scoreTrack(rows: EmbeddingRows): Promise<WakeWordTrack> {
    const n = Math.max(0, rows.frames - this.frames + 1);
    const scores = new Float32Array(n);
    for (let k = 0; k < n; k++) scores[k] = (await this.scoreWindow(rows.embeddings.slice(k * 96, (k + this.frames) * 96))).score;
    return { firstFrame: this.frames - 1, scores };
  }

  /** The clip's score: max over its sliding windows (0 when it has fewer than `frames` embeddings). */
  async scoreClip(rows: EmbeddingRows): Promise<number> {
    const { scores } = await this.scoreTrack(rows);
    return scores.reduce((a, b) => Math.max(a, b), 0);
  }

  /** A streaming scorer over this head. */
  scorer(): WakeWordScorer {
    return new WakeWordScorer(this);
  }
}

/**
 * Streaming wake-word scoring: push embeddings as the encoder's stream emits
 * them; each push returns one score per new embedding that completes a full
 * window (the first after `frames` embeddings). Same scores as
 * {@link WakeWordHead.scoreTrack} over the concatenation.
 */
export class WakeWordScorer {
  private readonly history: Float32Array;
  private seen = 0;

  constructor(private readonly head: WakeWordHead) {
    this.history = new Float32Array(head.frames * 96);
  }

  async push(embeddings: Float32Array): Promise<Float32Array> {
    const n = embeddings.length / 96;
    const scores: number[] = [];
    for (let r = 0; r < n; r++) {
      this.history.copyWithin(0, 96);
      this.history.set(embeddings.subarray(r * 96, (r + 1) * 96), this.history.length - 96);
      if (++this.seen >= this.head.frames) scores.push((await this.head.scoreWindow(this.history.slice())).score);
    }
    return Float32Array.from(scores);
  }
}

/** The shipped heads (roles in models/probes/oww-wakeword.json). */
export const WAKE_WORD_HEADS = ['alexa', 'hey_jarvis', 'hey_mycroft', 'hey_rhasspy', 'timer', 'weather'] as const;
export type WakeWordHeadId = (typeof WAKE_WORD_HEADS)[number];

/** Open one wake-word head graph by path. */
export async function openWakeWordHead(loader: GraphLoader, id: string, path: string): Promise<WakeWordHead> {
  return new WakeWordHead(id, await loader.open(path));
}

/**
 * Open every head of a wake-word probe manifest (default: the shipped
 * `oww-wakeword`, whose heads are CC BY-NC-SA 4.0, non-commercial), in the
 * manifest's order.
 *
 * @example
 * const heads = await openWakeWordHeads(loader);
 * const jarvis = heads.find((h) => h.id === 'hey_jarvis')!;
 * const score = await jarvis.scoreClip(await encoder.timestampEmbeddings([clip]));
 */
export async function openWakeWordHeads(loader: GraphLoader, manifest = 'oww-wakeword'): Promise<WakeWordHead[]> {
  const { paths } = loadProbeManifest(manifest);
  return Promise.all(Object.entries(paths).map(([id, path]) => openWakeWordHead(loader, id, path)));
}

/** `{"1": "1_minute_timer", ...}` in an output name (openWakeWord's timer head) → index → label; null otherwise. */
function parseClassMapping(name: string): Record<string, string> | null {
  if (!name.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(name) as Record<string, string>;
    return Object.keys(parsed).length > 0 ? parsed : null;
  } catch {
    return null;
  }
}
