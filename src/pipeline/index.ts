/** The live pipeline: createLiveStream for hosts (server, CLI), and the operators it is built from. */
export { createLiveStream } from './liveStream.ts';
export { StreamConfigSchema, validateStreamConfig, probeSettings, windowSpec, LIVE_MIN_HOP_S, LIVE_MIN_WINDOW_S, type WindowSpec } from './streamConfig.ts';
export { fileSource, type FileSourceOptions } from './fileSource.ts';
export { micSource, findInputDevice, pickInputDevice, NO_INPUT_DEVICE } from './micSource.ts';
export { pushSource } from './pushSource.ts';
export { resample } from './resample.ts';
export { renderScene, type VersionedScene } from './renderScene.ts';
export { slidingWindows } from './slidingWindows.ts';
export { encodeWindows, type DropPolicy } from './encodeWindows.ts';
export { probeWindows, type LoadedProbe } from './probeWindows.ts';
export { smoothProbe, RecentMean } from './smoothProbe.ts';
export { MAX_PROBE_SMOOTH } from './resultSchemas.ts';
export { wakeWordWindows, type LoadedWakeWord } from './wakeWordWindows.ts';
export { windowMetrics, type MeasuredWindow } from './windowMetrics.ts';
export { audioFrames } from './audioFrames.ts';
export { openWindowEmbedder, encoderWindowEmbedder, owwWindowEmbedder, type WindowEmbedder } from './windowEmbedder.ts';
export type * from './types.ts';
