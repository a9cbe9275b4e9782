import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { loadAudio } from '../audio/load.ts';
import { adaptChannels } from '../encoders/adaptChannels.ts';
import { createEncoder } from '../encoders/index.ts';
import { ModelRegistry, type ModelEntry } from '../encoders/registry.ts';
import { createInProcessLoader } from '../encoders/runtime/inProcess.ts';
import type { Encoder } from '../encoders/types.ts';
import { predictProbe, trainProbe, type FittedProbe } from '../probes/linearProbe.ts';
import { fromProbeFile } from '../probes/probeFile.ts';
import { prepareScene, type PreparedScene } from '../scene/prepare.ts';
import { openBanks, renderScene, SCENE_LEVEL_DBFS, type SceneBanks } from '../scene/render.ts';
import { normalizeRms } from '../dsp/level.ts';
import { hashSeed } from '../random.ts';
import { cosineSimilarity } from '../pipeline/metricsInternals.ts';
import { cachedLoad } from '../cachedLoad.ts';
import { Errors, isEarshotError } from '../errors.ts';
import { EmbeddingCache } from './embeddingCache.ts';
import { cellCondition } from './grid.ts';
import { roundForStore } from './store.ts';
import { openWakeWordHeads, type WakeWordHead } from '../probes/wakeword.ts';
import type { Cell, CellRecord, SweepContext, SweepSpec, WakeWordRecord } from './types.ts';

/**
 * Clips are rendered a batch at a time, then encoded: the model's runs follow
 * one another with its weights warm in the core's cache instead of
 * alternating with rendering.
 */
const RENDER_BATCH = 16;

/** Decoded clips a thread keeps: 64 M samples (256 MB, about 67 minutes at 16 kHz). */
const CLIP_CACHE_SAMPLES = 64 * 2 ** 20;

interface LoadedModel {
  entry: ModelEntry;
  encoder: Encoder;
}

interface Clip {
  key: string;
  samples: Float32Array;
}

/**
 * The work of one thread of a sweep: clean embeddings and cells. It keeps what
 * cells share (encoders on an in-process ONNX session, scene banks, decoded
 * clips, unpacked probes), so a thread pays for each once. Everything a cell
 * computes depends only on the context and the cell: any thread, here or on
 * another machine, gives the same record.
 */
export class CellWorker {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly caches = new Map<string, Promise<EmbeddingCache>>();
  private readonly scenes = new LRUCache<string, Promise<PreparedScene>>({ max: 4 });
  private readonly banks = new Map<string, Promise<SceneBanks>>();
  private readonly clips = new LRUCache<string, Promise<Clip>>({ maxSize: CLIP_CACHE_SAMPLES });
  private readonly probes = new LRUCache<string, ReturnType<typeof fromProbeFile>>({ max: 16 });
  private readonly wakeHeads = new Map<string, Promise<WakeWordHead[]>>();
  readonly name = `${hostname()}/${process.pid}/t${threadId}`;
  private stopped = false;

  /** Make the task under way (and any later one) give up at its next clip. */
  stop(): void {
    this.stopped = true;
  }

  private checkStopped(): void {
    if (this.stopped) throw new Errors.POOL_CLOSED('the sweep was stopped');
  }

  /** Clean scene embeddings of some clips of the data folder, through the cache when one is given. */
  async embedClean(spec: SweepSpec, model: string, files: string[], cacheDir: string | null): Promise<{ embeddings: Float32Array[]; cached: number }> {
    const { encoder, cache } = await this.model(spec, model, cacheDir);
    const out: Float32Array[] = [];
    let cached = 0;
    const failures: string[] = [];
    for (const file of files) {
      this.checkStopped();
      const clip = await this.clip(spec.data, file, encoder.manifest.sampleRateHz).catch((err: unknown) => {
        if (!isEarshotError(err)) throw err;
        failures.push(err.message);
        return null;
      });
      // After a bad clip the call fails anyway: go on decoding, to name every bad clip, but stop encoding.
      if (clip === null || failures.length > 0) continue;
      // The levelled reference: the clip at the level renderScene gives the talker (its first step), cached apart from the original.
      const levelled = spec.cleanReference === 'levelled';
      const key = levelled ? `${clip.key}-rms${SCENE_LEVEL_DBFS}dbfs` : clip.key;
      let embedding = cache ? await cache.get(key, encoder.manifest.embeddingSize) : null;
      if (embedding === null) {
        const samples = levelled ? normalizeRms([clip.samples], SCENE_LEVEL_DBFS)[0] : clip.samples;
        embedding = await encoder.sceneEmbedding(adaptChannels([samples], encoder.manifest.channels, encoder.manifest.id));
        await cache?.put(key, embedding);
      } else {
        cached++;
      }
      out.push(embedding);
    }
    if (failures.length > 0) throw new Errors.INVALID_DATA(`${failures.length} clip(s) in ${spec.data} could not be read: ${failures.join('; ')}`);
    return { embeddings: out, cached };
  }

  /** Load the model and the scene banks and decode the clips, ahead of the cells that need them. */
  async warmUp(spec: SweepSpec, model: string, files: string[]): Promise<void> {
    const { encoder } = await this.model(spec, model, null);
    await this.sceneBanks(spec);
    for (const file of files) {
      this.checkStopped();
      await this.clip(spec.data, file, encoder.manifest.sampleRateHz).catch(() => {}); // a bad clip fails its cell, with its name
    }
  }

  /**
   * Render the cell's condition over the test clips (and, matched, the
   * training clips), embed, probe, compare. `part` limits it to a range of
   * the test clips (protocols with a fixed probe only): the parts of a cell,
   * joined, are the whole cell's record.
   */
  async runCell(context: SweepContext, cell: Cell, part?: { from: number; to: number }): Promise<CellRecord> {
    const started = performance.now();
    const { spec } = context;
    const { encoder } = await this.model(spec, cell.model, null);
    const scene = await this.scene(spec, cell, encoder.manifest);
    const embed = (indices: number[]) => this.embedDegraded(context, indices, scene, encoder, cell.seed, (channels) => encoder.sceneEmbedding(channels));
    if (spec.protocol === 'wakeword') return this.wakeWordCell(context, cell, part, scene, encoder, started);
    let probe: Pick<FittedProbe, 'mean' | 'std' | 'model'>;
    if (spec.protocol === 'matched') {
      if (part) throw new Errors.INVALID_OPTION('a matched cell trains its own probe and cannot be split');
      const train = await embed(context.train);
      probe = trainProbe(train, Int32Array.from(context.train, (i) => context.labels[i]), context.classes.length, { seed: spec.splitSeed });
    } else {
      probe = this.probe(context, cell.model);
    }
    const from = part?.from ?? 0;
    const test = await embed(context.test.slice(from, part?.to ?? context.test.length));
    return this.record(context, cell, from, started, test, test.map((e) => Array.from(predictProbe(probe, e), roundForStore)));
  }

  /** A cell's record: its probabilities, and the cosine of each clip's degraded scene embedding (test clips from `from` on) to its clean one. */
  private record(context: SweepContext, cell: Cell, from: number, started: number, embeddings: Float32Array[], probabilities: number[][], wakeword?: WakeWordRecord): CellRecord {
    const { spec } = context;
    const clean = context.cleanTest[cell.model]?.slice(from, from + embeddings.length);
    if (!clean || clean.length !== embeddings.length) throw new Errors.INVALID_OPTION(`the sweep context holds no clean embeddings of model "${cell.model}"`);
    return {
      kind: 'cell',
      key: cell.key,
      cell,
      snrMode: spec.snrMode,
      recipe: spec.recipe,
      cleanReference: spec.cleanReference,
      probabilities,
      cosine: embeddings.map((e, i) => roundForStore(cosineSimilarity(e, clean[i]))),
      ...(wakeword ? { wakeword } : {}),
      elapsedS: roundForStore((performance.now() - started) / 1000),
      worker: this.name,
    };
  }

  /** The cell's prepared room and noise; the last few are kept, for the parts of a cell that land on this thread. */
  private async scene(spec: SweepSpec, cell: Cell, manifest: Encoder['manifest']): Promise<PreparedScene> {
    const key = `${cell.key}|${spec.snrMode}|${spec.recipe}|${manifest.sampleRateHz}|${manifest.channels}`;
    const banks = await this.sceneBanks(spec);
    return cachedLoad(this.scenes, key, () => prepareScene(cellCondition(cell, spec.receiver, manifest.channels, spec), banks, manifest.sampleRateHz));
  }


  /**
   * A wake-word cell: each test clip rendered, its timestamp embeddings scored
   * by every head (clip score: max over windows; detections: upward crossings
   * of the threshold). `probabilities` holds, per class, the clip score of the
   * head named after it, and the threshold under any other class, so that
   * top-1 counts a clip right when the head of its folder fires (or none, for a negative).
   */
  private async wakeWordCell(context: SweepContext, cell: Cell, part: { from: number; to: number } | undefined, scene: PreparedScene, encoder: Encoder, started: number): Promise<CellRecord> {
    const { probe, threshold } = context.spec.wakeword!;
    const names = context.wakeHeads ?? [];
    const all = await this.heads(probe);
    const heads = names.map((n) => all.find((h) => h.id === n)!);
    const from = part?.from ?? 0;
    const indices = context.test.slice(from, part?.to ?? context.test.length);
    const rate = encoder.manifest.sampleRateHz;
    const scored = await this.embedDegraded(context, indices, scene, encoder, cell.seed, async (channels) => {
      const frames = await encoder.timestampEmbeddings(channels);
      const sceneEmbedding = new Float32Array(frames.dim);
      for (let f = 0; f < frames.frames; f++) for (let d = 0; d < frames.dim; d++) sceneEmbedding[d] += frames.embeddings[f * frames.dim + d] / Math.max(1, frames.frames);
      const tracks = await Promise.all(heads.map((h) => h.scoreTrack(frames)));
      return {
        sceneEmbedding,
        durationS: channels[0].length / rate,
        max: tracks.map((t) => t.scores.reduce((a, b) => Math.max(a, b), 0)),
        accepts: tracks.map((t) => t.scores.reduce((n, x, k) => n + (x >= threshold && (k === 0 || t.scores[k - 1] < threshold) ? 1 : 0), 0)),
      };
    });
    const wakeword: WakeWordRecord = { accepts: scored.map((s) => s.accepts), durationS: scored.map((s) => roundForStore(s.durationS)) };
    const probabilities = scored.map((s) => context.classes.map((c) => (names.includes(c) ? roundForStore(s.max[names.indexOf(c)]) : threshold)));
    return this.record(context, cell, from, started, scored.map((s) => s.sceneEmbedding), probabilities, wakeword);
  }

  /** The heads of a wake-word probe manifest, on this thread's own sessions. */
  private heads(probe: string): Promise<WakeWordHead[]> {
    return cachedLoad(this.wakeHeads, probe, () => openWakeWordHeads(createInProcessLoader(), probe));
  }

  private async embedDegraded<T>(context: SweepContext, indices: number[], scene: PreparedScene, encoder: Encoder, seed: number, encode: (channels: Float32Array[]) => Promise<T>): Promise<T[]> {
    const { manifest } = encoder;
    const out: T[] = [];
    for (let start = 0; start < indices.length; start += RENDER_BATCH) {
      this.checkStopped();
      const rendered: Float32Array[][] = [];
      for (const i of indices.slice(start, start + RENDER_BATCH)) {
        const file = context.files[i];
        const clip = await this.clip(context.spec.data, file, manifest.sampleRateHz);
        // Each clip draws its own noise, from the cell's seed and its path: order and thread do not matter.
        rendered.push(adaptChannels(renderScene(clip.samples, scene, { clipSeed: hashSeed(seed, file) }).channels, manifest.channels, manifest.id));
      }
      for (const channels of rendered) out.push(await encode(channels));
    }
    return out;
  }


  private probe(context: SweepContext, model: string): Pick<FittedProbe, 'mean' | 'std' | 'model'> {
    const key = `${context.id}|${model}`;
    let probe = this.probes.get(key);
    if (probe === undefined) {
      const file = context.probes[model];
      if (!file) throw new Errors.INVALID_PROBE(`the sweep context holds no probe for model "${model}"`);
      this.probes.set(key, (probe = fromProbeFile(file)));
    }
    return probe;
  }

  private model(spec: SweepSpec, id: string, cacheDir: string | null): Promise<LoadedModel & { cache: EmbeddingCache | null }> {
    const key = `${spec.modelsDir ?? ''}|${id}`;
    const loaded = cachedLoad(this.models, key, async () => {
      const registry = await ModelRegistry.open({ userDirs: spec.modelsDir ? [spec.modelsDir] : [] });
      const entry = registry.require(id);
      return { entry, encoder: await createEncoder(entry, createInProcessLoader()) };
    });
    return loaded.then(async (m) => ({ ...m, cache: cacheDir ? await this.cache(cacheDir, m.entry) : null }));
  }

  private cache(cacheDir: string, entry: ModelEntry): Promise<EmbeddingCache> {
    const key = `${cacheDir}|${entry.manifestPath}`;
    return cachedLoad(this.caches, key, () => EmbeddingCache.forModel(cacheDir, entry));
  }

  private sceneBanks(spec: SweepSpec): Promise<SceneBanks> {
    const key = JSON.stringify([spec.rirDirs, spec.rirFiles, spec.noiseDirs]);
    return cachedLoad(this.banks, key, () => openBanks({ rirDirs: spec.rirDirs, rirFiles: spec.rirFiles, noiseDirs: spec.noiseDirs }));
  }

  /**
   * A clip decoded to mono at the model's rate, with the hash of those samples.
   * Decoded clips are kept, the least recently used dropped beyond
   * CLIP_CACHE_SAMPLES, so a thread decodes a test set once per sweep when it fits.
   */
  private clip(root: string, file: string, sampleRateHz: number): Promise<Clip> {
    const path = join(root, file);
    const load = async (): Promise<Clip> => {
      const samples = (await loadAudio(path, { sampleRateHz, mono: true })).channels[0];
      return { key: EmbeddingCache.clipKey(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)), samples };
    };
    return cachedLoad(this.clips, `${sampleRateHz}|${path}`, load, (c) => c.samples.length);
  }


}
