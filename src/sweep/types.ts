/**
 * The contracts of a sweep: what the user asks for (SweepSpec), the unit of
 * work (Cell), what a finished cell leaves on disk (CellRecord), what every
 * executor needs to run cells (SweepContext) and the aggregated results.
 */
import type { ProbeFile } from '../probes/probeFile.ts';
import type { Recipe, SnrMode } from '../scene/condition.ts';

export type { Recipe, SnrMode };

/**
 * What each cell is compared with: `levelled`, the clean clips RMS-normalised
 * to -14 dBFS exactly as scenes level the talker (a dry, noiseless cell then
 * reproduces the clean scores, cosine 1); `original`, the clips as decoded.
 */
export type CleanReference = 'levelled' | 'original';

/** How a sweep renders and compares its cells: recorded with every record and result. */
export interface SceneSettings {
  snrMode: SnrMode;
  recipe: Recipe;
  cleanReference: CleanReference;
}

/**
 * How probes meet degraded audio (Nat-HEAR): `clean` trains one probe per
 * model on clean training clips and evaluates it per condition; `matched`
 * trains a probe per cell on training clips degraded the same way; `probe`
 * evaluates probes the user trained (`earshot probe train`); `wakeword`
 * scores ready-made wake-word heads (oww-wakeword) on clips of DIR/<head id>/
 * (positives) and of the other folders (negatives).
 */
export type Protocol = 'clean' | 'matched' | 'probe' | 'wakeword';

/** A wake-word sweep's probe: the manifest (absolute path) and the detection threshold. */
export interface WakeWordSpec {
  probe: string;
  threshold: number;
}

export type Receiver = 'auto' | 'mono' | 'binaural' | 'foa';

/**
 * A room of the grid: a number is an RT60 in seconds (0: no room, a dry
 * source; otherwise a simulated shoebox room), a string the id of an IR in
 * the sweep's RIR bank (shipped, --rir-dir, or a file given to --room).
 */
export type Room = number | string;

/** The axes of the grid; every combination is a grid point. */
export interface SweepAxes {
  snrDb: (number | 'clean')[];
  /** RT60s (0: dry) and RIR bank ids, in the user's order. */
  room: Room[];
  azimuthDeg: number[];
  /** One noise id (recording or colour) per value. */
  noise: string[];
  noiseSources: number[];
}

/** What the user asked for: enough to rebuild the whole sweep. */
export interface SweepSpec extends SceneSettings {
  models: string[];
  /** Absolute path of the labelled data folder (one subfolder of clips per class). */
  data: string;
  protocol: Protocol;
  /** Protocol `probe`: absolute path of the probe for each model. */
  probes: Record<string, string>;
  /** Protocol `wakeword`: the heads' manifest and threshold. */
  wakeword?: WakeWordSpec;
  axes: SweepAxes;
  /** Seeds 0..seeds-1 per grid point. */
  seeds: number;
  /** `auto`: binaural for 2-channel models, FOA for 4-channel ones, mono otherwise. */
  receiver: Receiver;
  /** Protocols `clean` and `matched`: share of each class held out for testing. */
  testFraction: number;
  /** Seed of the train/test split and of the probes' training. */
  splitSeed: number;
  modelsDir?: string;
  rirDirs: string[];
  /** Absolute paths of IR files given to --room: each is a bank IR named by its file name. */
  rirFiles: string[];
  noiseDirs: string[];
}

/** One point of the grid for one model: a condition without its seed. */
export interface GridPoint {
  model: string;
  snrDb: number | 'clean';
  room: Room;
  azimuthDeg: number;
  noise: string;
  noiseSources: number;
}

/** The unit of work: a grid point rendered with one seed. `key` names it uniquely and stably. */
export interface Cell extends GridPoint {
  seed: number;
  key: string;
}

/**
 * Everything an executor (a worker thread here, or an `earshot worker` on
 * another machine) needs to run any cell of the sweep. JSON-serialisable.
 */
export interface SweepContext {
  /** A hash of everything that changes results (spec, data listing, probes). */
  id: string;
  spec: SweepSpec;
  classes: string[];
  /** Clip paths relative to spec.data, and their class indices. */
  files: string[];
  labels: number[];
  /** Indices into files. `train` is empty for protocol `probe`. */
  train: number[];
  test: number[];
  /** Per model: the probe evaluated on every cell (null for protocol `matched`). */
  probes: Record<string, ProbeFile | null>;
  /** Per model: clean scene embeddings of the test clips (in `test` order), for the cosine. */
  cleanTest: Record<string, number[][]>;
  /** Protocol `wakeword`: the heads scored (those with a folder of positives), in the order of `classes`. */
  wakeHeads?: string[];
}

/**
 * A wake-word run's clip-level numbers: per test clip, per head (in
 * `wakeHeads` order), how many times the head's score crossed the threshold
 * upwards (detections), and each clip's duration. The head's clip score (max
 * over windows) is in `probabilities` under the head's class.
 */
export interface WakeWordRecord {
  accepts: number[][];
  durationS: number[];
}

/** The clean reference of one model: its probe on the clean test clips. */
export interface CleanRecord {
  kind: 'clean';
  key: string;
  model: string;
  cleanReference: CleanReference;
  /** Class probabilities per test clip, in `test` order. */
  probabilities: number[][];
  wakeword?: WakeWordRecord;
}

/** What a finished cell leaves in cells.jsonl. */
export interface CellRecord extends SceneSettings {
  kind: 'cell';
  key: string;
  cell: Cell;
  /** Class probabilities per test clip (degraded audio), in `test` order. */
  probabilities: number[][];
  /** Cosine similarity of each test clip's degraded scene embedding to its clean one. */
  cosine: number[];
  wakeword?: WakeWordRecord;
  /** Wall time of the cell and who ran it (host/pid/thread). */
  elapsedS: number;
  worker: string;
}

export type SweepRecord = CleanRecord | CellRecord;

/** A statistic with its 95% bootstrap interval (over seeds and clips). */
export interface Estimate {
  mean: number;
  lo: number;
  hi: number;
}

export interface ProbeMetrics {
  top1: Estimate;
  macroF1: Estimate;
  mAP: Estimate;
  /** Protocol `wakeword`: per head. */
  wakeword?: WakeWordMetrics[];
}

/**
 * One wake-word head at one grid point (or clean), pooled over seeds, each
 * figure with its 95% bootstrap interval over seeds and clips: detection rate
 * at the threshold on the head's positive clips (clip score = max over
 * windows), false accepts (threshold crossings) per negative clip and per
 * hour of negative audio, and ROC AUC of clip scores, positives against negatives.
 */
export interface WakeWordMetrics {
  head: string;
  threshold: number;
  positives: number;
  negatives: number;
  negativeHours: number;
  detectionRate: Estimate;
  falseAcceptsPerClip: Estimate;
  falseAcceptsPerHour: Estimate;
  auc: Estimate;
}

/** One grid point, aggregated over its seeds. `relative` is degraded ÷ clean, paired on the same clips. */
export interface PointResult extends GridPoint, ProbeMetrics, Pick<SceneSettings, 'snrMode' | 'recipe'> {
  seeds: number;
  clips: number;
  cosine: Estimate;
  relative: ProbeMetrics;
}

export interface CleanResult extends ProbeMetrics {
  model: string;
  clips: number;
}

/**
 * One room of the grid as the models heard it, with its acoustics measured at
 * 16 kHz (src/dsp/roomMetrics.ts: energies summed over channels, above 50 Hz).
 * A bank IR is measured as it is; a simulated room on a representative source
 * IR (`measuredOn` says which). Metrics are null for a dry source, or where the
 * decay is too short or noisy to fit.
 */
export interface RoomResult {
  room: Room;
  /** dry: no room; simulated: the shoebox simulator at that RT60; the others: the bank IR's kind. */
  kind: 'dry' | 'simulated' | 'measured' | 'synthesized' | 'user';
  /** Channels of the source IR the scene is rendered with, and their layout. */
  channels: number;
  layout: string;
  description: string;
  measuredOn: string;
  /** Schroeder T20 and T30 (no noise compensation), C50 and DRR, dB. */
  t20S: number | null;
  t30S: number | null;
  c50Db: number | null;
  drrDb: number | null;
  /** Broadband reverberation time with the noise floor compensated (src/dsp/rt60.ts), and the fit it used. */
  rt60S: number | null;
  rt60Method: 'T30' | 'T20' | null;
}

/** results.json. */
export interface SweepResults extends SceneSettings {
  format: 'earshot-sweep-results';
  version: 1;
  createdAt: string;
  spec: SweepSpec;
  classes: string[];
  testClips: number;
  /** Bootstrap resamples behind each interval. */
  bootstrap: number;
  cellsDone: number;
  cellsTotal: number;
  clean: CleanResult[];
  /** Every room of the grid, in the spec's order. */
  rooms: RoomResult[];
  points: PointResult[];
}

/** A finished cell in brief, for progress displays (one seed, no intervals). */
export interface CellSummary {
  key: string;
  point: GridPoint;
  seed: number;
  top1: number;
  macroF1: number;
  mAP: number;
  cosine: number;
  /** top1 ÷ the model's clean top1. */
  relativeTop1: number;
}

/** What a running sweep reports, in order: plan; per model, clean-embedding progress then its clean scores; a cell per finished cell; done. */
export type SweepEvent =
  | { type: 'plan'; cellsTotal: number; cellsDone: number; points: GridPoint[]; seeds: number; testClips: number }
  | { type: 'cleanProgress'; model: string; clipsDone: number; clipsTotal: number }
  | { type: 'clean'; model: string; top1: number; macroF1: number; mAP: number }
  | { type: 'cell'; summary: CellSummary; cellsDone: number; cellsTotal: number }
  | { type: 'done'; results: SweepResults };
