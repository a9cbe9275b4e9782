import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateManifest, type ModelManifest } from '../../src/encoders/manifest.ts';
import { checkManifestGraphs } from '../../src/encoders/manifestCheck.ts';
import { readGraphInfo } from '../../src/encoders/runtime/onnxInfo.ts';
import { REPO_ROOT } from '../helpers/audio.ts';
import { EMBEDDING_ONNX, TINY_WAVEFORM_ONNX } from './runtime/helpers.ts';

const BASE = JSON.parse(await readFile(join(REPO_ROOT, 'test', 'fixtures', 'models', 'tiny-waveform.json'), 'utf8')) as ModelManifest;
const FILE = 'models/x.json';

// A copy of the base manifest with fields replaced (dotted paths; undefined deletes).
function edit(changes: Record<string, unknown>): unknown {
  const m = structuredClone(BASE) as unknown as Record<string, Record<string, unknown>>;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce((o, k) => o[k] as never, m);
    if (value === undefined) delete parent[keys.at(-1)!];
    else parent[keys.at(-1)!] = value as never;
  }
  return m;
}

describe('validateManifest', () => {
  it('accepts the fixture manifests, extra fields included', () => {
    expect(validateManifest(FILE, BASE)).toEqual(BASE);
    expect(validateManifest(FILE, { ...BASE, source: 'https://example.org' })).toMatchObject({ id: 'tiny-waveform' });
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['a missing field', { id: undefined }, 'models/x.json: id is missing'],
    ['a bad id', { id: 'Tiny Model' }, 'models/x.json: id = "Tiny Model": expected string to match'],
    ['a non-integer rate', { sampleRateHz: 16000.5 }, 'models/x.json: sampleRateHz = 16000.5: expected integer'],
    ['too many channels', { channels: 65 }, 'models/x.json: channels = 65: expected integer to be less or equal to 64'],
    ['a zero window', { windowS: 0 }, 'models/x.json: windowS = 0: expected number to be greater than 0'],
    ['a missing hop', { hopS: undefined }, 'models/x.json: hopS is missing'],
    ['a missing licence', { license: undefined }, 'models/x.json: license is missing'],
    ['a bad embedding size', { embeddingSize: 0 }, 'models/x.json: embeddingSize = 0: expected integer to be greater or equal to 1'],
    ['an unknown front-end', { 'frontEnd.kind': 'mfcc' }, 'models/x.json: frontEnd.kind = "mfcc": must be one of "waveform", "kaldi-fbank", "whisper-logmel", "openwakeword", "naive-logmel"'],
    ['a bad front-end field', { 'frontEnd.normalize': 'peak' }, 'models/x.json: frontEnd.normalize = "peak": must be "none" or "zero-mean-unit-var"'],
    ['a missing front-end field', { frontEnd: { kind: 'kaldi-fbank', numMelBins: 128 } }, 'models/x.json: frontEnd.frameLengthMs is missing'],
    ['a missing input name', { 'input.name': undefined }, 'models/x.json: input.name is missing'],
    ['a bad output layout', { 'output.layout': 'B,T' }, 'models/x.json: output.layout = "B,T": must be "B,T,D" or "B,D"'],
    ['a bad input layout', { 'input.layout': 'N,B' }, 'models/x.json: input.layout = "N,B": axes are B (batch, first), C, N, T, F'],
    ['a repeated input axis', { 'input.layout': 'B,N,N' }, 'models/x.json: input.layout = "B,N,N": axes are'],
    ['a file that is not a string', { 'files.model': 3 }, 'models/x.json: files.model = 3: expected string'],
    ['no files for an ONNX model', { files: {} }, "models/x.json: files is empty; list the ONNX graph(s), e.g. {\"model\": \"my-model.onnx\"} (only the pure-JS 'naive-logmel' front-end needs none)"],
    ['an input.file that is not a role', { 'input.file': 'encoder' }, 'models/x.json: input.file = "encoder" is not a role in files (model)'],
  ];
  for (const [what, changes, message] of cases) {
    it(`rejects ${what}, naming file and field`, () => {
      expect(() => validateManifest(FILE, edit(changes))).toThrow(expect.objectContaining({ code: 'EARSHOT_INVALID_MODEL', message: expect.stringContaining(message) }));
    });
  }

  it('rejects a manifest that is not an object', () => {
    expect(() => validateManifest(FILE, [BASE])).toThrow('models/x.json: a model manifest is a JSON object');
  });

  it('lets a naive-logmel manifest list no files', () => {
    const m = edit({ files: {}, frontEnd: { kind: 'naive-logmel', numMelBins: 40, frameLengthMs: 25, frameShiftMs: 10, seed: 0 } });
    expect(validateManifest(FILE, m).files).toEqual({});
  });
});

const tiny = { model: await readGraphInfo(TINY_WAVEFORM_ONNX) };

describe('checkManifestGraphs', () => {
  const files = { model: TINY_WAVEFORM_ONNX };
  const check = (changes: Record<string, unknown>) => () => checkManifestGraphs(FILE, validateManifest(FILE, edit(changes)), tiny, files);

  it('accepts a manifest that matches its graph', () => {
    expect(check({})).not.toThrow();
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['an input name', { 'input.name': 'input_values' }, "models/x.json: input 'input_values' not in tiny_waveform.onnx (its inputs: 'waveform' [batch,samples]). Fix input.name in the manifest."],
    ['an output name', { 'output.name': 'last_hidden_state' }, "models/x.json: output 'last_hidden_state' not in tiny_waveform.onnx (its outputs: 'embeddings' [batch,frames,8]). Fix output.name in the manifest."],
    ['the input rank', { 'input.layout': 'B,C,N' }, 'models/x.json: input \'waveform\' has rank 2 in tiny_waveform.onnx ([batch,samples]) but input.layout "B,C,N" has 3 axes.'],
    ['the output rank', { 'output.layout': 'B,D' }, 'models/x.json: output \'embeddings\' has rank 3 in tiny_waveform.onnx ([batch,frames,8]) but output.layout "B,D" has 2 axes.'],
    ['the embedding size', { embeddingSize: 16 }, "models/x.json: output 'embeddings' axis D is 8 in tiny_waveform.onnx ([batch,frames,8]) but embeddingSize is 16."],
  ];
  for (const [what, changes, message] of cases) {
    it(`rejects a mismatch in ${what}, saying exactly what differs`, () => {
      expect(check(changes)).toThrow(expect.objectContaining({ code: 'EARSHOT_MODEL_MISMATCH', message: expect.stringContaining(message) }));
    });
  }

  it('finds names across several graphs, allows extra size-1 axes, and checks C and D through them', async () => {
    const graphs = { melspectrogram: tiny.model, embedding: await readGraphInfo(EMBEDDING_ONNX) };
    const both = { melspectrogram: TINY_WAVEFORM_ONNX, embedding: EMBEDDING_ONNX };
    const oww = (changes: Record<string, unknown>) =>
      validateManifest(FILE, edit({ files: both, 'input.name': 'input_1', 'input.layout': 'B,T,F,C', 'output.name': 'conv2d_19', 'output.layout': 'B,D', embeddingSize: 96, ...changes }));
    expect(() => checkManifestGraphs(FILE, oww({}), graphs, both)).not.toThrow();
    expect(() => checkManifestGraphs(FILE, oww({ 'input.file': 'melspectrogram' }), graphs, both)).toThrow("input 'input_1' not in tiny_waveform.onnx");
    expect(() => checkManifestGraphs(FILE, oww({ channels: 2 }), graphs, both)).toThrow("input 'input_1' axis C is 1 in embedding_model.onnx ([unk__314,76,32,1]) but channels is 2.");
    expect(() => checkManifestGraphs(FILE, oww({ embeddingSize: 64 }), graphs, both)).toThrow("output 'conv2d_19' axis D is 96 in embedding_model.onnx ([unk__315,1,1,96]) but embeddingSize is 64.");
    expect(() => checkManifestGraphs(FILE, oww({ 'output.name': 'nope' }), graphs, both)).toThrow(
      "output 'nope' not in tiny_waveform.onnx (its outputs: 'embeddings' [batch,frames,8]) or embedding_model.onnx (its outputs: 'conv2d_19' [unk__315,1,1,96])",
    );
  });

  it('skips what it cannot see: a name that may be in a missing file', () => {
    const m = validateManifest(FILE, edit({ 'input.name': 'elsewhere', files: { model: 'x.onnx', other: 'absent.onnx' } }));
    expect(() => checkManifestGraphs(FILE, m, tiny, { model: TINY_WAVEFORM_ONNX, other: '/nowhere/absent.onnx' })).not.toThrow();
  });
});
