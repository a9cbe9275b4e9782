import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src/audio/load.ts';
import { resample } from '../../src/audio/resample.ts';
import { writeWav } from '../../src/audio/wav.ts';
import { FIXTURES, rejection, sine, tempDir, toneStats } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('resample', () => {
  it('1 kHz sine at 48 kHz -> 16 kHz keeps frequency and amplitude, length exactly n / 3', async () => {
    for (const quality of ['best', 'medium', 'fastest'] as const) {
      const x = sine(48000, 48000, 1000, 0.5);
      const y = await resample({ sampleRateHz: 48000, channels: [x] }, 16000, quality);
      expect(y.sampleRateHz).toBe(16000);
      expect(y.channels[0]).toHaveLength(16000);
      const s = toneStats(y.channels[0], 16000);
      expect(s.freqHz).toBeCloseTo(1000, 1);
      expect(s.amplitude).toBeCloseTo(0.5, 3);
    }
  });
});

describe('loadAudio', () => {
  it('decodes only, when no option is given', async () => {
    const audio = await loadAudio(FIXTURES + 'sine440_880_stereo_48k.ogg');
    expect([audio.sampleRateHz, audio.channels.length, audio.channels[0].length]).toEqual([48000, 2, 14400]);
  });
  it('mono = mean of the channels', async () => {
    const a = sine(1000, 8000, 500, 0.5);
    const b = sine(1000, 8000, 500, 0.5, Math.PI); // opposite phase: cancels
    const c = sine(1000, 8000, 500, 0.3);
    const path = join(dir, 'three.wav');
    await writeWav(path, { sampleRateHz: 8000, channels: [a, b, c] }, 'float32');
    const audio = await loadAudio(path, { mono: true });
    expect(audio.channels).toHaveLength(1);
    audio.channels[0].forEach((v, i) => expect(v).toBeCloseTo((a[i] + b[i] + c[i]) / 3, 6));
  });
  it('resamples a FLAC fixture to 16 kHz, mono', async () => {
    const audio = await loadAudio(FIXTURES + 'sine1k3k_stereo_96k_24bit.flac', { sampleRateHz: 16000, mono: true, quality: 'medium' });
    expect(audio.sampleRateHz).toBe(16000);
    expect(audio.channels).toHaveLength(1);
    expect(audio.channels[0]).toHaveLength(800); // 4800 * 16000 / 96000
  });
  it('keeps the input untouched when the rate already matches', async () => {
    const audio = await loadAudio(FIXTURES + 'sine300_mono_8k.mp3', { sampleRateHz: 8000 });
    expect(audio.channels[0]).toHaveLength(4000);
  });
  it('rejects bad options before reading the file', async () => {
    for (const options of [{ sampleRateHz: 0 }, { sampleRateHz: 16000.5 }, { quality: 'great' }, { mono: 'yes' }]) {
      const err = await rejection(loadAudio('does-not-matter.wav', options as never));
      expect(err.code).toBe('EARSHOT_INVALID_OPTION');
    }
  });
  it('passes decode errors through', async () => {
    const err = await rejection(loadAudio(join(dir, 'missing.flac')));
    expect(err.code).toBe('EARSHOT_FILE_NOT_FOUND');
  });
});
