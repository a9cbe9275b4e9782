import { AudioView, type Levels, type Spectra } from './audioView.ts';
import { MetricsLog } from './metricsLog.ts';
import { ModelTrack, type TrackSnapshot } from './track.ts';
import { WakeTrack, type WakeSnapshot } from './wakeTrack.ts';
import type { AudioMsg, ResultMsg, StatsMsg } from './wire.ts';

/** Where the condition changed: stream time of the first window of a new version. */
export interface ConditionMark { t: number; version: number }

/**
 * What the panels show of one stream, built from its `result`, `audio` and
 * `stats` messages: per-model tracks, condition marks, spectra and levels,
 * the wake-word heads and the metrics log. Each field is `$state.raw`,
 * replaced on every message; `reset()` clears it all for the next stream.
 */
export class StreamView {
  tracks = $state.raw<Record<string, TrackSnapshot>>({});
  marks = $state.raw<ConditionMark[]>([]);
  spectra = $state.raw<Spectra | null>(null);
  levels = $state.raw<Levels | null>(null);
  stats = $state.raw<StatsMsg | null>(null);
  /** Wake-word heads of the stream (its wake-word probe). */
  wake = $state.raw<WakeSnapshot | null>(null);
  /** Windows in the metrics log (what the CSV / NDJSON export holds). */
  logged = $state.raw(0);
  readonly log = new MetricsLog();
  private readonly trackers = new Map<string, ModelTrack>();
  private readonly wakeTrack = new WakeTrack();
  private readonly audioView = new AudioView();
  private lastVersion = -1;

  result(r: ResultMsg, data: Float32Array): void {
    const dim = r.embeddingDim;
    let track = this.trackers.get(r.model);
    if (!track) this.trackers.set(r.model, (track = new ModelTrack(r.model)));
    const snap = track.push(r, data.slice(0, dim), data.slice(dim, 2 * dim), Date.now());
    this.log.push(r);
    this.logged = this.log.length;
    this.tracks = { ...this.tracks, [r.model]: snap };
    if (r.wakeword) this.wake = this.wakeTrack.push(r.t1S, r.wakeword);
    if (r.conditionVersion !== this.lastVersion) {
      if (this.lastVersion >= 0) this.marks = [...this.marks, { t: r.t1S, version: r.conditionVersion }];
      this.lastVersion = r.conditionVersion;
    }
  }

  /** Take one audio frame; returns its clean and degraded samples (for the monitor). */
  audio(a: AudioMsg, data: Float32Array): { clean: Float32Array; degraded: Float32Array } {
    const view = this.audioView.push(a, data);
    this.spectra = view.spectra;
    this.levels = view.levels;
    return view;
  }

  reset(): void {
    this.trackers.clear();
    this.tracks = {};
    this.wakeTrack.reset();
    this.wake = null;
    this.marks = [];
    this.lastVersion = -1;
    this.audioView.reset();
    this.spectra = null;
    this.levels = null;
    this.stats = null;
    this.log.clear();
    this.logged = 0;
  }
}
