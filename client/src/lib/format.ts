/** Display helpers: fixed digits, and an en dash for missing values. */
export function fmt(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

export function fmtDb(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return x === -Infinity ? '-∞ dB' : `${x.toFixed(1)} dB`;
}

export function fmtMs(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`;
}

export function fmtBytes(n: number): string {
  return n < 1 << 20 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export function fmtDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A condition in a few words: "0 dB SNR · cafe ×1 · RT60 0.6 s · 30°". */
export function describeCondition(c: import('./wire.ts').Condition): string {
  const parts = [c.snrDb === 'clean' ? 'clean' : `${c.snrDb} dB SNR`];
  if (c.snrDb !== 'clean') parts.push(`${c.noise.ids.join('+')} ×${c.noise.sources}`);
  if (c.snrDb !== 'clean' && c.snrMode === 'per-channel') parts.push('SNR per channel');
  if (c.room === null) parts.push('dry');
  else if ('bank' in c.room) parts.push(`room ${c.room.bank}`);
  else parts.push(`RT60 ${c.room.rt60S} s`);
  parts.push(`az ${c.source.azimuthDeg}°`);
  return parts.join(' · ');
}
