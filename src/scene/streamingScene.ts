/**
 * The Nat-HEAR scene recipe of render.ts, chunk by chunk, for unbounded live
 * input. What has to differ from the offline recipe, because a live stream
 * has no end to measure over:
 *
 * - Level: the input is not RMS-normalised over the whole clip; a running
 *   mean square (one-pole, `levelTimeConstantS`, bias-corrected so the first
 *   samples are levelled too) holds the source near -14 dBFS, with at most
 *   `maxGainDb` of gain.
 * - SNR: a = sqrt(E_x / E_n · 10^(-SNR/10)) from running energies (same time
 *   constant) of the reverberant source and the spatialised noise, updated
 *   per sample: pooled over channels (one gain), or, with snrMode
 *   "per-channel", one pair of energies and one gain per channel.
 * - Recipe "nathear" is refused ({@link checkLiveCondition}): it pads each
 *   clip to its 4 s RIR and sets the SNR over the padded clip, which has no
 *   counterpart in a stream without clips; its per-channel SNR is available
 *   live as snrMode "per-channel".
 * - A sample gate: input samples below `gateDbfs` in magnitude (digital
 *   silence, dither, a muted input) freeze both trackers, so pauses and
 *   padding pump neither the gain nor the noise level, as the absolute gate
 *   of EBU R128 keeps silence out of a loudness measurement.
 * - Noise recordings loop (equal-power crossfade of `loopCrossfadeS` at the
 *   loop point) from a seeded offset; coloured noise is generated on the fly.
 * - A new scene (setScene) is pre-rolled over the last `historyS` of input, so
 *   its reverb tail and running energies are warm, then crossfaded in over
 *   `crossfadeS` (equal-gain raised cosine: no click, no bump).
 *
 * Pure and deterministic: the same PreparedScene, seed and input give the
 * same output whatever the chunk sizes (up to float32 rounding, ~1e-6).
 */
import { fitChannels, mixDown } from '../dsp/channels.ts';
import { StreamingConvolver } from '../dsp/convolver.ts';
import { dbToGain } from '../dsp/level.ts';
import { Errors } from '../errors.ts';
import { createRng } from '../random.ts';
import type { PreparedScene } from './prepare.ts';
import { recipeOf, snrModeOf, type Condition } from './condition.ts';
import { SCENE_LEVEL_DBFS } from './render.ts';
import { noiseGenerator, type NoiseGenerator } from './liveNoise.ts';

/** Options of {@link StreamingScene}. */
export interface StreamingSceneOptions {
  /** Time constant of the running level (input levelling) and of the running energies behind the SNR gain, seconds. */
  levelTimeConstantS: number;
  /** Most gain the leveller applies, dB: quieter input stays below -14 dBFS. */
  maxGainDb: number;
  /** Input samples whose magnitude is below this level (dBFS) do not update the running level and energies. */
  gateDbfs: number;
  /** Old -> new scene crossfade after {@link StreamingScene.setScene}, seconds. */
  crossfadeS: number;
  /** Crossfade where a noise recording loops back, seconds (at most half the recording). */
  loopCrossfadeS: number;
  /** Input history a new scene is pre-rolled over before it fades in, seconds. */
  historyS: number;
  /** Block size of the streaming convolvers (1024 suits chunks of tens of ms; see ConvolverOptions). */
  blockSize: number;
}

export const STREAMING_SCENE_DEFAULTS: Readonly<StreamingSceneOptions> = Object.freeze({
  levelTimeConstantS: 3,
  maxGainDb: 40,
  gateDbfs: -70,
  crossfadeS: 0.05,
  loopCrossfadeS: 0.1,
  historyS: 3,
  blockSize: 1024,
});

/** Check options once, at construction; errors name the option and its value. */
export function validateStreamingSceneOptions(o: StreamingSceneOptions): void {
  const check = (name: keyof StreamingSceneOptions, ok: boolean, range: string) => {
    if (!ok) throw new Errors.INVALID_OPTION(`${name} must be ${range}, got ${o[name]}`);
  };
  check('levelTimeConstantS', o.levelTimeConstantS > 0 && o.levelTimeConstantS <= 60, 'in (0, 60] seconds');
  check('maxGainDb', o.maxGainDb >= 0 && o.maxGainDb <= 80, 'in [0, 80] dB');
  check('gateDbfs', o.gateDbfs >= -200 && o.gateDbfs <= -20, 'in [-200, -20] dBFS');
  check('crossfadeS', o.crossfadeS >= 0 && o.crossfadeS <= 2, 'in [0, 2] seconds');
  check('loopCrossfadeS', o.loopCrossfadeS >= 0 && o.loopCrossfadeS <= 2, 'in [0, 2] seconds');
  check('historyS', o.historyS >= 0 && o.historyS <= 30, 'in [0, 30] seconds');
  check('blockSize', Number.isInteger(o.blockSize) && o.blockSize >= 64 && (o.blockSize & (o.blockSize - 1)) === 0, 'a power of two >= 64');
}

const PREROLL_PIECE = 4096;

/**
 * Throw EARSHOT_INVALID_CONDITION for a condition a live stream cannot render:
 * recipe "nathear" (whole clips only). Called when a stream starts and when its
 * condition changes, before any audio is touched.
 */
export function checkLiveCondition(condition: Pick<Condition, 'recipe'>): void {
  if (recipeOf(condition) === 'nathear') {
    throw new Errors.INVALID_CONDITION(
      'recipe = "nathear" renders whole clips only (it pads each clip to the 4 s RIR before setting the SNR), so a live stream cannot use it; use recipe "earshot" with snrMode "per-channel" for Nat-HEAR\'s per-channel SNR live, or `earshot render` / `earshot sweep` for the recipe itself',
    );
  }
}

/** One chunk through the scene: the levelled dry source (what "clean" means live) and the degraded channels. */
export interface StreamingSceneChunk {
  clean: Float32Array;
  degraded: Float32Array[];
}

/**
 * A scene rendered chunk by chunk (see the module comment for the live
 * recipe). Silent input gives silent output. No clipping: at low SNR or with
 * a quiet input lifted by the leveller, peaks may exceed [-1, 1]. Holds wasm
 * memory: call {@link dispose}.
 *
 * @example
 * const live = new StreamingScene(await prepareScene(condition, banks, 16000));
 * const { clean, degraded } = live.process(micChunk); // degraded: one array per receiver channel
 * live.setScene(await prepareScene(next, banks, 16000), 1); // crossfades in over 50 ms
 * live.dispose();
 */
export class StreamingScene {
  readonly options: Readonly<StreamingSceneOptions>;
  readonly sampleRateHz: number;
  private readonly leveller: Leveller;
  private readonly history: History;
  private current: SceneRenderer;
  private incoming: SceneRenderer | null = null;
  private queued: { scene: PreparedScene; tag: number } | null = null;
  private fadeDone = 0;
  private disposed = false;

  constructor(scene: PreparedScene, opts: Partial<StreamingSceneOptions> = {}, tag = 0) {
    this.options = Object.freeze({ ...STREAMING_SCENE_DEFAULTS, ...opts });
    validateStreamingSceneOptions(this.options);
    this.sampleRateHz = scene.sampleRateHz;
    const alpha = 1 - Math.exp(-1 / (this.options.levelTimeConstantS * scene.sampleRateHz));
    this.leveller = new Leveller(alpha, dbToGain(SCENE_LEVEL_DBFS), dbToGain(this.options.maxGainDb), dbToGain(this.options.gateDbfs));
    this.history = new History(Math.round(this.options.historyS * scene.sampleRateHz));
    this.current = new SceneRenderer(scene, this.options, alpha, tag);
  }

  /** Tag (the pipeline's condition version) of the newest scene whose output has started to play. */
  get tag(): number {
    return (this.incoming ?? this.current).tag;
  }

  /** Channels of the newest scene that has started to play. */
  get channelCount(): number {
    return (this.incoming ?? this.current).channels;
  }

  /** Render the next `input.length` samples (mono, at the scene's rate). */
  process(input: Float32Array): StreamingSceneChunk {
    if (this.disposed) throw new Errors.INVALID_OPTION('StreamingScene used after dispose(); create a new one');
    const clean = new Float32Array(input.length);
    const open = this.gate(input.length);
    this.leveller.process(input, clean, open);
    if (this.queued && !this.incoming) this.startFade(this.queued.scene, this.queued.tag);
    let degraded = this.current.render(clean, open);
    if (this.incoming) degraded = this.blend(degraded, this.incoming.render(clean, open));
    this.history.push(clean, open);
    return { clean, degraded };
  }

  /**
   * Switch to another prepared scene (same sample rate; any receiver) from
   * the next processed sample: the new scene is pre-rolled over the input
   * history, then crossfaded in. Called during a fade, the scene waits for it
   * to end (only the latest waits). When channel counts differ, the old
   * output is fitted to the new layout during the fade (mono copied, or the
   * mean of its channels).
   */
  setScene(scene: PreparedScene, tag = this.tag + 1): void {
    if (this.disposed) throw new Errors.INVALID_OPTION('StreamingScene used after dispose(); create a new one');
    checkLiveCondition(scene.condition);
    if (scene.sampleRateHz !== this.sampleRateHz) {
      throw new Errors.INVALID_OPTION(`the new scene runs at ${scene.sampleRateHz} Hz, the stream at ${this.sampleRateHz} Hz; prepare it at ${this.sampleRateHz} Hz`);
    }
    this.queued = { scene, tag };
  }

  /** Free the convolvers (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.current.dispose();
    this.incoming?.dispose();
    this.queued = null;
  }

  // One gate flag per sample (1: the trackers update), reused across chunks.
  private gateBuf = new Uint8Array(0);
  private gate(n: number): Uint8Array {
    if (this.gateBuf.length < n) this.gateBuf = new Uint8Array(Math.max(n, 2 * this.gateBuf.length));
    return this.gateBuf.subarray(0, n);
  }

  private startFade(scene: PreparedScene, tag: number): void {
    this.queued = null;
    const next = new SceneRenderer(scene, this.options, this.current.alpha, tag);
    // Pre-roll in pieces, so the renderer's scratch stays chunk-sized.
    const { samples, open } = this.history.last();
    for (let i = 0; i < samples.length; i += PREROLL_PIECE) next.render(samples.subarray(i, i + PREROLL_PIECE), open.subarray(i, i + PREROLL_PIECE));
    const fade = Math.round(this.options.crossfadeS * this.sampleRateHz);
    if (fade === 0) {
      this.current.dispose();
      this.current = next;
      return;
    }
    this.incoming = next;
    this.fadeDone = 0;
  }

  // Equal-gain raised cosine: g rises 0 -> 1 over the fade; a fade that ends inside the chunk ends at its exact sample.
  private blend(old: Float32Array[], next: Float32Array[]): Float32Array[] {
    const len = Math.round(this.options.crossfadeS * this.sampleRateHz);
    const from = toLayout(old, next.length);
    const n = next[0].length;
    for (let c = 0; c < next.length; c++) {
      const a = from[c];
      const b = next[c];
      for (let i = 0; i < n; i++) {
        const t = this.fadeDone + i;
        if (t >= len) break;
        const g = 0.5 - 0.5 * Math.cos((Math.PI * t) / len);
        b[i] = a[i] + g * (b[i] - a[i]);
      }
    }
    this.fadeDone += n;
    if (this.fadeDone >= len) {
      this.current.dispose();
      this.current = this.incoming!;
      this.incoming = null;
    }
    return next;
  }
}

/**
 * Running level: mean square by a one-pole average (float64), bias-corrected
 * (divided by 1 - (1-α)^n) so it is the plain mean of the first samples
 * rather than a ramp up from 0; samples under the gate skip the update (and
 * are flagged in `open` for the SNR trackers).
 */
class Leveller {
  private p = 0;
  private decay = 1;
  constructor(private readonly alpha: number, private readonly target: number, private readonly maxGain: number, private readonly gate: number) {}

  process(x: Float32Array, out: Float32Array, open: Uint8Array): void {
    const a = this.alpha;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      open[i] = v >= this.gate || v <= -this.gate ? 1 : 0;
      if (open[i]) {
        this.p += a * (v * v - this.p);
        this.decay *= 1 - a;
      }
      const ms = this.p / (1 - this.decay);
      const g = ms > 0 ? Math.min(this.target / Math.sqrt(ms), this.maxGain) : this.maxGain;
      out[i] = v * g;
    }
  }
}

/** The last `capacity` samples of levelled input and their gate flags (two rings). */
class History {
  private readonly ring: Float32Array;
  private readonly gates: Uint8Array;
  private at = 0;
  private filled = 0;
  constructor(capacity: number) {
    this.ring = new Float32Array(capacity);
    this.gates = new Uint8Array(capacity);
  }

  push(x: Float32Array, open: Uint8Array): void {
    const cap = this.ring.length;
    if (cap === 0) return;
    const skip = Math.max(0, x.length - cap);
    const n = x.length - skip;
    const first = Math.min(n, cap - this.at);
    this.ring.set(x.subarray(skip, skip + first), this.at);
    this.ring.set(x.subarray(skip + first), 0);
    this.gates.set(open.subarray(skip, skip + first), this.at);
    this.gates.set(open.subarray(skip + first, x.length), 0);
    this.at = (this.at + n) % cap;
    this.filled = Math.min(cap, this.filled + n);
  }

  last(): { samples: Float32Array; open: Uint8Array } {
    const cap = this.ring.length;
    const start = cap === 0 ? 0 : (this.at - this.filled + cap) % cap;
    const first = Math.min(this.filled, cap - start);
    const samples = new Float32Array(this.filled);
    const open = new Uint8Array(this.filled);
    samples.set(this.ring.subarray(start, start + first));
    samples.set(this.ring.subarray(0, this.filled - first), first);
    open.set(this.gates.subarray(start, start + first));
    open.set(this.gates.subarray(0, this.filled - first), first);
    return { samples, open };
  }
}

/** One prepared scene's signal chain: source convolver, noise layers, running energies. */
class SceneRenderer {
  readonly channels: number;
  private readonly source: StreamingConvolver | null;
  private readonly layers: { gen: NoiseGenerator; conv: StreamingConvolver | null }[];
  private readonly snrFactor: number;
  private readonly perChannel: boolean;
  // Running energies of source and noise: one pair (pooled) or one per channel.
  private readonly ex: Float64Array;
  private readonly en: Float64Array;
  private scratch = { mono: new Float32Array(0), noise: [] as Float32Array[], layer: [] as Float32Array[] };

  constructor(scene: PreparedScene, opts: StreamingSceneOptions, readonly alpha: number, readonly tag: number) {
    checkLiveCondition(scene.condition);
    this.channels = scene.channelCount;
    this.perChannel = snrModeOf(scene.condition) === 'per-channel';
    this.ex = new Float64Array(this.perChannel ? this.channels : 1);
    this.en = new Float64Array(this.perChannel ? this.channels : 1);
    const conv = (ir: Float32Array[] | null) => (ir ? new StreamingConvolver(ir, { blockSize: opts.blockSize, crossfadeSamples: 0 }) : null);
    this.source = conv(scene.sourceRir);
    const snr = scene.condition.snrDb;
    this.snrFactor = snr === 'clean' ? 0 : 10 ** (-snr / 10);
    const rng = createRng(scene.condition.seed).fork('noise-signal');
    const loopFade = Math.round(opts.loopCrossfadeS * scene.sampleRateHz);
    this.layers = snr === 'clean' ? [] : scene.noiseLayers.map((l) => ({ gen: noiseGenerator(l.noise, rng.fork(l.noise.id), loopFade), conv: conv(l.rir) }));
  }

  render(x: Float32Array, open: Uint8Array): Float32Array[] {
    const n = x.length;
    const out = Array.from({ length: this.channels }, () => new Float32Array(n));
    if (this.source) this.source.processInto(x, out, 0);
    else for (const ch of out) ch.set(x);
    if (this.layers.length === 0) return out;
    const { mono, noise, layer } = this.buffers(n);
    for (const ch of noise) ch.fill(0, 0, n);
    for (const { gen, conv } of this.layers) {
      gen.fill(mono, n);
      const m = mono.subarray(0, n);
      if (conv) conv.processInto(m, layer, 0);
      else for (const ch of layer) ch.set(m);
      for (let c = 0; c < this.channels; c++) {
        const acc = noise[c];
        const l = layer[c];
        for (let i = 0; i < n; i++) acc[i] += l[i];
      }
    }
    this.mix(open, out, noise, n);
    return out;
  }

  dispose(): void {
    this.source?.dispose();
    for (const l of this.layers) l.conv?.dispose();
  }

  // y = x + a·n with a from the running energies, per sample (the trackers hold still while the gate is shut).
  private mix(open: Uint8Array, out: Float32Array[], noise: Float32Array[], n: number): void {
    const k = this.channels;
    const a = this.alpha;
    const { ex, en, perChannel } = this;
    for (let i = 0; i < n; i++) {
      if (open[i]) {
        if (perChannel) {
          for (let c = 0; c < k; c++) {
            ex[c] += a * (out[c][i] * out[c][i] - ex[c]);
            en[c] += a * (noise[c][i] * noise[c][i] - en[c]);
          }
        } else {
          let es = 0;
          let e = 0;
          for (let c = 0; c < k; c++) {
            es += out[c][i] * out[c][i];
            e += noise[c][i] * noise[c][i];
          }
          ex[0] += a * (es - ex[0]);
          en[0] += a * (e - en[0]);
        }
      }
      const pooled = perChannel ? 0 : this.gain(0);
      for (let c = 0; c < k; c++) out[c][i] += (perChannel ? this.gain(c) : pooled) * noise[c][i];
    }
  }

  // The noise gain of tracker t from its running energies (0 until both have energy).
  private gain(t: number): number {
    const { ex, en } = this;
    return ex[t] > 0 && en[t] > 0 ? Math.sqrt((ex[t] / en[t]) * this.snrFactor) : 0;
  }

  // Scratch reused across chunks; grown (never shrunk) to the largest chunk seen.
  private buffers(n: number) {
    if (this.scratch.mono.length < n) {
      const size = Math.max(n, 2 * this.scratch.mono.length);
      const make = () => Array.from({ length: this.channels }, () => new Float32Array(size));
      this.scratch = { mono: new Float32Array(size), noise: make(), layer: make() };
    }
    return this.scratch;
  }
}

// The old scene's output in the new scene's layout: as is, mono copied to every channel, or the mean of its channels.
function toLayout(x: Float32Array[], k: number): Float32Array[] {
  return fitChannels(x, k) ?? fitChannels([mixDown(x)], k)!;
}
