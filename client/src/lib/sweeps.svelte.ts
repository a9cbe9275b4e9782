/**
 * The sweep view's state: the sweeps the server knows, the one shown, and
 * its cells as they finish (from `sweep` messages on the shared WebSocket,
 * with GET /api/sweeps/:id to catch up). Fields are `$state.raw`, replaced
 * on every change, like the live view's.
 */
import type { Dataset, SweepDetail, SweepRequest, SweepSummary } from '../../../server/sweeps/schemas.ts';
import { pageToken, request } from './api.ts';
import type { Live } from './live.svelte.ts';
import type { SweepMsg } from './wire.ts';
import { apply, isEnd } from './sweepEvents.ts';

export type { Dataset, SweepDetail, SweepSummary };
export type SweepStart = Pick<SweepRequest, 'models' | 'snrDb' | 'room' | 'azimuthDeg' | 'noise' | 'seeds'> & { data?: string };

/** Events of sweeps not shown yet are kept (a few) in case they are about to be: a POST may be answered after its first events. */
const EARLY_EVENTS = 200;

export class SweepBoard {
  sweeps = $state.raw<SweepSummary[]>([]);
  datasets = $state.raw<Dataset[]>([]);
  current = $state.raw<SweepDetail | null>(null);
  /** A start or cancel is under way. */
  busy = $state.raw(false);
  private early: SweepMsg[] = [];

  constructor(private readonly live: Live) {}

  /** Listen to the WebSocket and load the lists; returns the function that stops listening. */
  attach(): () => void {
    const stop = this.live.onSweep((msg) => this.receive(msg));
    void this.refresh();
    return stop;
  }

  /** Reload the lists and the sweep shown (after a reconnect, a finished sweep). */
  async refresh(): Promise<void> {
    try {
      const [sweeps, datasets] = await Promise.all([request<SweepSummary[]>('GET', '/api/sweeps'), request<Dataset[]>('GET', '/api/datasets')]);
      this.sweeps = sweeps;
      this.datasets = datasets;
      if (this.current) await this.show(this.current.id);
    } catch (err) {
      this.fail(err);
    }
  }

  async start(form: SweepStart): Promise<void> {
    this.busy = true;
    try {
      const started = await request<SweepSummary>('POST', '/api/sweeps', JSON.stringify(form), 'application/json');
      this.current = { ...started, plan: null, clean: [], cells: [], results: null };
      for (const msg of this.early.filter((m) => m.sweepId === started.id)) this.current = apply(this.current, msg.event);
      this.sweeps = [started, ...this.sweeps.filter((s) => s.id !== started.id)];
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.current) return;
    this.busy = true;
    try {
      this.current = await request<SweepDetail>('DELETE', `/api/sweeps/${this.current.id}`);
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  async show(id: string): Promise<void> {
    try {
      const detail = await request<SweepDetail>('GET', `/api/sweeps/${id}`);
      // Cells that arrived while the answer was on its way are kept.
      const seen = this.current?.id === id ? this.current.cells.filter((c) => !detail.cells.some((d) => d.key === c.key)) : [];
      this.current = { ...detail, cells: [...detail.cells, ...seen] };
    } catch (err) {
      this.fail(err);
    }
  }

  /** The report's URL, with the page's token when it has one. */
  reportUrl(detail: SweepDetail): string | null {
    if (!detail.report) return null;
    const token = pageToken();
    return token ? `${detail.report}?token=${encodeURIComponent(token)}` : detail.report;
  }

  private receive(msg: SweepMsg): void {
    const { sweepId, event } = msg;
    if (this.current?.id === sweepId) this.current = apply(this.current, event);
    else this.early = [...this.early.slice(-(EARLY_EVENTS - 1)), msg];
    const listed = this.sweeps.some((s) => s.id === sweepId);
    if (!listed || isEnd(event)) void this.refreshList();
    else this.sweeps = this.sweeps.map((s) => (s.id === sweepId && 'cellsDone' in event ? { ...s, cellsDone: event.cellsDone } : s));
    // The end's files (report, results) are on disk now; the server's state says which.
    if (isEnd(event) && this.current?.id === sweepId) void this.show(sweepId);
  }

  private async refreshList(): Promise<void> {
    try {
      this.sweeps = await request<SweepSummary[]>('GET', '/api/sweeps');
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    const e = err as { code?: string; message?: string };
    this.live.notify('error', e.code ?? 'ERROR', e.message ?? String(err));
  }
}
