import { PCM_CEILING_DBFS, type WavFormat, type WavLevels } from '../audio/wav.ts';

/**
 * The levels of a written render as `--json` reports them: the peak (dBFS; `null` for
 * silence, which JSON cannot write as -Infinity) and the samples past full scale, both
 * measured on the rendered float signal before any output gain.
 */
export function measuredLevels(levels: WavLevels): { peakDbfs: number | null; clippedSamples: number } {
  return { peakDbfs: Number.isFinite(levels.peakDbfs) ? levels.peakDbfs : null, clippedSamples: levels.clippedSamples };
}

/**
 * The stderr line for a render whose peak exceeds full scale (0 dBFS), saying what the
 * file holds: a float WAV keeps the values past ±1, a 16-bit one was scaled down to fit.
 * null when the peak is at or below 0 dBFS.
 *
 * @example loudRenderNote('out.wav', { peakDbfs: 9.6, clippedSamples: 12568, outputGainDb: -9.7 }, 'pcm16')
 * // "out.wav: the render peaks at +9.6 dBFS (12568 samples past full scale); scaled by -9.7 dB to peak at -0.1 dBFS, so the 16-bit file clips nothing"
 */
export function loudRenderNote(file: string, levels: WavLevels, format: WavFormat): string | null {
  if (!(levels.peakDbfs > 0)) return null;
  const over = `${file}: the render peaks at ${signedDb(levels.peakDbfs)} dBFS (${levels.clippedSamples} samples past full scale)`;
  return format === 'pcm16'
    ? `${over}; scaled by ${signedDb(levels.outputGainDb)} dB to peak at ${PCM_CEILING_DBFS} dBFS, so the 16-bit file clips nothing`
    : `${over}; kept as they are in the float WAV (a player or a 16-bit conversion would clip them; earshot render --pcm16 scales to fit instead)`;
}

/** Decibels with one decimal and a sign ("+9.6", "-0.1", "0.0"); "silent" for -Infinity. */
export function signedDb(db: number): string {
  if (db === -Infinity) return 'silent';
  const text = db.toFixed(1);
  return text === '0.0' || text === '-0.0' ? '0.0' : db > 0 ? `+${text}` : text;
}
