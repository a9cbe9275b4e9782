import { fitChannels } from '../dsp/channels.ts';
import { Errors } from '../errors.ts';

/**
 * Fit a scene's channels to what a model takes: a mono model hears the mean
 * of the channels (the mix a single microphone would roughly get); a model of
 * C channels needs a scene of C channels (binaural for 2), except that a mono
 * clean clip is copied to every channel (a centred source).
 */
export function adaptChannels(channels: Float32Array[], modelChannels: number, modelId: string): Float32Array[] {
  const fitted = fitChannels(channels, modelChannels);
  if (fitted) return fitted;
  throw new Errors.INVALID_OPTION(
    `model "${modelId}" takes ${modelChannels} channels but the scene has ${channels.length}; use a receiver with ${modelChannels} channels (binaural for 2)`,
  );
}
