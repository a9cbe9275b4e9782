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
  it("agrees with ONNX Runtime's metadata on every openWakeWord graph and the test graphs", async () => {
    const dir = join(EMBEDDING_ONNX, '..');
    const paths = [...(await readdir(dir)).filter((f) => f.endsWith('.onnx')).map((f) => join(dir, f)), TINY_WAVEFORM_ONNX, TINY_BATCHSUM_ONNX];
    expect(paths.length).toBeGreaterThan(5);
    for (const p of paths) expect(await readGraphInfo(p), p).toEqual(await ortInfo(p));
  });

  it('rejects a file that is not ONNX', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'earshot-onnx-'));
    await writeFile(join(dir, 'bad.onnx'), 'this is not a protobuf at all');
    await expect(readGraphInfo(join(dir, 'bad.onnx'))).rejects.toThrow(/not an ONNX model|corrupt/);
    await writeFile(join(dir, 'empty.onnx'), '');
    await expect(readGraphInfo(join(dir, 'empty.onnx'))).rejects.toThrow('no graph in it');
  });
});
