import { basename } from 'node:path';
import { Errors } from '../../errors.ts';
import type { Feeds, GraphInfo } from '../types.ts';

/** `[unk__314,76,32,1]`: a shape as the error messages print it (names for free dimensions). */
export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

/** `'input_1' float32 [unk__314,76,32,1]`, comma-separated: what a graph's inputs (or outputs) are. */
export function describeValues(values: GraphInfo['inputs']): string {
  return values.length === 0 ? '(none)' : values.map((v) => `'${v.name}' ${v.type} ${formatShape(v.shape)}`).join(', ');
}

/** `'x' float32 [16,76,32,1]`, comma-separated: what a caller gave. */
export function describeFeeds(feeds: Feeds): string {
  const list = Object.entries(feeds).map(([name, t]) => `'${name}' ${t?.type} ${Array.isArray(t?.dims) ? formatShape(t.dims) : '(no dims)'}`);
  return list.length === 0 ? '(none)' : list.join(', ');
}

/**
 * Check feeds against a graph's inputs before they reach a worker: every input
 * given and no other, same element type, same rank, fixed dimensions equal,
 * and `data.length` equal to the product of `dims`. Throws INVALID_FEEDS naming
 * the file, the problem, the graph's inputs and what was given.
 */
export function checkFeeds(path: string, info: GraphInfo, feeds: Feeds): void {
  const problem = findProblem(info, feeds);
  if (problem !== undefined) {
    throw new Errors.INVALID_FEEDS(`${basename(path)}: ${problem}. Its inputs: ${describeValues(info.inputs)}; given: ${describeFeeds(feeds)}.`);
  }
}

function findProblem(info: GraphInfo, feeds: Feeds): string | undefined {
  const names = new Set(info.inputs.map((i) => i.name));
  const extra = Object.keys(feeds).filter((n) => !names.has(n));
  if (extra.length > 0) return `input ${extra.map((n) => `'${n}'`).join(', ')} not in the graph`;
  for (const input of info.inputs) {
    const t = feeds[input.name];
    if (t === undefined) return `input '${input.name}' missing`;
    if (!Array.isArray(t.dims) || t.dims.some((d) => !Number.isInteger(d) || d < 0)) return `input '${input.name}': dims must be non-negative integers`;
    if (t.type !== input.type) return `input '${input.name}' is ${input.type}, given ${t.type}`;
    if (input.shape.length !== t.dims.length) return `input '${input.name}' has rank ${input.shape.length}, given rank ${t.dims.length}`;
    const axis = input.shape.findIndex((d, i) => typeof d === 'number' && d >= 0 && d !== t.dims[i]);
    if (axis >= 0) return `input '${input.name}' needs ${input.shape[axis]} on axis ${axis}, given ${t.dims[axis]}`;
    const size = t.dims.reduce((a, b) => a * b, 1);
    if (t.data?.length !== size) return `input '${input.name}': data holds ${t.data?.length} values, dims ${formatShape(t.dims)} need ${size}`;
  }
  return undefined;
}
