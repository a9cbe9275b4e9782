import { Type, type Static } from '../typebox.ts';

/**
 * The shapes of what a window yields besides its embeddings, as schemas: the
 * engine's types (types.ts) are their static types, and the server's `result`
 * message (server/protocol) reuses them, so engine, wire and dashboard share
 * one definition.
 */

const Score = Type.Union([Type.Number(), Type.Null()]);

/** Most windows a probe's outputs may be averaged over (and each history keeps). */
export const MAX_PROBE_SMOOTH = 64;

/**
 * Wake-word heads on one window: each head's score over the last `frames`
 * speech embeddings ending at this window (one embedding per 80 ms window),
 * clean and degraded, after smoothing; null until the head has seen `frames`
 * windows. `detected`: the score reached the threshold at this window, having
 * been below it at the window before (one detection per crossing).
 */
export const WakeWordOutputSchema = Type.Object({
  probe: Type.String(),
  threshold: Type.Number(),
  smooth: Type.Integer(),
  heads: Type.Array(Type.Object({ id: Type.String(), clean: Score, degraded: Score, detected: Type.Object({ clean: Type.Boolean(), degraded: Type.Boolean() }) })),
});
export type WakeWordOutput = Static<typeof WakeWordOutputSchema>;

/** Class probabilities of a linear probe on one model, averaged over the last `smooth` windows (1: this window alone). */
export const ProbeOutputSchema = Type.Object({
  id: Type.String(),
  classes: Type.Array(Type.String()),
  clean: Type.Array(Type.Number()),
  degraded: Type.Array(Type.Number()),
  smooth: Type.Integer({ minimum: 1, maximum: MAX_PROBE_SMOOTH }),
});
export type ProbeOutput = Static<typeof ProbeOutputSchema>;

/** Per-window numbers comparing clean and degraded. */
export const WindowMetricsSchema = Type.Object({
  cosine: Type.Number({ description: 'cosine similarity of the clean and degraded embeddings of the window' }),
  probeAgreement: Type.Union([Type.Number(), Type.Null()], { description: "1 when the probe's top class is the same on both, else 0; null without a probe" }),
  classDeltas: Type.Union([Type.Array(Type.Number()), Type.Null()], { description: 'degraded − clean probability per probe class; null without a probe' }),
  cka: Type.Union([Type.Number(), Type.Null()], { description: 'linear CKA of the clean and degraded embeddings of the last ckaWindows windows (null until 3 windows)' }),
  vadProbability: Type.Union([Type.Number(), Type.Null()], {
    description: 'Silero VAD speech probability of the clean window (max over the 96 ms VAD chunks inside it; null without VAD, or when the VAD skipped that audio to keep up)',
  }),
  levelDbfs: Type.Object({ clean: Type.Number(), degraded: Type.Number() }, { description: 'RMS level of the window, dBFS' }),
});
export type WindowMetrics = Static<typeof WindowMetricsSchema>;
