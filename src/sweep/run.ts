import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelRegistry } from '../encoders/registry.ts';
import { openBanks } from '../scene/render.ts';
import { readLabelledData, type LabelledData } from '../probes/dataset.ts';
import { predictProbe, trainProbe } from '../probes/linearProbe.ts';
import { fromProbeFile, loadProbe, saveProbe, toProbeFile, type ProbeFile } from '../probes/probeFile.ts';
import { stratifiedSplit } from '../probes/split.ts';
import { createRng } from '../random.ts';
import { Errors, hasCode, isEarshotError } from '../errors.ts';
import { loadProbeManifest } from '../probes/probeManifest.ts';
import { aggregateResults, cellSummary, wakeHeads } from './aggregate.ts';
import { runMetrics } from './stats.ts';
import { CellPool } from './cellPool.ts';
import { defaultCacheDir } from './embeddingCache.ts';
import { buildGrid } from './grid.ts';
import { checkRoomChannels, measureRooms } from './rooms.ts';
import { writeOutputs } from './outputs.ts';
import { roundForStore, SweepStore, type StoreIdentity } from './store.ts';
import type { Cell, CellRecord, CleanRecord, SweepContext, SweepEvent, SweepResults, SweepSpec } from './types.ts';
import { makeDirectory } from '../makeDirectory.ts';

export { specFromInput, SWEEP_DEFAULTS, type SweepInput } from './spec.ts';

export interface RunSweepOptions {
  /** Output folder (created): cells.jsonl, probes/, results.json, results.csv, report.html. */
  out: string;
  /** Worker threads for clean embeddings and cells (default: one per core). */
  threads?: number;
  /** Distribute cells over `earshot worker`s through this Redis (BullMQ); clean embeddings stay local. */
  redis?: string;
  /** Clean-embedding cache folder (default: defaultCacheDir()); null: no cache. */
  cacheDir?: string | null;
  onEvent?: (e: SweepEvent) => void;
  /** Human progress notes (resumed cells, torn lines dropped...). */
  log?: (line: string) => void;
  /** Stop early: cells under way are abandoned, finished ones stay on disk and in the outputs. */
  signal?: AbortSignal;
}

/** Grid points, cells and test clips of a sweep, before any work: for confirmations and estimates. */
export async function planSweep(spec: SweepSpec): Promise<{ cells: Cell[]; points: number; testClips: number; trainClips: number }> {
  const data = await readLabelledData(spec.data);
  const { train, test } = await splitData(spec, data);
  const { points, cells } = buildGrid(spec);
  return { cells, points: points.length, testClips: test.length, trainClips: train.length };
}

/**
 * Run a sweep (Nat-HEAR protocol): per model, clean embeddings of every clip
 * (cached across runs), a probe trained on the clean training clips (or the
 * user's), its clean scores; then every cell not already in OUT — render the
 * condition over the test clips, embed, probe, compare with clean — each
 * appended to OUT/cells.jsonl as it finishes; then the aggregated outputs.
 * Rerunning with the same OUT computes only the missing cells. The outputs
 * are written even when the run stops early or a cell fails.
 */
export async function runSweep(spec: SweepSpec, opts: RunSweepOptions): Promise<SweepResults> {
  const log = opts.log ?? (() => {});
  const emit = opts.onEvent ?? (() => {});
  // Before any slow work or any write to OUT: a Redis that is not there fails at once.
  if (opts.redis) await (await import('./queue/redis.ts')).assertRedisReachable(opts.redis);
  const data = await readLabelledData(spec.data);
  const registry = await ModelRegistry.open({ userDirs: spec.modelsDir ? [spec.modelsDir] : [] });
  const entries = spec.models.map((m) => registry.require(m));
  const banks = await openBanks({ rirDirs: spec.rirDirs, rirFiles: spec.rirFiles, noiseDirs: spec.noiseDirs });
  for (const id of spec.axes.noise) banks.noises.entry(id); // an unknown noise fails here, naming the known ones, not in every cell
  const models = entries.map((e) => ({ id: e.manifest.id, channels: e.manifest.channels }));
  await checkRoomChannels(spec.axes.room, banks.rirs, models, spec.receiver);
  const rooms = await measureRooms(spec, banks, models[0]);
  const userProbes = await loadUserProbes(spec, data, entries.map((e) => e.manifest));
  const { train, test } = await splitData(spec, data, userProbes);
  const { points, cells } = buildGrid(spec);
  const store = await SweepStore.open(opts.out, await identityOf(spec, data), log);
  const before = cells.filter((c) => store.has(c.key)).length;
  let cellsDone = before;
  if (before > 0) log(`resuming: ${before} of ${cells.length} cells already in ${opts.out}`);
  emit({ type: 'plan', cellsTotal: cells.length, cellsDone: before, points, seeds: spec.seeds, testClips: test.length });

  const pool = new CellPool({ threads: opts.threads });
  const onAbort = () => void pool.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let context: SweepContext | null = null;
  let failure: unknown = null;
  try {
    const cleanTop1 = new Map<string, number>();
    context = await cleanPhase(spec, data, { train, test }, userProbes, pool, store, opts, (e) => {
      if (e.type === 'clean') cleanTop1.set(e.model, e.top1);
      emit(e);
    });
    const missing = cells.filter((c) => !store.has(c.key));
    const testLabels = test.map((i) => data.labels[i]);
    const onRecord = async (record: CellRecord) => {
      if (store.has(record.key)) return;
      await store.append(record);
      cellsDone++;
      emit({ type: 'cell', summary: cellSummary(record, cleanTop1.get(record.cell.model)!, testLabels, data.classes.length), cellsDone, cellsTotal: cells.length });
    };
    if (opts.redis) {
      await pool.close(); // the workers run the cells
      const { distributeCells } = await import('./queue/coordinator.ts');
      await distributeCells(opts.redis, context, missing, onRecord, { signal: opts.signal, onWaiting: ({ workers }) => log(workers === 0 ? `waiting for workers: start \`earshot worker --redis ${opts.redis}\`` : `${workers} worker(s) connected`) });
    } else {
      await runLocally(pool, context, missing, onRecord);
    }
  } catch (err) {
    failure = err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }
  try {
    // Once the user stops the sweep, what fails afterwards is the stop itself (threads, queue), not an error to report.
    const stopped = opts.signal?.aborted === true;
    // Before the clean references exist there is nothing new to report: earlier outputs stay as they are.
    if (context === null && !stopped) throw failure;
    const results = aggregateResults(spec, data.classes, test.map((i) => data.labels[i]), points, cells.length, store.records, rooms);
    if (context !== null) await writeOutputs(opts.out, results);
    if (failure === null && !opts.signal?.aborted) emit({ type: 'done', results });
    if (failure !== null && !stopped) throw failure;
    return results;
  } finally {
    await store.close();
  }
}

/** Run cells on the local threads; a failing cell does not stop the others, the first failure is raised at the end. */
async function runLocally(pool: CellPool, context: SweepContext, cells: Cell[], onRecord: (r: CellRecord) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  let first: unknown = null;
  // Fewer cells than threads: split each over several threads so that every core works.
  const parts = Math.ceil(pool.size / Math.max(1, cells.length));
  await Promise.all(
    cells.map(async (cell) => {
      try {
        await onRecord(await pool.run(context, cell, parts));
      } catch (err) {
        if (isStopError(err)) return;
        first ??= err;
        failures.push(`${cell.key}: ${(err as Error).message}`);
      }
    }),
  );
  if (failures.length === 1 && isEarshotError(first)) throw first;
  if (failures.length > 0) throw new Errors.CELL_FAILED(`${failures.length} cell(s) failed (the others are saved; rerun to retry): ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; ...' : ''}`);
}

function isStopError(err: unknown): boolean {
  return hasCode(err, 'POOL_CLOSED');
}

/**
 * Per model: clean embeddings of the clips the protocol needs (spread over the
 * threads, through the cache), the probe (trained on clean training clips and
 * saved to OUT/probes/, or the user's), and its clean record. Returns the
 * context every cell runs with.
 */
async function cleanPhase(
  spec: SweepSpec,
  data: LabelledData,
  split: { train: number[]; test: number[] },
  userProbes: Record<string, ProbeFile>,
  pool: CellPool,
  store: SweepStore,
  opts: RunSweepOptions,
  emit: (e: SweepEvent) => void,
): Promise<SweepContext> {
  const cacheDir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
  const log = opts.log ?? (() => {});
  const labels = Array.from(data.labels);
  const needed = spec.protocol === 'probe' ? split.test : [...split.train, ...split.test];
  const probes: Record<string, ProbeFile | null> = {};
  const cleanTest: Record<string, number[][]> = {};
  for (const model of spec.models) {
    const onProgress = (clipsDone: number) => emit({ type: 'cleanProgress', model, clipsDone, clipsTotal: needed.length });
    const { embeddings, cached } = await embedAcrossThreads(pool, spec, model, needed.map((i) => data.files[i]), cacheDir, onProgress);
    log(`${model}: clean embeddings of ${needed.length} clips (${cached} from the cache${cacheDir ? ` in ${cacheDir}` : ', which is off'})`);
    const byIndex = new Map(needed.map((index, k) => [index, embeddings[k]]));
    // The threads get ready for the cells while this thread trains the probe.
    const cellClips = spec.protocol === 'matched' ? [...split.train, ...split.test] : split.test;
    const warm = opts.redis ? Promise.resolve() : pool.warmUp(spec, model, cellClips.map((i) => data.files[i]));
    if (spec.protocol === 'wakeword') {
      await warm;
      probes[model] = null;
      cleanTest[model] = split.test.map((i) => Array.from(byIndex.get(i)!));
      continue;
    }
    let probe = userProbes[model];
    if (!probe) {
      log(`${model}: training a probe on ${split.train.length} clean clips`);
      const fitted = trainProbe(split.train.map((i) => byIndex.get(i)!), Int32Array.from(split.train, (i) => labels[i]), data.classes.length, { seed: spec.splitSeed });
      probe = toProbeFile(fitted, {
        modelId: model,
        classes: data.classes,
        seed: spec.splitSeed,
        trainedOn: { data: data.root, examples: split.train.length, heldOut: split.test.map((i) => data.files[i]), condition: null },
      });
      await makeDirectory(join(opts.out, 'probes'));
      await saveProbe(join(opts.out, 'probes', `${model.replace(/[^\w.-]/g, '_')}.json`), probe);
    }
    const unpacked = fromProbeFile(probe);
    const testEmbeddings = split.test.map((i) => byIndex.get(i)!);
    const key = `clean|${model}`;
    if (!store.has(key)) {
      const record: CleanRecord = { kind: 'clean', key, model, cleanReference: spec.cleanReference, probabilities: testEmbeddings.map((e) => Array.from(predictProbe(unpacked, e), roundForStore)) };
      await store.append(record);
    }
    const clean = store.records.get(key) as CleanRecord;
    const { top1, macroF1, mAP } = runMetrics(clean, split.test.map((i) => labels[i]), data.classes.length);
    emit({ type: 'clean', model, top1, macroF1, mAP });
    await warm;
    probes[model] = spec.protocol === 'matched' ? null : probe;
    cleanTest[model] = testEmbeddings.map((e) => Array.from(e));
  }
  const id = createHash('sha256')
    .update(JSON.stringify([spec, labels, data.files, probes]))
    .digest('hex')
    .slice(0, 24);
  const context: SweepContext = { id, spec, classes: data.classes, files: data.files, labels, train: spec.protocol === 'probe' ? [] : split.train, test: split.test, probes, cleanTest };
  if (spec.wakeword) await wakeWordClean(context, pool, store, emit);
  return context;
}

/**
 * A wake-word sweep's clean reference, per model: the heads on every clip
 * levelled as scenes level the talker, dry and without noise (a cell with
 * SNR "clean" and no room, run like any other).
 */
async function wakeWordClean(context: SweepContext, pool: CellPool, store: SweepStore, emit: (e: SweepEvent) => void): Promise<void> {
  const { spec } = context;
  context.wakeHeads = wakeHeads(spec.wakeword!.probe, context.classes);
  if (context.wakeHeads.length === 0) {
    const heads = Object.keys(loadProbeManifest(spec.wakeword!.probe).manifest.files);
    throw new Errors.INVALID_DATA(`${spec.data} has no folder named after a head of the wake-word probe (${heads.join(', ')}): put each head's positive clips in DIR/<head>/ and the negatives in DIR/negative/`);
  }
  for (const model of spec.models) {
    const key = `clean|${model}`;
    if (!store.has(key)) {
      const cell: Cell = { model, snrDb: 'clean', room: 0, azimuthDeg: 0, noise: spec.axes.noise[0], noiseSources: 1, seed: 0, key };
      const record = await pool.run(context, cell, pool.size);
      await store.append({ kind: 'clean', key, model, cleanReference: 'levelled', probabilities: record.probabilities, ...(record.wakeword ? { wakeword: record.wakeword } : {}) });
    }
    const { top1, macroF1, mAP } = runMetrics(store.records.get(key) as CleanRecord, context.test.map((i) => context.labels[i]), context.classes.length);
    emit({ type: 'clean', model, top1, macroF1, mAP });
  }
}

async function embedAcrossThreads(
  pool: CellPool,
  spec: SweepSpec,
  model: string,
  files: string[],
  cacheDir: string | null,
  onProgress: (clipsDone: number) => void,
): Promise<{ embeddings: Float32Array[]; cached: number }> {
  // Small chunks: threads stay evenly busy and progress moves often.
  const chunk = Math.max(4, Math.ceil(files.length / (pool.size * 16)));
  const parts: string[][] = [];
  for (let i = 0; i < files.length; i += chunk) parts.push(files.slice(i, i + chunk));
  let clipsDone = 0;
  const settled = await Promise.allSettled(
    parts.map(async (p) => {
      const result = await pool.embedClean(spec, model, p, cacheDir);
      onProgress((clipsDone += p.length));
      return result;
    }),
  );
  const bad = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
  if (bad.length > 0) {
    const dataErrors = bad.filter((e) => hasCode(e, 'INVALID_DATA'));
    if (dataErrors.length === bad.length && bad.length > 1) {
      throw new Errors.INVALID_DATA(`clips in ${spec.data} could not be read: ${dataErrors.map((e) => e.message.replace(/^\d+ clip\(s\) in .*? could not be read: /, '')).join('; ')}`);
    }
    throw bad[0];
  }
  const chunks = settled.map((s) => (s as PromiseFulfilledResult<{ embeddings: Float32Array[]; cached: number }>).value);
  return { embeddings: chunks.flatMap((c) => c.embeddings), cached: chunks.reduce((a, c) => a + c.cached, 0) };
}

/** Probe protocol: each probe must fit its model and know every class of the data. */
async function loadUserProbes(spec: SweepSpec, data: LabelledData, manifests: { id: string; embeddingSize: number }[]): Promise<Record<string, ProbeFile>> {
  const out: Record<string, ProbeFile> = {};
  for (const [model, path] of Object.entries(spec.probes)) {
    const probe = await loadProbe(path);
    const manifest = manifests.find((m) => m.id === model)!;
    // specFromInput matched each probe to its model by id; the graph behind the id must still fit.
    if (probe.embeddingSize !== manifest.embeddingSize) {
      throw new Errors.INVALID_PROBE(`${path} expects ${probe.embeddingSize}-d embeddings, but model "${model}" gives ${manifest.embeddingSize}-d; train the probe again`);
    }
    const unknown = data.classes.filter((c) => !probe.classes.includes(c));
    if (unknown.length > 0) throw new Errors.INVALID_DATA(`${data.root} has classes probe ${path} was not trained on: ${unknown.join(', ')} (it knows: ${probe.classes.join(', ')})`);
    if (probe.classes.length !== data.classes.length || probe.classes.some((c, i) => c !== data.classes[i])) {
      throw new Errors.INVALID_PROBE(`${path} knows classes ${probe.classes.join(', ')}, but ${data.root} has ${data.classes.join(', ')}; train the probe on this data folder`);
    }
    out[model] = probe;
  }
  return out;
}

/**
 * The train/test split: a seeded stratified share of each class for testing;
 * with user probes, the clips they held out when they were trained on this
 * folder, otherwise every clip.
 */
async function splitData(spec: SweepSpec, data: LabelledData, userProbes?: Record<string, ProbeFile>): Promise<{ train: number[]; test: number[] }> {
  if (spec.protocol === 'wakeword') return { train: [], test: data.files.map((_, i) => i) };
  if (spec.protocol === 'probe') {
    const probes = userProbes ?? Object.fromEntries(await Promise.all(Object.entries(spec.probes).map(async ([m, p]) => [m, await loadProbe(p)] as const)));
    const heldOut = new Set(Object.values(probes)[0]?.trainedOn.heldOut ?? []);
    const sameFolder = Object.values(probes).every((p) => p.trainedOn.data === data.root);
    const test = data.files.map((f, i) => [f, i] as const).filter(([f]) => sameFolder && heldOut.has(f)).map(([, i]) => i);
    return { train: [], test: test.length > 0 ? test : data.files.map((_, i) => i) };
  }
  const { kept, heldOut } = stratifiedSplit(data.labels, spec.testFraction, createRng(spec.splitSeed).fork('sweep-test-split'));
  if (heldOut.length === 0 || kept.length === 0) {
    throw new Errors.INVALID_DATA(`${data.root} has too few clips to split (${data.files.length}): give more clips per class or another --test-fraction`);
  }
  return { train: kept, test: heldOut };
}

/** What makes two runs' records comparable: the data's content listing and every setting that changes a cell's numbers. */
async function identityOf(spec: SweepSpec, data: LabelledData): Promise<StoreIdentity> {
  const listing = createHash('sha256');
  for (const f of data.files) {
    const s = await stat(join(data.root, f));
    listing.update(`${f}\t${s.size}\t${s.mtimeMs}\n`);
  }
  const probeHashes: Record<string, string> = {};
  for (const [model, path] of Object.entries(spec.probes)) probeHashes[model] = createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16);
  const describe = {
    data: spec.data,
    dataListing: listing.digest('hex').slice(0, 16),
    classes: data.classes,
    protocol: spec.protocol,
    probes: probeHashes,
    // Only for wake-word sweeps: other folders keep their fingerprint.
    ...(spec.wakeword ? { wakeword: { probe: spec.wakeword.probe, threshold: spec.wakeword.threshold } } : {}),
    testFraction: spec.testFraction,
    splitSeed: spec.splitSeed,
    receiver: spec.receiver,
    snrMode: spec.snrMode,
    recipe: spec.recipe,
    cleanReference: spec.cleanReference,
    rirDirs: spec.rirDirs,
    // Only when there are some: folders written before IR files could be rooms keep their fingerprint.
    ...(spec.rirFiles.length > 0 ? { rirFiles: spec.rirFiles } : {}),
    noiseDirs: spec.noiseDirs,
    modelsDir: spec.modelsDir ?? null,
  };
  return { fingerprint: createHash('sha256').update(JSON.stringify(describe)).digest('hex').slice(0, 24), describe };
}
