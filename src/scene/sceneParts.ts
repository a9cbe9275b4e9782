/** Pieces both scene recipes (render.ts, natHearRecipe.ts) use: what a render reports and measures. */
import { measureChannelSnrDb, measureSnrDb } from '../dsp/mix.ts';
import { recipeOf, snrModeOf } from './condition.ts';
import type { PreparedScene } from './prepare.ts';
import type { RenderedScene } from './render.ts';

/** The parameters every render reports, whatever the recipe. */
export function sceneParamsBase(scene: PreparedScene): Omit<RenderedScene['params'], 'noise'> {
  return { receiver: scene.receiverLabel, recipe: recipeOf(scene.condition), snrMode: snrModeOf(scene.condition), sourceRir: scene.sourceRirInfo };
}

type RoomMeasured = Pick<RenderedScene['measured'], 'rt60S' | 'bandRt60S'>;

/**
 * `fields` plus what was measured on the scene's source IR: its RT60 and band T20s (keyed
 * by centre frequency, Hz). They are read through to `sourceRirInfo` when read (and so
 * measured only then; see prepare.ts), so do not spread the scene's info into them.
 */
export function withRoomMeasured<T extends object>(fields: T, scene: PreparedScene): T & RoomMeasured {
  const info = scene.sourceRirInfo;
  return Object.defineProperties(fields, {
    rt60S: { enumerable: true, get: () => info.rt60S },
    bandRt60S: {
      enumerable: true,
      get: () => {
        const bands = info.acoustics?.bandT20S;
        return bands ? Object.fromEntries(bands.map((b) => [String(b.centreHz), b.t20S])) : null;
      },
    },
  }) as T & RoomMeasured;
}

/** What a render measures on its output: pooled and per-channel SNR of `source` against `mixed − source` (null when no noise was added), and the room. */
export function measureMix(source: Float32Array[], mixed: Float32Array[], noiseGain: number, scene: PreparedScene): RenderedScene['measured'] {
  if (!(noiseGain > 0)) return withRoomMeasured({ snrDb: null, snrDbPerChannel: null }, scene);
  const added = mixed.map((m, c) => {
    const x = source[c];
    const d = new Float32Array(m.length);
    for (let i = 0; i < m.length; i++) d[i] = m[i] - x[i];
    return d;
  });
  return withRoomMeasured({ snrDb: measureSnrDb(source, added), snrDbPerChannel: measureChannelSnrDb(source, added) }, scene);
}

/** `channels` copies of `x` (a dry source or noise on every receiver channel). */
export function fillChannels(x: Float32Array, channels: number): Float32Array[] {
  return Array.from({ length: channels }, () => x.slice());
}

/** acc += x over acc's length, in place. */
export function addInto(acc: Float32Array, x: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += x[i];
}
