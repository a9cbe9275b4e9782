import type { Condition } from './wire.ts';

export interface Preset {
  name: string;
  /** What the scene stands for, and what it is made of. */
  description: string;
  condition: Condition;
}

const AHEAD = { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 };

/**
 * Named scenes built from the shipped banks (rirs/, noise/). Each is a whole
 * condition; the receiver is "auto", so a bank IR plays in its own layout.
 */
export const PRESETS: readonly Preset[] = [
  {
    name: 'clean, dry',
    description: 'no room and no noise: degraded equals clean',
    condition: { snrDb: 'clean', room: null, source: AHEAD, receiver: 'auto', noise: { ids: ['cafe'], sources: 1 }, seed: 0 },
  },
  {
    name: 'living room, TV at 5 dB',
    description: 'the simulated lounge (RT60 0.8 s, binaural); chatter at 5 dB SNR stands in for a TV (the café recording: no TV recording ships)',
    condition: { snrDb: 5, room: { bank: 'lounge-binaural' }, source: AHEAD, receiver: 'auto', noise: { ids: ['cafe'], sources: 1 }, seed: 0 },
  },
  {
    name: 'street café, 0 dB',
    description: 'the measured Antwerp street IR (stereo) with the café recording at 0 dB SNR',
    condition: { snrDb: 0, room: { bank: 'street' }, source: AHEAD, receiver: 'auto', noise: { ids: ['cafe'], sources: 1 }, seed: 0 },
  },
  {
    name: 'office, rain at 10 dB',
    description: 'the simulated small office (RT60 0.4 s, binaural) with rain at 10 dB SNR',
    condition: { snrDb: 10, room: { bank: 'office-binaural' }, source: AHEAD, receiver: 'auto', noise: { ids: ['rain'], sources: 1 }, seed: 0 },
  },
  {
    name: 'Nat-HEAR-like hall',
    description: 'binaural hall (RT60 1.5 s), café and airport noise from 3 sources at 10 dB SNR, one noise gain per channel, as in the Nat-HEAR scenes',
    condition: { snrDb: 10, room: { bank: 'hall-binaural' }, source: AHEAD, receiver: 'auto', noise: { ids: ['cafe', 'airport'], sources: 3 }, seed: 0, snrMode: 'per-channel' },
  },
];

/** Why a preset cannot play on this server (a bank id it lacks), or null. */
export function presetProblem(p: Preset, rirIds: string[], noiseIds: string[]): string | null {
  const room = p.condition.room;
  if (room !== null && 'bank' in room && rirIds.length > 0 && !rirIds.includes(room.bank)) return `the server has no IR "${room.bank}"`;
  const missing = noiseIds.length > 0 ? p.condition.noise.ids.filter((id) => !noiseIds.includes(id)) : [];
  return missing.length ? `the server has no noise ${missing.map((id) => `"${id}"`).join(', ')}` : null;
}
