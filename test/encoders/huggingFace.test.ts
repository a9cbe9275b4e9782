import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHuggingFaceEncoder, readHuggingFaceFolder } from '../../src/encoders/families/index.ts';
import { validateManifest } from '../../src/encoders/manifest.ts';
import { loadSpeech, REPO_ROOT } from '../helpers/audio.ts';
import { expectFrames, FAMILY_DIR, familyReference, grid, loader, maxAbsDiff, testTone } from '../helpers/families.ts';

const HF_DIR = join(REPO_ROOT, 'test', 'fixtures', 'onnx', 'hf-wav2vec2-tiny');
const scratch = await mkdtemp(join(tmpdir(), 'earshot-hf-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A Transformers.js-layout folder in the scratch dir: JSON files and graphs copied from the tiny fixtures. */
async function folder(name: string, files: { config?: object; pre?: object; readme?: string; onnx?: Record<string, string> }): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  if (files.config) await writeFile(join(dir, 'config.json'), JSON.stringify(files.config));
  if (files.pre) await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify(files.pre));
  if (files.readme) await writeFile(join(dir, 'README.md'), files.readme);
  for (const [to, from] of Object.entries(files.onnx ?? {})) await copyFile(join(FAMILY_DIR, from), join(dir, 'onnx', to));
  return dir;
}

describe('Hugging Face ONNX folders (Transformers.js layout)', () => {
  it('derives a waveform manifest from a Wav2Vec2FeatureExtractor folder', async () => {
    const { manifest, files } = await readHuggingFaceFolder(HF_DIR, loader);
    expect(manifest).toMatchObject({
      id: 'hf-wav2vec2-tiny',
      files: { model: 'onnx/model.onnx' },
      sampleRateHz: 16000,
      channels: 1,
      windowS: 10,
      hopS: 0.02,
      frameOffsetS: 0.0125,
      frontEnd: { kind: 'waveform', normalize: 'zero-mean-unit-var' },
      input: { name: 'input_values', layout: 'B,N' },
      output: { name: 'last_hidden_state', layout: 'B,T,D' },
      embeddingSize: 32,
    });
    expect(files.model).toBe(join(HF_DIR, 'onnx', 'model.onnx'));
    expect(validateManifest('derived', manifest)).toEqual(manifest);
  });

  it('runs it: the same graph as wav2vec2-tiny-random, so the same output as torch', async () => {
    const enc = await createHuggingFaceEncoder(HF_DIR, loader);
    const ts = await enc.timestampEmbeddings([await loadSpeech(3)]);
    expect(maxAbsDiff(ts.embeddings, familyReference('wav2vec2-tiny-random').data)).toBeLessThan(1e-4);
    await expectFrames(enc, [testTone(12.3)], grid(614, 0.0125, 0.02)); // (196800 - 400) / 320 + 1 frames over two 10 s windows
  });

  it('derives an AST manifest (kaldi-fbank, pooled output per window) and a licence from the model card', async () => {
    const dir = await folder('ast', {
      config: { model_type: 'audio-spectrogram-transformer', hidden_size: 32 },
      pre: { feature_extractor_type: 'ASTFeatureExtractor', num_mel_bins: 128, max_length: 128, mean: -4.2677393, std: 4.5689974, do_normalize: true, sampling_rate: 16000 },
      readme: '---\nlicense: bsd-3-clause\ntags:\n- audio\n---\n# AST\n',
      onnx: { 'model.onnx': 'ast-tiny-random.onnx' },
    });
    const { manifest } = await readHuggingFaceFolder(dir, loader, { id: 'ast-hf' });
    expect(manifest).toMatchObject({
      id: 'ast-hf',
      license: 'bsd-3-clause',
      windowS: 1.28,
      frontEnd: { kind: 'kaldi-fbank', numMelBins: 128, targetFrames: 128, mean: -4.2677393, std: 4.5689974, windowType: 'hanning' },
      input: { name: 'input_values', layout: 'B,T,F' },
      output: { name: 'pooler_output', layout: 'B,D' },
      embeddingSize: 32,
    });
    await expectFrames(await createHuggingFaceEncoder(dir, loader), [testTone(2)], [0.64, 1.28 + 0.36]);
  });

  it('derives a Whisper manifest from the encoder graph, preferring full precision over quantized', async () => {
    const dir = await folder('whisper', {
      config: { model_type: 'whisper', d_model: 32 },
      pre: { feature_extractor_type: 'WhisperFeatureExtractor', feature_size: 80, chunk_length: 30, sampling_rate: 16000 },
      onnx: { 'encoder_model_quantized.onnx': 'whisper-encoder-tiny-random.onnx', 'encoder_model.onnx': 'whisper-encoder-tiny-random.onnx', 'decoder_model.onnx': 'ast-tiny-random.onnx' },
    });
    const { manifest } = await readHuggingFaceFolder(dir, loader);
    expect(manifest).toMatchObject({
      files: { model: 'onnx/encoder_model.onnx' },
      windowS: 30,
      hopS: 0.02,
      frameOffsetS: 0,
      frontEnd: { kind: 'whisper-logmel', numMelBins: 80, chunkS: 30 },
      input: { name: 'input_features', layout: 'B,F,T' },
      output: { name: 'last_hidden_state', layout: 'B,T,D' },
      embeddingSize: 32,
    });
    expect(manifest.license).toMatch(/unknown/);
  });

  it('falls back to a quantized graph when it is the only one', async () => {
    const dir = await folder('quantized', { onnx: { 'model_quantized.onnx': 'wav2vec2-tiny-random.onnx' } });
    await cp(join(HF_DIR, 'config.json'), join(dir, 'config.json'));
    await cp(join(HF_DIR, 'preprocessor_config.json'), join(dir, 'preprocessor_config.json'));
    expect((await readHuggingFaceFolder(dir, loader)).manifest.files).toEqual({ model: 'onnx/model_quantized.onnx' });
  });

  it('says what is missing or unsupported', async () => {
    const noPre = await folder('no-pre', { config: { hidden_size: 8 }, onnx: { 'model.onnx': 'wav2vec2-tiny-random.onnx' } });
    await expect(readHuggingFaceFolder(noPre, loader)).rejects.toThrow(/no preprocessor_config\.json/);
    const clap = await folder('clap', { config: { hidden_size: 8 }, pre: { feature_extractor_type: 'ClapFeatureExtractor' } });
    await expect(readHuggingFaceFolder(clap, loader)).rejects.toThrow(/feature_extractor_type "ClapFeatureExtractor" is not supported/);
    const noGraph = await folder('no-graph', { config: { hidden_size: 8 }, pre: { feature_extractor_type: 'Wav2Vec2FeatureExtractor' } });
    await expect(readHuggingFaceFolder(noGraph, loader)).rejects.toMatchObject({ code: 'EARSHOT_INVALID_MODEL', message: expect.stringMatching(/no onnx\/model\.onnx/) });
  });
});
