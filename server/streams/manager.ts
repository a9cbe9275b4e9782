import { map, merge } from '../../src/rxjs.ts';
import { Errors, isEarshotError } from '../../src/errors.ts';
import type { AppliedCondition, AudioFrame, LiveStream, ProbeSettings, StreamConfig, WindowResult } from '../../src/pipeline/types.ts';
import type { Condition } from '../../src/scene/condition.ts';
import { runOwnedBy, type FaultOwner } from '../faultScope.ts';
import { audioFrame, jsonFrame, resultFrame } from '../ws/frames.ts';
import { ManagedStream, type Subscriber } from './managedStream.ts';
import type { StreamConfigWire } from '../protocol/streamConfig.ts';
import type { StreamInfo } from '../protocol/rest.ts';
import { PushBudget } from './pushBudget.ts';

export interface StreamManagerOptions {
  /** Makes the pipeline for a resolved config. */
  create(config: StreamConfig): Promise<LiveStream>;
  maxStreams: number;
  /** Most streams one WebSocket connection (owner) may run at once. */
  maxStreamsPerClient: number;
  /** Pushed audio faster than this × real time (after `pushBurstS` s) is dropped. */
  maxPushSpeed: number;
  pushBurstS: number;
  statsIntervalMs: number;
  log: { warn(obj: object, msg: string): void };
  /** Applied to a failed stream's message before its clients see it (no server paths). */
  clientMessage?: (message: string) => string;
}

type Tagged = { result: WindowResult } | { audio: AudioFrame } | { condition: AppliedCondition } | { settings: ProbeSettings };

/** How long `stop()` waits for a pipeline to wind down before letting go of it. */
const STOP_TIMEOUT_MS = 5000;

/**
 * The running streams and who listens to them. Each stream's results and
 * audio are subscribed to once and fanned out: every message is serialised
 * once and handed to each subscriber's outbox, which never blocks, so a slow
 * client cannot slow the pipeline or the other clients. Streams started over
 * the WebSocket belong to their connection and stop when it goes; streams
 * started over REST run until deleted or their source ends.
 */
export class StreamManager {
  private readonly streams = new Map<string, ManagedStream>();
  private starting = 0;
  /** Streams being built, per owning connection (they count towards its limit). */
  private readonly startingFor = new Map<string, number>();
  private closing = false;
  private readonly statsTimer: NodeJS.Timeout;

  constructor(private readonly opts: StreamManagerOptions) {
    this.statsTimer = setInterval(() => this.sendStats(), opts.statsIntervalMs);
    this.statsTimer.unref();
  }

  list(): ManagedStream[] {
    return [...this.streams.values()];
  }

  /** The running streams' summaries; one whose stats fail is ended as failed and left out. */
  infos(): StreamInfo[] {
    return this.list().flatMap((s) => s.info() ?? []);
  }

  /** One stream's summary (UNKNOWN_ID when not running; STREAM_FAILED when reading its stats failed, which ended it). */
  info(id: string): StreamInfo {
    const info = this.get(id).info();
    if (info === null) throw new Errors.STREAM_FAILED(id, 'reading its stats failed, so it was stopped');
    return info;
  }

  /** A running stream by id; UNKNOWN_ID (404) lists the running ones. */
  get(id: string): ManagedStream {
    const s = this.streams.get(id);
    if (s === undefined) throw new Errors.UNKNOWN_ID('stream', String(id).slice(0, 200), [...this.streams.keys()].join(', ') || '(none running)');
    return s;
  }

  /**
   * Start a stream (TOO_MANY_STREAMS 429 past the server's limit,
   * TOO_MANY_CLIENT_STREAMS 429 past one connection's); its results flow to
   * subscribers from now on.
   */
  async start(wire: StreamConfigWire, config: StreamConfig, ownerId: string | null): Promise<ManagedStream> {
    if (this.streams.size + this.starting >= this.opts.maxStreams) throw new Errors.TOO_MANY_STREAMS(this.opts.maxStreams);
    const ownerKey = ownerId ?? '';
    if (ownerId !== null && this.ownedBy(ownerId) + (this.startingFor.get(ownerKey) ?? 0) >= this.opts.maxStreamsPerClient) {
      throw new Errors.TOO_MANY_CLIENT_STREAMS(this.opts.maxStreamsPerClient);
    }
    this.starting++;
    // Faults nobody catches in this stream's work (its pipeline's timers, promises and callbacks) end this stream only.
    const made: { stream?: ManagedStream } = {};
    const owner: FaultOwner = {
      get label() {
        return made.stream ? `stream ${made.stream.id}` : 'a stream being started';
      },
      end: (err) => made.stream && this.fail(made.stream, err),
    };
    this.startingFor.set(ownerKey, (this.startingFor.get(ownerKey) ?? 0) + 1);
    let live: LiveStream;
    try {
      live = await runOwnedBy(owner, () => this.opts.create(config));
    } finally {
      this.starting--;
      const left = (this.startingFor.get(ownerKey) ?? 1) - 1;
      if (left === 0) this.startingFor.delete(ownerKey);
      else this.startingFor.set(ownerKey, left);
    }
    if (this.closing) {
      await live.stop();
      throw new Errors.STREAM_FAILED(live.id, 'the server is shutting down');
    }
    const started = (made.stream = new ManagedStream(live, wire, ownerId, owner));
    if (wire.source.kind === 'push') started.pushBudget = new PushBudget(wire.source.sampleRateHz, this.opts.maxPushSpeed, this.opts.pushBurstS);
    this.streams.set(started.id, started);
    const tagged = [
      live.results$.pipe(map((result) => ({ result }))),
      live.audio$.pipe(map((audio) => ({ audio }))),
      live.condition$.pipe(map((condition) => ({ condition }))),
      live.probeSettings$.pipe(map((settings) => ({ settings }))),
    ];
    started.subscription = runOwnedBy(owner, () =>
      merge(...tagged).subscribe({
        next: (item) => this.forward(started, item),
        error: (err: unknown) => this.fail(started, err),
        complete: () => this.end(started, 'ended'),
      }),
    );
    return started;
  }

  private forward(stream: ManagedStream, item: Tagged): void {
    if ('result' in item) {
      stream.figuresFor(item.result.model).add(item.result);
      stream.broadcast(resultFrame(item.result), true);
    } else if ('audio' in item) {
      stream.broadcast(audioFrame(item.audio), true);
    } else if ('settings' in item) {
      stream.probeSettings = item.settings;
      stream.broadcast(jsonFrame({ type: 'probeSettings', streamId: stream.id, ...item.settings }), false);
    } else {
      const { condition, conditionVersion, warnings } = item.condition;
      Object.assign(stream, { condition, conditionVersion, warnings });
      stream.broadcast(jsonFrame({ type: 'condition', streamId: stream.id, condition, conditionVersion, warnings }), false);
    }
  }

  /** The stream failed (its pipeline errored, or a fault in its work went uncaught): its clients get an `error`, then `stopped` with the reason; other streams run on. */
  private fail(stream: ManagedStream, err: unknown): void {
    if (stream.stopped) return;
    const e = isEarshotError(err) ? err : new Errors.STREAM_FAILED(stream.id, (err as Error)?.message ?? String(err));
    const message = this.opts.clientMessage?.(e.message) ?? e.message;
    stream.broadcast(jsonFrame({ type: 'error', code: e.code, message, streamId: stream.id }), false);
    this.end(stream, `failed: ${message}`);
  }

  private ownedBy(ownerId: string): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.ownerId === ownerId) n++;
    return n;
  }

  subscribe(id: string, sub: Subscriber): ManagedStream {
    const stream = this.get(id);
    stream.subscribers.add(sub);
    return stream;
  }

  unsubscribe(id: string, sub: Subscriber): void {
    this.streams.get(id)?.subscribers.delete(sub);
  }

  /**
   * Change a stream's condition (already merged and validated). Resolves once
   * the pipeline has taken it; subscribers get a `condition` message with the
   * new version when it starts to play (from the pipeline's `condition$`).
   */
  async setCondition(id: string, condition: Condition): Promise<ManagedStream> {
    const stream = this.get(id);
    const previous = stream.requested;
    stream.requested = condition;
    try {
      // The scene for the new condition is prepared as the stream's own work.
      await runOwnedBy(stream.faultOwner, () => stream.live.setCondition(condition));
    } catch (err) {
      if (stream.requested === condition) stream.requested = previous;
      throw err;
    }
    return stream;
  }

  /**
   * Stop a stream and tell its subscribers why. `by` (a connection id, or
   * null for REST) must own it: NOT_OWNER (403) otherwise. Leave `by` out
   * for the server's own stops (end of source, owner gone, shutdown).
   */
  async stop(id: string, reason: string, by?: string | null): Promise<void> {
    const stream = this.get(id);
    if (by !== undefined && stream.ownerId !== by) {
      throw new Errors.NOT_OWNER(
        stream.ownerId === null
          ? `stream ${id} was started over REST; stop it with DELETE /api/streams/${id}`
          : `stream ${id} belongs to another WebSocket connection; only that connection can stop it (it also stops when that connection closes)`,
      );
    }
    if (stream.stopped) return;
    stream.stopped = true;
    this.streams.delete(id);
    stream.subscription?.unsubscribe();
    stream.broadcast(jsonFrame({ type: 'stopped', streamId: id, reason }), false);
    stream.subscribers.clear();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)));
    try {
      await Promise.race([stream.live.stop(), timeout]);
    } catch (err) {
      this.opts.log.warn({ err, streamId: id }, 'stream did not stop cleanly');
    } finally {
      clearTimeout(timer);
    }
  }

  /** A connection went away: drop its subscriptions and stop the streams it started. Others are untouched. */
  async release(sub: Subscriber): Promise<void> {
    const owned: string[] = [];
    for (const s of this.streams.values()) {
      s.subscribers.delete(sub);
      if (s.ownerId === sub.id) owned.push(s.id);
    }
    await Promise.all(owned.map((id) => this.stop(id, 'owner disconnected')));
  }

  /** Stop every stream (server shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.statsTimer);
    await Promise.all([...this.streams.keys()].map((id) => this.stop(id, 'server shutting down')));
  }

  // The pipeline ended or failed on its own.
  private end(stream: ManagedStream, reason: string): void {
    if (!stream.stopped) this.stop(stream.id, reason).catch((err: unknown) => this.opts.log.warn({ err, streamId: stream.id }, 'stream did not stop cleanly'));
  }

  private sendStats(): void {
    for (const stream of this.streams.values()) {
      if (stream.subscribers.size === 0) continue;
      const live = stream.stats();
      if (live === null) continue;
      const stats = { ...live, ...(stream.pushBudget ? { pushDroppedS: stream.pushBudget.droppedS } : {}) };
      for (const sub of stream.subscribers) sub.deliver(jsonFrame({ type: 'stats', streamId: stream.id, ...stats, skipped: sub.skipped }), true);
    }
  }
}
