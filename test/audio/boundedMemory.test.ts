import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWavBlocks } from '../../src/audio/wav.ts';
import { MAIN_THREAD_FLAGS } from '../../src/moduleStart.ts';
import { REPO_ROOT, tempDir } from '../helpers/audio.ts';
import { EARSHOT_NODE_ARGS } from '../helpers/cli.ts';

// Peak RSS for 5 and for 60 minutes of audio: `earshot render` as a user runs it, and the path of
// `earshot embed` (read -> encoder stream -> npy) with a stand-in model cheap enough for an hour.
// RSS is counted, not time, so a busy machine slows the test but does not fail it. The audio is
// 8 kHz 16-bit mono (60 minutes: 57.6 MB of WAV, 115 MB decoded as float32), so that an hour goes
// through in seconds; a path that held the decoded file would add those 115 MB to the hour's peak,
// and one that left each block it read to the garbage collector would add tens of MB.
const RATE = 8000;
const MINUTES = [5, 60] as const;
// Compiled, as the program runs (the suite compiles before it runs: test/setup/compiled.ts).
const EMBED_CHILD = join(REPO_ROOT, 'dist', 'test', 'helpers', 'boundedMemoryChild.js');
const PEAK_RSS = join(REPO_ROOT, 'dist', 'test', 'helpers', 'peakRss.js');

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

/** Peak RSS (KB) of one process over `minutes` of audio. */
async function peakRssKB(mode: 'embed' | 'render', minutes: number): Promise<number> {
  const input = files[minutes];
  const peakFile = join(dir, `${mode}-${minutes}.rss`);
  const args = mode === 'embed'
    ? [...MAIN_THREAD_FLAGS, EMBED_CHILD, input, dir]
    : [...EARSHOT_NODE_ARGS, 'render', input, '-o', join(dir, `scene-${minutes}.wav`), '--snr', '5', '--noise', 'cafe', '--sample-rate', String(RATE)];
  const env = { ...process.env, EARSHOT_PEAK_RSS_FILE: peakFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(PEAK_RSS).href}`.trim() };
  await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env, timeout: 120_000 });
  return Number(await readFile(peakFile, 'utf8'));
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
    it(`${mode}: peak RSS for 60 minutes within 1.2x of that for 5 minutes`, async () => {
      const [five, sixty] = await Promise.all(MINUTES.map((m) => peakRssKB(mode, m)));
      const decodedHourKB = (60 * 60 * RATE * 4) / 1024;
      expect(decodedHourKB).toBeGreaterThan(0.2 * five); // holding the decoded hour would break the bound
      const figures = `${mode}: 5 min ${five} KB, 60 min ${sixty} KB`;
      expect(sixty, figures).toBeLessThan(1.2 * five);
    }, 120_000);
  }
});
