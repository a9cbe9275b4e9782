import { afterEach, describe, expect, it, vi } from 'vitest';
import { OnnxPool, cudaProviderInstalled, validatePoolOptions } from '../../../src/encoders/runtime/index.ts';
import * as device from '../../../src/encoders/runtime/device.ts';
import { EMBEDDING_ONNX, TINY_WAVEFORM_ONNX } from './helpers.ts';

const pools: OnnxPool[] = [];
function makePool(dev: 'auto' | 'cuda' | 'cpu', verbose = true): { pool: OnnxPool; logs: string[] } {
  const logs: string[] = [];
  const pool = new OnnxPool({ workers: 2, device: dev, verbose, log: (l) => logs.push(l) });
  pools.push(pool);
  return { pool, logs };
}
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

// This machine has no GPU and installs skip the CUDA provider download (package.json's allowScripts).
describe.skipIf(cudaProviderInstalled())('device without CUDA', () => {
  it("'auto' falls back to CPU with one short log line, however many graphs open", async () => {
    const { pool, logs } = makePool('auto', false);
    await Promise.all([pool.open(EMBEDDING_ONNX), pool.open(TINY_WAVEFORM_ONNX)]);
    expect(pool.device).toBe('cpu');
    expect(logs).toEqual(['ONNX models run on CPU: CUDA is not available (--verbose says why and how to enable it)']);
  });

  it("'auto' with verbose says why and how to enable CUDA", async () => {
    const { pool, logs } = makePool('auto');
    const [a, b] = await Promise.all([pool.open(EMBEDDING_ONNX), pool.open(TINY_WAVEFORM_ONNX)]);
    expect([pool.device, a.device, b.device]).toEqual(['cpu', 'cpu', 'cpu']);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^ONNX models run on CPU: CUDA is not available \(its CUDA provider is not installed: .*libonnxruntime_providers_cuda\.so\)\. To enable CUDA, .* `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js`\.$/);
  });

  it("'cuda' fails clearly, saying how to enable CUDA", async () => {
    const { pool } = makePool('cuda');
    const err = await pool.open(EMBEDDING_ONNX).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'EARSHOT_CUDA_UNAVAILABLE', statusCode: 503 });
    expect((err as Error).message).toMatch(/^device 'cuda' asked for, but onnxruntime-node's CUDA provider is not installed \(.*\)\. To enable CUDA, .*ONNXRUNTIME_NODE_INSTALL=cuda12/);
  });

  // With the provider check bypassed, the workers really ask ONNX Runtime for CUDA and it fails (as on a machine with the library but no GPU).
  it("'auto' falls back inside the worker when ONNX Runtime cannot start CUDA, with ORT's reason, once", async () => {
    vi.spyOn(device, 'missingCudaProvider').mockReturnValue(undefined);
    const { pool, logs } = makePool('auto');
    const graph = await pool.open(EMBEDDING_ONNX);
    await pool.open(TINY_WAVEFORM_ONNX);
    expect(graph.device).toBe('cpu');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^ONNX models run on CPU: CUDA is not available \(.*Cuda.*\)\. To enable CUDA/);
  });

  it("'cuda' with ONNX Runtime unable to start it fails with ORT's reason", async () => {
    vi.spyOn(device, 'missingCudaProvider').mockReturnValue(undefined);
    const { pool } = makePool('cuda');
    await expect(pool.open(EMBEDDING_ONNX)).rejects.toMatchObject({
      code: 'EARSHOT_CUDA_UNAVAILABLE',
      message: expect.stringMatching(/^device 'cuda': onnxruntime-node's CUDA provider failed on .*embedding_model\.onnx \(.*Cuda.*\)\. Check the NVIDIA driver/),
    });
  });
  it("'cuda' blames the model, not CUDA, when the CPU cannot load it either", async () => {
    vi.spyOn(device, 'missingCudaProvider').mockReturnValue(undefined);
    const { pool } = makePool('cuda');
    await expect(pool.open(import.meta.filename)).rejects.toMatchObject({ code: 'EARSHOT_RUNTIME_FAILED', message: expect.stringContaining(`cannot load ONNX graph ${import.meta.filename}`) });
  });
});

describe('cpu', () => {
  it("'cpu' never tries CUDA and logs nothing", async () => {
    const { pool, logs } = makePool('cpu');
    expect((await pool.open(EMBEDDING_ONNX)).device).toBe('cpu');
    expect(logs).toEqual([]);
  });
});

describe('options', () => {
  it('defaults: one worker per core, intraOpNumThreads 1, auto device, maxBatch 16', () => {
    expect(validatePoolOptions()).toMatchObject({ intraOpNumThreads: 1, device: 'auto', maxBatch: 16 });
    expect(validatePoolOptions().workers).toBeGreaterThanOrEqual(1);
  });

  it('rejects bad values, naming the option', () => {
    expect(() => new OnnxPool({ workers: 0 })).toThrow('workers = 0: must be an integer from 1 to 1024');
    expect(() => new OnnxPool({ maxBatch: 1.5 })).toThrow('maxBatch = 1.5: must be an integer');
    expect(() => new OnnxPool({ device: 'tpu' as never })).toThrow(`device = "tpu": must be 'auto', 'cuda' or 'cpu'`);
  });
});
