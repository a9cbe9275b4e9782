import { Errors } from '../../errors.ts';
import { createWhisperLogMel, WHISPER_HOP, WHISPER_SAMPLE_RATE_HZ } from '../frontends/whisperLogMel.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Encoder, GraphRunner } from '../types.ts';
import { graphInput } from './graphInput.ts';
import { createWindowedEncoder } from './windowedEncoder.ts';

/**
 * The Whisper family: the encoder only, [B, 80 | 128, 3000] → [B, 1500, D].
 * Each call's audio → Whisper's log-Mel spectrogram, padded with zeros (or
 * cut) to `chunkS` (30 s), as Whisper pads. Frame t of the encoder is
 * centred on spectrogram frame 2t, i.e. at `frameOffsetS + t · hopS`
 * (default 0 + 20 ms · t). windowS must not exceed chunkS (audio past the
 * chunk would be lost); with windowS = chunkS the frames of consecutive
 * windows lie on one 20 ms grid.
 *
 * @example
 * const enc = createWhisperEncoder({ manifest, runner: await loader.open(encoderPath) });
 * const { frames } = await enc.timestampEmbeddings([samples16k]); // 50 per second of audio
 */
export function createWhisperEncoder(opts: { manifest: ModelManifest; runner: GraphRunner }): Encoder {
  const { manifest, runner } = opts;
  const fe = manifest.frontEnd;
  if (fe.kind !== 'whisper-logmel') throw new Errors.INVALID_MODEL(`model "${manifest.id}": frontEnd.kind is "${fe.kind}", not "whisper-logmel"`);
  const mismatch = (what: string) => new Errors.MODEL_MISMATCH(`model "${manifest.id}": ${what}`);
  if (manifest.sampleRateHz !== WHISPER_SAMPLE_RATE_HZ) throw mismatch(`Whisper's front-end runs at 16000 Hz; sampleRateHz is ${manifest.sampleRateHz}`);
  if (manifest.windowS > fe.chunkS) throw mismatch(`windowS ${manifest.windowS} s is longer than frontEnd.chunkS ${fe.chunkS} s; audio past the chunk would be cut. Set windowS <= chunkS`);
  const input = graphInput(manifest, runner, 'B,F,T');
  const frames = Math.floor(Math.round(fe.chunkS * WHISPER_SAMPLE_RATE_HZ) / WHISPER_HOP);
  if (input.fixed.F !== undefined && input.fixed.F !== fe.numMelBins) throw mismatch(`the graph takes ${input.fixed.F} mel bins but frontEnd.numMelBins is ${fe.numMelBins}`);
  if (input.fixed.T !== undefined && input.fixed.T !== frames) throw mismatch(`the graph takes ${input.fixed.T} frames but chunkS ${fe.chunkS} s makes ${frames}`);
  const logMel = createWhisperLogMel({ numMelBins: fe.numMelBins, chunkS: fe.chunkS });
  return createWindowedEncoder({
    manifest,
    runner,
    contextSamples: 0,
    timing: { firstCentreS: manifest.frameOffsetS ?? 0, hopS: manifest.hopS },
    prepare([mono]) {
      const { data } = logMel(mono);
      return { [manifest.input.name]: { type: 'float32', dims: input.dims({ B: 1, F: fe.numMelBins, T: frames }), data } };
    },
  });
}
