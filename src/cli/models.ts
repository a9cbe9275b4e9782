import { Command } from './commander.ts';
import { installHint, ModelRegistry, type ModelEntry } from '../encoders/registry.ts';
import { formatTable } from './table.ts';

/** One row of `earshot models --json`: a model's input contract, embedding and whether its files are installed. */
export interface ModelRow {
  id: string;
  /** The front-end kind, which picks the encoder family. */
  family: string;
  input: { name: string; layout: string; sampleRateHz: number; channels: number; windowS: number; hopS: number };
  output: { name: string; layout: string };
  embeddingSize: number;
  license: string;
  origin: ModelEntry['origin'];
  manifest: string;
  /** True when every ONNX file is present (always true for pure-JS front-ends, which have none). */
  filesPresent: boolean;
  /** Absolute paths of the files not found. */
  missing: string[];
  /** The command that gets the missing files. */
  install: string;
  description: string;
}

/** The rows `earshot models` prints, one per manifest. */
export function modelRows(entries: ModelEntry[]): ModelRow[] {
  return entries.map(({ manifest: m, manifestPath, origin, files, missing }) => ({
    id: m.id,
    family: m.frontEnd.kind,
    input: { name: m.input.name, layout: m.input.layout, sampleRateHz: m.sampleRateHz, channels: m.channels, windowS: m.windowS, hopS: m.hopS },
    output: { name: m.output.name, layout: m.output.layout },
    embeddingSize: m.embeddingSize,
    license: m.license,
    origin,
    manifest: manifestPath,
    filesPresent: missing.length === 0,
    missing: missing.map((r) => files[r]),
    install: installHint(m),
    description: m.description,
  }));
}

/** `earshot models`: list the model manifests (shipped plus --models-dir folders). */
export function modelsCommand(): Command {
  return new Command('models')
    .description(
      'List the encoders earshot knows: the manifests in models/ plus your --models-dir folders, each with its input\n' +
        'contract (input name and axes, sample rate, channels, window/hop), embedding size, licence and whether its\n' +
        'ONNX files are installed (`npm install` copies the shipped ones).',
    )
    .option('--models-dir <dir>', 'add a folder of your own model manifests, *.json (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print JSON on stdout')
    .action(async (opts: { modelsDir: string[]; json?: boolean }) => {
      const rows = modelRows((await ModelRegistry.open({ userDirs: opts.modelsDir })).list());
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stderr.write('no model manifests found (models/*.json, --models-dir)\n');
        return;
      }
      const table = rows.map((r) => ({
        id: r.id,
        family: r.family,
        input: `${r.input.name} [${r.input.layout}]`,
        rateHz: r.input.sampleRateHz,
        ch: r.input.channels,
        'window/hop s': `${r.input.windowS}/${r.input.hopS}`,
        dim: r.embeddingSize,
        license: r.license,
        files: r.missing.length > 0 ? `missing (${r.install})` : r.family === 'naive-logmel' ? 'none needed' : 'present',
      }));
      process.stdout.write(formatTable(table, ['id', 'family', 'input', 'rateHz', 'ch', 'window/hop s', 'dim', 'license', 'files']));
    });
}
