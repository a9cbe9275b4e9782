import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from './commander.ts';
import { openEncoder } from '../encoders/index.ts';
import { readLabelledData, type LabelledData } from '../probes/dataset.ts';
import { embedData } from '../probes/embedData.ts';
import { embedLiveWindows } from '../probes/embedWindows.ts';
import { predictProbe, trainProbe } from '../probes/linearProbe.ts';
import { classificationMetrics } from '../probes/metrics.ts';
import { fromProbeFile, saveProbe, toProbeFile } from '../probes/probeFile.ts';
import { resolveProbe } from '../probes/resolveProbe.ts';
import { stratifiedSplit } from '../probes/split.ts';
import { validateCondition, type Condition } from '../scene/condition.ts';
import { openBanks } from '../scene/render.ts';
import { createRng } from '../random.ts';
import { Errors } from '../errors.ts';
import { progressBar } from './progress.ts';
import { readConditionFile } from './conditionOptions.ts';
import { integerOption, numberOption } from './numericOptions.ts';
import { runtimeOptions } from './runtimeOptions.ts';

/** `earshot probe train|eval`: linear probes on a model's scene embeddings. */
export function probeCommand(): Command {
  const probe = new Command('probe').description(
    'Linear probes (softmax regression on standardised scene embeddings, L2 chosen on a validation split) ' +
      'trained on a folder with one subfolder of clips per class, clean or degraded by a condition.',
  );
  const train = runtimeOptions(
    new Command('train')
      .description('Train a probe on DIR/<class>/<clip>. A seeded, stratified share of the clips (--held-out) is kept out of training and recorded in the probe, for `probe eval --held-out`.')
      .requiredOption('--model <id>', 'encoder (see `earshot models`)')
      .requiredOption('--data <dir>', 'labelled data: one subfolder of audio clips per class')
      .requiredOption('-o, --output <file>', 'where to write the probe (JSON)')
      .option('--condition <file>', 'train on audio degraded by this condition (JSON, as for render --condition)')
      .option('--held-out <fraction>', 'share of each class kept out of training (0..0.9)', numberOption('held-out', { min: 0, max: 0.9 }, 'a fraction'), 0.25)
      .option('--seed <n>', 'seed for the splits', integerOption('seed', { min: 0 }), 0)
      .option('--windows', "train on every live window of each clean clip (as `earshot stream` and the dashboard embed them; the split stays by clip) instead of each clip's scene embedding"),
  ).action(async (opts) => {
    const heldOutFraction = opts.heldOut as number;
    const seed = opts.seed as number;
    const data = await readLabelledData(opts.data);
    const condition = opts.condition ? await readCondition(opts.condition) : null;
    const windows = opts.windows === true;
    if (windows && condition) throw new Errors.INVALID_OPTION('--windows trains on clean live windows; it does not take --condition');
    const perClip = windows ? await embedWindows(data, opts) : (await embed(data, opts, condition)).map((e) => [e]);
    const { kept, heldOut } = stratifiedSplit(data.labels, heldOutFraction, createRng(seed).fork('probe-held-out'));
    const examples = kept.flatMap((i) => perClip[i]);
    const fitted = trainProbe(examples, Int32Array.from(kept.flatMap((i) => perClip[i].map(() => data.labels[i]))), data.classes.length, { seed });
    const file = toProbeFile(fitted, {
      modelId: opts.model,
      classes: data.classes,
      seed,
      trainedOn: { data: data.root, examples: examples.length, heldOut: heldOut.map((i) => data.files[i]), condition, ...(windows ? { unit: 'live-window' as const } : {}) },
    });
    await saveProbe(opts.output, file);
    const summary = { probe: opts.output, model: opts.model, classes: data.classes, trainedOn: examples.length, heldOut: heldOut.length, l2: fitted.l2, validation: fitted.validation };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  });
  const evaluate = runtimeOptions(
    new Command('eval')
      .description('Evaluate a probe on DIR/<class>/<clip>, clean or degraded; prints top-1, macro-F1, mAP and the confusion matrix as JSON.')
      .requiredOption('--probe <id|file>', 'a probe written by `earshot probe train`, by file or by id (models/trained)')
      .requiredOption('--data <dir>', 'labelled data: one subfolder of audio clips per class')
      .option('--condition <file>', 'evaluate on audio degraded by this condition (JSON)')
      .option('--held-out', 'only the clips the probe kept out of training (same --data folder)')
      .addHelpText('after', '\nA wake-word probe (--probe oww-wakeword) reads DIR/<head id>/ as that head\'s positives and the folders not named after a head (DIR/negative/) as negatives, and prints each head\'s detection rate, false accepts and ROC AUC on the clean clips (what `earshot sweep --probe oww-wakeword` reports as its clean reference).'),
  ).action(async (opts) => {
    const resolved = await resolveProbe(opts.probe);
    if (resolved.kind !== 'linear') {
      if (opts.condition || opts.heldOut) {
        throw new Errors.INVALID_OPTION(`${resolved.id} (wake-word heads) is scored here on the clean clips of every folder; for degraded audio sweep it: \`earshot sweep --probe ${resolved.id} --data DIR\``);
      }
      return evaluateWakeWords(opts.probe, opts.data, opts.workers as number | undefined);
    }
    const probe = resolved.file;
    let data = await readLabelledData(opts.data);
    const unknown = data.classes.filter((c) => !probe.classes.includes(c));
    if (unknown.length > 0) {
      throw new Errors.INVALID_DATA(`${data.root} has classes the probe was not trained on: ${unknown.join(', ')} (the probe knows: ${probe.classes.join(', ')})`);
    }
    if (opts.heldOut) data = onlyFiles(data, new Set(probe.trainedOn.heldOut));
    const condition = opts.condition ? await readCondition(opts.condition) : null;
    const windows = probe.trainedOn.unit === 'live-window';
    if (windows && condition) throw new Errors.INVALID_OPTION(`${opts.probe} was trained on clean live windows (probe train --windows); it is evaluated on them, without --condition`);
    const perClip = windows
      ? await embedWindows(data, { ...opts, model: probe.modelId })
      : (await embed(data, { ...opts, model: probe.modelId }, condition, probe.embeddingSize)).map((e) => [e]);
    const unpacked = fromProbeFile(probe);
    const probabilities = perClip.flatMap((clip) => clip.map((e) => predictProbe(unpacked, e)));
    const labels = Array.from(data.labels).flatMap((l, i) => perClip[i].map(() => probe.classes.indexOf(data.classes[l])));
    const metrics = classificationMetrics(probabilities, labels, probe.classes.length);
    process.stdout.write(`${JSON.stringify({ probe: opts.probe, model: probe.modelId, data: data.root, condition, unit: windows ? 'live-window' : 'clip', classes: probe.classes, ...metrics }, null, 2)}\n`);
  });
  return probe.addCommand(train).addCommand(evaluate);
}


/** A wake-word probe on clean clips: the clean reference of a one-cell wake-word sweep (src/sweep), in a temporary folder. */
async function evaluateWakeWords(probe: string, data: string, threads: number | undefined): Promise<void> {
  const [{ specFromInput }, { runSweep }] = await Promise.all([import('../sweep/spec.ts'), import('../sweep/run.ts')]);
  const spec = await specFromInput({ models: [], data, probes: [probe], snrDb: ['clean'], room: [0], seeds: 1 });
  const out = await mkdtemp(join(tmpdir(), 'earshot-wake-eval-'));
  try {
    const results = await runSweep(spec, { out, threads, cacheDir: null });
    const { model, wakeword } = results.clean[0];
    process.stdout.write(`${JSON.stringify({ probe, model, data: spec.data, unit: 'clip', threshold: spec.wakeword?.threshold, heads: wakeword }, null, 2)}\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The runtime flags (runtimeOptions) that open the encoder, with the model to open. */
interface EncoderFlags {
  model: string;
  device: string;
  workers?: number;
  modelsDir?: string;
  verbose?: boolean;
}

async function embed(data: LabelledData, opts: EncoderFlags, condition: Condition | null, expectedSize?: number): Promise<Float32Array[]> {
  const { encoder, close } = await openEncoder(opts.model, { device: opts.device as 'auto', workers: opts.workers, modelsDir: opts.modelsDir, verbose: Boolean(opts.verbose) });
  try {
    if (expectedSize !== undefined && encoder.manifest.embeddingSize !== expectedSize) {
      throw new Errors.INVALID_PROBE(`the probe expects ${expectedSize}-d embeddings but model "${encoder.manifest.id}" gives ${encoder.manifest.embeddingSize}`);
    }
    const bar = progressBar(`embedding ${data.files.length} clips with ${encoder.manifest.id}${condition ? ' (degraded)' : ''}`, data.files.length);
    try {
      return await embedData(data, encoder, { condition, banks: condition ? await openBanks() : undefined, onProgress: bar.update });
    } finally {
      bar.stop();
    }
  } finally {
    await close();
  }
}

/** Every clean live window of each clip (see embedLiveWindows), with a progress bar. */
async function embedWindows(data: LabelledData, opts: EncoderFlags): Promise<Float32Array[][]> {
  const bar = progressBar(`streaming ${data.files.length} clips through ${opts.model}`, data.files.length);
  try {
    return await embedLiveWindows(data, opts.model, { device: opts.device as 'auto', workers: opts.workers, modelsDir: opts.modelsDir, verbose: Boolean(opts.verbose), onProgress: bar.update });
  } finally {
    bar.stop();
  }
}

async function readCondition(path: string): Promise<Condition> {
  return validateCondition(await readConditionFile(path));
}

function onlyFiles(data: LabelledData, keep: Set<string>): LabelledData {
  const idx = data.files.map((f, i) => [f, i] as const).filter(([f]) => keep.has(f)).map(([, i]) => i);
  if (idx.length === 0) throw new Errors.INVALID_DATA(`none of the probe's held-out clips are in ${data.root}; --held-out needs the folder the probe was trained on`);
  return { ...data, files: idx.map((i) => data.files[i]), labels: Int32Array.from(idx, (i) => data.labels[i]) };
}
