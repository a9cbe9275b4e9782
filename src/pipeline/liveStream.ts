import { randomUUID } from 'node:crypto';
import { asyncScheduler, BehaviorSubject, connectable, map, merge, Subject, tap, type Observable, type OperatorFunction, type SchedulerLike, type Subscription } from '../rxjs.ts';
import type { AudioReader } from '../audio/audioReader.ts';
import { openAudioStream } from '../audio/convertReader.ts';
import { Errors } from '../errors.ts';
import { loadProbeManifest } from '../probes/probeManifest.ts';
import { validateCondition, type Condition } from '../scene/condition.ts';
import { prepareScene, type PreparedScene } from '../scene/prepare.ts';
import { checkLiveCondition } from '../scene/streamingScene.ts';
import { audioFrames } from './audioFrames.ts';
import { encodeWindows, type DropPolicy } from './encodeWindows.ts';
import { fileSource } from './fileSource.ts';
import { CpuMeter, meterCpu } from './meterCpu.ts';
import { quantile } from './metricsInternals.ts';
import { findInputDevice, loadPortAudio, micSource } from './micSource.ts';
import { probeWindows, type LoadedProbe } from './probeWindows.ts';
import { pushSource } from './pushSource.ts';
import { renderScene, type VersionedScene } from './renderScene.ts';
import { renderSceneOffThread } from './renderSceneOffThread.ts';
import { resample } from './resample.ts';
import { slidingWindows } from './slidingWindows.ts';
import { probeSettings, validateStreamConfig } from './streamConfig.ts';
import { smoothProbe } from './smoothProbe.ts';
import { wakeWordWindows, type LoadedWakeWord } from './wakeWordWindows.ts';
import { loadProbes, checkSceneFits } from './liveStreamInternals.ts';
import type { AppliedCondition, AudioFrame, LiveStream, LiveStreamDeps, ProbeSettings, SceneChunk, SourceChunk, StreamConfig, StreamStats, WindowResult } from './types.ts';
import { LIVE_VAD_CHUNK_SAMPLES, VadTracker } from './vadInternals.ts';
import { encoderWindowEmbedder, openWindowEmbedder, type WindowEmbedder } from './windowEmbedder.ts';
import { windowMetrics, type MeasuredWindow } from './windowMetrics.ts';

/** Chunk sizes of paced and unpaced file sources, the audio$ frame, latencies kept for the stats. */
const REALTIME_CHUNK_S = 0.02;
const FAST_CHUNK_S = 0.1;
const AUDIO_FRAME_S = 0.1;
const LATENCIES_KEPT = 1024;
/**
 * Live drop policy: latest wins with the newest two windows kept waiting per
 * model. Two rather than one absorbs a stall of about three hops (a GC pause,
 * a core taken by another process) without a drop, and bounds the delay a
 * window can build up under sustained overload to two hops (160 ms for the
 * speech embedding).
 */
export const LIVE_PENDING_WINDOWS = 2;
/** A live stream's VAD skips audio rather than fall further behind than this. */
const VAD_MAX_BACKLOG_S = 1;
/** An unpaced file runs at most this far ahead of the slowest model's results (plus its longest window). */
const FAST_LOOKAHEAD_S = 2;

/**
 * Start a stream (see `LiveStream` in types.ts): open the models on the
 * shared pool, load the probes, prepare the condition's scene and open the
 * source (a file is decoded, a microphone found) — any of which rejects
 * with a clear EARSHOT_* error before anything runs — then run
 *
 *   source -> resample -> renderScene -> (per model) slidingWindows ->
 *   encodeWindows -> probeWindows -> windowMetrics -> results$
 *                                 \-> audioFrames -> audio$
 *
 * (with `renderOffThread`, resample and renderScene run together on the
 * stream's own thread: renderSceneOffThread).
 *
 * The pipeline is hot: audio flows from the scheduler's next turn (subscribe
 * to results$ and audio$ right after awaiting this), and runs until the file ends (results$ completes),
 * an error (results$ errors) or stop(). Drop policy: live sources (paced
 * file, microphone, push) use 'latest' with LIVE_PENDING_WINDOWS waiting
 * (see encodeWindows), counted in droppedTotal and stats(); an unpaced file
 * drops nothing and reads ahead at most FAST_LOOKAHEAD_S past the slowest
 * model's results.
 *
 * @example
 * const stream = await createLiveStream(config, { pool, banks, models });
 * stream.results$.subscribe((r) => console.log(r.model, r.seq, r.metrics.cosine));
 * await stream.setCondition({ ...config.condition, snrDb: 0 });
 */
export async function createLiveStream(input: StreamConfig, deps: LiveStreamDeps): Promise<LiveStream> {
  const config = validateStreamConfig(input);
  // The source first: a missing file or microphone fails before any model is opened.
  const src = config.source;
  // A file is opened here (its header read), then read block by block as the stream runs.
  const file = src.kind === 'file' ? await openFileOnce(src.path) : null;
  try {
    const stream = await startStream(config, deps, file);
    // fileSource takes the opened reader once audio flows (a scheduler turn after start); a stream stopped before that never took it.
    if (file) stream.results$.subscribe({ error: () => void file.close(), complete: () => void file.close() });
    return stream;
  } catch (err) {
    await file?.close();
    throw err;
  }
}

async function startStream(config: StreamConfig, deps: LiveStreamDeps, file: ReopenableFile | null): Promise<LiveStream> {
  const src = config.source;
  const mic = src.kind === 'mic' ? await (async () => { const portAudio = await loadPortAudio(); return { portAudio, device: await findInputDevice(src.device, portAudio) }; })() : null;
  const embedders = await Promise.all(
    config.models.map((id) => (deps.encoders?.[id] ? encoderWindowEmbedder(deps.encoders[id]) : openWindowEmbedder(deps.models.require(id), deps.pool))),
  );
  const rates = [...new Set(embedders.map((e) => e.manifest.sampleRateHz))];
  if (rates.length > 1) throw new Errors.INVALID_OPTION(`the models run at different rates (${config.models.map((m, i) => `${m}: ${embedders[i].manifest.sampleRateHz} Hz`).join(', ')}); stream models of one rate together`);
  const probes = await loadProbes(config.probes, embedders, deps.pool, config.hopS);
  const scene = await prepareScene(config.condition, deps.banks, rates[0], { simulateRir: deps.simulateRir });
  checkSceneFits(scene, embedders);
  const scheduler = deps.scheduler ?? asyncScheduler;
  let vad: VadTracker | null = null;
  if (config.vad !== false && rates[0] === 16000) {
    const keepS = Math.max(...embedders.map((e) => e.spec(config.hopS).windowS)) + 5;
    const maxBacklogS = src.kind === 'file' && !src.realtime ? Infinity : VAD_MAX_BACKLOG_S;
    vad = await Promise.resolve()
      .then(() => deps.pool.open(loadProbeManifest('silero-vad').paths.model))
      .then(
        (graph) => new VadTracker(graph, { maxBacklogS, keepS, chunkSamples: LIVE_VAD_CHUNK_SAMPLES }),
        (err: Error) => (deps.log?.(`VAD off: ${err.message}`), null),
      );
  }
  const stream = new Live(config, deps, scheduler, embedders, probes.linear, probes.wake, scene, vad);
  const source: Observable<SourceChunk> =
    file !== null && src.kind === 'file'
      ? fileSource({ file, realtime: src.realtime, loop: src.loop, chunkS: src.realtime ? REALTIME_CHUNK_S : FAST_CHUNK_S, until$: src.realtime ? undefined : stream.until$, scheduler })
      : mic !== null
        ? micSource({ ...mic, scheduler })
        : pushSource(stream.pushed$, { sampleRateHz: (src as { sampleRateHz: number }).sampleRateHz, scheduler });
  stream.start(source, src.kind === 'file' && !src.realtime ? 'all' : 'latest');
  return stream;
}

class Live implements LiveStream {
  readonly id = randomUUID();
  readonly results$: Observable<WindowResult>;
  readonly audio$: Observable<AudioFrame>;
  readonly condition$: Observable<AppliedCondition>;
  /** Unpaced file sources read up to this stream time. */
  readonly until$: BehaviorSubject<number>;
  readonly pushed$ = new Subject<Float32Array>();
  private readonly results = new Subject<WindowResult>();
  private readonly audio = new Subject<AudioFrame>();
  private readonly conditions: BehaviorSubject<AppliedCondition>;
  private readonly settings: BehaviorSubject<ProbeSettings>;
  readonly probeSettings$: Observable<ProbeSettings>;
  private readonly scenes: BehaviorSubject<VersionedScene>;
  private readonly counts: Record<string, { windows: number; dropped: number; lastT1S: number }>;
  private readonly latencies = new Float64Array(LATENCIES_KEPT);
  private latencyCount = 0;
  private subscription: Subscription | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  private requests = 0;
  private stopped = false;
  private readonly lookaheadS: number;
  private readonly cpu = new CpuMeter();
  /** Time the stream's own scene thread has worked, resampling and rendering (renderOffThread only). */
  private readonly sceneThreadCpu = new CpuMeter();

  constructor(
    readonly config: StreamConfig,
    private readonly deps: LiveStreamDeps,
    private readonly scheduler: SchedulerLike,
    private readonly embedders: WindowEmbedder[],
    private readonly probes: (LoadedProbe | null)[],
    private readonly wake: (LoadedWakeWord | null)[],
    scene: PreparedScene,
    private readonly vad: VadTracker | null,
  ) {
    this.scenes = new BehaviorSubject<VersionedScene>({ scene, version: 0 });
    this.conditions = new BehaviorSubject<AppliedCondition>({ condition: config.condition, conditionVersion: 0, warnings: scene.warnings });
    this.results$ = this.results.asObservable();
    this.audio$ = this.audio.asObservable();
    this.condition$ = this.conditions.asObservable();
    this.settings = new BehaviorSubject(probeSettings(config));
    this.probeSettings$ = this.settings.asObservable();
    this.counts = Object.fromEntries(config.models.map((m) => [m, { windows: 0, dropped: 0, lastT1S: 0 }]));
    const specs = embedders.map((e) => e.spec(config.hopS));
    this.lookaheadS = Math.max(...specs.map((s) => Math.max(s.windowS, s.hopS))) + FAST_LOOKAHEAD_S;
    this.until$ = new BehaviorSubject(this.lookaheadS);
  }

  start(source: Observable<SourceChunk>, policy: DropPolicy): void {
    const sr = this.embedders[0].manifest.sampleRateHz;
    const render: OperatorFunction<SourceChunk, SceneChunk> = this.deps.renderOffThread
      ? renderSceneOffThread(this.scenes, { toRateHz: sr, threadTime: this.sceneThreadCpu })
      : (chunks) => chunks.pipe(resample({ toRateHz: sr }), renderScene(this.scenes));
    const scene$ = connectable(
      source.pipe(
        meterCpu(this.cpu),
        render,
        tap((c) => this.vad?.push(c.clean, c.startSample)),
      ),
      { connector: () => new Subject(), resetOnDisconnect: false },
    );
    const perModel = this.embedders.map((e, i) =>
      scene$.pipe(
        slidingWindows({ model: this.config.models[i], channels: e.manifest.channels, spec: e.spec(this.config.hopS) }),
        encodeWindows((w) => this.track(e.embed(w)), { policy, maxPending: LIVE_PENDING_WINDOWS, scheduler: this.scheduler, onDrop: (w) => this.counts[w.model].dropped++ }),
        meterCpu(this.cpu),
        probeWindows(this.probes[i]),
        smoothProbe(this.settings),
        wakeWordWindows(this.wake[i], this.settings),
        windowMetrics({ ckaWindows: this.config.ckaWindows, vad: this.vad }),
      ),
    );
    const results = merge(...perModel).pipe(map((w) => this.toResult(w)), tap((r) => this.sent(r)));
    const frames = scene$.pipe(audioFrames({ frameS: AUDIO_FRAME_S }), tap((f) => this.audio.next({ streamId: this.id, ...f })));
    this.subscription = merge(results, frames).subscribe({
      error: (err) => this.end(err),
      complete: () => this.end(),
    });
    // Audio starts flowing on the next scheduler turn, so whoever awaited createLiveStream has subscribed by then.
    const subscription = this.subscription;
    subscription.add(this.scheduler.schedule(() => subscription.add(scene$.connect())));
  }

  async setCondition(input: Condition): Promise<void> {
    const condition = validateCondition(input);
    checkLiveCondition(condition);
    const ticket = ++this.requests;
    const scene = await prepareScene(condition, this.deps.banks, this.embedders[0].manifest.sampleRateHz, { simulateRir: this.deps.simulateRir });
    checkSceneFits(scene, this.embedders);
    // A newer request, or stop(), while this one was being prepared: it never plays.
    if (ticket !== this.requests || this.stopped) return;
    const version = this.conditions.value.conditionVersion + 1;
    this.scenes.next({ scene, version });
    this.conditions.next({ condition, conditionVersion: version, warnings: scene.warnings });
  }

  setProbeSettings(change: Partial<ProbeSettings>): ProbeSettings {
    const next = probeSettings({ ...this.settings.value, ...change });
    if (!this.stopped) this.settings.next(next);
    return next;
  }

  push(samples: Float32Array): void {
    if (this.config.source.kind !== 'push') throw new Errors.INVALID_OPTION(`push() feeds 'push' sources; this stream reads a ${this.config.source.kind}`);
    if (!(samples instanceof Float32Array)) throw new Errors.INVALID_OPTION('push() takes a Float32Array of mono samples');
    if (!this.stopped) this.pushed$.next(samples);
  }

  stats(): StreamStats {
    const models = Object.fromEntries(Object.entries(this.counts).map(([m, c]) => [m, { windows: c.windows, dropped: c.dropped }]));
    const kept = this.latencies.subarray(0, Math.min(this.latencyCount, LATENCIES_KEPT));
    return {
      windows: Object.values(this.counts).reduce((n, c) => n + c.windows, 0),
      dropped: Object.values(this.counts).reduce((n, c) => n + c.dropped, 0),
      latencyMsP50: quantile(kept, 0.5),
      latencyMsP99: quantile(kept, 0.99),
      mainThreadMs: this.cpu.totalMs,
      ...(this.deps.renderOffThread ? { sceneThreadMs: this.sceneThreadCpu.totalMs } : {}),
      models,
    };
  }

  /**
   * Ends the stream, then waits for its graph calls under way to finish, so
   * that a host may close the pool once every stream's stop() has resolved
   * (closing an OnnxPool with a run in flight aborts the process).
   */
  async stop(): Promise<void> {
    this.end();
    await Promise.allSettled([...this.inflight]);
    await this.vad?.idle();
  }

  private track<T>(call: Promise<T>): Promise<T> {
    this.inflight.add(call);
    const done = () => void this.inflight.delete(call);
    call.then(done, done);
    return call;
  }

  private toResult(w: MeasuredWindow): WindowResult {
    return {
      streamId: this.id,
      model: w.model,
      seq: w.seq,
      t0S: w.t0S,
      t1S: w.t1S,
      capturedAtMs: w.capturedAtMs,
      encodedAtMs: w.encodedAtMs,
      sentAtMs: this.scheduler.now(),
      conditionVersion: w.conditionVersion,
      clean: w.cleanEmbedding,
      degraded: w.degradedEmbedding,
      probe: w.probe,
      wakeword: w.wakeword,
      metrics: w.metrics,
      droppedTotal: w.droppedTotal,
    };
  }

  private sent(r: WindowResult): void {
    const c = this.counts[r.model];
    c.windows++;
    c.lastT1S = r.t1S;
    this.latencies[this.latencyCount++ % LATENCIES_KEPT] = r.sentAtMs - r.capturedAtMs;
    this.results.next(r);
    // Let an unpaced file read on, off this call stack (its chunks would otherwise re-enter the pipeline here).
    const until = Math.min(...Object.values(this.counts).map((m) => m.lastT1S)) + this.lookaheadS;
    if (until > this.until$.value) this.scheduler.schedule(() => this.until$.next(Math.max(until, this.until$.value)));
  }

  private end(err?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.vad?.dispose();
    this.pushed$.complete();
    this.until$.complete();
    if (err === undefined) this.results.complete();
    else this.results.error(err);
    this.audio.complete();
    this.conditions.complete();
    this.settings.complete();
  }
}

/** A file for fileSource: its rate, and its mono reader (the one opened first, then fresh ones for loops and later subscribers). */
interface ReopenableFile {
  sampleRateHz: number;
  open(): Promise<AudioReader>;
  close(): Promise<void>;
}

async function openFileOnce(path: string): Promise<ReopenableFile> {
  let first: AudioReader | null = await openAudioStream(path, { mono: true });
  const sampleRateHz = first.sampleRateHz;
  return {
    sampleRateHz,
    async open() {
      const reader = first ?? (await openAudioStream(path, { mono: true }));
      first = null;
      return reader;
    },
    async close() {
      await first?.close();
      first = null;
    },
  };
}
