// `earshot embed` against the same ONNX chain with nothing but onnxruntime-node, whole process
// against whole process: 300 s of shipped speech (the spoken digits of every language, back to
// back, written as a 16 kHz 16-bit WAV), --model oww-speech-embedding --format npy, and
// test/bench/bareEmbed.mjs (the same graphs, windows, hop and batches of 16, same three npy files).
// Each contender runs ROUNDS times, taking turns, under /usr/bin/time; the figures are the best
// wall time and the lowest peak RSS of each. `earshot --help` is timed too: what start-up alone
// costs (TypeScript through tsx, every command's imports). The outputs must agree.
// Run: npm run bench -- embed
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeWav } from '../../src/audio/wav.ts';
import { EARSHOT_NODE_ARGS } from '../helpers/cli.ts';
import { shippedSpeech, type BenchReport } from './report.ts';

const SECONDS = 300;
const ROUNDS = 5;
const ROOT = join(import.meta.dirname, '..', '..');
const TIME = '/usr/bin/time';


/** Wall seconds and peak RSS (MB) of one whole process, from GNU time. */
async function measure(args: string[]): Promise<{ wallS: number; rssMB: number }> {
  const { stderr } = await promisify(execFile)(TIME, ['-f', 'BENCH %e %M', process.execPath, ...args], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [, wall, kb] = /BENCH (\S+) (\d+)\s*$/.exec(stderr) ?? [];
  if (wall === undefined) throw new Error(`no timing from ${TIME}: ${stderr.slice(-500)}`);
  return { wallS: Number(wall), rssMB: Number(kb) / 1024 };
}

export default async function run(): Promise<BenchReport> {
  if (!existsSync(TIME)) throw new Error(`the embed bench needs GNU time at ${TIME} (apt-get install time)`);
  const dir = await mkdtemp(join(tmpdir(), 'earshot-embed-bench-'));
  try {
    const input = join(dir, 'speech300.wav');
    await writeWav(input, { sampleRateHz: 16000, channels: [await shippedSpeech(SECONDS, 16000)] }, 'pcm16');
    const contenders = {
      earshot: [...EARSHOT_NODE_ARGS, 'embed', input, '--model', 'oww-speech-embedding', '--format', 'npy', '-o', join(dir, 'earshot.npy')],
      bare: ['test/bench/bareEmbed.mjs', input, join(dir, 'bare.npy')],
      startup: [...EARSHOT_NODE_ARGS, '--help'],
    };
    const best = Object.fromEntries(Object.keys(contenders).map((k) => [k, { wallS: Infinity, rssMB: Infinity }]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, args] of Object.entries(contenders)) {
        const m = await measure(args);
        best[name] = { wallS: Math.min(best[name].wallS, m.wallS), rssMB: Math.min(best[name].rssMB, m.rssMB) };
      }
    }
    const same = (await readFile(join(dir, 'earshot.npy'))).equals(await readFile(join(dir, 'bare.npy')));
    const { earshot, bare, startup } = best;
    return {
      name: `earshot embed vs bare onnxruntime-node, ${SECONDS} s of speech, oww-speech-embedding, npy, whole processes, best of ${ROUNDS} (outputs ${same ? 'identical' : 'DIFFER'})`,
      rows: [
        { metric: 'wall time (speed ratio: bare / earshot)', value: earshot.wallS, unit: 's', baseline: bare.wallS, ratio: bare.wallS / earshot.wallS, target: '>= 0.95x the bare script\'s speed' },
        { metric: 'peak RSS (ratio: earshot / bare)', value: earshot.rssMB, unit: 'MB', baseline: bare.rssMB, ratio: earshot.rssMB / bare.rssMB, target: '<= 1.5x the bare script' },
        { metric: 'of which start-up: `earshot --help`', value: startup.wallS, unit: 's', target: 'report' },
        { metric: 'start-up peak RSS: `earshot --help`', value: startup.rssMB, unit: 'MB', target: 'report' },
        { metric: 'embeddings identical to the bare script\'s (1 = yes)', value: same ? 1 : 0, unit: '', target: '1' },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
