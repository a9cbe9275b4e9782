import { availableParallelism } from 'node:os';
import { Errors } from '../../errors.ts';

/** How an OnnxPool runs its graphs. */
export interface OnnxPoolOptions {
  /** Worker threads, each with its own session per graph. Default: the machine's cores (`os.availableParallelism()`). */
  workers: number;
  /** ONNX Runtime threads inside one session. Default 1: the pool scales with workers instead. */
  intraOpNumThreads: number;
  /** 'auto' tries CUDA and falls back to CPU with one log line; 'cuda' fails clearly without it; 'cpu' never tries. */
  device: 'auto' | 'cuda' | 'cpu';
  /** Most rows (dim 0) in one stacked run of `batchable` calls. A single call larger than this runs alone, whole. */
  maxBatch: number;
  /** Where the pool's few notices go (one line each, no newline). Default: stderr, prefixed "earshot: ". */
  log: (line: string) => void;
  /** Notices in full (why CUDA is not used and how to enable it) instead of one short line. Default false. */
  verbose: boolean;
}

/** Defaults for every OnnxPool option (`workers` is filled in per machine). */
export const ONNX_POOL_DEFAULTS: Readonly<Omit<OnnxPoolOptions, 'workers'>> = Object.freeze({
  intraOpNumThreads: 1,
  device: 'auto',
  maxBatch: 16,
  verbose: false,
  log: (line: string) => void process.stderr.write(`earshot: ${line}\n`),
});

/**
 * Session settings every earshot session shares: ONNX Runtime's intra-op threads wait for work asleep
 * instead of spinning. A spinning thread holds its core between calls and takes it from the thread that
 * makes the next one: on 2 cores, the 300 s openWakeWord embed ran in 4.3–5.4 s on 7–9 s of CPU this way,
 * against 6.0–8.5 s on 12–17 s of CPU spinning (identical embeddings).
 */
export const SESSION_EXTRA = Object.freeze({ session: { intra_op: { allow_spinning: '0' } } });

const DEVICES = ['auto', 'cuda', 'cpu'];

/** Merge options over the defaults and check them; errors name the option and its value. */
export function validatePoolOptions(partial: Partial<OnnxPoolOptions> = {}): OnnxPoolOptions {
  const opts: OnnxPoolOptions = { workers: availableParallelism(), ...ONNX_POOL_DEFAULTS, ...dropUndefined(partial) };
  for (const key of ['workers', 'intraOpNumThreads', 'maxBatch'] as const) {
    const v = opts[key];
    if (!Number.isInteger(v) || v < 1 || v > 1024) throw new Errors.INVALID_OPTION(`${key} = ${v}: must be an integer from 1 to 1024`);
  }
  if (!DEVICES.includes(opts.device)) throw new Errors.INVALID_OPTION(`device = ${JSON.stringify(opts.device)}: must be 'auto', 'cuda' or 'cpu'`);
  if (typeof opts.log !== 'function') throw new Errors.INVALID_OPTION('log must be a function (line: string) => void');
  return opts;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
