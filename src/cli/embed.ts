import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadAudio } from '../audio/load.ts';
import { resample } from '../audio/resample.ts';
import { adaptChannels } from '../encoders/adaptChannels.ts';
import { openEncoder } from '../encoders/index.ts';
import { encodeNpy } from '../encoders/npy.ts';
import { meanOverFrames, resampleTimestamps } from '../encoders/timestamps.ts';
import type { TimestampEmbeddings } from '../encoders/types.ts';
import { validateCondition } from '../scene/condition.ts';
import { openBanks, renderCondition } from '../scene/render.ts';
import { Errors } from '../errors.ts';
import { readConditionFile } from './conditionOptions.ts';
import { runtimeOptions } from './probe.ts';

/** `earshot embed IN --model ID -o OUT`: HEAR-style timestamp and scene embeddings of one clip. */
export function embedCommand(): Command {
  const cmd = new Command('embed')
    .description(
      'Compute timestamp embeddings (one vector per frame, with its centre time) and the scene embedding ' +
        '(their mean) of one clip, clean or degraded by --condition. json: one file with everything; ' +
        'npy: OUT (frames × dim, float32), OUT.timestamps.npy (seconds, float64) and OUT.scene.npy.',
    )
    .argument('<in>', 'input audio (WAV, FLAC, Ogg Vorbis, MP3)')
    .requiredOption('--model <id>', 'encoder (see `earshot models`)')
    .requiredOption('-o, --output <file>', 'output file')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'npy']).default('json'))
    .option('--hop <s>', "timestamp hop in seconds (default: the model's own); other hops interpolate linearly between frames")
    .option('--condition <file>', 'degrade the clip with this condition first (JSON, as for render --condition)');
  runtimeOptions(cmd).action(async (input: string, opts) => {
    const hopS = opts.hop === undefined ? undefined : Number(opts.hop);
    if (hopS !== undefined && !(hopS > 0 && hopS <= 10)) throw new Errors.INVALID_OPTION(`--hop must be a number of seconds in (0, 10], got "${opts.hop}"`);
    const condition = opts.condition ? validateCondition(await readConditionFile(opts.condition)) : null;
    // Decode before opening the model, so a bad input fails at once, before worker threads (and CUDA) start.
    const decoded = await loadAudio(input, { mono: condition !== null });
    const { encoder, close } = await openEncoder(opts.model, { device: opts.device, workers: opts.workers ? Number(opts.workers) : undefined, modelsDir: opts.modelsDir, verbose: opts.verbose });
    try {
      const { manifest } = encoder;
      const clean = await resample(decoded, manifest.sampleRateHz);
      const channels = condition ? (await renderCondition(clean.channels[0], condition, await openBanks(), manifest.sampleRateHz)).channels : clean.channels;
      let ts: TimestampEmbeddings = await encoder.timestampEmbeddings(adaptChannels(channels, manifest.channels, manifest.id));
      if (hopS !== undefined) ts = resampleTimestamps(ts, hopS);
      const scene = meanOverFrames(ts);
      if (opts.format === 'npy') {
        await writeFile(opts.output, encodeNpy(ts.embeddings, [ts.frames, ts.dim]));
        await writeFile(`${opts.output}.timestamps.npy`, encodeNpy(ts.timestampsS, [ts.frames]));
        await writeFile(`${opts.output}.scene.npy`, encodeNpy(scene, [ts.dim]));
      } else {
        const rows = Array.from({ length: ts.frames }, (_, t) => Array.from(ts.embeddings.subarray(t * ts.dim, (t + 1) * ts.dim)));
        const json = { model: manifest.id, input, condition, sampleRateHz: manifest.sampleRateHz, dim: ts.dim, frames: ts.frames, timestampsS: Array.from(ts.timestampsS), embeddings: rows, scene: Array.from(scene) };
        await writeFile(opts.output, `${JSON.stringify(json)}\n`);
      }
      process.stderr.write(`wrote ${opts.output}: ${ts.frames} frames × ${ts.dim} dims from ${manifest.id}\n`);
    } finally {
      await close();
    }
  });
  return cmd;
}
