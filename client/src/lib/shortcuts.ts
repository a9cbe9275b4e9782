import type { Condition } from './wire.ts';

const STEP_DB = 5;
const LOW_DB = -10;
const HIGH_DB = 40;

export type ShortcutAction = 'toggle' | 'clean' | 'degraded' | 'off' | 'snr-up' | 'snr-down' | 'help';

/** The dashboard's keys (KeyboardEvent.key values), ignored while typing in a field. */
export const SHORTCUTS: readonly { action: ShortcutAction; keys: string[]; label: string; does: string }[] = [
  { action: 'toggle', keys: [' ', 's'], label: 'Space / S', does: 'start or stop the stream' },
  { action: 'clean', keys: ['c'], label: 'C', does: 'listen to the clean audio' },
  { action: 'degraded', keys: ['d'], label: 'D', does: 'listen to the degraded audio' },
  { action: 'off', keys: ['m'], label: 'M', does: 'stop listening' },
  { action: 'snr-up', keys: ['+', '=', ']'], label: '+ / ]', does: `SNR ${STEP_DB} dB up (past ${HIGH_DB} dB: clean)` },
  { action: 'snr-down', keys: ['-', '['], label: '- / [', does: `SNR ${STEP_DB} dB down (from clean: ${HIGH_DB} dB; not below ${LOW_DB})` },
  { action: 'help', keys: ['?'], label: '?', does: 'show or hide this list' },
];

/** One SNR step: multiples of 5 dB from -10 to 40, then "clean" above 40. */
export function snrStep(snr: Condition['snrDb'], direction: 1 | -1): Condition['snrDb'] {
  if (snr === 'clean') return direction > 0 ? 'clean' : HIGH_DB;
  const next = direction > 0 ? Math.floor(snr / STEP_DB + 1e-9) * STEP_DB + STEP_DB : Math.ceil(snr / STEP_DB - 1e-9) * STEP_DB - STEP_DB;
  if (next > HIGH_DB) return 'clean';
  return Math.max(LOW_DB, next);
}
