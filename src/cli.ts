import { Command, CommanderError } from 'commander';
import { isEarshotError } from './errors.ts';
import { renderCommand } from './cli/render.ts';
import { rirsCommand, noisesCommand } from './cli/banks.ts';
import { demoCommand } from './cli/demo.ts';
import { modelsCommand } from './cli/models.ts';
import { embedCommand } from './cli/embed.ts';
import { probeCommand } from './cli/probe.ts';
import { streamCommand } from './cli/stream.ts';
import { serveCommand } from './cli/serve.ts';
import { workerCommand } from './cli/worker.ts';
import { sweepCommand } from './cli/sweep.ts';

/** Build the `earshot` command tree (exported for tests of --help). */
export function buildCli(): Command {
  const program = new Command('earshot')
    .description(
      'Streaming robustness tester for audio foundation models.\n' +
        'Renders clean audio into naturalistic scenes (room impulse response + real\n' +
        'background noise at a chosen SNR) and measures how far models drift.',
    )
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (str, write) => write(`earshot: ${str.replace(/^error: /, 'error: ')}`) });
  // addCommand does not pass the output settings on; copy them so subcommand errors read the same.
  const inherit = (parent: Command, cmd: Command): Command => {
    cmd.copyInheritedSettings(parent);
    cmd.commands.forEach((sub) => inherit(cmd, sub));
    return cmd;
  };
  for (const cmd of [renderCommand(), rirsCommand(), noisesCommand(), modelsCommand(), embedCommand(), probeCommand(), streamCommand(), serveCommand(), sweepCommand(), workerCommand(), demoCommand()]) program.addCommand(inherit(program, cmd));
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

/** Run the CLI; returns the exit code. Errors print one clear line on stderr, never a stack. */
export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  program.exitOverride();
  const exitOverride = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  try {
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
