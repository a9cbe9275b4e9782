import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { speechPath } from '../helpers/audio.ts';
import { messageLines, runCli, runMain } from '../helpers/cli.ts';
import { NO_INPUT_DEVICE } from '../../src/pipeline/micSource.ts';
import { windowSpec } from '../../src/pipeline/streamConfig.ts';
import { readManifest, WAKEWORD_FIXTURES } from '../helpers/openwakeword.ts';

// 0.wav: 13996 samples at 16 kHz (one openWakeWord window, five naive-logmel ones).
const SAMPLES = 13996;
const windows = (model: string) => {
  const { windowSamples, hopSamples, offsetSamples } = windowSpec(readManifest(model));
  return Math.max(0, Math.floor((SAMPLES - offsetSamples - windowSamples) / hopSamples) + 1);
};

describe('earshot stream', () => {
  // A real process: the NDJSON lines on its stdout, its notes on stderr, its exit status.
  it('a short clip: one NDJSON line per window of each model on stdout, notes on stderr, exit 0', async () => {
    const run = await runCli(['stream', speechPath(0), '--model', 'oww-speech-embedding,naive-logmel', '--snr', '0', '--rt60', '0.4', '--workers', '1'], 120_000);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    for (const model of ['oww-speech-embedding', 'naive-logmel']) {
      expect(lines.filter((l) => l.model === model).map((l) => l.seq)).toEqual(Array.from({ length: windows(model) }, (_, k) => k));
    }
    const first = lines[0];
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['streamId', 'model', 'seq', 't0S', 't1S', 'capturedAtMs', 'encodedAtMs', 'sentAtMs', 'conditionVersion', 'probe', 'metrics', 'droppedTotal', 'embeddingDim']));
    expect(first).not.toHaveProperty('clean');
    expect(first.metrics).toEqual(expect.objectContaining({ cosine: expect.any(Number), cka: null, levelDbfs: expect.any(Object) }));
    expect(lines.find((l) => l.model === 'oww-speech-embedding').embeddingDim).toBe(96);
    expect(messageLines(run.stderr).some((l) => /streaming .*0\.wav through oww-speech-embedding, naive-logmel/.test(l))).toBe(true);
    expect(messageLines(run.stderr).some((l) => /\d+ windows, 0 dropped/.test(l))).toBe(true);
  });

  // In-process through main(): what the flags put in the lines is under test.
  it('--embeddings adds the two vectors; a clean scene gives cosine 1', async () => {
    const run = await runMain(['stream', speechPath(0), '--model', 'naive-logmel', '--embeddings', '--no-vad', '--hop', '0.25']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(Math.floor((SAMPLES - 8000) / 4000) + 1);
    for (const l of lines) {
      expect(l.clean).toHaveLength(512);
      expect(l.degraded).toEqual(l.clean);
      expect(l.metrics.cosine).toBeCloseTo(1, 9);
      expect(l.metrics.vadProbability).toBeNull();
    }
  });

  // A real process: ALSA's notices would come from native code, straight to file descriptor 2.
  it.skipIf(existsSync('/proc/asound/cards'))('mic on a machine with no sound card: the clear error alone, no ALSA notices, exit 1', async () => {
    const run = await runCli(['stream', 'mic', '--model', 'naive-logmel']);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/ALSA|PortAudio/);
    expect(messageLines(run.stderr)).toEqual([`earshot: error: ${NO_INPUT_DEVICE} (this machine has no sound card)`]);
  });

  it('--probe keywords (by id) with --probe-smooth 3: each window\'s probabilities are the mean of the last three unsmoothed ones', async () => {
    // A few seconds of speech: enough windows to average over.
    const clip = join(WAKEWORD_FIXTURES, 'hey_jarvis_en-us_150.wav');
    const args = ['stream', clip, '--model', 'oww-speech-embedding', '--probe', 'keywords', '--no-vad', '--snr', '5'];
    type Line = { probe: { id: string; clean: number[]; degraded: number[]; smooth: number } };
    const probes = async (extra: string[]) => {
      const run = await runMain([...args, ...extra]);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Line).probe);
    };
    const raw = await probes([]);
    const smoothed = await probes(['--probe-smooth', '3']);
    expect(raw.length).toBeGreaterThanOrEqual(6);
    expect(smoothed).toHaveLength(raw.length);
    expect(raw.every((p) => p.id === 'keywords' && p.smooth === 1)).toBe(true);
    smoothed.forEach((p, k) => {
      expect(p.smooth).toBe(3);
      const last = raw.slice(Math.max(0, k - 2), k + 1);
      for (const side of ['clean', 'degraded'] as const) {
        p[side].forEach((v, c) => expect(v).toBeCloseTo(last.reduce((a, r) => a + r[side][c], 0) / last.length, 6));
      }
    });
  });

  it('bad flags name themselves', async () => {
    const run = await runMain(['stream', speechPath(7), '--model', 'naive-logmel', '--cka-windows', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--cka-windows must be an integer from 3 to 1024, got "2"/);
    const unknown = await runMain(['stream', speechPath(7), '--model', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown model "nope"/);
    const endless = await runMain(['stream', speechPath(7), '--model', 'naive-logmel', '--loop']);
    expect(endless.code).toBe(1);
    expect(endless.stderr).toMatch(/--loop plays the file again at its end, for ever: give it with --realtime/);
  });
});
