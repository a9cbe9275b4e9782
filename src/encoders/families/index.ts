/**
 * Model families by input contract, each driven only by its manifest: raw
 * waveform (mono [B, N] or multichannel [B, C, N]), Kaldi fbank [B, T, F],
 * Whisper log-mel [B, F, T], and Hugging Face ONNX export folders read into
 * one of those. The chunking policy is in windowing.ts.
 */
export { createFamilyEncoder } from './familyEncoder.ts';
export { readHuggingFaceFolder, createHuggingFaceEncoder } from './huggingFace.ts';
export { convStackTiming, convStackFrames, WAV2VEC2_CONV_STACK } from './timing.ts';
export { planWindows } from './windowing.ts';
