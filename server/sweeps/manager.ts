import { Errors } from '../../src/errors.ts';
import { randomBytes } from 'node:crypto';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelRegistry } from '../../src/encoders/registry.ts';
import type { SceneBanks } from '../../src/scene/render.ts';
import type { SweepEvent, SweepResults, SweepSpec } from '../../src/sweep/types.ts';
import type { ServerOptions } from '../options.ts';
import type { Subscriber } from '../streams/managedStream.ts';
import { jsonFrame } from '../ws/frames.ts';
import { Datasets } from './datasets.ts';
import type { SweepMessageEvent } from './events.ts';
import { readPublicReport } from './report.ts';
import { parseSweepRequest, resolveSweepRequest } from './request.ts';
import { specFromInput, startSweepProcess, type SweepProcess } from './runner.ts';
import type { PublicResults, SweepDetail, SweepSummary } from './schemas.ts';
import { publicResults, readResults, readState, RESULTS_FILE, writeState, type SweepState } from './stateFile.ts';
import { makeDirectory } from '../../src/makeDirectory.ts';

/** Ids are made here ("20250101-120000-3fa2c1"); only names of this shape are ever joined into a path. */
const SWEEP_ID = /^\d{8}-\d{6}-[0-9a-f]{6}$/;
/** How long a sweep may take to stop when the server shuts down before its process is killed. */
const SHUTDOWN_GRACE_MS = 3000;

export interface SweepManagerOptions {
  config: Pick<ServerOptions, 'sweepsDir' | 'sweepDataDirs' | 'maxSweeps' | 'maxSweepCells' | 'probeDirs' | 'rirDirs' | 'noiseDirs' | 'workers'>;
  models: ModelRegistry;
  banks: SceneBanks;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Applied to a failed sweep's message before clients see it (no server paths). */
  clientMessage: (message: string) => string;
}

interface Tracked {
  state: SweepState;
  results: SweepResults | null;
}

interface RunningSweep extends Tracked {
  dir: string;
  process: SweepProcess | null;
  /** Settles (never rejects) once the sweep has ended and its state is written. */
  finished: Promise<void>;
  /** State writes, one after another. */
  writes: Promise<void>;
}

/**
 * The sweeps started over the API. Each runs the sweep engine in a child
 * process into `sweepsDir/<id>`; its progress is kept in memory and in the
 * folder's serve-state.json, and its events go to every WebSocket client as
 * `sweep` messages. A sweep that fails (or whose process dies) ends as
 * `failed` with its message; nothing it does reaches the server or the other
 * clients.
 */
export class SweepManager {
  readonly datasets: Datasets;
  private readonly running = new Map<string, RunningSweep>();
  /** Ended in this process (their state also lives on disk, unless the folder could not be written). */
  private readonly ended = new Map<string, Tracked>();
  private readonly listeners = new Set<Subscriber>();
  private starting = 0;
  private closing = false;

  constructor(private readonly opts: SweepManagerOptions) {
    this.datasets = new Datasets(opts.config.sweepDataDirs);
  }

  /** A WebSocket client that hears every sweep's events, until {@link unlisten}. */
  listen(sub: Subscriber): void {
    this.listeners.add(sub);
  }

  unlisten(sub: Subscriber): void {
    this.listeners.delete(sub);
  }

  /**
   * Check a request and start it in the background; resolves with its first
   * state. INVALID_REQUEST (400) for bad fields, unknown models, data sets or
   * probes, and grids over the cell limit; TOO_MANY_SWEEPS (429).
   */
  async start(body: unknown): Promise<SweepState> {
    const request = parseSweepRequest(body);
    const { config } = this.opts;
    if (this.closing) throw new Errors.TOO_MANY_SWEEPS('the server is shutting down; it starts no more sweeps');
    if (this.running.size + this.starting >= config.maxSweeps) {
      throw new Errors.TOO_MANY_SWEEPS(`${config.maxSweeps} sweep(s) running, the most this server runs at once; wait for one to end or cancel it (DELETE /api/sweeps/:id)`);
    }
    this.starting++;
    let sweep: RunningSweep;
    let spec: SweepSpec;
    try {
      const resolved = await resolveSweepRequest(request, { models: this.opts.models, banks: this.opts.banks, datasets: this.datasets, config, specFromInput });
      spec = resolved.spec;
      const id = newSweepId();
      const dir = join(config.sweepsDir, id);
      await makeDirectory(dir);
      const state: SweepState = {
        id,
        status: 'running',
        createdAt: new Date().toISOString(),
        finishedAt: null,
        request: { ...request, data: resolved.dataName },
        cellsDone: 0,
        cellsTotal: resolved.cellsTotal,
        error: null,
        plan: null,
        clean: [],
        cells: [],
      };
      sweep = { state, results: null, dir, process: null, finished: Promise.resolve(), writes: Promise.resolve() };
    } finally {
      this.starting--;
    }
    const { state } = sweep;
    this.running.set(state.id, sweep);
    this.save(sweep);
    this.broadcast(state.id, { type: 'started', request: state.request, cellsTotal: state.cellsTotal, createdAt: state.createdAt });
    sweep.finished = this.run(sweep, spec);
    return structuredClone(state);
  }

  /** Every sweep (running, and ended ones on disk), newest first, without their cells and results. */
  async list(): Promise<SweepSummary[]> {
    const ids = new Set([...this.running.keys(), ...this.ended.keys()]);
    for (const name of await readdir(this.opts.config.sweepsDir).catch(() => [] as string[])) if (SWEEP_ID.test(name)) ids.add(name);
    const rows: SweepSummary[] = [];
    for (const id of ids) {
      const detail = await this.find(id, false);
      if (detail !== null) rows.push(summaryOf(detail));
    }
    return rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** One sweep in full: NOT_FOUND (404) for an unknown id. */
  async get(id: string): Promise<SweepDetail> {
    const detail = await this.find(id, true);
    if (detail === null) throw new Errors.NOT_FOUND(`no sweep ${JSON.stringify(String(id).slice(0, 80))}; GET /api/sweeps lists them`);
    return detail;
  }

  /** Stop a running sweep (what finished stays on disk); SWEEP_NOT_RUNNING (409) for one that has ended. */
  async cancel(id: string): Promise<SweepDetail> {
    const sweep = this.running.get(id);
    if (sweep === undefined) {
      const { status } = await this.get(id);
      throw new Errors.SWEEP_NOT_RUNNING(`sweep ${id} is not running (it is ${status}); its files stay in the sweeps folder`);
    }
    sweep.process?.cancel();
    await sweep.finished;
    return this.get(id);
  }

  /** The report's HTML; NOT_FOUND while the sweep runs or when it ended without results. */
  async report(id: string): Promise<string> {
    const { status } = await this.get(id);
    const html = status === 'running' ? null : await readPublicReport(join(this.opts.config.sweepsDir, id));
    if (html !== null) return html;
    throw new Errors.NOT_FOUND(
      status === 'running' ? `sweep ${id} is still running; its report is written when it ends (GET /api/sweeps/${id} for progress)` : `sweep ${id} ended (${status}) without results, so it has no report`,
    );
  }

  /** Cancel every running sweep and wait for them (server shutdown: a short grace, the cells finished are on disk already). */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.running.values()];
    for (const s of all) s.process?.cancel(SHUTDOWN_GRACE_MS);
    await Promise.all(all.map((s) => s.finished));
    this.listeners.clear();
  }

  private async run(sweep: RunningSweep, spec: SweepSpec): Promise<void> {
    const { state } = sweep;
    sweep.process = startSweepProcess(spec, {
      out: sweep.dir,
      threads: this.opts.config.workers,
      onEvent: (event) => this.onEngineEvent(sweep, event),
      onLog: (line) => this.opts.log.info({ sweepId: state.id }, line),
    });
    const end = await sweep.process.ended;
    state.status = end.outcome;
    if (end.outcome === 'failed') state.error = this.describeFailure(end.error, spec, sweep);
    else if (end.results) {
      sweep.results = end.results;
      state.cellsDone = end.results.cellsDone;
    }
    state.finishedAt = new Date().toISOString();
    this.save(sweep);
    await sweep.writes;
    this.ended.set(state.id, { state, results: sweep.results });
    this.running.delete(state.id);
    if (state.status === 'done') this.broadcast(state.id, { type: 'done', results: sweep.results && publicResults(sweep.results) });
    else if (state.status === 'cancelled') this.broadcast(state.id, { type: 'cancelled', cellsDone: state.cellsDone, cellsTotal: state.cellsTotal });
    else this.broadcast(state.id, { type: 'failed', ...state.error! });
  }

  // The engine's message, with the server's folders named as the client knows them.
  private describeFailure(error: { code: string; message: string }, spec: SweepSpec, sweep: RunningSweep): { code: string; message: string } {
    const { id, request } = sweep.state;
    this.opts.log.warn({ error, sweepId: id }, 'sweep failed');
    return { code: error.code, message: this.opts.clientMessage(error.message.replaceAll(spec.data, `data set "${request.data}"`).replaceAll(sweep.dir, `sweep ${id}`)) };
  }

  // Plan, clean and cell events update the state and go out at once; the engine's `done` waits until runSweep returns (its files written).
  private onEngineEvent(sweep: RunningSweep, event: SweepEvent): void {
    const { state } = sweep;
    try {
      switch (event.type) {
        case 'plan':
          state.plan = { points: event.points, seeds: event.seeds, testClips: event.testClips };
          Object.assign(state, { cellsDone: event.cellsDone, cellsTotal: event.cellsTotal });
          break;
        case 'clean':
          state.clean = [...state.clean.filter((c) => c.model !== event.model), { model: event.model, top1: event.top1, macroF1: event.macroF1, mAP: event.mAP }];
          break;
        case 'cell':
          state.cells = [...state.cells.filter((c) => c.key !== event.summary.key), event.summary];
          Object.assign(state, { cellsDone: event.cellsDone, cellsTotal: event.cellsTotal });
          break;
        case 'done':
          sweep.results = event.results;
          return;
        case 'cleanProgress':
          return; // dashboard sweeps are small: their clean phase takes seconds
      }
      this.save(sweep);
      this.broadcast(state.id, event);
    } catch (err) {
      this.opts.log.warn({ err, sweepId: state.id }, 'sweep event not handled');
    }
  }

  private save(sweep: RunningSweep): void {
    const snapshot = structuredClone(sweep.state);
    sweep.writes = sweep.writes.then(() => writeState(sweep.dir, snapshot)).catch((err: unknown) => this.opts.log.warn({ err, sweepId: snapshot.id }, 'sweep state not written'));
  }

  private broadcast(sweepId: string, event: SweepMessageEvent): void {
    const frame = jsonFrame({ type: 'sweep', sweepId, event });
    for (const sub of this.listeners) sub.deliver(frame, false);
  }

  private async find(id: string, withResults: boolean): Promise<SweepDetail | null> {
    if (!SWEEP_ID.test(id)) return null;
    const dir = join(this.opts.config.sweepsDir, id);
    const live = this.running.get(id) ?? this.ended.get(id);
    const state = live?.state ?? (await readState(dir));
    if (state === null) return null;
    // A state left "running" on disk by a server that stopped without ending it.
    const status = state.status === 'running' && !this.running.has(id) ? 'interrupted' : state.status;
    let results: PublicResults | null = null;
    if (withResults && status !== 'running') results = live?.results ? publicResults(live.results) : await readResults(dir);
    const reportable = status !== 'running' && (await exists(join(dir, RESULTS_FILE)));
    return jsonSafe({ ...state, status, results, report: reportable ? `/api/sweeps/${id}/report.html` : null });
  }
}

// A copy in which undefined metrics (NaN) are null, as they are in JSON and on the WebSocket.
function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function summaryOf(detail: SweepDetail): SweepSummary {
  const { id, status, createdAt, finishedAt, request, cellsDone, cellsTotal, error, report } = detail;
  return { id, status, createdAt, finishedAt, request, cellsDone, cellsTotal, error, report };
}

function newSweepId(): string {
  const digits = new Date().toISOString().replace(/\D/g, '');
  return `${digits.slice(0, 8)}-${digits.slice(8, 14)}-${randomBytes(3).toString('hex')}`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
