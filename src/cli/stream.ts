import { Command } from './commander.ts';
import { lastValueFrom, tap } from '../rxjs.ts';
import { ModelRegistry } from '../encoders/registry.ts';
import { OnnxPool } from '../encoders/runtime/index.ts';
import { Errors } from '../errors.ts';
import { createLiveStream } from '../pipeline/liveStream.ts';
import { probeSettings } from '../pipeline/streamConfig.ts';
import { DEFAULT_WAKE_THRESHOLD, type SourceSpec, type StreamConfig, type WindowResult } from '../pipeline/types.ts';
import { openBanks } from '../scene/render.ts';
import { addConditionOptions, conditionFromOptions } from './conditionOptions.ts';
import { integerOption, numberOption } from './numericOptions.ts';
import { runtimeOptions } from './runtimeOptions.ts';

/** `earshot stream IN|mic --model ID[,ID]`: the live pipeline on a file or the microphone, one NDJSON line per window. */
export function streamCommand(): Command {
  const cmd = new Command('stream')
    .description(
      'Stream audio through a scene and the models, window by window, as the dashboard does: each model sees ' +
        'sliding windows of the clean signal and of the degraded scene, and one JSON line per window goes to ' +
        'stdout (cosine, probe agreement and class deltas, rolling CKA, VAD, levels, latency stamps). A file ' +
        'runs as fast as the models go (nothing dropped) unless --realtime paces it; the microphone runs ' +
        'until Ctrl-C, dropping windows the models cannot keep up with (counted in droppedTotal).',
    )
    .argument('<in>', 'an audio file (WAV, FLAC, Ogg Vorbis, MP3), or "mic" for the default input device')
    .requiredOption('--model <ids>', 'encoder(s), comma-separated (see `earshot models`)')
    .option('--probe <id|file>', 'a probe by id (models/probes, models/trained: `oww-wakeword`, `language`) or file (`earshot probe train`), for one of the models (repeatable)', collect, [])
    .option('--wake-threshold <p>', 'wake-word heads detect when their score reaches this (0..1)', String(DEFAULT_WAKE_THRESHOLD))
    .option('--probe-smooth <n>', 'average probe outputs (class probabilities, wake-word scores) over the last N windows', '1')
    .option('--realtime', 'pace a file at real time (live behaviour: windows may be dropped)')
    .option('--loop', 'play a file again from the start at its end (with --realtime; Ctrl-C stops)')
    .option('--hop <s>', "hop between windows in seconds, up to 60 (default: per model, from its manifest)", numberOption('hop', { min: 0, minExcluded: true, max: 60 }, 'a number of seconds'))
    .option('--cka-windows <n>', 'windows in the rolling CKA', integerOption('cka-windows', { min: 3, max: 1024 }), 32)
    .option('--no-vad', 'skip the Silero VAD speech probability')
    .option('--embeddings', 'include the clean and degraded embeddings in each line')
    .option('--input-device <name|id>', 'with "mic": the input device, by PortAudio id or (part of) its name');
  addConditionOptions(runtimeOptions(cmd));
  cmd.addHelpText(
    'after',
    '\nExamples:\n' +
      '  earshot stream talk.wav --model oww-speech-embedding --snr 5 --rt60 0.5 --receiver binaural > results.ndjson\n' +
      '  earshot stream talk.wav --model oww-speech-embedding,naive-logmel --realtime --snr 0 --noise cafe\n' +
      '  earshot stream mic --model oww-speech-embedding --probe digits.probe.json --snr 10\n' +
      '  earshot stream hey.wav --model oww-speech-embedding --probe oww-wakeword --wake-threshold 0.5 --probe-smooth 3 --snr 5',
  );
  cmd.action(async (input: string, opts: Record<string, unknown>) => {
    const models = String(opts.model).split(',').map((m) => m.trim()).filter(Boolean);
    const hopS = opts.hop as number | undefined;
    const ckaWindows = opts.ckaWindows as number;
    if (opts.loop === true && opts.realtime !== true && input !== 'mic') {
      throw new Errors.INVALID_OPTION('--loop plays the file again at its end, for ever: give it with --realtime (paced as live; Ctrl-C stops), or drop --loop');
    }
    const workers = opts.workers as number | undefined;
    const condition = await conditionFromOptions(opts, (name) => cmd.getOptionValueSource(name) === 'cli');
    const device = opts.inputDevice as string | undefined;
    const source: SourceSpec =
      input === 'mic' ? { kind: 'mic', ...(device === undefined ? {} : { device: /^\d+$/.test(device) ? Number(device) : device }) } : { kind: 'file', path: input, realtime: opts.realtime === true, loop: opts.loop === true };
    const settings = probeSettings({ wakeThreshold: Number(opts.wakeThreshold), probeSmooth: Number(opts.probeSmooth) });
    const config: StreamConfig = { source, models, probes: opts.probe as string[], condition, ckaWindows, vad: opts.vad !== false, ...(hopS === undefined ? {} : { hopS }), ...settings };

    const pool = new OnnxPool({ device: opts.device as 'auto', workers, verbose: Boolean(opts.verbose) });
    try {
      const [banks, registry] = await Promise.all([
        openBanks({ rirDirs: opts.rirDir as string[], noiseDirs: opts.noiseDir as string[] }),
        ModelRegistry.open({ userDirs: opts.modelsDir ? [String(opts.modelsDir)] : [] }),
      ]);
      const stream = await createLiveStream(config, { pool, banks, models: registry });
      const note = (line: string) => process.stderr.write(`earshot: ${line}\n`);
      note(`streaming ${input === 'mic' ? 'the microphone' : input}${source.kind === 'file' && source.realtime ? ' in real time' : ''} through ${models.join(', ')}; stream ${stream.id}`);
      const stop = () => void stream.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await lastValueFrom(
          stream.results$.pipe(
            tap((r) => {
              process.stdout.write(`${JSON.stringify(line(r, opts.embeddings === true))}\n`);
              for (const h of r.wakeword?.heads ?? []) {
                for (const side of ['clean', 'degraded'] as const) if (h.detected[side]) note(`${h.id} detected at ${r.t1S.toFixed(2)} s on the ${side} side (score ${h[side]!.toFixed(3)}, threshold ${r.wakeword!.threshold})`);
              }
            }),
          ),
          { defaultValue: null },
        );
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await stream.stop();
      }
      const s = stream.stats();
      note(`${s.windows} windows, ${s.dropped} dropped; window end to result: p50 ${s.latencyMsP50.toFixed(1)} ms, p99 ${s.latencyMsP99.toFixed(1)} ms`);
    } finally {
      await pool.close();
    }
  });
  return cmd;
}

/** One NDJSON line: the result with its embeddings' size, and the embeddings themselves only when asked for. */
function line(r: WindowResult, embeddings: boolean): Record<string, unknown> {
  const { clean, degraded, ...rest } = r;
  return { ...rest, embeddingDim: clean.length, ...(embeddings ? { clean: Array.from(clean), degraded: Array.from(degraded) } : {}) };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
