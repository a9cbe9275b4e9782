import type { Subscription } from '../../src/rxjs.ts';
import type { Condition } from '../../src/scene/condition.ts';
import type { LiveStream, ProbeSettings, StreamStats } from '../../src/pipeline/types.ts';
import type { OutFrame } from '../ws/frames.ts';
import type { StreamConfigWire } from '../protocol/streamConfig.ts';
import type { FaultOwner } from '../faultScope.ts';
import type { PushBudget } from './pushBudget.ts';
import { ModelFigures } from './rolling.ts';
import { takeFault } from '../../src/pipeline/faultInjection.ts';
import type { StreamInfo } from '../protocol/rest.ts';

/** A receiver of a stream's messages (one WebSocket client). `deliver` must never block or throw. */
export interface Subscriber {
  readonly id: string;
  deliver(frame: OutFrame, droppable: boolean): void;
  /** Droppable messages skipped for this subscriber so far (reported in its `stats`). */
  readonly skipped: number;
}

/** A running stream as the server keeps it: the pipeline's LiveStream plus who owns it, who listens, and the figures /metrics reports. */
export class ManagedStream {
  readonly subscribers = new Set<Subscriber>();
  readonly figures = new Map<string, ModelFigures>();
  readonly createdAtMs = Date.now();
  /** The condition in force and its version, as the pipeline reports them (`condition$`). */
  condition: Condition;
  conditionVersion = 0;
  /** What preparing that condition's scene warned about. */
  warnings: string[] = [];
  /** The wake-word threshold and probe smoothing in force (the pipeline's `probeSettings$`). */
  probeSettings: ProbeSettings = { wakeThreshold: 0.5, probeSmooth: 1 };
  /** The last condition asked for: changes merge over it, so quick successive changes are not lost while one is being prepared. */
  requested: Condition;
  subscription: Subscription | undefined;
  stopped = false;
  /** For a `push` source: how fast its owner may send audio. */
  pushBudget: PushBudget | null = null;
  /** When its owner was last told that its audio came too fast (ms, performance.now). */
  pushWarnedAtMs = -Infinity;

  constructor(
    readonly live: LiveStream,
    /** The config as the client sent it (clip ids, never paths). */
    readonly wire: StreamConfigWire,
    /** The WebSocket connection that started it; null for streams made over REST. */
    readonly ownerId: string | null,
    /** Ends this stream when a fault in its work goes uncaught (run its work with `runOwnedBy`). */
    readonly faultOwner: FaultOwner,
  ) {
    this.condition = live.config.condition;
    this.requested = live.config.condition;
  }

  get id(): string {
    return this.live.id;
  }

  figuresFor(model: string): ModelFigures {
    let f = this.figures.get(model);
    if (f === undefined) this.figures.set(model, (f = new ModelFigures()));
    return f;
  }

  /** Send one frame to every subscriber (serialised once by the caller). */
  broadcast(frame: OutFrame, droppable: boolean): void {
    for (const s of this.subscribers) s.deliver(frame, droppable);
  }

  /**
   * The pipeline's figures; null when reading them threw, and then the stream is ended
   * as any failed stream is (its clients get an error and `stopped`), so that one broken
   * stream never fails a listing of all of them.
   */
  stats(): StreamStats | null {
    try {
      const fault = takeFault(`stats ${this.id}`);
      if (fault) throw fault;
      return this.live.stats();
    } catch (err) {
      this.faultOwner.end(err);
      return null;
    }
  }

  /** The summary REST and the `streams` message show; null when the stream failed reading its stats (see {@link stats}). */
  info(): StreamInfo | null {
    const stats = this.stats();
    if (stats === null) return null;
    return {
      id: this.id,
      owner: this.ownerId === null ? 'rest' : 'websocket',
      config: this.wire,
      condition: this.condition,
      conditionVersion: this.conditionVersion,
      createdAtMs: this.createdAtMs,
      subscribers: this.subscribers.size,
      stats: finiteStats(stats),
    };
  }
}

/** Latencies are null before the first window. */
function finiteStats(s: StreamStats): StreamInfo['stats'] {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return { windows: s.windows, dropped: s.dropped, latencyMsP50: finite(s.latencyMsP50), latencyMsP99: finite(s.latencyMsP99) };
}
