/**
 * Model families by input contract, each driven only by its manifest: raw
 * waveform (mono [B, N] or multichannel [B, C, N]), Kaldi fbank [B, T, F],
 * Whisper log-mel [B, F, T], and Hugging Face ONNX export folders read into
 * one of those. The chunking policy is in windowing.ts.
 */
export { createFamilyEncoder, FAMILY_FRONT_ENDS, type FamilyEncoderOptions } from './familyEncoder.ts';
export { createFbankEncoder } from './fbank.ts';
export { createWaveformEncoder } from './waveform.ts';
export { createWhisperEncoder } from './whisper.ts';
export { readHuggingFaceFolder, createHuggingFaceEncoder, type HuggingFaceModel } from './huggingFace.ts';
export { convStackTiming, convStackFrames, WAV2VEC2_CONV_STACK, type ConvLayer, type ConvStackTiming, type FrameTiming } from './timing.ts';
export { planWindows, frameTimestamps, windowCentre, type WindowSpan } from './windowing.ts';
