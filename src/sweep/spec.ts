import { resolve } from 'node:path';
import { Errors } from '../errors.ts';
import { resolveProbe, wakeWordManifest } from '../probes/resolveProbe.ts';
import { DEFAULT_WAKE_THRESHOLD } from '../pipeline/types.ts';
import { readRoomList } from './rooms.ts';
import type { CleanReference, Protocol, Receiver, Recipe, Room, SnrMode, SweepSpec } from './types.ts';

/** A sweep as users describe it (CLI flags, the dashboard's form); everything but models and data has a default. */
export interface SweepInput {
  models: string[];
  data: string;
  protocol?: Protocol;
  /**
   * Probes by id or path (src/probes/resolveProbe.ts): trained linear probes, one per model (protocol
   * `probe`), or one wake-word probe (`oww-wakeword`: protocol `wakeword`, the model defaults to its encoder).
   */
  probes?: string[];
  /** Protocol `wakeword`: the detection threshold (default 0.5). */
  wakeThreshold?: number;
  snrDb?: (number | 'clean')[];
  /** Rooms: RT60s in s (0: dry), RIR bank ids, and IR files, folders or file-name patterns (src/sweep/rooms.ts). */
  room?: (number | string)[];
  /** RT60s only: the same as numbers in `room`, which it cannot be combined with. */
  rt60S?: number[];
  azimuthDeg?: number[];
  noise?: string[];
  noiseSources?: number[];
  seeds?: number;
  receiver?: Receiver;
  /** Default pooled, per-channel with recipe nathear. */
  snrMode?: SnrMode;
  recipe?: Recipe;
  cleanReference?: CleanReference;
  testFraction?: number;
  splitSeed?: number;
  modelsDir?: string;
  rirDirs?: string[];
  noiseDirs?: string[];
}

/** The grid when nothing is said: Nat-HEAR's range of SNRs and a dry-to-reverberant range of rooms. */
export const SWEEP_DEFAULTS = Object.freeze({
  snrDb: [40, 20, 10, 5, 0, -5] as (number | 'clean')[],
  room: [0, 0.3, 0.6, 1.0] as Room[],
  azimuthDeg: [0],
  noise: ['cafe'],
  noiseSources: [1],
  seeds: 3,
  receiver: 'auto' as Receiver,
  recipe: 'earshot' as Recipe,
  cleanReference: 'levelled' as CleanReference,
  testFraction: 0.25,
  splitSeed: 0,
});

/**
 * Fill in the defaults and check everything that can be checked without
 * running a model: errors name the setting, the bad value and what is allowed.
 * Probe files are read to learn which model each one is for.
 */
export async function specFromInput(input: SweepInput): Promise<SweepSpec> {
  const models = input.models.map((m) => m.trim()).filter(Boolean);
  const resolved = await Promise.all((input.probes ?? []).map((name) => resolveProbe(name)));
  const wake = resolved.map(wakeWordManifest).filter((w) => w !== null);
  const wakeword = wake.length > 0 ? await wakeWordSpec(resolved, wake[0], models, input) : undefined;
  if (wakeword === undefined && input.wakeThreshold !== undefined) throw new Errors.INVALID_OPTION('--wake-threshold goes with a wake-word probe (--probe oww-wakeword)');
  if (models.length === 0) throw new Errors.INVALID_OPTION('no model: give --model ID[,ID...] (see `earshot models`)');
  unique(models, 'model');
  if (!input.data) throw new Errors.INVALID_OPTION(wakeword ? 'no data: give --data DIR, with DIR/<head id>/ holding each head\'s positive clips and DIR/negative/ the negatives' : 'no data: give --data DIR, a folder with one subfolder of clips per class');
  const probes: Record<string, string> = {};
  for (const r of wakeword ? [] : resolved) {
    if (r.kind !== 'linear') throw new Errors.INVALID_PROBE(`${r.id} reads raw audio: it is not a probe a sweep can evaluate`);
    const { path, file: probe } = r;
    if (!models.includes(probe.modelId)) {
      throw new Errors.INVALID_PROBE(`${path} is a probe for model "${probe.modelId}", which is not in --model (${models.join(', ')}). Train one for each model with \`earshot probe train --model ID\`.`);
    }
    if (probes[probe.modelId]) throw new Errors.INVALID_OPTION(`two probes for model "${probe.modelId}": ${probes[probe.modelId]} and ${path}`);
    probes[probe.modelId] = resolve(path);
  }
  const protocol = wakeword ? 'wakeword' : (input.protocol ?? (input.probes?.length ? 'probe' : 'clean'));
  if (wakeword && input.protocol === 'matched') throw new Errors.INVALID_OPTION('--matched trains linear probes; a wake-word probe is evaluated as it is');
  if (protocol === 'probe') {
    const without = models.filter((m) => !probes[m]);
    if (without.length > 0) throw new Errors.INVALID_PROBE(`no probe for model(s) ${without.join(', ')}: give a --probe for each model, or leave --probe out to train one on clean audio`);
  } else if (Object.keys(probes).length > 0) {
    throw new Errors.INVALID_OPTION(`--probe evaluates given probes; it cannot be combined with ${protocol === 'matched' ? '--matched' : '--train-clean'}`);
  }
  const d = SWEEP_DEFAULTS;
  const rooms = await roomAxis(input);
  const axes = {
    snrDb: axis(input.snrDb ?? d.snrDb, 'snr', (v) => v === 'clean' || (typeof v === 'number' && v >= -30 && v <= 80), 'numbers in -30..80 dB, or "clean"'),
    room: rooms.room,
    azimuthDeg: axis(input.azimuthDeg ?? d.azimuthDeg, 'azimuth', (v) => typeof v === 'number' && v >= -180 && v <= 180, 'degrees in -180..180'),
    noise: axis(input.noise ?? d.noise, 'noise', (v) => typeof v === 'string' && v.trim() !== '', 'noise ids (see `earshot noises`)'),
    noiseSources: axis(input.noiseSources ?? d.noiseSources, 'noise-sources', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5, 'integers in 1..5'),
  };
  const seeds = input.seeds ?? d.seeds;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 1000) throw new Errors.INVALID_OPTION(`--seeds must be an integer in 1..1000, got ${seeds}`);
  const testFraction = input.testFraction ?? d.testFraction;
  if (!(testFraction > 0 && testFraction <= 0.9)) throw new Errors.INVALID_OPTION(`--test-fraction must be in (0, 0.9], got ${testFraction}`);
  const splitSeed = input.splitSeed ?? d.splitSeed;
  if (!Number.isInteger(splitSeed) || splitSeed < 0) throw new Errors.INVALID_OPTION(`--split-seed must be a non-negative integer, got ${splitSeed}`);
  const receiver = input.receiver ?? d.receiver;
  if (!['auto', 'mono', 'binaural', 'foa'].includes(receiver)) throw new Errors.INVALID_OPTION(`--receiver must be auto, mono, binaural or foa, got ${receiver}`);
  const recipe = oneOf(input.recipe ?? d.recipe, 'recipe', ['earshot', 'nathear']);
  const snrMode = oneOf(input.snrMode ?? (recipe === 'nathear' ? 'per-channel' : 'pooled'), 'snr-mode', ['pooled', 'per-channel']);
  if (recipe === 'nathear' && snrMode === 'pooled') throw new Errors.INVALID_OPTION('--snr-mode pooled cannot go with --recipe nathear: the Nat-HEAR code sets one noise gain per channel; leave --snr-mode out, or use --recipe earshot for the pooled SNR');
  const cleanReference = oneOf(input.cleanReference ?? d.cleanReference, 'clean-reference', ['levelled', 'original']);
  return {
    models,
    data: resolve(input.data),
    protocol,
    probes,
    ...(wakeword ? { wakeword } : {}),
    axes,
    seeds,
    receiver,
    snrMode,
    recipe,
    cleanReference,
    testFraction,
    splitSeed,
    ...(input.modelsDir ? { modelsDir: resolve(input.modelsDir) } : {}),
    rirDirs: (input.rirDirs ?? []).map((p) => resolve(p)),
    rirFiles: rooms.files,
    noiseDirs: (input.noiseDirs ?? []).map((p) => resolve(p)),
  };
}

/**
 * A wake-word sweep: one wake-word probe, alone, over its heads' encoder
 * (added to `models` when none is given; any other model is refused).
 */
async function wakeWordSpec(resolved: Awaited<ReturnType<typeof resolveProbe>>[], wake: NonNullable<ReturnType<typeof wakeWordManifest>>, models: string[], input: SweepInput): Promise<{ probe: string; threshold: number }> {
  if (resolved.length > 1) throw new Errors.INVALID_OPTION(`a wake-word sweep takes one probe (${wake.manifest.id}); give other probes to another sweep`);
  if (models.length === 0) models.push(wake.encoder);
  const other = models.filter((m) => m !== wake.encoder);
  if (other.length > 0) throw new Errors.INVALID_OPTION(`${wake.manifest.id}'s heads read model "${wake.encoder}"; a wake-word sweep cannot run ${other.join(', ')} (leave --model out, or give --model ${wake.encoder})`);
  const threshold = input.wakeThreshold ?? DEFAULT_WAKE_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new Errors.INVALID_OPTION(`--wake-threshold must be in 0..1, got ${input.wakeThreshold}`);
  return { probe: resolved[0].path, threshold };
}

/** The room axis from `room` or its RT60-only synonym `rt60S` (not both); IR files named in it become bank IRs of the sweep. */
async function roomAxis(input: SweepInput): Promise<{ room: Room[]; files: string[] }> {
  if (input.room !== undefined && input.rt60S !== undefined) {
    throw new Errors.INVALID_OPTION('give the rooms in one list: --room takes RT60s too (e.g. --room 0,0.6,street), so leave --rt60 out');
  }
  if (input.room === undefined) {
    const rt60S = axis(input.rt60S ?? (SWEEP_DEFAULTS.room as number[]), 'rt60', (v) => typeof v === 'number' && v >= 0 && v <= 3, 'seconds in 0..3 (0: no room)');
    return { room: rt60S, files: [] };
  }
  if (input.room.length === 0) axis(input.room, 'room', () => true, 'RT60s in s, RIR bank ids or IR files');
  const { rooms, files } = await readRoomList(input.room, '--room');
  unique(rooms, 'room');
  return { room: rooms, files };
}

function axis<T>(values: T[], flag: string, ok: (v: unknown) => boolean, allowed: string): T[] {
  if (values.length === 0) throw new Errors.INVALID_OPTION(`--${flag} is empty: the grid would have no cells. Give at least one value (${allowed}).`);
  const bad = values.filter((v) => !ok(v));
  if (bad.length > 0) throw new Errors.INVALID_OPTION(`--${flag}: ${bad.map((v) => JSON.stringify(v)).join(', ')} not allowed; expected ${allowed}`);
  unique(values, flag);
  return values;
}

function oneOf<T extends string>(value: T, flag: string, allowed: T[]): T {
  if (!allowed.includes(value)) throw new Errors.INVALID_OPTION(`--${flag} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  return value;
}

function unique(values: unknown[], flag: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    const k = String(v);
    if (seen.has(k)) throw new Errors.INVALID_OPTION(`--${flag} lists ${k} twice`);
    seen.add(k);
  }
}
