import { hostname } from 'node:os';
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { describeFsError, writeAtomically } from '../writeAtomically.ts';
import { join } from 'node:path';
import { Errors } from '../errors.ts';
import type { SweepRecord } from './types.ts';
import { makeDirectory } from '../makeDirectory.ts';

/** What decides whether an output folder's records can be reused: anything here changing changes results. */
export interface StoreIdentity {
  /** A hash of the fields below (and of the data listing). */
  fingerprint: string;
  /** The same, in words, for the error message when it does not match. */
  describe: Record<string, unknown>;
}

/** Probabilities and cosines are stored with 7 significant digits (float32 precision). */
export const roundForStore = (x: number): number => Number(x.toPrecision(7));

const RECORDS = 'cells.jsonl';
const IDENTITY = 'sweep.json';
const LOCK = '.lock';

/**
 * A sweep's output folder: finished work as one JSON line per record in
 * cells.jsonl, each appended and fsynced before it counts as done. A kill at
 * any moment loses at most the line being written: on open, a torn last line
 * is cut off, and a key already present is never appended again. A lock file
 * (pid and host) keeps two sweeps from writing one folder.
 */
export class SweepStore {
  readonly records = new Map<string, SweepRecord>();
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly file: FileHandle,
  ) {}

  /** Open (creating) the folder for a sweep with this identity; earlier records of the same identity are loaded. */
  static async open(dir: string, identity: StoreIdentity, log: (line: string) => void = () => {}): Promise<SweepStore> {
    await makeDirectory(dir).catch((err: unknown) => {
      throw new Errors.WRITE_FAILED(dir, describeFsError(err));
    });
    await takeLock(dir);
    try {
      await checkIdentity(dir, identity);
      const path = join(dir, RECORDS);
      const text = await readFile(path, 'utf8').catch(() => '');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) log(`${path}: dropping a torn last line (${text.length - end} bytes) left by an interrupted run`);
      const file = await open(path, 'a+');
      if (end < text.length) await file.truncate(Buffer.byteLength(text.slice(0, end)));
      const store = new SweepStore(dir, file);
      let bad = 0;
      for (const line of text.slice(0, end).split('\n')) {
        if (line.trim() === '') continue;
        try {
          const record = JSON.parse(line) as SweepRecord;
          if (typeof record.key === 'string' && !store.records.has(record.key)) store.records.set(record.key, record);
        } catch {
          bad++;
        }
      }
      if (bad > 0) log(`${path}: ${bad} unreadable line(s) ignored; their cells run again`);
      return store;
    } catch (err) {
      await rm(join(dir, LOCK), { force: true });
      throw err;
    }
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  /** Append a record durably (written and fsynced); a key already stored is left as it is. Appends run one at a time. */
  append(record: SweepRecord): Promise<void> {
    const write = async () => {
      if (this.records.has(record.key)) return;
      await this.file.appendFile(`${JSON.stringify(record)}\n`);
      await this.file.sync();
      this.records.set(record.key, record);
    };
    const done = this.tail.then(write);
    this.tail = done.catch(() => {});
    return done;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.file.close().catch(() => {});
    await rm(join(this.dir, LOCK), { force: true });
  }
}

async function checkIdentity(dir: string, identity: StoreIdentity): Promise<void> {
  const path = join(dir, IDENTITY);
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text !== null) {
    let stored: StoreIdentity | null = null;
    try {
      stored = JSON.parse(text) as StoreIdentity;
    } catch {
      // unreadable: treated as a different sweep below
    }
    if (stored?.fingerprint === identity.fingerprint) return;
    const changed = stored ? Object.keys(identity.describe).filter((k) => JSON.stringify(stored.describe?.[k]) !== JSON.stringify(identity.describe[k])) : ['sweep.json'];
    throw new Errors.SWEEP_MISMATCH(
      `${dir} holds results of a different sweep (differs in: ${changed.join(', ') || 'data content'}). ` +
        'Its cells cannot be reused: give a new output folder with -o (the grid, models and seeds may change between runs; data, protocol, probes, split and receiver may not).',
    );
  }
  await writeAtomically(path, `${JSON.stringify(identity, null, 2)}\n`);
}

async function takeLock(dir: string): Promise<void> {
  const path = join(dir, LOCK);
  const me = `${process.pid}@${hostname()}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, me, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Errors.WRITE_FAILED(path, (err as NodeJS.ErrnoException).code ?? String(err));
    }
    const holder = (await readFile(path, 'utf8').catch(() => '')).trim();
    const [pid, host] = holder.split('@');
    if (host === hostname() && !isAlive(Number(pid))) {
      await rm(path, { force: true }); // left by a killed run
      continue;
    }
    throw new Errors.SWEEP_BUSY(`${dir} is in use by another sweep (process ${holder || 'unknown'}); wait for it to finish, or remove ${path} if that process is gone`);
  }
  throw new Errors.SWEEP_BUSY(`${dir}: could not take ${path}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
