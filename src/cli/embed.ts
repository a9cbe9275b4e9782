import { Command, Option } from './commander.ts';
import { openAudioFile } from '../audio/audioReader.ts';
import { convertReader } from '../audio/convertReader.ts';
import { tempSpools } from '../audio/spool.ts';
import { openEncoder } from '../encoders/index.ts';
import { embedReader } from '../encoders/embedStream.ts';
import { checkOutputPath } from './outputPath.ts';
import { openEmbeddingOutput } from '../encoders/embedOutput.ts';
import { numberOption } from './numericOptions.ts';
import { runtimeOptions } from './runtimeOptions.ts';

/** `earshot embed IN --model ID -o OUT`: HEAR-style timestamp and scene embeddings of one clip. */
export function embedCommand(): Command {
  const cmd = new Command('embed')
    .description(
      'Compute timestamp embeddings (one vector per frame, with its centre time) and the scene embedding ' +
        '(their mean) of one clip, clean or degraded by --condition. json: one file with everything; ' +
        'npy: OUT (frames × dim, float32), OUT.timestamps.npy (seconds, float64) and OUT.scene.npy. ' +
        'The clip is read and encoded block by block; npy output is written as it comes, so memory stays ' +
        'the same for an hour as for a minute (json holds every frame until the end). On the CPU the model ' +
        'runs on the main thread unless --workers asks for a pool of worker threads.',
    )
    .argument('<in>', 'input audio (WAV, FLAC, Ogg Vorbis, MP3)')
    .requiredOption('--model <id>', 'encoder (see `earshot models`)')
    .requiredOption('-o, --output <file>', 'output file')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'npy']).default('json'))
    .option('--hop <s>', "timestamp hop in seconds, up to 10 (default: the model's own); other hops interpolate linearly between frames", numberOption('hop', { min: 0, minExcluded: true, max: 10 }, 'a number of seconds'))
    .option('--condition <file>', 'degrade the clip with this condition first (JSON, as for render --condition)');
  runtimeOptions(cmd).action(async (input: string, opts) => {
    const hopS = opts.hop as number | undefined;
    await checkOutputPath(opts.output, '-o');
    // The condition and scene modules load only for a condition: a clean clip starts faster and holds less without them.
    const scenes = opts.condition ? await loadSceneModules() : null;
    const condition = scenes ? scenes.validateCondition(await scenes.readConditionFile(opts.condition)) : null;
    // Open the input (read its header) before the model, so a bad input fails at once, before worker threads (and CUDA) start.
    const file = await openAudioFile(input);
    const spools = await tempSpools();
    let closeEncoder = async () => {};
    try {
      const { encoder, close } = await openEncoder(opts.model, { device: opts.device, workers: opts.workers as number | undefined, modelsDir: opts.modelsDir, inProcess: true, verbose: opts.verbose });
      closeEncoder = close;
      const { manifest } = encoder;
      // Block by block: the clip (resampled as it is read), or its render into the condition.
      const rate = manifest.sampleRateHz;
      const audio = scenes && condition
        ? (await scenes.renderSceneBlocks(await convertReader(file, { mono: true, sampleRateHz: rate }), await scenes.prepareScene(condition, await scenes.openBanks(), rate), { spools })).output()
        : await convertReader(file, { sampleRateHz: rate });
      const output = await openEmbeddingOutput(opts.output, opts.format, manifest.embeddingSize, { model: manifest.id, input, condition, sampleRateHz: manifest.sampleRateHz });
      let summary;
      try {
        summary = await embedReader(encoder, audio, { hopS, onFrames: (ts) => output.frames(ts) });
        await output.finish(summary);
      } catch (err) {
        await output.abort();
        throw err;
      }
      process.stderr.write(`wrote ${opts.output}: ${summary.frames} frames × ${summary.dim} dims from ${manifest.id}\n`);
    } finally {
      await file.close();
      await spools.close();
      await closeEncoder();
    }
  });
  return cmd;
}

async function loadSceneModules() {
  const [{ readConditionFile }, { validateCondition }, { prepareScene }, { openBanks }, { renderSceneBlocks }] = await Promise.all([
    import('./conditionOptions.ts'),
    import('../scene/condition.ts'),
    import('../scene/prepare.ts'),
    import('../scene/render.ts'),
    import('../scene/renderBlocks.ts'),
  ]);
  return { readConditionFile, validateCondition, prepareScene, openBanks, renderSceneBlocks };
}
