import { Option, type Command } from './commander.ts';
import { workersOption } from './numericOptions.ts';

/** Options every command that runs an encoder takes. */
export function runtimeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--device <device>', 'where the model runs: auto tries CUDA, then the CPU').choices(['auto', 'cuda', 'cpu']).default('auto'))
    .option('--workers <n>', 'ONNX worker threads (default: one per core)', workersOption)
    .option('--models-dir <dir>', 'also load model manifests from this folder')
    .option('--verbose', 'explain notices in full (e.g. why CUDA is not used and how to enable it)');
}
