import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Errors } from '../../errors.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Encoder, GraphInfo, GraphLoader } from '../types.ts';
import { createFamilyEncoder } from './familyEncoder.ts';
import { convStackTiming, WAV2VEC2_CONV_STACK } from './timing.ts';

/** A model read from a Hugging Face ONNX export folder: the derived manifest and its graph file. */
export interface HuggingFaceModel {
  manifest: ModelManifest;
  /** `{ model: absolute path }`: the graph chosen in onnx/. */
  files: Record<string, string>;
}

type Json = Record<string, unknown>;

// Graph files by preference: full precision first, then quantized ones (float inputs), fp16 last.
const VARIANTS = ['', '_fp32', '_quantized', '_int8', '_uint8', '_q8', '_fp16', '_q4', '_q4f16', '_bnb4'];

/**
 * Reads a Hugging Face ONNX export folder in the Transformers.js layout
 * (config.json, preprocessor_config.json, onnx/*.onnx) and derives an
 * earshot manifest from it:
 * - `feature_extractor_type` picks the family: Wav2Vec2FeatureExtractor →
 *   waveform (do_normalize → 'zero-mean-unit-var'; frame timing from
 *   config's conv_kernel / conv_stride), ASTFeatureExtractor → kaldi-fbank
 *   (num_mel_bins, max_length → targetFrames, mean/std; do_normalize false
 *   → mean 0, std 0.5, i.e. no change), WhisperFeatureExtractor →
 *   whisper-logmel (feature_size → numMelBins, chunk_length → chunkS);
 * - sampling_rate → sampleRateHz; config hidden_size (Whisper: d_model) →
 *   embeddingSize, unless the graph's output fixes it;
 * - the graph: onnx/model.onnx (Whisper: onnx/encoder_model.onnx), full
 *   precision preferred over quantized (`_quantized`, `_int8`, …) and fp16;
 *   input and output names and the output layout are read from the graph
 *   (AST: pooler_output, or logits, one vector per window);
 * - windowS: `opts.windowS`, else 10 s for waveform models, targetFrames ×
 *   10 ms for AST, chunk_length for Whisper; licence from README.md's
 *   front matter when present.
 *
 * INVALID_MODEL names the file and what is missing or unsupported.
 *
 * @example
 * const { manifest, files } = await readHuggingFaceFolder('/models/wav2vec2-base', loader);
 */
export async function readHuggingFaceFolder(dir: string, loader: GraphLoader, opts: { id?: string; windowS?: number } = {}): Promise<HuggingFaceModel> {
  const root = resolve(dir);
  const fail = (what: string) => new Errors.INVALID_MODEL(`${dir}: ${what}`);
  const config = await readJson(join(root, 'config.json'), fail);
  const pre = await readJson(join(root, 'preprocessor_config.json'), fail);
  const type = String(pre.feature_extractor_type ?? '');
  const family = { Wav2Vec2FeatureExtractor: 'waveform', ASTFeatureExtractor: 'kaldi-fbank', WhisperFeatureExtractor: 'whisper-logmel' }[type];
  if (family === undefined) {
    throw fail(`preprocessor_config.json: feature_extractor_type "${type}" is not supported (Wav2Vec2FeatureExtractor, ASTFeatureExtractor, WhisperFeatureExtractor)`);
  }
  const prefix = family === 'whisper-logmel' ? 'encoder_model' : 'model';
  const onnxFiles = await readdir(join(root, 'onnx')).catch(() => [] as string[]);
  const file = VARIANTS.map((v) => `${prefix}${v}.onnx`).find((f) => onnxFiles.includes(f));
  if (file === undefined) throw fail(`no onnx/${prefix}.onnx (or a quantized variant) in the folder (onnx/ has: ${onnxFiles.join(', ') || 'nothing'})`);
  const path = join(root, 'onnx', file);
  const info = (await loader.open(path)).info;

  const sampleRateHz = num(pre.sampling_rate) ?? 16000;
  const hidden = num(config.hidden_size) ?? num(config.d_model);
  const inputName = pick(info.inputs, family === 'whisper-logmel' ? 'input_features' : 'input_values');
  // AST's last_hidden_state holds patch tokens, not time frames: take its pooled vector (or logits) per window.
  const output = family === 'kaldi-fbank'
    ? (info.outputs.find((o) => o.name === 'pooler_output') ?? info.outputs.find((o) => o.shape.length === 2))
    : (info.outputs.find((o) => o.name === 'last_hidden_state') ?? info.outputs[0]);
  if (output === undefined) throw fail(`${file} has no output earshot can use (an AST graph needs pooler_output or another [batch, dim] output)`);
  const outDim = output?.shape.at(-1);
  const embeddingSize = typeof outDim === 'number' && outDim > 0 ? outDim : hidden;
  if (embeddingSize === undefined) throw fail(`cannot tell the embedding size: config.json has no hidden_size and ${file}'s output has no fixed last axis`);
  const common = {
    id: opts.id ?? sanitizeId(basename(root)),
    description: `Hugging Face export: ${String(config.model_type ?? 'model')} (${type}) from ${basename(root)}/onnx/${file}`,
    license: (await readLicense(root)) ?? 'unknown (see the model card)',
    files: { model: `onnx/${file}` },
    sampleRateHz,
    input: { name: inputName, layout: family === 'waveform' ? 'B,N' : family === 'kaldi-fbank' ? 'B,T,F' : 'B,F,T' },
    output: { name: output.name, layout: output.shape.length === 2 ? ('B,D' as const) : ('B,T,D' as const) },
    embeddingSize,
  };
  let manifest: ModelManifest;
  if (family === 'waveform') {
    const kernels = arr(config.conv_kernel);
    const strides = arr(config.conv_stride);
    const stack = kernels && strides && kernels.length === strides.length ? kernels.map((kernel, i) => ({ kernel, stride: strides[i] })) : WAV2VEC2_CONV_STACK;
    const { receptiveFieldSamples, hopSamples } = convStackTiming(stack);
    const normalize = pre.do_normalize === false ? ('none' as const) : ('zero-mean-unit-var' as const);
    manifest = { ...common, channels: 1, windowS: opts.windowS ?? 10, hopS: hopSamples / sampleRateHz, frameOffsetS: receptiveFieldSamples / 2 / sampleRateHz, frontEnd: { kind: 'waveform', normalize } };
  } else if (family === 'kaldi-fbank') {
    const targetFrames = num(pre.max_length) ?? 1024;
    const normalize = pre.do_normalize !== false;
    const frontEnd = { kind: 'kaldi-fbank' as const, numMelBins: num(pre.num_mel_bins) ?? 128, frameLengthMs: 25, frameShiftMs: 10, targetFrames,
      mean: normalize ? (num(pre.mean) ?? -4.2677393) : 0, std: normalize ? (num(pre.std) ?? 4.5689974) : 0.5, windowType: 'hanning' as const };
    const windowS = opts.windowS ?? targetFrames * 0.01;
    manifest = { ...common, channels: 1, windowS, hopS: windowS, frontEnd };
  } else {
    const numMelBins = num(pre.feature_size) === 128 ? 128 : 80;
    const chunkS = num(pre.chunk_length) ?? 30;
    manifest = { ...common, channels: 1, windowS: opts.windowS ?? chunkS, hopS: 0.02, frameOffsetS: 0, frontEnd: { kind: 'whisper-logmel', numMelBins, chunkS } };
  }
  return { manifest, files: { model: path } };
}

/**
 * {@link readHuggingFaceFolder}, then the family's encoder over `loader`.
 *
 * @example
 * const encoder = await createHuggingFaceEncoder('test/fixtures/onnx/hf-wav2vec2-tiny', loader);
 */
export async function createHuggingFaceEncoder(dir: string, loader: GraphLoader, opts: { id?: string; windowS?: number } = {}): Promise<Encoder> {
  return createFamilyEncoder({ ...(await readHuggingFaceFolder(dir, loader, opts)), loader });
}

async function readJson(path: string, fail: (what: string) => Error): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw fail(`no ${basename(path)}; a Hugging Face ONNX folder has config.json, preprocessor_config.json and onnx/`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  } catch {
    // reported below
  }
  throw fail(`${basename(path)} is not a JSON object`);
}

// The input to feed: the expected name if the graph has it, else its first float input.
function pick(values: GraphInfo['inputs'], name: string): string {
  return (values.find((v) => v.name === name) ?? values.find((v) => v.type.includes('float')) ?? values[0])?.name ?? name;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function arr(v: unknown): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}

/** A manifest id from a folder name: lower case, runs of other characters become '-'. */
function sanitizeId(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'hf-model';
}

// "license: apache-2.0" from the YAML front matter of a model card.
async function readLicense(root: string): Promise<string | undefined> {
  const card = await readFile(join(root, 'README.md'), 'utf8').catch(() => '');
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(card)?.[1];
  return front === undefined ? undefined : /^license:\s*["']?([^"'\r\n]+)/m.exec(front)?.[1]?.trim();
}
