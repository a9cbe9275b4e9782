import type { Estimate, GridPoint, PointResult, Room, RoomResult, SceneSettings, SweepAxes, SweepResults } from '../../../src/sweep/types.ts';

export interface ResultsOptions {
  models?: string[];
  axes?: Partial<SweepAxes>;
  seeds?: number;
  testClips?: number;
  /** Seeds finished per grid point (default: all); 0 leaves the point out, as an unfinished sweep does. */
  seedsDone?: (point: GridPoint) => number;
  /** The sweep's SNR definition, recipe and clean reference (default: pooled, earshot, levelled). */
  scene?: Partial<SceneSettings>;
}

const defaultAxes: SweepAxes = { snrDb: [0, 10, 'clean'], room: [0, 0.6], azimuthDeg: [0], noise: ['babble'], noiseSources: [1] };

/** An interval of ±0.02 around `mean`, with enough digits to exercise rounding. */
function around(mean: number): Estimate {
  return { mean, lo: mean - 0.0213579, hi: mean + 0.0197531 };
}

/** Clean top-1 of the i-th model: 0.91234, 0.81234, ... */
export function cleanTop1(modelIndex: number): number {
  return 0.9123456 - 0.1 * modelIndex;
}

/** A made-up but monotone degradation: lower SNR and longer RT60 lose accuracy; an IR room (by name) counts as RT60 1 s. */
export function degradedTop1(modelIndex: number, p: Pick<GridPoint, 'snrDb' | 'room' | 'azimuthDeg' | 'noiseSources'>): number {
  const noise = p.snrDb === 'clean' ? 1 : Math.min(1, 0.55 + p.snrDb / 40);
  const room = 1 - 0.3 * (typeof p.room === 'number' ? p.room : 1);
  return cleanTop1(modelIndex) * noise * room - 0.001 * p.azimuthDeg / 90 - 0.002 * (p.noiseSources - 1);
}

/** Made-up acoustics of a room: a simulated room decays at its RT60; an IR (by name) is a measured 1.2 s room. */
export function roomResult(room: Room): RoomResult {
  const measuredOn = 'the source IR at azimuth 0°, seed 0, mono receiver, 16 kHz';
  if (room === 0) return { room, kind: 'dry', channels: 1, layout: 'mono', description: 'no room: the dry source', measuredOn: 'nothing (no room)', t20S: null, t30S: null, c50Db: null, drrDb: null, rt60S: null, rt60Method: null };
  if (typeof room === 'number') return { room, kind: 'simulated', channels: 1, layout: 'mono', description: `shoebox room, target RT60 ${room} s`, measuredOn, t20S: room * 0.95, t30S: room * 0.97, c50Db: 10 - 10 * room, drrDb: 2 - 12 * room, rt60S: room * 0.96, rt60Method: 'T30' };
  return { room, kind: 'measured', channels: 2, layout: 'stereo', description: `measured IR ${room}`, measuredOn: 'the IR at 16 kHz', t20S: 1.234, t30S: 1.1, c50Db: -1.26, drrDb: -6.54, rt60S: 1.2, rt60Method: 'T20' };
}

/** SweepResults built by hand: every metric derives from degradedTop1, so tests can predict each number. */
export function buildResults(options: ResultsOptions = {}): SweepResults {
  const models = options.models ?? ['beats', 'clap'];
  const axes = { ...defaultAxes, ...options.axes };
  const seeds = options.seeds ?? 2;
  const testClips = options.testClips ?? 40;
  const scene: SceneSettings = { snrMode: 'pooled', recipe: 'earshot', cleanReference: 'levelled', ...options.scene };
  const points: PointResult[] = [];
  let cellsDone = 0;
  let cellsTotal = 0;
  models.forEach((model, i) => {
    for (const snrDb of axes.snrDb)
      for (const room of axes.room)
        for (const azimuthDeg of axes.azimuthDeg)
          for (const noise of axes.noise)
            for (const noiseSources of axes.noiseSources) {
              const grid: GridPoint = { model, snrDb, room, azimuthDeg, noise, noiseSources };
              const done = options.seedsDone?.(grid) ?? seeds;
              cellsTotal += seeds;
              cellsDone += done;
              if (done === 0) continue;
              const top1 = degradedTop1(i, grid);
              const rel = top1 / cleanTop1(i);
              points.push({
                ...grid,
                snrMode: scene.snrMode,
                recipe: scene.recipe,
                seeds: done,
                clips: testClips * done,
                top1: around(top1),
                macroF1: around(top1 - 0.05),
                mAP: around(top1 + 0.03),
                cosine: around(0.5 + rel / 2),
                relative: { top1: around(rel), macroF1: around(rel - 0.01), mAP: around(rel + 0.01) },
              });
            }
  });
  return {
    format: 'earshot-sweep-results',
    version: 1,
    createdAt: '2025-01-02T03:04:05.000Z',
    ...scene,
    spec: {
      ...scene,
      models,
      data: '/data/speech-commands',
      protocol: 'clean',
      probes: {},
      axes,
      seeds,
      receiver: 'auto',
      testFraction: 0.2,
      splitSeed: 7,
      rirDirs: [],
      rirFiles: [],
      noiseDirs: [],
    },
    classes: ['yes', 'no', 'up', 'down'],
    testClips,
    bootstrap: 1000,
    cellsDone,
    cellsTotal,
    clean: models.map((model, i) => ({ model, clips: testClips, top1: around(cleanTop1(i)), macroF1: around(cleanTop1(i) - 0.05), mAP: around(cleanTop1(i) + 0.03) })),
    rooms: axes.room.map(roomResult),
    points,
  };
}
