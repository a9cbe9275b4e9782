import { Command } from './commander.ts';
import { addConditionOptions, conditionFromOptions } from './conditionOptions.ts';
import { integerOption } from './numericOptions.ts';
import { openAudioStream } from '../audio/convertReader.ts';
import { tempSpools } from '../audio/spool.ts';
import { writeWavBlocks } from '../audio/wav.ts';
import { openBanks } from '../scene/render.ts';
import { prepareScene } from '../scene/prepare.ts';
import { renderSceneBlocks } from '../scene/renderBlocks.ts';
import { loudRenderNote, measuredLevels } from './outputLevels.ts';

/** `earshot render IN -o OUT.wav [condition flags]`: one clip into one scene, offline. */
export function renderCommand(): Command {
  const cmd = new Command('render')
    .description(
      'Render a clip into a naturalistic scene: the clean audio (mixed down to mono, RMS-normalised ' +
        'to -14 dBFS) is convolved with a room impulse response, and real background noise from ' +
        'one to five positions in the same room is added at the chosen SNR. Writes a float WAV, ' +
        'which keeps peaks past full scale; a render that peaks above 0 dBFS is reported on stderr.',
    )
    .argument('<in>', 'input audio (WAV, FLAC, Ogg Vorbis or MP3, any rate and channel count)')
    .requiredOption('-o, --output <file>', 'output WAV file')
    .option('--sample-rate <hz>', 'output sample rate in Hz', integerOption('sample-rate', { min: 8000, max: 192000 }), 16000)
    .option('--pcm16', 'write 16-bit PCM instead of 32-bit float; a render louder than full scale is scaled down by one gain to peak at -0.1 dBFS (never clipped), and the gain is reported')
    .option('--json', 'print the full condition used, the SNR definition and recipe, the output gain, what was measured on the output (SNR pooled and per channel, RT60 and band RT60s, peak, samples past full scale) and any warnings, as JSON on stdout');
  addConditionOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nWithout --snr there is no noise; without --rir or --rt60 there is no reverberation.\n' +
      '\nExamples:\n' +
      '  earshot render talk.wav -o out.wav --snr 5 --noise cafe\n' +
      '  earshot render talk.wav -o out.wav --rt60 0.8 --receiver binaural --azimuth 90 --snr 10 --noise-sources 3\n' +
      '  earshot render talk.wav -o out.wav --rir street --snr 0 --noise airport,rain --noise-sources 2 --json\n' +
      '  earshot render talk.wav -o out.wav --rt60 0.5 --receiver foa --snr 0 --snr-mode per-channel --json\n' +
      '  earshot render talk.wav -o out.wav --rt60 0.5 --receiver binaural --snr 0 --recipe nathear   # as the Nat-HEAR evaluation code',
  );
  cmd.action(async (input: string, opts: Record<string, unknown>) => {
    const sampleRateHz = opts.sampleRate as number;
    const condition = await conditionFromOptions(opts, (name) => cmd.getOptionValueSource(name) === 'cli');
    const banks = await openBanks({ rirDirs: opts.rirDir as string[], noiseDirs: opts.noiseDir as string[] });
    // Block by block, so memory does not grow with the input: read and resample, render in passes over spooled blocks, write.
    const clean = await openAudioStream(input, { sampleRateHz, mono: true, quality: 'best' });
    const spools = await tempSpools();
    let prepared, scene, levels, outputLevels;
    const format = opts.pcm16 ? 'pcm16' : 'float32';
    try {
      prepared = await prepareScene(condition, banks, sampleRateHz);
      const rendered = (scene = await renderSceneBlocks(clean, prepared, { spools }));
      // A 16-bit file is fitted to the peak, measured before it is written; a float file is measured as it is written (by the output's own pass).
      levels = await writeWavBlocks(String(opts.output), rendered.output(), format, format === 'pcm16' ? await rendered.levels() : () => rendered.levels());
      outputLevels = await rendered.levels();
    } finally {
      await clean.close();
      await spools.close();
    }
    for (const w of prepared.warnings) process.stderr.write(`warning: ${w}\n`);
    const durationS = scene.frames / sampleRateHz;
    if (opts.json) {
      // Reading the measurements measures the source IR's acoustics (C50, DRR, band T20s): done only when asked for.
      const summary = {
        input,
        output: opts.output,
        format,
        outputGainDb: levels.outputGainDb,
        sampleRateHz,
        channels: scene.channelCount,
        durationS,
        condition,
        snrMode: scene.params.snrMode,
        recipe: scene.params.recipe,
        scene: scene.params,
        measured: { ...outputLevels.measured, ...measuredLevels(levels) },
        warnings: prepared.warnings,
      };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else process.stderr.write(`wrote ${opts.output}: ${scene.channelCount} ch, ${durationS.toFixed(2)} s at ${sampleRateHz} Hz\n`);
    const loud = loudRenderNote(String(opts.output), levels, format);
    if (loud) process.stderr.write(`${loud}\n`);
  });
  return cmd;
}
