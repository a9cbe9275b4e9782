// `earshot embed` against the same ONNX chain with nothing but onnxruntime-node, whole process
// against whole process: 300 s of shipped speech (the spoken digits of every language, back to
// back, written as a 16 kHz 16-bit WAV), --model oww-speech-embedding --format npy, and
// test/bench/bareEmbed.mjs (the same graphs, windows, hop and batches of 16, same three npy files).
// Each contender runs ROUNDS times, taking turns, under /usr/bin/time; the speed ratio is the median
// of the rounds' bare / earshot ratios, and the figures beside it the best wall time and the least
// CPU time and peak RSS of each. `earshot --help` is timed too: what start-up alone costs (Node and
// the command line's imports). The outputs must agree.
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
const ROUNDS = 7;
const ROOT = join(import.meta.dirname, '..', '..');
const TIME = '/usr/bin/time';


/** Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one whole process, from GNU time. */
async function measure(args: string[]): Promise<{ wallS: number; cpuS: number; rssMB: number }> {
  const { stderr } = await promisify(execFile)(TIME, ['-f', 'BENCH %e %U %S %M', process.execPath, ...args], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [, wall, user, sys, kb] = /BENCH (\S+) (\S+) (\S+) (\d+)\s*$/.exec(stderr) ?? [];
  if (wall === undefined) throw new Error(`no timing from ${TIME}: ${stderr.slice(-500)}`);
  return { wallS: Number(wall), cpuS: Number(user) + Number(sys), rssMB: Number(kb) / 1024 };
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
    const best = Object.fromEntries(Object.keys(contenders).map((k) => [k, { wallS: Infinity, cpuS: Infinity, rssMB: Infinity }]));
    // The host's speed drifts over minutes; two runs back to back see nearly the same host, so each round's
    // bare / earshot ratio is compared like with like, and their median is the speed ratio.
    const paired: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round: Record<string, number> = {};
      for (const [name, args] of Object.entries(contenders)) {
        const m = await measure(args);
        round[name] = m.wallS;
        best[name] = { wallS: Math.min(best[name].wallS, m.wallS), cpuS: Math.min(best[name].cpuS, m.cpuS), rssMB: Math.min(best[name].rssMB, m.rssMB) };
      }
      paired.push(round.bare / round.earshot);
    }
    const medianRatio = paired.sort((a, b) => a - b)[Math.floor(paired.length / 2)];
    const same = (await readFile(join(dir, 'earshot.npy'))).equals(await readFile(join(dir, 'bare.npy')));
    const { earshot, bare, startup } = best;
    return {
      name: `earshot embed vs bare onnxruntime-node, ${SECONDS} s of speech, oww-speech-embedding, npy, whole processes, ${ROUNDS} rounds (outputs ${same ? 'identical' : 'DIFFER'})`,
      rows: [
        { metric: 'speed ratio (bare / earshot): median of the rounds, each pair run back to back', value: medianRatio, unit: 'x', target: '>= 0.95x the bare script\'s speed' },
        { metric: 'wall time, best of the rounds (ratio: bare / earshot)', value: earshot.wallS, unit: 's', baseline: bare.wallS, ratio: bare.wallS / earshot.wallS, target: 'report' },
        { metric: 'CPU time, user + system, least of the rounds (ratio: earshot / bare)', value: earshot.cpuS, unit: 's', baseline: bare.cpuS, ratio: earshot.cpuS / bare.cpuS, target: 'report' },
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
