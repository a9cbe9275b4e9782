import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { padOrCutRows } from '../../src/encoders/frontends/featureMatrix.ts';
import { createKaldiFbank } from '../../src/encoders/frontends/kaldiFbank.ts';
import { kaldiMelBanks, slaneyMelFilters, type MelFilterbank } from '../../src/encoders/frontends/melFilters.ts';
import { zeroMeanUnitVar } from '../../src/encoders/frontends/normalize.ts';
import { createPowerSpectrum } from '../../src/encoders/frontends/powerSpectrum.ts';
import { createWhisperLogMel } from '../../src/encoders/frontends/whisperLogMel.ts';
import { loadSpeech, REPO_ROOT } from '../helpers/audio.ts';

// References made by test/fixtures/frontends/make_fixtures.py (torchaudio 0.13 kaldi.fbank, Whisper's log_mel_spectrogram).
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'frontends');
const meta = JSON.parse(readFileSync(join(FIXTURES, 'meta.json'), 'utf8')) as Record<string, { shape: number[] }> & {
  'normalize.json': { mean: number; var: number; first: number[] };
};

function fixture(name: string): { shape: number[]; data: Float32Array } {
  const buf = readFileSync(join(FIXTURES, name));
  return { shape: meta[name].shape, data: new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err;
}

/** The first `cols` columns of a rows × width matrix. */
function leftColumns(data: Float32Array, rows: number, width: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * width, r * width + cols), r * cols);
  return out;
}

function dense(fb: MelFilterbank, cols: number): Float64Array {
  const out = new Float64Array(fb.numBins * cols);
  for (let m = 0; m < fb.numBins; m++) for (let k = 0; k < cols; k++) out[m * cols + k] = fb.weights[m * fb.numFftBins + k];
  return out;
}

const speech = await loadSpeech(3);

describe('mel filterbanks', () => {
  it('Slaney filters equal librosa.filters.mel(16000, 400, 80) (Whisper)', () => {
    expect(maxAbsDiff(dense(slaneyMelFilters({ numBins: 80, fftSize: 400, sampleRateHz: 16000 }), 201), fixture('slaney_80.f32').data)).toBeLessThan(1e-6);
  });

  it("Kaldi banks equal torchaudio's get_mel_banks(23, 512, 16000, 20, 0), with a zero Nyquist column", () => {
    const fb = kaldiMelBanks({ numBins: 23, fftSize: 512, sampleRateHz: 16000 });
    expect(maxAbsDiff(dense(fb, 256), fixture('kaldi_banks_23.f32').data)).toBeLessThan(1e-5);
    for (let m = 0; m < 23; m++) expect(fb.weights[m * 257 + 256]).toBe(0);
  });
});

describe('power spectrum', () => {
  it.each([400, 512, 6])('size %i matches a direct DFT', (size) => {
    const frame = Float64Array.from({ length: size }, (_, n) => Math.sin(0.37 * n) + 0.5 * Math.cos(1.9 * n * n) + (n % 7) / 7);
    const out = new Float64Array(size / 2 + 1);
    createPowerSpectrum(size)(frame, out);
    for (let k = 0; k <= size / 2; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < size; n++) {
        re += frame[n] * Math.cos((2 * Math.PI * n * k) / size);
        im -= frame[n] * Math.sin((2 * Math.PI * n * k) / size);
      }
      expect(Math.abs(out[k] - (re * re + im * im))).toBeLessThan(1e-9 * Math.max(1, re * re + im * im));
    }
  });
});

describe('Kaldi fbank (torchaudio.compliance.kaldi.fbank)', () => {
  it("AST's call (hanning window, 128 bins, float audio) within 1e-3", () => {
    const ref = fixture('fbank_hanning_128.f32');
    const fbank = createKaldiFbank({ sampleRateHz: 16000, numMelBins: 128, windowType: 'hanning' })(speech);
    expect([fbank.rows, fbank.cols]).toEqual(ref.shape);
    expect(maxAbsDiff(fbank.data, ref.data)).toBeLessThan(1e-3);
  });

  it("Kaldi's defaults (povey window, 80 bins) on int16-range audio within 1e-3 (2e-4 of torchaudio in float64)", () => {
    const ref = fixture('fbank_povey_80_x32768.f32');
    const fbank = createKaldiFbank({ sampleRateHz: 16000, numMelBins: 80, waveformScale: 32768 })(speech);
    expect([fbank.rows, fbank.cols]).toEqual(ref.shape);
    expect(maxAbsDiff(fbank.data, ref.data)).toBeLessThan(1e-3);
    // torch's own float32 result is 9e-4 off its float64 one in bins ~95 dB below the peak; ours is float64 inside.
    expect(maxAbsDiff(fbank.data, fixture('fbank_povey_80_x32768_f64.f32').data)).toBeLessThan(2e-4);
  });

  it('AST input: padded to max_length with zeros, then (x - mean) / (2 std), within 1e-3', () => {
    const fbank = createKaldiFbank({ sampleRateHz: 16000, numMelBins: 128, windowType: 'hanning' })(speech);
    const padded = padOrCutRows(fbank, 100);
    const input = padded.data.map((v) => (v - -4.2677393) / (2 * 4.5689974));
    expect(maxAbsDiff(input, fixture('ast_input_100.f32').data)).toBeLessThan(1e-3);
    expect(padOrCutRows(fbank, 50).data).toEqual(fbank.data.subarray(0, 50 * 128));
  });

  it('gives no frames for input shorter than one frame, and the log floor for silence', () => {
    const fbank = createKaldiFbank({ sampleRateHz: 16000, numMelBins: 128, windowType: 'hanning' });
    expect(fbank(new Float32Array(399)).rows).toBe(0);
    const silent = fbank(new Float32Array(400 + 160));
    expect(silent.rows).toBe(2);
    expect(Math.max(...silent.data)).toBeCloseTo(Math.log(1.1920928955078125e-7), 6);
  });

  it('rejects bad options, naming them', () => {
    expect(() => createKaldiFbank({ sampleRateHz: 16000, numMelBins: 3 })).toThrow(/numMelBins/);
    expect(() => createKaldiFbank({ sampleRateHz: 16000, numMelBins: 80, windowType: 'kaiser' as 'povey' })).toThrow(/windowType/);
  });
});

describe("Whisper log-mel (openai/whisper's log_mel_spectrogram after pad_or_trim)", () => {
  it.each([80, 128] as const)('%i bins within 1e-3 (first 120 of 3000 frames)', (numMelBins) => {
    const ref = fixture(`whisper_${numMelBins}.f32`);
    const mel = createWhisperLogMel({ numMelBins, chunkS: 30 })(speech);
    expect([mel.rows, mel.cols]).toEqual([numMelBins, 3000]);
    expect(maxAbsDiff(leftColumns(mel.data, numMelBins, 3000, 120), ref.data)).toBeLessThan(1e-3);
  });

  it('cuts audio longer than the chunk; silence is flat', () => {
    const logMel = createWhisperLogMel({ numMelBins: 80, chunkS: 1 });
    const long = new Float32Array(16000 + 5000).map((_, i) => Math.sin(i / 10) * 0.1);
    expect(logMel(long).data).toEqual(logMel(long.subarray(0, 16000)).data);
    expect(new Set(logMel(new Float32Array(100)).data)).toEqual(new Set([(-10 + 4) / 4]));
  });
});

describe('zero-mean unit-variance (Wav2Vec2FeatureExtractor do_normalize)', () => {
  it('matches numpy', () => {
    const ref = meta['normalize.json'];
    const out = zeroMeanUnitVar(speech);
    expect(maxAbsDiff(out.subarray(0, 32), ref.first)).toBeLessThan(1e-5);
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    expect(Math.abs(mean)).toBeLessThan(1e-6);
    expect(out.reduce((a, b) => a + (b - mean) ** 2, 0) / out.length).toBeCloseTo(1, 4);
  });

  it('leaves silence at zero', () => {
    expect(zeroMeanUnitVar(new Float32Array(10))).toEqual(new Float32Array(10));
    expect(zeroMeanUnitVar(new Float32Array(0)).length).toBe(0);
  });
});
