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
