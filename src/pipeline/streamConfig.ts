import { Type, Value } from '../typebox.ts';
import type { ModelManifest } from '../encoders/manifest.ts';
import { Errors } from '../errors.ts';
import { showValue } from '../showValue.ts';
import { validateCondition } from '../scene/condition.ts';
import { checkLiveCondition } from '../scene/streamingScene.ts';
import { MAX_PROBE_SMOOTH } from './resultSchemas.ts';
import { DEFAULT_WAKE_THRESHOLD, type ProbeSettings, type StreamConfig } from './types.ts';

/** A live window is at least this long: frame-level models (naive-logmel: 25 ms) would give 100 results a second. */
export const LIVE_MIN_WINDOW_S = 0.5;
/** The default hop is at least this (12.5 results a second per model). */
export const LIVE_MIN_HOP_S = 0.08;

const SourceSpecSchema = Type.Union([
  Type.Object({ kind: Type.Literal('file'), path: Type.String({ minLength: 1 }), realtime: Type.Boolean(), loop: Type.Boolean() }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('mic'), device: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })])) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('push'), sampleRateHz: Type.Integer({ minimum: 8000, maximum: 192000 }) }, { additionalProperties: false }),
]);

/**
 * The JSON shape of a StreamConfig (for route schemas); the condition is
 * checked by validateCondition. Fields are those of `StreamConfig` in types.ts.
 */
export const StreamConfigSchema = Type.Object(
  {
    source: SourceSpecSchema,
    models: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 8 }),
    probes: Type.Array(Type.String({ minLength: 1 }), { maxItems: 8 }),
    condition: Type.Unknown(),
    hopS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 60 })),
    ckaWindows: Type.Integer({ minimum: 3, maximum: 1024 }),
    vad: Type.Optional(Type.Boolean()),
    wakeThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    probeSmooth: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PROBE_SMOOTH })),
  },
  { additionalProperties: false },
);

/**
 * The probe settings of a config or a change, defaults filled in: a threshold
 * in [0, 1] (default {@link DEFAULT_WAKE_THRESHOLD}) and a smoothing of 1 to
 * {@link MAX_PROBE_SMOOTH} windows (default 1). EARSHOT_INVALID_OPTION otherwise.
 */
export function probeSettings(input: { wakeThreshold?: unknown; probeSmooth?: unknown }): ProbeSettings {
  const wakeThreshold = input.wakeThreshold ?? DEFAULT_WAKE_THRESHOLD;
  const probeSmooth = input.probeSmooth ?? 1;
  if (typeof wakeThreshold !== 'number' || !(wakeThreshold >= 0 && wakeThreshold <= 1)) throw new Errors.INVALID_OPTION(`wake-word threshold must be a number in 0..1, got ${JSON.stringify(wakeThreshold)}`);
  if (typeof probeSmooth !== 'number' || !Number.isInteger(probeSmooth) || probeSmooth < 1 || probeSmooth > MAX_PROBE_SMOOTH) {
    throw new Errors.INVALID_OPTION(`probe smoothing must be a whole number of windows in 1..${MAX_PROBE_SMOOTH}, got ${JSON.stringify(probeSmooth)}`);
  }
  return { wakeThreshold, probeSmooth };
}

/**
 * Check a stream config (JSON from a client or built by the CLI): the shape,
 * the condition (defaults filled in), no model twice. Throws
 * EARSHOT_INVALID_OPTION naming the field and its value, or
 * EARSHOT_INVALID_CONDITION. Model and probe ids are checked when the stream opens.
 */
export function validateStreamConfig(input: unknown): StreamConfig {
  const err = Value.Errors(StreamConfigSchema, input).First();
  if (err) {
    const field = err.path.replace(/^\//, '').replaceAll('/', '.') || '(the config)';
    throw new Errors.INVALID_OPTION(`stream config: ${field} = ${showValue(err.value)}: ${err.message}`);
  }
  const config = input as StreamConfig;
  const twice = config.models.find((m, i) => config.models.indexOf(m) !== i);
  if (twice !== undefined) throw new Errors.INVALID_OPTION(`stream config: model "${twice}" is listed twice`);
  const condition = validateCondition(config.condition);
  checkLiveCondition(condition);
  return { ...config, condition };
}

/** Window and hop of one model in a live stream, in seconds and in samples at the model's rate. */
export interface WindowSpec {
  windowS: number;
  hopS: number;
  windowSamples: number;
  hopSamples: number;
  /** Where the first window starts, samples (windows start at offset + k · hop). */
  offsetSamples: number;
}

/**
 * openWakeWord's speech embedding, live: one window per 80 ms hop of its
 * streaming front-end, spanning everything the hop's embedding depends on —
 * the 76 mel frames and the 80 ms mel calls they come from (10 hops of 1760
 * samples, 160 of context, less the 128 after the last frame): 13152
 * samples, 0.822 s. The first window is upstream's 11th hop (the first whose
 * 76 frames all come from full 1760-sample calls), so windows start 800
 * samples in; a hop override is rounded to whole 80 ms hops.
 */
export const OWW_LIVE_WINDOW = { windowSamples: 13152, offsetSamples: 800, hopSamples: 1280 } as const;

/**
 * A model's live window: its manifest window, at least {@link LIVE_MIN_WINDOW_S};
 * hop: `hopS` when given, else max(manifest hop, {@link LIVE_MIN_HOP_S}, window / 10).
 * Sample counts are rounded at the model's rate. The openWakeWord front-end
 * has its own grid ({@link OWW_LIVE_WINDOW}).
 *
 * @example windowSpec(naiveManifest) // { windowS: 0.5, hopS: 0.08, windowSamples: 8000, hopSamples: 1280, offsetSamples: 0 }
 */
export function windowSpec(manifest: Pick<ModelManifest, 'windowS' | 'hopS' | 'sampleRateHz'> & { frontEnd?: { kind: string } }, hopS?: number): WindowSpec {
  const sr = manifest.sampleRateHz;
  if (manifest.frontEnd?.kind === 'openwakeword') {
    const { windowSamples, offsetSamples, hopSamples: h } = OWW_LIVE_WINDOW;
    const hopSamples = hopS === undefined ? h : Math.max(1, Math.round((hopS * sr) / h)) * h;
    return { windowS: windowSamples / sr, hopS: hopSamples / sr, windowSamples, hopSamples, offsetSamples };
  }
  const windowSamples = Math.round(Math.max(manifest.windowS, LIVE_MIN_WINDOW_S) * sr);
  const hop = hopS ?? Math.max(manifest.hopS, LIVE_MIN_HOP_S, windowSamples / sr / 10);
  const hopSamples = Math.max(1, Math.round(hop * sr));
  return { windowS: windowSamples / sr, hopS: hopSamples / sr, windowSamples, hopSamples, offsetSamples: 0 };
}
