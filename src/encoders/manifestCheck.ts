import { basename } from 'node:path';
import { Errors } from '../errors.ts';
import { layoutAxes, type ModelManifest } from './manifest.ts';
import type { GraphInfo } from './types.ts';
import { formatShape } from './runtime/feeds.ts';

type Value = GraphInfo['inputs'][number];

/**
 * Check a manifest against its ONNX graphs (read from the files, by role):
 * the input and output names exist (in `input.file`/`output.file`, or in any
 * of the graphs), their ranks match the layouts' axis counts, and fixed
 * sizes agree with the manifest (C with `channels`, F with the front-end's
 * `numMelBins`, D with `embeddingSize`). A graph may carry extra axes of
 * fixed size 1 beyond its layout ([N,1,1,96] is "B,D"). Roles whose file is
 * missing are not checked. Throws MODEL_MISMATCH saying what differs.
 *
 * @example
 * checkManifestGraphs('models/x.json', manifest, { model: await readGraphInfo('/abs/models/x.onnx') });
 */
export function checkManifestGraphs(manifestPath: string, m: ModelManifest, graphs: Record<string, GraphInfo>, files: Record<string, string>): void {
  const sizes: Record<string, number | undefined> = {
    C: m.channels,
    D: m.embeddingSize,
    F: 'numMelBins' in m.frontEnd ? m.frontEnd.numMelBins : undefined,
  };
  for (const side of ['input', 'output'] as const) {
    const { name, layout, file } = m[side];
    const roles = file !== undefined ? [file] : Object.keys(m.files);
    if (roles.length === 0) return; // a pure-JS front-end: no graph to check
    const present = roles.filter((r) => graphs[r] !== undefined);
    const values = (r: string) => (side === 'input' ? graphs[r].inputs : graphs[r].outputs);
    const role = present.find((r) => values(r).some((v) => v.name === name));
    if (role === undefined) {
      if (present.length < roles.length) continue; // the graph that has it may be the missing file
      const where = present.map((r) => `${basename(files[r])} (its ${side}s: ${list(values(r))})`).join(' or ');
      throw new Errors.MODEL_MISMATCH(`${manifestPath}: ${side} '${name}' not in ${where}. Fix ${side}.name in the manifest.`);
    }
    const value = values(role).find((v) => v.name === name)!;
    const axes = layoutAxes(layout);
    const dims = squeeze(value.shape, axes.length);
    const where = `in ${basename(files[role])} (${formatShape(value.shape)})`;
    if (dims === undefined) {
      throw new Errors.MODEL_MISMATCH(
        `${manifestPath}: ${side} '${name}' has rank ${value.shape.length} ${where} but ${side}.layout "${layout}" has ${axes.length} axes. Fix ${side}.layout (extra axes of fixed size 1 are allowed).`,
      );
    }
    axes.forEach((axis, i) => {
      const want = sizes[axis];
      if (typeof dims[i] === 'number' && dims[i] >= 0 && want !== undefined && dims[i] !== want) {
        const field = { C: 'channels', D: 'embeddingSize', F: 'frontEnd.numMelBins' }[axis];
        throw new Errors.MODEL_MISMATCH(`${manifestPath}: ${side} '${name}' axis ${axis} is ${dims[i]} ${where} but ${field} is ${want}. Fix ${field} or ${side}.layout.`);
      }
    });
  }
}

// The shape with its extra fixed-1 axes dropped so it has `rank` axes; undefined if it cannot.
// When more size-1 axes exist than need dropping, the mapping is ambiguous: dims become free (-1) and only the rank is checked.
function squeeze(shape: (number | string)[], rank: number): (number | string)[] | undefined {
  if (shape.length === rank) return shape;
  const ones = shape.map((d, i) => (d === 1 && i > 0 ? i : -1)).filter((i) => i >= 0);
  const extra = shape.length - rank;
  if (extra < 0 || ones.length < extra) return undefined;
  if (ones.length > extra) return new Array<number>(rank).fill(-1);
  return shape.filter((_, i) => !ones.includes(i));
}

function list(values: Value[]): string {
  return values.map((v) => `'${v.name}' ${formatShape(v.shape)}`).join(', ') || 'none';
}
