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

/** What was measured on the scene's source IR: its RT60 and band T20s (keyed by centre frequency, Hz). */
export function measuredRoom(scene: PreparedScene): RoomMeasured {
  const bands = scene.sourceRirInfo.acoustics?.bandT20S;
  return { rt60S: scene.sourceRirInfo.rt60S, bandRt60S: bands ? Object.fromEntries(bands.map((b) => [String(b.centreHz), b.t20S])) : null };
}

/** What a render measures on its output: pooled and per-channel SNR of `source` against `mixed − source` (null when no noise was added), and the room. */
export function measureMix(source: Float32Array[], mixed: Float32Array[], noiseGain: number, room: RoomMeasured): RenderedScene['measured'] {
  if (!(noiseGain > 0)) return { snrDb: null, snrDbPerChannel: null, ...room };
  const added = mixed.map((m, c) => {
    const x = source[c];
    const d = new Float32Array(m.length);
    for (let i = 0; i < m.length; i++) d[i] = m[i] - x[i];
    return d;
  });
  return { snrDb: measureSnrDb(source, added), snrDbPerChannel: measureChannelSnrDb(source, added), ...room };
}

/** `channels` copies of `x` (a dry source or noise on every receiver channel). */
export function fillChannels(x: Float32Array, channels: number): Float32Array[] {
  return Array.from({ length: channels }, () => x.slice());
}

/** acc += x over acc's length, in place. */
export function addInto(acc: Float32Array, x: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += x[i];
}
