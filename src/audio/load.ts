import type { AudioData } from './types.ts';
import { mixDown } from '../dsp/channels.ts';
import { Errors } from '../errors.ts';
import { decodeAudioFile } from './decode.ts';
import { resample } from './resample.ts';
import { checkResampleRate, RESAMPLE_QUALITIES, type ResampleQuality } from './libsamplerate.ts';

/** Options of {@link loadAudio}. */
export interface LoadAudioOptions {
  /** Resample to this rate (Hz, integer). Left out: keep the file's own rate. */
  sampleRateHz?: number;
  /** libsamplerate quality used when resampling. Default 'best'. */
  quality?: ResampleQuality;
  /** Downmix to one channel, the mean of all channels. Default false. */
  mono?: boolean;
}


/**
 * Decode an audio file, optionally downmix it to mono (mean of the channels, so a
 * full-scale signal in every channel stays full scale and opposite-phase channels
 * cancel), and optionally resample it (output length round(n * to / from)). Downmixing
 * happens before resampling so only one channel is resampled.
 *
 * @param path audio file (WAV, FLAC, Ogg Vorbis, MP3); see decodeAudioFile
 * @throws INVALID_OPTION (bad sampleRateHz, quality or mono), and every error of decodeAudioFile
 * @example
 * const speech = await loadAudio('clip.mp3', { sampleRateHz: 16000, mono: true });
 */
export async function loadAudio(path: string, options: LoadAudioOptions = {}): Promise<AudioData> {
  const { sampleRateHz, quality = 'best', mono = false } = options;
  if (sampleRateHz !== undefined) checkResampleRate('sampleRateHz', sampleRateHz);
  if (!RESAMPLE_QUALITIES.includes(quality)) throw new Errors.INVALID_OPTION(`quality must be one of ${RESAMPLE_QUALITIES.join(', ')}, got ${String(quality)}`);
  if (typeof mono !== 'boolean') throw new Errors.INVALID_OPTION(`mono must be true or false, got ${String(mono)}`);

  let audio = await decodeAudioFile(path);
  if (mono && audio.channels.length > 1) audio = { sampleRateHz: audio.sampleRateHz, channels: [mixDown(audio.channels)] };
  if (sampleRateHz !== undefined && sampleRateHz !== audio.sampleRateHz) audio = await resample(audio, sampleRateHz, quality);
  return audio;
}
