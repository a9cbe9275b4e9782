import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/random.ts';
import { openSileroVad, VAD_CHUNK_SAMPLES, type SileroVad } from '../../src/probes/vad.ts';
import { loadSpeech } from '../helpers/audio.ts';
import { loader } from '../helpers/openwakeword.ts';
import { loadProbeManifest } from '../../src/probes/probeManifest.ts';
import { WAKE_WORD_HEADS } from '../../src/probes/wakeword.ts';

let vad: SileroVad;
beforeAll(async () => {
  vad = await openSileroVad(loader);
});

const mean = (p: Float32Array) => p.reduce((a, b) => a + b, 0) / p.length;

describe('Silero VAD', () => {
  it('is high during speech and low in the silence around it', async () => {
    for (const digit of [0, 3, 7, 9]) {
      const speech = await loadSpeech(digit);
      const x = new Float32Array(8192 + speech.length + 8192);
      x.set(speech, 8192);
      const { probabilities, timestampsS } = await vad.track(x);
      expect(probabilities.length).toBe(Math.floor(x.length / VAD_CHUNK_SAMPLES));
      expect(timestampsS[1] - timestampsS[0]).toBeCloseTo(0.032, 12);
      const before = probabilities.subarray(0, 14);
      const during = probabilities.subarray(16 + 8, 16 + Math.floor(speech.length / 512) - 8);
      expect(Math.max(...before), `digit ${digit} before`).toBeLessThan(0.1);
      expect(mean(during), `digit ${digit} during`).toBeGreaterThan(0.9);
    }
  });

  it('is low on digital silence and on white noise', async () => {
    expect(Math.max(...(await vad.track(new Float32Array(48000))).probabilities)).toBeLessThan(0.1);
    for (const [amp, seed] of [[0.01, 1], [0.1, 2], [0.3, 3]]) {
      const rng = createRng(seed);
      const { probabilities } = await vad.track(new Float32Array(48000).map(() => amp * rng.normal()));
      expect(mean(probabilities), `noise ${amp}`).toBeLessThan(0.1);
      expect(Math.max(...probabilities), `noise ${amp}`).toBeLessThan(0.5);
    }
  });

  it('streams with carried state: any chunking gives the whole-clip track, deterministically', async () => {
    const x = await loadSpeech(7);
    const whole = await vad.track(x);
    const s = vad.stream();
    const parts: number[] = [];
    for (let at = 0, k = 0; at < x.length; k++) {
      const n = [100, 512, 1000, 7][k % 4];
      parts.push(...(await s.push(x.subarray(at, at + n))));
      at += n;
    }
    expect(Float32Array.from(parts)).toEqual(whole.probabilities);
    expect((await vad.track(x)).probabilities).toEqual(whole.probabilities);
    expect((await vad.track(new Float32Array(511))).probabilities.length).toBe(0);
  });
});

describe('probe manifests', () => {
  it('describe the shipped VAD and wake-word heads, with licences and resolved graph files', () => {
    const vadManifest = loadProbeManifest('silero-vad');
    expect(vadManifest.manifest.license).toBe('MIT');
    expect(vadManifest.manifest.input).toEqual({ kind: 'audio', sampleRateHz: 16000, chunkSamples: 512 });
    const heads = loadProbeManifest('oww-wakeword');
    expect(heads.manifest.license).toBe('CC-BY-NC-SA-4.0');
    expect(Object.keys(heads.paths)).toEqual([...WAKE_WORD_HEADS]);
    expect(() => loadProbeManifest('no-such-probe')).toThrow(/no-such-probe/);
  });
});
