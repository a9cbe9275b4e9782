/**
 * Zero-mean, unit-variance normalisation of one waveform, as
 * transformers' Wav2Vec2FeatureExtractor does it with do_normalize
 * (`zero_mean_unit_var_norm`): (x − mean) / sqrt(var + 1e-7), mean and
 * (population) variance over the given samples, accumulated in float64.
 * Instance normalisation of a multichannel waveform is this per channel.
 *
 * Silence stays all zeros (var 0: divided by sqrt(1e-7), of zeros); empty
 * input gives empty output. Returns a new array.
 *
 * @example zeroMeanUnitVar(channel) // mean 0, variance ~1
 */
export function zeroMeanUnitVar(samples: Float32Array, epsilon = 1e-7): Float32Array {
  const n = samples.length;
  if (n === 0) return new Float32Array(0);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (samples[i] - mean) ** 2;
  const scale = 1 / Math.sqrt(sq / n + epsilon);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (samples[i] - mean) * scale;
  return out;
}
