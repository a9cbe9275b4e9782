import { Command } from './commander.ts';
import { RirBank } from '../scene/rirBank.ts';
import { NoiseBank } from '../scene/noiseBank.ts';
import { measureRt60 } from '../dsp/rt60.ts';
import { formatTable } from './table.ts';

/** `earshot rirs`: list the RIR bank (shipped plus --rir-dir folders). */
export function rirsCommand(): Command {
  return new Command('rirs')
    .description('List the RIR bank: shipped measured and synthesized IRs plus your folders (use an id with `render --rir ID`).')
    .option('--rir-dir <dir>', 'add a folder of your own IRs (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print JSON on stdout')
    .action(async (opts: { rirDir: string[]; json?: boolean }) => {
      const bank = await RirBank.open({ userDirs: opts.rirDir });
      const rows = [];
      for (const e of bank.list()) {
        const { channels, sampleRateHz } = await bank.loadAtOwnRate(e.id);
        rows.push({
          id: e.id,
          kind: e.kind,
          layout: bank.entry(e.id).layout,
          channels: channels.length,
          sampleRateHz,
          lengthS: round(channels[0].length / sampleRateHz, 3),
          rt60S: round(measureRt60(channels, sampleRateHz).rt60S, 2),
          license: e.license ?? '',
          description: e.description,
        });
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(formatTable(rows, ['id', 'kind', 'layout', 'channels', 'sampleRateHz', 'lengthS', 'rt60S', 'license', 'description']));
    });
}

/** The rate `earshot noises` loads recordings at (the pipeline's usual rate: loading measures the length and checks the file decodes). */
const NOISE_RATE_HZ = 16000;

/** `earshot noises`: list the noise bank. */
export function noisesCommand(): Command {
  return new Command('noises')
    .description('List the noise bank: shipped real recordings, your folders, and synthetic white/pink/brown (use ids with `render --noise`).')
    .option('--noise-dir <dir>', 'add a folder of your own noise recordings (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print JSON on stdout')
    .action(async (opts: { noiseDir: string[]; json?: boolean }) => {
      const bank = await NoiseBank.open({ userDirs: opts.noiseDir });
      const rows = [];
      for (const e of bank.list()) {
        const noise = await bank.load(e.id, NOISE_RATE_HZ);
        rows.push({
          id: e.id,
          origin: e.origin,
          lengthS: noise.kind === 'recording' ? round(noise.samples.length / NOISE_RATE_HZ, 1) : 'any',
          license: e.license ?? '',
          description: e.description,
        });
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(formatTable(rows, ['id', 'origin', 'lengthS', 'license', 'description']));
    });
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
