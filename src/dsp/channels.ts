/** `count` channels of `frames` zero samples each. */
export function channelArrays(count: number, frames: number): Float32Array[] {
  return Array.from({ length: count }, () => new Float32Array(frames));
}

/**
 * The mean of equal-length channels, sample by sample: what one microphone
 * between them would roughly hear. A single channel is returned as it is (not
 * copied); no channels give an empty array. With `out` (as long as a channel),
 * the mean is written there.
 *
 * @example
 * mixDown([Float32Array.of(1, 2), Float32Array.of(3, 4)]); // Float32Array [2, 3]
 */
export function mixDown(channels: Float32Array[], out?: Float32Array): Float32Array {
  if (channels.length === 1) return channels[0];
  if (out) out.fill(0);
  else out = new Float32Array(channels[0]?.length ?? 0);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i] / channels.length;
  return out;
}

/**
 * Channels fitted to a layout of `count` channels: as they are when the count
 * matches, a mono signal copied (the same array) to every channel (a centred
 * source), or their {@link mixDown} for a mono layout. Null when none of these
 * applies (say 4 channels for a 2-channel model): the caller decides whether
 * that is an error or has a fallback of its own.
 */
export function fitChannels(channels: Float32Array[], count: number): Float32Array[] | null {
  if (channels.length === count) return channels;
  if (channels.length === 1) return Array.from({ length: count }, () => channels[0]);
  if (count === 1) return [mixDown(channels)];
  return null;
}
