import { validateCondition, type Condition, type ReceiverCondition } from '../scene/condition.ts';
import type { Cell, GridPoint, Receiver, SceneSettings, SweepSpec } from './types.ts';

/** Source distance of every sweep condition (the CLI's default for `render`). */
export const SWEEP_SOURCE_DISTANCE_M = 1.5;

/**
 * Every grid point of a sweep (models × SNR × room × azimuth × noise × noise
 * sources, in that nesting order) and every cell (grid point × seed).
 */
export function buildGrid(spec: Pick<SweepSpec, 'models' | 'axes' | 'seeds'>): { points: GridPoint[]; cells: Cell[] } {
  const points: GridPoint[] = [];
  const { snrDb, room, azimuthDeg, noise, noiseSources } = spec.axes;
  for (const model of spec.models)
    for (const snr of snrDb)
      for (const r of room)
        for (const azimuth of azimuthDeg)
          for (const n of noise)
            for (const sources of noiseSources) points.push({ model, snrDb: snr, room: r, azimuthDeg: azimuth, noise: n, noiseSources: sources });
  const cells: Cell[] = [];
  for (const point of points) for (let seed = 0; seed < spec.seeds; seed++) cells.push({ ...point, seed, key: cellKey(point, seed) });
  return { points, cells };
}

/**
 * A stable, readable name of a grid point: the same point always gets the same
 * key. An RT60 keeps the `rt60=` of the keys written before rooms could be
 * bank IRs (so earlier output folders resume); a bank IR is `room=ID`.
 */
export function pointKey(p: GridPoint): string {
  const room = typeof p.room === 'number' ? `rt60=${p.room}` : `room=${p.room}`;
  return `${p.model}|snr=${p.snrDb}|${room}|az=${p.azimuthDeg}|noise=${p.noise}|sources=${p.noiseSources}`;
}

export function cellKey(p: GridPoint, seed: number): string {
  return `${pointKey(p)}|seed=${seed}`;
}

/** The receiver a model hears the scene with: `auto` matches its channel count. */
export function receiverFor(receiver: Receiver, modelChannels: number): ReceiverCondition {
  if (receiver !== 'auto') return receiver;
  return modelChannels === 2 ? 'binaural' : modelChannels === 4 ? 'foa' : 'mono';
}

/**
 * The scene condition of a cell for a model of `modelChannels` channels. RT60 0
 * means no room; a binaural or FOA receiver still hears the source from its
 * azimuth then (anechoic). A bank IR is one measured source path: the azimuth
 * does not apply, and with receiver `auto` the scene keeps the IR's own layout
 * (src/sweep/rooms.ts checks before the sweep that the model can hear it). The
 * sweep's SNR definition and recipe apply to every cell (default: pooled, earshot).
 */
export function cellCondition(cell: Cell, receiver: Receiver, modelChannels: number, scene: Partial<Pick<SceneSettings, 'snrMode' | 'recipe'>> = {}): Condition {
  const { room } = cell;
  const bank = typeof room === 'string';
  return validateCondition({
    snrDb: cell.snrDb,
    room: bank ? { bank: room } : room > 0 ? { rt60S: room } : null,
    source: { azimuthDeg: cell.azimuthDeg, elevationDeg: 0, distanceM: SWEEP_SOURCE_DISTANCE_M },
    ...(bank && receiver === 'auto' ? {} : { receiver: receiverFor(receiver, modelChannels) }),
    noise: { ids: [cell.noise], sources: cell.noiseSources },
    seed: cell.seed,
    ...(scene.snrMode ? { snrMode: scene.snrMode } : {}),
    ...(scene.recipe ? { recipe: scene.recipe } : {}),
  });
}
