import { openAudioReader } from '../../src/audio/audioReader.ts';
import { memoryByteSource } from '../../src/audio/byteSource.ts';
import { flacStreamInfo, sniffFormat } from '../../src/audio/containers.ts';
import { MAX_RESAMPLE_RATE_HZ } from '../../src/audio/libsamplerate.ts';
import { Errors } from '../../src/errors.ts';

/** The lowest sample rate an upload may have (telephone speech). */
export const MIN_UPLOAD_RATE_HZ = 8000;
/**
 * Compressed bytes decoded at once: a FLAC of silence in long blocks decodes to about 15000x its size, so small
 * pieces bound one step. Small enough that no decoded piece passes a few hundred KB: glibc's malloc raises its
 * mmap and trim thresholds to the largest block freed, so one 30 MB piece left about 60 MB that the process never
 * gave back after a decoding bomb; with 512-byte pieces RSS returns to within a few MB.
 */
const PIECE_BYTES = 1 << 9;

/** What an upload holds, found without keeping its samples. */
export interface UploadShape {
  durationS: number;
  sampleRateHz: number;
  channels: number;
}

/**
 * Check that `bytes` are audio a stream can play, and measure them, without
 * holding the decoded samples: the sample rate from the header (outside
 * 8000..192000 Hz: UNSUPPORTED_RATE 422); the length the header declares (WAV
 * data size, FLAC STREAMINFO) against `maxDurationS` before anything is
 * decoded (UPLOAD_TOO_LONG 413); then every sample decoded, a small piece at
 * a time, counting, and stopping as soon as the count passes `maxDurationS`
 * (so a file whose header hides its length still costs at most that much
 * decoding). Corrupt, empty or NaN audio throws what decodeAudioBytes throws.
 */
export async function inspectUpload(bytes: Uint8Array, name: string, maxDurationS: number): Promise<UploadShape> {
  const label = `upload "${name}"`;
  const sniffed = sniffFormat(bytes);
  if (sniffed?.format === 'flac') {
    const info = flacStreamInfo(bytes, sniffed.offset);
    if (info && info.sampleRateHz > 0) {
      checkRate(label, info.sampleRateHz);
      if (info.totalFrames > 0) checkDuration(label, info.totalFrames / info.sampleRateHz, maxDurationS, 'declares');
    }
  }
  const reader = await openAudioReader(memoryByteSource(bytes), label, { pieceBytes: PIECE_BYTES });
  try {
    const { sampleRateHz, channelCount } = reader;
    checkRate(label, sampleRateHz);
    if (reader.frames !== null) checkDuration(label, reader.frames / sampleRateHz, maxDurationS, 'declares');
    let frames = 0;
    for (let block = await reader.read(); block !== null; block = await reader.read()) {
      frames += block[0].length;
      checkDuration(label, frames / sampleRateHz, maxDurationS, 'decodes to more than');
    }
    if (frames === 0) throw new Errors.EMPTY_AUDIO(label);
    return { durationS: frames / sampleRateHz, sampleRateHz, channels: channelCount };
  } finally {
    await reader.close();
  }
}

/** True for a sample rate a stream can play from an upload: past 192 kHz the resampler cannot take it, and below 8 kHz there is no speech band to test. */
export function playableRate(rateHz: unknown): boolean {
  return typeof rateHz === 'number' && rateHz >= MIN_UPLOAD_RATE_HZ && rateHz <= MAX_RESAMPLE_RATE_HZ;
}

// Refused here, not when a stream plays it.
function checkRate(label: string, sampleRateHz: number): void {
  if (!playableRate(sampleRateHz)) {
    throw new Errors.UNSUPPORTED_RATE(label, sampleRateHz, `${MIN_UPLOAD_RATE_HZ} to ${MAX_RESAMPLE_RATE_HZ}`);
  }
}

function checkDuration(label: string, durationS: number, maxDurationS: number, verb: string): void {
  if (durationS > maxDurationS) throw new Errors.UPLOAD_TOO_LONG(`${label} ${verb} ${round(durationS)} s of audio`, maxDurationS);
}

function round(s: number): number {
  return Math.round(s * 10) / 10;
}
