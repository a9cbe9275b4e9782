import { readdir, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readGraphInfo } from '../../../src/encoders/runtime/onnxInfo.ts';
import { EMBEDDING_ONNX, TINY_BATCHSUM_ONNX, TINY_WAVEFORM_ONNX } from './helpers.ts';

async function ortInfo(path: string) {
  const s = await ort.InferenceSession.create(path);
  const d = (m: ort.InferenceSession.ValueMetadata) => ({ name: m.name, type: m.isTensor ? String(m.type) : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] });
  const info = { inputs: s.inputMetadata.map(d), outputs: s.outputMetadata.map(d) };
  await s.release();
  return info;
}

describe('readGraphInfo (ONNX protobuf, no session)', () => {
  it("agrees with ONNX Runtime's metadata on every openWakeWord graph and every test graph", async () => {
    const onnxIn = async (dir: string) => (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.onnx')).map((f) => join(dir, f));
    const paths = [...(await onnxIn(join(EMBEDDING_ONNX, '..'))), ...(await onnxIn(join(TINY_WAVEFORM_ONNX, '..')))];
    expect(paths).toContain(TINY_BATCHSUM_ONNX);
    expect(paths.length).toBeGreaterThan(5);
    for (const p of paths) {
      const [ours, theirs] = [await readGraphInfo(p), await ortInfo(p)];
      // Names, types and ranks agree; a size agrees too unless the file names it and ORT's shape inference fixed it.
      const relaxed = (side: 'inputs' | 'outputs') =>
        ours[side].map((v, i) => ({ ...v, shape: v.shape.map((d, j) => (typeof d === 'string' && typeof theirs[side][i]?.shape[j] === 'number' ? theirs[side][i].shape[j] : d)) }));
      expect({ inputs: relaxed('inputs'), outputs: relaxed('outputs') }, p).toEqual(theirs);
      expect(ours.inputs, p).toEqual(theirs.inputs);
    }
  });

  it('rejects a file that is not ONNX', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'earshot-onnx-'));
    await writeFile(join(dir, 'bad.onnx'), 'this is not a protobuf at all');
    await expect(readGraphInfo(join(dir, 'bad.onnx'))).rejects.toThrow(/not an ONNX model|corrupt/);
    await writeFile(join(dir, 'empty.onnx'), '');
    await expect(readGraphInfo(join(dir, 'empty.onnx'))).rejects.toThrow('no graph in it');
  });
});
