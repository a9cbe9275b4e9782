/** RMS and peak of a block of samples, dBFS (a full-scale square wave reads 0). Silence and empty input read -Infinity. */
export function levelDbfs(samples: Float32Array): { rmsDb: number; peakDb: number } {
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    sum += x * x;
    const a = Math.abs(x);
    if (a > peak) peak = a;
  }
  const rms = samples.length ? Math.sqrt(sum / samples.length) : 0;
  return { rmsDb: 20 * Math.log10(rms), peakDb: 20 * Math.log10(peak) };
}

/** What the clip lamp shows: whether it is lit, and the samples past full scale and the peak over the frames that lit it. */
export interface ClipState { lit: boolean; clippedSamples: number; peakDbfs: number }

/** The clip lamp's tooltip: the samples past full scale and the peak that lit it, or that none did. */
export function describeClip(clip: ClipState): string {
  if (!clip.lit) return 'degraded scene: no samples past full scale in the last second';
  const peak = clip.peakDbfs.toFixed(1);
  return `degraded scene clipping: ${clip.clippedSamples} samples past full scale in the last second, peak ${clip.peakDbfs > 0 ? '+' : ''}${peak} dBFS (all channels, before the mono mix)`;
}

/**
 * A clip lamp that latches: lit for `holdS` of stream time after a frame with
 * samples past full scale, so a single clipped frame (0.1 s) stays visible.
 * While lit it sums the clipped samples and keeps the highest peak of the
 * clipping frames that started within the last `holdS`. Stream time, not the
 * wall clock: the same frames give the same lamp, and a stopped stream keeps
 * the lamp as its last frame left it, like the meters.
 */
export class ClipLatch {
  private recent: { t0S: number; clippedSamples: number; peakDbfs: number }[] = [];

  constructor(private readonly holdS = 1) {}

  push(t0S: number, clippedSamples: number, peakDbfs: number): ClipState {
    if (clippedSamples > 0) this.recent.push({ t0S, clippedSamples, peakDbfs });
    this.recent = this.recent.filter((f) => f.t0S <= t0S && t0S - f.t0S < this.holdS);
    return {
      lit: this.recent.length > 0,
      clippedSamples: this.recent.reduce((n, f) => n + f.clippedSamples, 0),
      peakDbfs: Math.max(-Infinity, ...this.recent.map((f) => f.peakDbfs)),
    };
  }

  reset(): void {
    this.recent = [];
  }
}
