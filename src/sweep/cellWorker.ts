import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { loadAudio } from '../audio/load.ts';
import { adaptChannels } from '../encoders/adaptChannels.ts';
import { createEncoder } from '../encoders/index.ts';
import { ModelRegistry, type ModelEntry } from '../encoders/registry.ts';
import { createInProcessLoader } from '../encoders/runtime/inProcess.ts';
import type { Encoder } from '../encoders/types.ts';
import { predictProbe, trainProbe, type FittedProbe } from '../probes/linearProbe.ts';
import { fromProbeFile } from '../probes/probeFile.ts';
import { prepareScene, type PreparedScene } from '../scene/prepare.ts';
import { openBanks, renderScene, type SceneBanks } from '../scene/render.ts';
import { hashSeed } from '../random.ts';
import { cosineSimilarity } from '../pipeline/metricsInternals.ts';
import { Errors, isEarshotError } from '../errors.ts';
import { EmbeddingCache } from './embeddingCache.ts';
import { cellCondition, receiverFor } from './grid.ts';
import type { Cell, CellRecord, SweepContext, SweepSpec } from './types.ts';

/** Probabilities and cosines are stored with 7 significant digits (float32 precision). */
const round = (x: number): number => Number(x.toPrecision(7));

interface LoadedModel {
  encoder: Encoder;
  cache: EmbeddingCache | null;
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
  private readonly banks = new Map<string, Promise<SceneBanks>>();
  private readonly clips = new Map<string, Promise<Clip>>();
  private readonly probes = new Map<string, ReturnType<typeof fromProbeFile>>();
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
      let embedding = cache ? await cache.get(clip.key, encoder.manifest.embeddingSize) : null;
      if (embedding === null) {
        embedding = await encoder.sceneEmbedding(adaptChannels([clip.samples], encoder.manifest.channels, encoder.manifest.id));
        await cache?.put(clip.key, embedding);
      } else {
        cached++;
      }
      out.push(embedding);
    }
    if (failures.length > 0) throw new Errors.INVALID_DATA(`${failures.length} clip(s) in ${spec.data} could not be read: ${failures.join('; ')}`);
    return { embeddings: out, cached };
  }

  /** Render the cell's condition over the test clips (and, matched, the training clips), embed, probe, compare. */
  async runCell(context: SweepContext, cell: Cell): Promise<CellRecord> {
    const started = performance.now();
    const { spec } = context;
    const { encoder } = await this.model(spec, cell.model, null);
    const { manifest } = encoder;
    const condition = cellCondition(cell, receiverFor(spec.receiver, manifest.channels));
    const scene = await prepareScene(condition, await this.sceneBanks(spec), manifest.sampleRateHz);
    const embed = (indices: number[]) => this.embedDegraded(context, indices, scene, encoder, cell.seed);
    let probe: Pick<FittedProbe, 'mean' | 'std' | 'model'>;
    if (spec.protocol === 'matched') {
      const train = await embed(context.train);
      probe = trainProbe(train, Int32Array.from(context.train, (i) => context.labels[i]), context.classes.length, { seed: spec.splitSeed });
    } else {
      probe = this.probe(context, cell.model);
    }
    const test = await embed(context.test);
    const clean = context.cleanTest[cell.model];
    if (!clean || clean.length !== test.length) throw new Errors.INVALID_OPTION(`the sweep context holds no clean embeddings of model "${cell.model}"`);
    return {
      kind: 'cell',
      key: cell.key,
      cell,
      probabilities: test.map((e) => Array.from(predictProbe(probe, e), round)),
      cosine: test.map((e, i) => round(cosineSimilarity(e, clean[i]))),
      elapsedS: round((performance.now() - started) / 1000),
      worker: this.name,
    };
  }

  private async embedDegraded(context: SweepContext, indices: number[], scene: PreparedScene, encoder: Encoder, seed: number): Promise<Float32Array[]> {
    const { manifest } = encoder;
    const out: Float32Array[] = [];
    for (const i of indices) {
      this.checkStopped();
      const file = context.files[i];
      const clip = await this.clip(context.spec.data, file, manifest.sampleRateHz);
      // Each clip draws its own noise, from the cell's seed and its path: order and thread do not matter.
      const channels = renderScene(clip.samples, scene, { clipSeed: hashSeed(seed, file) }).channels;
      out.push(await encoder.sceneEmbedding(adaptChannels(channels, manifest.channels, manifest.id)));
    }
    return out;
  }

  private probe(context: SweepContext, model: string): Pick<FittedProbe, 'mean' | 'std' | 'model'> {
    const key = `${context.id}|${model}`;
    let probe = this.probes.get(key);
    if (probe === undefined) {
      const file = context.probes[model];
      if (!file) throw new Errors.INVALID_PROBE(`the sweep context holds no probe for model "${model}"`);
      if (this.probes.size > 16) this.probes.clear();
      this.probes.set(key, (probe = fromProbeFile(file)));
    }
    return probe;
  }

  private model(spec: SweepSpec, id: string, cacheDir: string | null): Promise<LoadedModel> {
    const key = `${spec.modelsDir ?? ''}|${id}|${cacheDir ?? ''}`;
    let loaded = this.models.get(key);
    if (loaded === undefined) {
      loaded = (async () => {
        const registry = await ModelRegistry.open({ userDirs: spec.modelsDir ? [spec.modelsDir] : [] });
        const entry: ModelEntry = registry.require(id);
        const encoder = await createEncoder(entry, createInProcessLoader());
        return { encoder, cache: cacheDir ? await EmbeddingCache.forModel(cacheDir, entry) : null };
      })();
      this.models.set(key, loaded);
      loaded.catch(() => this.models.delete(key));
    }
    return loaded;
  }

  private sceneBanks(spec: SweepSpec): Promise<SceneBanks> {
    const key = JSON.stringify([spec.rirDirs, spec.noiseDirs]);
    let banks = this.banks.get(key);
    if (banks === undefined) {
      this.banks.set(key, (banks = openBanks({ rirDirs: spec.rirDirs, noiseDirs: spec.noiseDirs })));
      banks.catch(() => this.banks.delete(key));
    }
    return banks;
  }

  /** A clip decoded to mono at the model's rate, with the hash of those samples; kept for the life of the thread. */
  private clip(root: string, file: string, sampleRateHz: number): Promise<Clip> {
    const path = join(root, file);
    const key = `${sampleRateHz}|${path}`;
    let clip = this.clips.get(key);
    if (clip === undefined) {
      clip = (async () => {
        const samples = (await loadAudio(path, { sampleRateHz, mono: true })).channels[0];
        return { key: EmbeddingCache.clipKey(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)), samples };
      })();
      this.clips.set(key, clip);
      clip.catch(() => this.clips.delete(key));
    }
    return clip;
  }
}
