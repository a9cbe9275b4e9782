/**
 * The shoebox room simulator: image sources + stochastic late tail, rendered
 * for mono, binaural (KEMAR), first-order ambisonic and microphone-array receivers.
 * See `types.ts` for the coordinate convention (azimuth counterclockwise, +90° = left).
 */
export type { Placement, ReceiverSpec, RoomSpec, SimulateOptions } from './types.ts';
export { simulateRir } from './simulate.ts';
export { defaultRirLengthS } from './options.ts';
export { channelCount } from './receivers.ts';
export { defaultRoomFor, inverseSabine } from './sabine.ts';
export { defaultReceiverPosition, directionVector, maxSourceDistanceM, sourcePosition } from './geometry.ts';
export { elevationRangeDeg, loadHrtf } from './hrtf.ts';
