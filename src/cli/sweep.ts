import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { Command, Option } from './commander.ts';
import { Errors } from '../errors.ts';
import { planSweep, runSweep, specFromInput, SWEEP_DEFAULTS } from '../sweep/run.ts';
import type { SweepEvent, SweepSpec } from '../sweep/types.ts';
import { toNumber } from './conditionOptions.ts';
import { workersOption } from './numericOptions.ts';
import { progressBar } from './progress.ts';
import { formatTable } from './table.ts';

/** Grids beyond either limit need a yes (an answer at the terminal, or --yes). */
export const CONFIRM_ABOVE_CELLS = 2000;
export const CONFIRM_ABOVE_CLIP_CONDITIONS = 200_000;

const list = (s: string) => s.split(',').map((v) => v.trim()).filter((v) => v !== '');
// Malformed values pass through as they are, so specFromInput names them with the flag.
const numbers = (s: string) => list(s).map((v) => toNumber(v) as number);
const collect = (value: string, previous: string[]) => [...previous, value];
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `earshot sweep`: a grid of conditions × models over labelled data, the Nat-HEAR way, resumable. */
export function sweepCommand(): Command {
  const d = SWEEP_DEFAULTS;
  return new Command('sweep')
    .description(
      'Degrade every test clip of a labelled data folder (DIR/<class>/<clip>) with each condition of a grid ' +
        '(SNR × room × azimuth × noise × noise sources, each with --seeds seeds), embed it with each model, and score ' +
        'a linear probe on it (Nat-HEAR protocol: trained on clean audio, evaluated per condition; --matched trains on ' +
        'audio degraded the same way). Per grid point: top-1, macro-F1, mAP, mean cosine to the clean embedding and ' +
        'robustness relative to clean, each with a 95% bias-corrected bootstrap interval over seeds and clips.\n\n' +
        'Every finished cell is appended to OUT/cells.jsonl at once: stop it at any time, rerun the same command and ' +
        'only the missing cells run. Clean embeddings are cached (--cache-dir) across runs.',
    )
    .option('--model <ids>', 'encoder id(s), comma-separated (see `earshot models`); a wake-word probe brings its own')
    .requiredOption('--data <dir>', 'labelled data: one subfolder of audio clips per class')
    .requiredOption('-o, --output <dir>', 'output folder: cells.jsonl, results.json, results.csv, report.html')
    .addOption(new Option('--probe <id|file>', 'evaluate this probe, by id (models/probes, models/trained) or file (`earshot probe train`), instead of training one; once per model. A wake-word probe (oww-wakeword) scores its heads on DIR/<head id>/ (positives) and the other folders (negatives)').argParser(collect).default([], 'none'))
    .option('--wake-threshold <p>', 'with a wake-word probe: the detection threshold on head scores (0..1, default 0.5)')
    .option('--train-clean', 'train the probe on clean training clips, evaluate per condition (the default)')
    .option('--matched', 'train a probe per cell on training clips degraded the same way')
    .option('--snr <list>', 'SNRs in dB (-30..80) or "clean"', d.snrDb.join(','))
    .option(
      '--room <list>',
      'rooms: RT60s in s (0: no room, else a simulated room, up to 3), RIR bank ids (`earshot rirs`), and IR files, folders or ' +
        `file-name patterns (irs/*.wav; each file a room named by its file name) (default: ${d.room.join(',')})`,
    )
    .option('--rt60 <list>', 'RT60s only, the same as numbers in --room (not with --room)')
    .option('--azimuth <list>', 'source azimuths in degrees (-180..180; 0 ahead, 90 left)', d.azimuthDeg.join(','))
    .option('--noise <ids>', 'noise recordings or colours, one grid value each (see `earshot noises`)', d.noise.join(','))
    .option('--noise-sources <list>', 'numbers of noise sources (1..5)', d.noiseSources.join(','))
    .option('--seeds <n>', 'seeds per grid point (noise placement, room draws)', String(d.seeds))
    .addOption(new Option('--receiver <kind>', 'how models hear the room: auto = binaural for 2-channel models, FOA for 4, else mono').choices(['auto', 'mono', 'binaural', 'foa']).default(d.receiver))
    .addOption(new Option('--snr-mode <mode>', 'SNR definition of every cell: pooled (one noise gain, energies over all channels) or per-channel (one gain per channel, as Nat-HEAR); default pooled, per-channel with --recipe nathear').choices(['pooled', 'per-channel']))
    .addOption(new Option('--recipe <name>', 'scene recipe: earshot, or nathear (the Nat-HEAR evaluation code step by step, for comparisons with its tables)').choices(['earshot', 'nathear']).default(d.recipe))
    .addOption(new Option('--clean-reference <ref>', 'what cells are compared with: levelled (clean clips at -14 dBFS, as scenes level the talker) or original (clips as decoded)').choices(['levelled', 'original']).default(d.cleanReference))
    .option('--test-fraction <f>', 'share of each class held out for testing (clean and matched protocols)', String(d.testFraction))
    .option('--split-seed <n>', 'seed of the train/test split and probe training', String(d.splitSeed))
    .option('--workers <n>', 'worker threads (default: one per core)', workersOption)
    .option('--redis <url>', 'distribute cells over `earshot worker --redis URL` processes (BullMQ); data paths must be the same for them')
    .option('--cache-dir <dir>', 'clean-embedding cache (default: $EARSHOT_CACHE_DIR or ~/.cache/earshot)')
    .option('--no-cache', 'do not read or write the clean-embedding cache')
    .option('-y, --yes', `run grids of more than ${CONFIRM_ABOVE_CELLS} cells or ${CONFIRM_ABOVE_CLIP_CONDITIONS} clip-conditions without asking`)
    .option('--models-dir <dir>', 'also load model manifests from this folder')
    .addOption(new Option('--rir-dir <dir>', 'add a folder of your own IRs to the RIR bank (repeatable)').argParser(collect).default([], 'none'))
    .addOption(new Option('--noise-dir <dir>', 'add a folder of your own noise recordings to the noise bank (repeatable)').argParser(collect).default([], 'none'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  earshot sweep --model oww-speech-embedding --data speech/ -o sweep/                 # 6 SNR × 4 RT60 × 3 seeds\n' +
        '  earshot sweep --model oww-speech-embedding,naive-logmel --data speech/ --snr 20,5,-5 --room 0,0.6 -o sweep/\n' +
        "  earshot sweep --model oww-speech-embedding --data speech/ --room '0,0.6,street,my-irs/*.wav' -o sweep/   # measured rooms too\n" +
        '  earshot sweep --model oww-speech-embedding --probe probe.json --data speech/ --azimuth 0,90 -o sweep/\n' +
        '  earshot sweep --model oww-speech-embedding --data speech/ --receiver binaural --recipe nathear -o sweep/   # as Nat-HEAR\n' +
        '  earshot sweep --probe oww-wakeword --data wakewords/ --snr 20,5,0 --room 0,0.6 -o sweep/   # wakewords/hey_jarvis/, wakewords/negative/\n' +
        '  earshot worker --redis redis://host:6379 &   # on each machine, then:\n' +
        '  earshot sweep ... --redis redis://host:6379 -o sweep/\n\n' +
        'Outputs: OUT/report.html (plots and the Nat-HEAR table), OUT/results.csv, OUT/results.json.',
    )
    .action(async (opts) => {
      if (opts.matched && opts.trainClean) throw new Errors.INVALID_OPTION('give either --matched or --train-clean, not both');
      if (opts.matched && opts.probe.length > 0) throw new Errors.INVALID_OPTION('--matched trains its own probes; it cannot take --probe');
      const spec = await specFromInput({
        models: opts.model === undefined ? [] : list(opts.model),
        data: opts.data,
        protocol: opts.matched ? 'matched' : opts.probe.length > 0 ? 'probe' : 'clean',
        probes: opts.probe,
        ...(opts.wakeThreshold === undefined ? {} : { wakeThreshold: toNumber(opts.wakeThreshold) as number }),
        snrDb: list(opts.snr).map((v) => (v === 'clean' ? 'clean' : (toNumber(v) as number))),
        ...(opts.room === undefined ? {} : { room: list(opts.room) }),
        ...(opts.rt60 === undefined ? {} : { rt60S: numbers(opts.rt60) }),
        azimuthDeg: numbers(opts.azimuth),
        noise: list(opts.noise),
        noiseSources: numbers(opts.noiseSources),
        seeds: Number(opts.seeds),
        receiver: opts.receiver,
        snrMode: opts.snrMode,
        recipe: opts.recipe,
        cleanReference: opts.cleanReference,
        testFraction: Number(opts.testFraction),
        splitSeed: Number(opts.splitSeed),
        modelsDir: opts.modelsDir,
        rirDirs: opts.rirDir,
        noiseDirs: opts.noiseDir,
      });
      const threads = opts.workers as number | undefined;
      await confirmGrid(spec, Boolean(opts.yes));

      const controller = new AbortController();
      const stop = () => {
        if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: leave now (finished cells are on disk)
        process.stderr.write('\nstopping: finished cells are kept; writing the outputs (Ctrl-C again to leave at once)\n');
        controller.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const bar = new SweepProgress();
      try {
        const results = await runSweep(spec, {
          out: opts.output,
          threads,
          redis: opts.redis,
          cacheDir: opts.cache === false ? null : opts.cacheDir,
          signal: controller.signal,
          log: (line) => bar.log(line),
          onEvent: (e) => bar.event(e),
        });
        bar.stop();
        printSummary(results.clean, results.points);
        const out = opts.output;
        const files = { results: join(out, 'results.json'), csv: join(out, 'results.csv'), report: join(out, 'report.html') };
        process.stdout.write(`${JSON.stringify({ output: out, cellsDone: results.cellsDone, cellsTotal: results.cellsTotal, ...files }, null, 2)}\n`);
        if (controller.signal.aborted) {
          process.stderr.write(`stopped: ${results.cellsDone} of ${results.cellsTotal} cells are saved in ${out}; rerun the same command to finish\n`);
          process.exitCode = 130;
        }
      } finally {
        bar.stop();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

async function confirmGrid(spec: SweepSpec, yes: boolean): Promise<void> {
  const plan = await planSweep(spec);
  const perCell = plan.testClips + (spec.protocol === 'matched' ? plan.trainClips : 0);
  const clipConditions = plan.cells.length * perCell;
  const what = `${count(plan.cells.length, 'cell')} (${count(plan.points, 'grid point')} × ${count(spec.seeds, 'seed')}) × ${count(perCell, 'clip')} = ${clipConditions} clip-conditions`;
  process.stderr.write(`sweep: ${what}\n`);
  if (yes || (plan.cells.length <= CONFIRM_ABOVE_CELLS && clipConditions <= CONFIRM_ABOVE_CLIP_CONDITIONS)) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new Errors.GRID_TOO_LARGE(`the grid is large: ${what}. Check the lists (--snr, --room, --azimuth, --noise, --noise-sources, --seeds), or pass --yes to run it.`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question('This is a large grid. Run it? [y/N] ');
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new Errors.GRID_TOO_LARGE(`not started: ${what}`);
}

/** The progress display: a bar over each model's clean embeddings, then one over the cells this run computes, with ETA; notes printed above. */
class SweepProgress {
  private bar: ReturnType<typeof progressBar> | null = null;
  private clean: ReturnType<typeof progressBar> | null = null;
  private base = 0;
  private toRun = 0;
  /** Models whose clean reference is still to come; the cells bar starts after the last. */
  private cleanLeft = 0;

  event(e: SweepEvent): void {
    if (e.type === 'plan') {
      this.base = e.cellsDone;
      this.toRun = e.cellsTotal - e.cellsDone;
      this.cleanLeft = new Set(e.points.map((p) => p.model)).size;
      process.stderr.write(`${count(e.points.length, 'grid point')} × ${count(e.seeds, 'seed')} over ${count(e.testClips, 'test clip')}; ${count(e.cellsTotal - e.cellsDone, 'cell')} to run\n`);
    } else if (e.type === 'cleanProgress') {
      this.clean ??= progressBar(`clean embeddings, ${e.model}`, e.clipsTotal);
      this.clean.update(e.clipsDone);
      if (e.clipsDone === e.clipsTotal) {
        this.clean.stop();
        this.clean = null;
      }
    } else if (e.type === 'clean') {
      process.stderr.write(`${e.model}: clean top-1 ${e.top1.toFixed(3)}, macro-F1 ${e.macroF1.toFixed(3)}, mAP ${e.mAP.toFixed(3)}\n`);
      if (--this.cleanLeft === 0 && this.toRun > 0) this.bar = progressBar('cells', this.toRun);
    } else if (e.type === 'cell') {
      this.bar ??= progressBar('cells', this.toRun);
      this.bar.update(e.cellsDone - this.base);
    }
  }

  log(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  stop(): void {
    this.clean?.stop();
    this.clean = null;
    this.bar?.stop();
    this.bar = null;
  }
}

function printSummary(clean: { model: string; top1: { mean: number } }[], points: { model: string; top1: { mean: number }; relative: { top1: { mean: number } }; cosine: { mean: number } }[]): void {
  const rows = clean.map((c) => {
    const mine = points.filter((p) => p.model === c.model);
    const mean = (f: (p: (typeof mine)[number]) => number) => (mine.length ? mine.reduce((a, p) => a + f(p), 0) / mine.length : Number.NaN).toFixed(3);
    return { model: c.model, 'clean top-1': c.top1.mean.toFixed(3), 'degraded top-1': mean((p) => p.top1.mean), relative: mean((p) => p.relative.top1.mean), cosine: mean((p) => p.cosine.mean) };
  });
  process.stderr.write(formatTable(rows, ['model', 'clean top-1', 'degraded top-1', 'relative', 'cosine']));
}
