import { Errors } from '../../src/errors.ts';
import type { ModelRegistry } from '../../src/encoders/registry.ts';
import { windowSpec } from '../../src/pipeline/streamConfig.ts';
import type { StreamConfigWire } from '../protocol/streamConfig.ts';

/** What one stream may ask of the server's main thread (server options; see options.ts). */
export interface AdmissionLimits {
  /** Shortest hop a stream may ask for (s): each hop is one window per model to render, encode and measure. */
  minHopS: number;
  /**
   * Most rolling-CKA work a stream may ask for: Σ over its models of ckaWindows × (ckaWindows + embedding size) × windows per second.
   * The CKA runs on the main thread, in windowMetrics. At the default 4e6 the 96-d speech embedding at its 80 ms hop (its shortest:
   * the openWakeWord grid) gets ckaWindows 519, and a 96-d model at a 40 ms hop 354: over 2000 windows on a 2-core x86-64 machine,
   * a window's metrics took a median of 0.3-0.7 ms of CPU and at most 3.4 ms (wall clock on that shared machine: median 0.6-1.7 ms,
   * at most 4.4-8.7 ms, the rest being time other processes held the core), under the 5 ms that would call for moving it off the
   * event loop.
   */
  maxCkaCost: number;
}

/**
 * Refuse, before anything is opened, a stream whose windows come too often
 * for any model (`hopS` below `minHopS`, after the model's own rounding) or
 * whose rolling CKA would cost more than `maxCkaCost` (each window updates
 * one row of two Gram matrices of ckaWindows² and the embeddings kept).
 * OVER_LIMIT (400) names the limit, the value asked and what would pass.
 */
export function checkAdmission(wire: StreamConfigWire, models: ModelRegistry, limits: AdmissionLimits): void {
  let cost = 0;
  for (const id of wire.models) {
    const { manifest } = models.entry(id);
    const spec = windowSpec(manifest, wire.hopS);
    if (spec.hopS < limits.minHopS - 1e-9) {
      throw new Errors.OVER_LIMIT(
        `hopS ${wire.hopS ?? '(the default)'} gives model "${id}" a window every ${round(spec.hopS * 1000)} ms; this server allows one every ${round(limits.minHopS * 1000)} ms at most (server option minHopS). Ask for hopS ≥ ${limits.minHopS}, or leave it out for the model's default`,
      );
    }
    cost += ckaCost(wire.ckaWindows, manifest.embeddingSize, spec.hopS);
  }
  if (cost > limits.maxCkaCost) {
    const per = (n: number) => wire.models.reduce((s, id) => s + ckaCost(n, models.entry(id).manifest.embeddingSize, windowSpec(models.entry(id).manifest, wire.hopS).hopS), 0);
    let fits = 3;
    while (fits < wire.ckaWindows && per(fits + 1) <= limits.maxCkaCost) fits++;
    throw new Errors.OVER_LIMIT(
      `ckaWindows ${wire.ckaWindows} with models ${wire.models.join(', ')} costs ${round(cost)} CKA multiply-adds a second; this server allows ${limits.maxCkaCost} per stream (server option maxCkaCost). Ask for ckaWindows ≤ ${fits}, fewer models or a longer hopS`,
    );
  }
}

function ckaCost(windows: number, dim: number, hopS: number): number {
  return (windows * (windows + dim)) / hopS;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
