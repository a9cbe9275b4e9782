import { Errors } from '../errors.ts';
import { openAudioFile, type AudioReader, type AudioReaderOptions } from './audioReader.ts';
import { mixDown } from '../dsp/channels.ts';
import type { LoadAudioOptions } from './load.ts';
import { StreamResampler } from './streamResample.ts';

/**
 * A reader of `reader`'s audio mixed down to mono (the mean of the channels, as loadAudio
 * does it) and/or resampled with libsamplerate's streaming API (`quality`, default
 * 'best'), block by block; the same reader when nothing is asked. The length is
 * round(n · to / from), as loadAudio's. The samples are loadAudio's except in the last few
 * hundred output samples of a resampled file: the whole-file path asks libsamplerate for
 * the ending of a short input in one call (or zero-pads a long one), the streaming one
 * drains the filter with silence. Closing it closes `reader`.
 *
 * @throws INVALID_OPTION (bad sampleRateHz, quality or mono), and what `reader` throws
 * @example
 * const speech = await convertReader(await openAudioFile('talk.mp3'), { sampleRateHz: 16000, mono: true });
 */
export async function convertReader(reader: AudioReader, options: LoadAudioOptions = {}): Promise<AudioReader> {
  const { sampleRateHz, quality = 'best', mono = false } = options;
  if (sampleRateHz !== undefined && (!Number.isInteger(sampleRateHz) || sampleRateHz < 1 || sampleRateHz > 192_000)) {
    await reader.close();
    throw new Errors.INVALID_OPTION(`sampleRateHz must be an integer in 1..192000 Hz, got ${sampleRateHz}`);
  }
  const from = reader.sampleRateHz;
  const down = mono && reader.channelCount > 1;
  const to = sampleRateHz ?? from;
  if (!down && to === from) return reader;
  const channelCount = down ? 1 : reader.channelCount;
  let resamplers: StreamResampler[] = [];
  try {
    if (to !== from) for (let c = 0; c < channelCount; c++) resamplers.push(await StreamResampler.create(from, to, quality));
  } catch (err) {
    resamplers.forEach((r) => r.dispose());
    await reader.close();
    throw err;
  }
  let ended = false;
  let mixed = new Float32Array(0); // the mix-down's arrays, for blocks nobody keeps
  const dispose = () => {
    resamplers.forEach((r) => r.dispose());
    resamplers = [];
  };
  return {
    name: reader.name,
    sampleRateHz: to,
    channelCount,
    frames: reader.frames === null ? null : Math.round((reader.frames * to) / from),
    async read(reuse) {
      while (!ended) {
        // Each block is used up here (mixed down or copied into the resampler), so the file's reader may reuse its arrays.
        const block = await reader.read(true);
        if (block === null) ended = true;
        const kept = resamplers.length === 0 && !reuse; // the mix-down goes to a caller who keeps it
        if (block !== null && !kept && mixed.length < block[0].length) mixed = new Float32Array(block[0].length);
        const input = block === null ? null : down ? [mixDown(block, kept ? undefined : mixed.subarray(0, block[0].length))] : block;
        if (resamplers.length === 0) {
          if (input) return input;
          continue;
        }
        const out = input ? resamplers.map((r, c) => r.process(input[c])) : resamplers.map((r) => r.flush());
        if (ended) dispose();
        if (out[0].length > 0) return out;
      }
      return null;
    },
    async close() {
      dispose();
      await reader.close();
    },
  };
}

/**
 * {@link openAudioFile} and {@link convertReader} in one: the file as loadAudio would
 * return it, block by block.
 */
export async function openAudioStream(path: string, options: LoadAudioOptions & AudioReaderOptions = {}): Promise<AudioReader> {
  return convertReader(await openAudioFile(path, { blockFrames: options.blockFrames }), options);
}

