import { Command } from 'commander';
import { RirBank } from '../scene/rirBank.ts';
import { NoiseBank } from '../scene/noiseBank.ts';
import { measureRt60 } from '../dsp/rt60.ts';
import { formatTable } from './table.ts';

const RATE_HZ = 16000;

/** `earshot rirs`: list the RIR bank (shipped plus --rir-dir folders). */
export function rirsCommand(): Command {
  return new Command('rirs')
    .summary('list the RIR bank')
    .description('List the RIR bank: shipped measured and synthesized IRs plus your folders (use an id with `render --rir ID`).')
    .option('--rir-dir <dir>', 'add a folder of your own IRs (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print JSON on stdout')
    .action(async (opts: { rirDir: string[]; json?: boolean }) => {
      const bank = await RirBank.open({ userDirs: opts.rirDir });
      const rows = [];
      for (const e of bank.list()) {
        const ir = await bank.load(e.id, RATE_HZ);
        rows.push({
          id: e.id,
          kind: e.kind,
          layout: bank.entry(e.id).layout,
          channels: ir.length,
          lengthS: round(ir[0].length / RATE_HZ, 3),
          rt60S: round(measureRt60(ir, RATE_HZ).rt60S, 2),
          license: e.license ?? '',
          description: e.description,
        });
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else process.stdout.write(formatTable(rows, ['id', 'kind', 'layout', 'channels', 'lengthS', 'rt60S', 'license', 'description']));
    });
}

/** `earshot noises`: list the noise bank. */
export function noisesCommand(): Command {
  return new Command('noises')
    .summary('list the noise bank')
    .description('List the noise bank: shipped real recordings, your folders, and synthetic white/pink/brown (use ids with `render --noise`).')
    .option('--noise-dir <dir>', 'add a folder of your own noise recordings (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print JSON on stdout')
    .action(async (opts: { noiseDir: string[]; json?: boolean }) => {
      const bank = await NoiseBank.open({ userDirs: opts.noiseDir });
      const rows = [];
      for (const e of bank.list()) {
        const noise = await bank.load(e.id, RATE_HZ);
        rows.push({
          id: e.id,
          origin: e.origin,
          lengthS: noise.kind === 'recording' ? round(noise.samples.length / RATE_HZ, 1) : 'any',
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
