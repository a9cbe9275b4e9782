import { STALL_MS, type EventLoopMonitor } from './eventLoop.ts';
import type { StreamManager } from './streams/manager.ts';
import type { ModelFigures } from './streams/rolling.ts';
import type { StreamStats } from '../src/pipeline/types.ts';
import { requireCommonJs } from '../src/commonjs.ts';

const { collectDefaultMetrics, Counter, Gauge, Registry } = requireCommonJs<typeof import('prom-client')>('prom-client');
type Counter = import('prom-client').Counter;
type Gauge = import('prom-client').Gauge;
type Registry = import('prom-client').Registry;

/** The server's Prometheus metrics: one registry per app (never prom-client's global one). */
export interface ServerMetrics {
  registry: Registry;
  wsClients: Gauge;
  wsSkipped: Counter;
  wsSlowCloses: Counter;
  wsBadFrames: Counter;
}

/**
 * Make the app's registry: process metrics (prom-client's defaults, prefixed
 * `earshot_`) and, read from the stream manager
 * at scrape time, per-stream gauges labelled by stream and model: cosine (last
 * and rolling mean over 30 windows), probe agreement (rolling mean), dropped
 * windows, windows seen, latency p50/p99 (window end to sent), main-thread
 * time; and the event loop's lag (quantiles since the last scrape) and stalls.
 */
export function createMetrics(streams: () => StreamManager, loop: EventLoopMonitor, taskCpuMs: () => Map<string, number>): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'earshot_' });
  const perModel = (name: string, help: string, pick: (f: ModelFigures) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream', 'model'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of streams().list()) {
          for (const [model, f] of s.figures) {
            const v = pick(f);
            if (v !== null) this.set({ stream: s.id, model }, v);
          }
        }
      },
    });
  perModel('earshot_stream_cosine', 'Cosine similarity of clean and degraded embeddings, last window', (f) => f.cosine.last);
  perModel('earshot_stream_cosine_mean', 'Cosine similarity of clean and degraded embeddings, mean of the last 30 windows', (f) => f.cosine.mean);
  perModel('earshot_stream_probe_agreement', 'Probe top-class agreement clean vs degraded, mean of the last 30 windows (streams with a probe)', (f) => f.probeAgreement.mean);
  perModel('earshot_stream_dropped_windows', 'Windows dropped so far (live sources that outpace the encoders)', (f) => f.droppedTotal);
  perModel('earshot_stream_model_windows', 'Windows encoded so far', (f) => f.windows);
  new Gauge({
    name: 'earshot_stream_latency_ms',
    help: 'Latency from window end to results sent, ms (quantile 0.5 and 0.99)',
    labelNames: ['stream', 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of streams().list()) {
        const stats = s.stats();
        if (stats === null) continue;
        const { latencyMsP50, latencyMsP99 } = stats;
        this.set({ stream: s.id, quantile: '0.5' }, latencyMsP50);
        this.set({ stream: s.id, quantile: '0.99' }, latencyMsP99);
      }
    },
  });
  // Per-stream thread time, read from each stream's stats at every scrape.
  const threadSeconds = (name: string, help: string, ms: (stats: StreamStats) => number | undefined) =>
    new Counter({
      name,
      help,
      labelNames: ['stream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of streams().list()) {
          const stats = s.stats();
          if (stats !== null) this.inc({ stream: s.id }, (ms(stats) ?? 0) / 1000);
        }
      },
    });
  threadSeconds(
    'earshot_stream_main_thread_seconds_total',
    'Main-thread time each stream\'s pipeline has taken (windowing and metrics run here; its source is resampled and its scene rendered on a thread of its own, ONNX graphs on the pool\'s)',
    (stats) => stats.mainThreadMs,
  );
  threadSeconds(
    'earshot_stream_scene_thread_seconds_total',
    'Time each stream\'s own scene thread has worked (resampling the source, room-IR convolutions, noise layers, a new condition\'s pre-roll)',
    (stats) => stats.sceneThreadMs,
  );
  new Counter({
    name: 'earshot_stream_push_dropped_seconds_total',
    help: 'Seconds of pushed audio dropped because its client sent it faster than the server allows (push streams)',
    labelNames: ['stream'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of streams().list()) if (s.pushBudget) this.inc({ stream: s.id }, s.pushBudget.droppedS);
    },
  });
  new Gauge({
    name: 'earshot_event_loop_lag_seconds',
    help: 'How late the event loop ran since the last scrape (quantile 0.5, 0.99 and max): every request and client waits this long',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      const q = loop.takeQuantilesMs();
      this.set({ quantile: '0.5' }, q.p50 / 1000);
      this.set({ quantile: '0.99' }, q.p99 / 1000);
      this.set({ quantile: 'max' }, q.max / 1000);
    },
  });
  new Counter({
    name: 'earshot_task_cpu_seconds_total',
    help: 'CPU time of the task threads by task (decoding uploads, simulating rooms): work kept off the event loop',
    labelNames: ['task'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [task, ms] of taskCpuMs()) this.inc({ task }, ms / 1000);
    },
  });
  new Counter({
    name: 'earshot_event_loop_stalls_total',
    help: `Turns of the event loop that ran more than ${STALL_MS} ms late`,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(loop.stalls);
    },
  });
  new Gauge({
    name: 'earshot_streams',
    help: 'Streams running',
    registers: [registry],
    collect() {
      this.set(streams().list().length);
    },
  });
  return {
    registry,
    wsClients: new Gauge({ name: 'earshot_ws_clients', help: 'WebSocket clients connected', registers: [registry] }),
    wsSkipped: new Counter({ name: 'earshot_ws_skipped_messages_total', help: 'Results/audio/stats messages skipped for clients that were behind', registers: [registry] }),
    wsSlowCloses: new Counter({ name: 'earshot_ws_slow_closes_total', help: 'Clients closed with 1013 for staying too far behind', registers: [registry] }),
    wsBadFrames: new Counter({ name: 'earshot_ws_bad_frames_total', help: 'WebSocket frames refused as protocol errors (malformed JSON, unknown type, missing fields, too large, stray or bad binary)', registers: [registry] }),
  };
}
