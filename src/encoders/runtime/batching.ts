import type { Feeds, TensorData } from '../types.ts';

/**
 * Stacking calls along dim 0 and splitting the outputs back. Pure functions
 * over plain tensors; the pool decides when to stack.
 */

/**
 * A key equal for calls that can be stacked on the same graph: same input
 * names, element types and dims except dim 0, which every input must share.
 * Undefined for calls that cannot be stacked (a scalar input, or inputs
 * whose dim 0 differ).
 */
export function batchKey(graphId: number, feeds: Feeds): string | undefined {
  const names = Object.keys(feeds).sort();
  const rows = rowsOf(feeds);
  if (rows === undefined) return undefined;
  return `${graphId}|${names.map((n) => `${n}:${feeds[n].type}:${feeds[n].dims.slice(1).join('x')}`).join('|')}`;
}

/** The dim 0 every input shares, or undefined (no inputs, a scalar, or different dim 0s). */
export function rowsOf(feeds: Feeds): number | undefined {
  const firsts = new Set(Object.values(feeds).map((t) => (t.dims.length === 0 ? -1 : t.dims[0])));
  const [rows] = firsts;
  return firsts.size === 1 && rows >= 0 ? rows : undefined;
}

/** Concatenate calls with the same batch key along dim 0 (new buffers, safe to transfer). */
export function stackFeeds(list: Feeds[]): Feeds {
  const out: Feeds = {};
  for (const name of Object.keys(list[0])) {
    const parts = list.map((f) => f[name]);
    const length = parts.reduce((n, t) => n + t.data.length, 0);
    const data = new (parts[0].data.constructor as new (n: number) => TensorData['data'])(length);
    let at = 0;
    for (const t of parts) {
      (data as Float32Array).set(t.data as Float32Array, at);
      at += t.data.length;
    }
    const dims = [parts.reduce((n, t) => n + t.dims[0], 0), ...parts[0].dims.slice(1)];
    out[name] = { type: parts[0].type, dims, data };
  }
  return out;
}

/**
 * Split a stacked call's outputs back into one set per call, `rows[i]` rows
 * each (copies, so one caller cannot detach another's buffer). Throws a plain
 * Error when an output's dim 0 is not the stacked row count: the graph does
 * not keep batch items apart and must not be called with `batchable`.
 */
export function splitFeeds(outputs: Feeds, rows: number[]): Feeds[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const parts: Feeds[] = rows.map(() => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    if (t.dims.length === 0 || t.dims[0] !== total) {
      throw new Error(`${rows.length} calls were stacked into ${total} rows, but output '${name}' has dims [${t.dims.join(',')}]`);
    }
    const perRow = total === 0 ? 0 : t.data.length / total;
    let row = 0;
    rows.forEach((n, i) => {
      parts[i][name] = { type: t.type, dims: [n, ...t.dims.slice(1)], data: t.data.slice(row * perRow, (row + n) * perRow) };
      row += n;
    });
  }
  return parts;
}

/** What the pool's queue holds, as far as stacking goes. */
export interface Stackable {
  /** Equal keys may be stacked; undefined: runs alone. */
  key: string | undefined;
  rows: number;
}

/**
 * Take the head of a queue plus the waiting calls it can be stacked with (in
 * queue order), at most `maxBatch` rows, and no more than a fair share when
 * `idleWorkers` workers wait for work. A head with no key, or with
 * `maxBatch` rows or more, goes alone. Returns the batch and the rest of the queue.
 */
export function takeBatch<T extends Stackable>(queue: T[], maxBatch: number, idleWorkers: number): { batch: T[]; rest: T[] } {
  const [head, ...others] = queue;
  if (head.key === undefined || head.rows >= maxBatch) return { batch: [head], rest: others };
  const twins = others.filter((c) => c.key === head.key);
  const total = twins.reduce((n, c) => n + c.rows, head.rows);
  const cap = Math.min(maxBatch, Math.max(head.rows, Math.ceil(total / Math.max(1, idleWorkers))));
  const batch = [head];
  let rows = head.rows;
  for (const c of twins) {
    if (rows + c.rows <= cap) {
      batch.push(c);
      rows += c.rows;
    }
  }
  return { batch, rest: others.filter((c) => !batch.includes(c)) };
}
