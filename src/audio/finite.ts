import { Errors } from '../errors.ts';

// @fastify/error types constructors with at most 3 arguments; this message template takes 4.
const NonFiniteAudio = Errors.NON_FINITE_AUDIO as unknown as new (name: string, index: number, channel: number, value: string) => Error;

/**
 * Throw NON_FINITE_AUDIO for the first NaN or ±Infinity sample, naming `name`, the sample
 * index and the channel (both 0-based) and the value. Scans channel by channel.
 *
 * @param channels planar samples
 * @param name what to call the audio in the message (usually the file name)
 * @param offset index of the first sample in the whole stream (a block read from a file names its sample there)
 */
export function assertFinite(channels: Float32Array[], name: string, offset = 0): void {
  channels.forEach((x, c) => {
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new NonFiniteAudio(name, offset + i, c, String(x[i]));
    }
  });
}
