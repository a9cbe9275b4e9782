import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWavBlocks } from '../../src/audio/wav.ts';
import { MAIN_THREAD_FLAGS } from '../../src/moduleStart.ts';
import { REPO_ROOT, tempDir } from '../helpers/audio.ts';

// Peak RSS of a child process running a long-file path, for 5 and for 60 minutes of audio.
// RSS is counted, not time, so a busy machine slows the test but does not fail it. The
// audio is 8 kHz 16-bit mono (60 minutes: 57.6 MB of WAV, 115 MB decoded as float32), so
// that an hour goes through in seconds; a path that held the decoded file would add those
// 115 MB to the hour's peak. Embed stays within 1.2x. The render's peak still rises by 20-35 MB
// between 5 and 60 minutes and then levels off (about 90, 110 and 115 MB at 5, 20 and 60
// minutes): ArrayBuffers waiting for V8 to collect them, not audio it keeps. So the render
// is held to less than half the decoded hour of growth, which any path that kept the file
// would break; the 1.2x goal for it is not met yet.
const RATE = 8000;
const MINUTES = [5, 60] as const;
// Compiled, as the program runs (the suite compiles before it runs: test/setup/compiled.ts).
const CHILD = join(REPO_ROOT, 'dist', 'test', 'helpers', 'boundedMemoryChild.js');

let dir: string;
let cleanup: () => Promise<void>;
const files: Record<number, string> = {};

/** Write `minutes` of synthetic audio (a warbling tone), block by block. */
async function writeLongWav(path: string, minutes: number): Promise<void> {
  const frames = minutes * 60 * RATE;
  const block = 65536;
  let at = 0;
  await writeWavBlocks(path, {
    sampleRateHz: RATE,
    channelCount: 1,
    frames,
    async read() {
      if (at >= frames) return null;
      const x = new Float32Array(Math.min(block, frames - at));
      for (let k = 0; k < x.length; k++) x[k] = 0.3 * Math.sin(0.07 * (at + k) + 3 * Math.sin((at + k) / 4000));
      at += x.length;
      return [x];
    },
  }, 'pcm16', { peak: 0.3, clippedSamples: 0 });
}

async function peakRssKB(mode: 'embed' | 'render', minutes: number): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [...MAIN_THREAD_FLAGS, CHILD, mode, files[minutes], dir], { cwd: REPO_ROOT, timeout: 120_000 });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { frames: number; maxRssKB: number };
  expect(result.frames).toBeGreaterThan(0);
  return result.maxRssKB;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-bounded-memory-'));
  for (const m of MINUTES) {
    files[m] = join(dir, `${m}min.wav`);
    await writeLongWav(files[m], m);
  }
}, 60_000);
afterAll(() => cleanup());

describe('long files go through in memory that does not grow with them', () => {
  for (const mode of ['embed', 'render'] as const) {
    const bound = mode === 'embed' ? 'within 1.2x of that for 5 minutes' : 'above that for 5 minutes by less than half the decoded hour';
    it(`${mode}: peak RSS for 60 minutes ${bound}`, async () => {
      const [five, sixty] = await Promise.all(MINUTES.map((m) => peakRssKB(mode, m)));
      const decodedHourKB = (60 * 60 * RATE * 4) / 1024;
      expect(decodedHourKB).toBeGreaterThan(0.2 * five); // holding the decoded hour would break the bound
      const figures = `${mode}: 5 min ${five} KB, 60 min ${sixty} KB`;
      if (mode === 'embed') expect(sixty, figures).toBeLessThan(1.2 * five);
      else expect(sixty - five, figures).toBeLessThan(0.5 * decodedHourKB);
    }, 120_000);
  }
});
