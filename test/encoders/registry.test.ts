import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelRegistry, loadModelManifest } from '../../src/encoders/registry.ts';
import { REPO_ROOT } from '../helpers/audio.ts';
import { TINY_WAVEFORM_ONNX } from './runtime/helpers.ts';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'models');
const BASE = JSON.parse(await readFile(join(FIXTURES, 'tiny-waveform.json'), 'utf8'));

// A folder holding `files` (name -> JSON or text) and a copy of the tiny graph as graphs/tiny.onnx.
async function folder(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'earshot-models-'));
  await mkdir(join(dir, 'graphs'));
  await copyFile(TINY_WAVEFORM_ONNX, join(dir, 'graphs', 'tiny.onnx'));
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  return dir;
}
const empty = () => folder({});

describe('ModelRegistry', () => {
  it('opens the shipped manifests (models/*.json): every one valid and consistent with its graphs', async () => {
    const reg = await ModelRegistry.open();
    for (const e of reg.list()) expect(e.origin).toBe('shipped');
  });

  it('reads user folders, resolves files against the manifest, reads the graphs, and lists missing files', async () => {
    const reg = await ModelRegistry.open({ shippedDir: await empty(), userDirs: [FIXTURES] });
    expect(reg.list().map((e) => e.manifest.id)).toEqual(['tiny-absent', 'tiny-naive', 'tiny-waveform']);
    const tiny = reg.require('tiny-waveform');
    expect(tiny.files.model).toBe(TINY_WAVEFORM_ONNX);
    expect(tiny.graphs.model.inputs[0].name).toBe('waveform');
    expect(reg.require('tiny-naive')).toMatchObject({ files: {}, missing: [] });
    expect(reg.entry('tiny-absent').missing).toEqual(['model']);
  });

  it('a missing ONNX file fails where it is needed, suggesting npm install', async () => {
    const reg = await ModelRegistry.open({ shippedDir: await empty(), userDirs: [FIXTURES] });
    expect(() => reg.require('tiny-absent')).toThrow(
      expect.objectContaining({ code: 'EARSHOT_MODEL_FILES_MISSING', message: expect.stringMatching(/tiny-absent\.json: .*not-installed\/absent\.onnx not found\. Get it with `npm install`/) }),
    );
  });

  it('an unknown id lists the known ones', async () => {
    const reg = await ModelRegistry.open({ shippedDir: await folder({ 'a.json': { ...BASE, files: { model: 'graphs/tiny.onnx' } } }) });
    expect(() => reg.entry('wav2vec2')).toThrow('unknown model "wav2vec2". Known: tiny-waveform.');
  });

  it('rejects at load a manifest that does not match its graph, naming the manifest', async () => {
    const dir = await folder({ 'x.json': { ...BASE, files: { model: 'graphs/tiny.onnx' }, input: { name: 'input_values', layout: 'B,N' } } });
    await expect(ModelRegistry.open({ shippedDir: await empty(), userDirs: [dir] })).rejects.toMatchObject({
      code: 'EARSHOT_MODEL_MISMATCH',
      message: `${join(dir, 'x.json')}: input 'input_values' not in tiny.onnx (its inputs: 'waveform' [batch,samples]). Fix input.name in the manifest.`,
    });
  });

  it('rejects an id used twice, naming both files', async () => {
    const m = { ...BASE, files: { model: 'graphs/tiny.onnx' } };
    const dir = await folder({ 'a.json': m, 'b.json': m });
    await expect(ModelRegistry.open({ shippedDir: dir })).rejects.toThrow(`model id "tiny-waveform" is used twice: ${join(dir, 'a.json')} and ${join(dir, 'b.json')}. Rename one.`);
  });

  it('names the file for bad JSON, a graph that is not ONNX, and a missing folder', async () => {
    const bad = await folder({ 'x.json': '{ "id": ' });
    await expect(ModelRegistry.open({ shippedDir: bad })).rejects.toThrow(new RegExp(`^${join(bad, 'x.json')}: not valid JSON`));
    const notOnnx = await folder({ 'x.json': { ...BASE, files: { model: 'x.json' } } });
    await expect(loadModelManifest(join(notOnnx, 'x.json'))).rejects.toThrow(/x\.json: files\.model \(x\.json\) is not a readable ONNX model: .*Copy or export it again\./);
    await expect(ModelRegistry.open({ userDirs: ['/nonexistent/models'] })).rejects.toThrow('/nonexistent/models: no such folder; give a folder of model manifests (*.json).');
  });
});
