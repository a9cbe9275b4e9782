import { Command, CommanderError } from './cli/commander.ts';
import { isEarshotError } from './errors.ts';
import { PACKAGE_VERSION } from './paths.ts';

/**
 * The subcommands, each with its one-line summary and the module that builds it.
 * A command's module (and what it imports: codecs, ONNX Runtime, Fastify, ...) is
 * loaded only when that command runs or its help is asked for, so `earshot
 * --version` or `earshot rirs` does not pay for the others.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  render: { summary: 'render a clip into a naturalistic scene (room IR + noise at an SNR)', load: async () => (await import('./cli/render.ts')).renderCommand() },
  rirs: { summary: 'list the RIR bank', load: async () => (await import('./cli/banks.ts')).rirsCommand() },
  noises: { summary: 'list the noise bank', load: async () => (await import('./cli/banks.ts')).noisesCommand() },
  models: { summary: 'list the encoders (model manifests)', load: async () => (await import('./cli/models.ts')).modelsCommand() },
  embed: { summary: 'timestamp and scene embeddings of a clip (HEAR API)', load: async () => (await import('./cli/embed.ts')).embedCommand() },
  probe: { summary: 'train and evaluate linear probes on scene embeddings', load: async () => (await import('./cli/probe.ts')).probeCommand() },
  stream: { summary: 'run the live pipeline on a file or the microphone, one NDJSON result per window', load: async () => (await import('./cli/stream.ts')).streamCommand() },
  serve: { summary: 'run the live dashboard, REST API and WebSocket (server/)', load: async () => (await import('./cli/serve.ts')).serveCommand() },
  sweep: { summary: 'sweep SNR × room × ... over labelled data; Nat-HEAR table, CSV, HTML report', load: async () => (await import('./cli/sweep.ts')).sweepCommand() },
  worker: { summary: 'run the cells of `earshot sweep --redis` on this machine', load: async () => (await import('./cli/worker.ts')).workerCommand() },
  demo: { summary: 'render shipped speech into a few scenes (what `npm start` runs)', load: async () => (await import('./cli/demo.ts')).demoCommand() },
};

/**
 * Build the `earshot` command tree. The commands named in `load` are built in full
 * (options, help, action); the others stand in as their name and summary, enough for
 * the top-level help.
 */
export async function buildCli(load: readonly string[] = Object.keys(COMMANDS)): Promise<Command> {
  const program = new Command('earshot')
    .description(
      'Streaming robustness tester for audio foundation models.\n' +
        'Renders clean audio into naturalistic scenes (room impulse response + real\n' +
        'background noise at a chosen SNR) and measures how far models drift.',
    )
    .version(PACKAGE_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (str, write) => write(`earshot: ${str.replace(/^error: /, 'error: ')}`) });
  // addCommand does not pass the output settings on; copy them so subcommand errors read the same.
  const inherit = (parent: Command, cmd: Command): Command => {
    cmd.copyInheritedSettings(parent);
    cmd.commands.forEach((sub) => inherit(cmd, sub));
    return cmd;
  };
  for (const [name, { summary, load: build }] of Object.entries(COMMANDS)) {
    const cmd = load.includes(name) ? await build() : new Command(name);
    program.addCommand(inherit(program, cmd.summary(summary)));
  }
  program.addHelpText(
    'after',
    '\nExamples:\n' +
      '  earshot render speech.wav -o scene.wav --snr 10 --rt60 0.6 --receiver binaural --azimuth 45\n' +
      '  earshot render speech.wav -o street.wav --rir street --snr 5 --noise cafe --json\n' +
      '  earshot stream speech.wav --model oww-speech-embedding --snr 5 --realtime   # one NDJSON line per window\n' +
      '  earshot rirs          # the RIR bank\n' +
      '  earshot noises        # the noise bank\n' +
      '  earshot models        # the encoders and their input contracts\n' +
      '  earshot sweep --model oww-speech-embedding --data DIR -o sweep/   # SNR × RT60 grid, report.html\n' +
      '  earshot serve         # the live dashboard at http://127.0.0.1:8080',
  );
  return program;
}

/** The subcommand `argv` (as process.argv) runs or asks help for, if any: `earshot CMD ...` or `earshot help CMD`. */
function commandNamed(argv: readonly string[]): string | undefined {
  const args = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = args[0] === 'help' ? args[1] : args[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/** Run the CLI; returns the exit code. Errors print one clear line on stderr, never a stack. */
export async function main(argv: string[]): Promise<number> {
  try {
    const named = commandNamed(argv);
    const program = await buildCli(named === undefined ? [] : [named]);
    const exitOverride = (cmd: Command): void => {
      cmd.exitOverride();
      cmd.commands.forEach(exitOverride);
    };
    exitOverride(program);
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isEarshotError(err)) {
      process.stderr.write(`earshot: error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`earshot: internal error: ${(err as Error)?.message ?? err}\n`);
    if (process.env.EARSHOT_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    else process.stderr.write('(this is a bug in earshot; rerun with EARSHOT_DEBUG=1 for the stack trace and report it)\n');
    return 70;
  }
}
