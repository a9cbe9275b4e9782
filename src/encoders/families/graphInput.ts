import { Errors } from '../../errors.ts';
import { layoutAxes, type ModelManifest } from '../manifest.ts';
import type { GraphRunner } from '../types.ts';

/** The graph input the manifest names, and its shape with the layout's axis letters. */
export interface GraphInput {
  /** Graph dimension per layout axis ('B', 'C', 'N', 'T', 'F'): a number when fixed, undefined when free. */
  fixed: Record<string, number | undefined>;
  /** The dims to feed, given the size of each layout axis: the layout's dims, plus the graph's extra size-1 axes. */
  dims(sizes: Record<string, number>): number[];
}

/**
 * Checks that the graph has the manifest's input and output names and that
 * the input's rank fits the layout (the graph may add axes of fixed size 1,
 * e.g. [B, 1, T, F] for "B,T,F"). MODEL_MISMATCH says what differs.
 */
export function graphInput(manifest: ModelManifest, runner: GraphRunner, layout: string): GraphInput {
  const fail = (what: string) => new Errors.MODEL_MISMATCH(`model "${manifest.id}": ${what}`);
  if (manifest.input.layout !== layout) throw fail(`input.layout is "${manifest.input.layout}"; the ${manifest.frontEnd.kind} family takes "${layout}"`);
  const input = runner.info.inputs.find((v) => v.name === manifest.input.name);
  if (input === undefined) throw fail(`the graph has no input '${manifest.input.name}' (its inputs: ${runner.info.inputs.map((v) => `'${v.name}'`).join(', ')}). Fix input.name.`);
  if (!runner.info.outputs.some((v) => v.name === manifest.output.name)) {
    throw fail(`the graph has no output '${manifest.output.name}' (its outputs: ${runner.info.outputs.map((v) => `'${v.name}'`).join(', ')}). Fix output.name.`);
  }
  const axes = layoutAxes(layout);
  const shape = input.shape;
  // Map each layout axis to a graph axis; leftover graph axes must be fixed at 1.
  const slots: (string | undefined)[] = new Array(shape.length).fill(undefined);
  let extra = shape.length - axes.length;
  for (let i = 0, a = 0; i < shape.length; i++) {
    if (extra > 0 && i > 0 && shape[i] === 1 && axes.length - a < shape.length - i) extra--;
    else slots[i] = axes[a++];
  }
  if (extra !== 0 || slots.filter((s) => s !== undefined).length !== axes.length) {
    throw fail(`input '${input.name}' has shape [${shape.join(', ')}], which does not fit input.layout "${layout}" (extra axes must have size 1)`);
  }
  const fixed: Record<string, number | undefined> = {};
  slots.forEach((axis, i) => {
    if (axis !== undefined) fixed[axis] = typeof shape[i] === 'number' && (shape[i] as number) > 0 ? (shape[i] as number) : undefined;
  });
  return { fixed, dims: (sizes) => slots.map((axis) => (axis === undefined ? 1 : sizes[axis])) };
}
