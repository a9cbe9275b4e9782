import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/encoders/npy.ts';
import { hasNumpy } from '../helpers/python.ts';


describe('encodeNpy', () => {
  it('pads the header to 64 bytes and ends it with a newline', () => {
    const bytes = encodeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes[10 + headerLength - 1]).toBe(0x0a);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toContain("'shape': (2, 3)");
    expect(() => encodeNpy(Float32Array.of(1, 2), [3])).toThrow(/shape/);
  });

  it.runIf(hasNumpy)('is read back by numpy with the same values, shape and dtype', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    try {
      writeFileSync(join(dir, 'a.npy'), encodeNpy(Float32Array.of(0.5, -1, 3.25, 7, 8, 9), [3, 2]));
      writeFileSync(join(dir, 'b.npy'), encodeNpy(Float64Array.of(0.1, 0.2), [2]));
      const out = execFileSync('/usr/bin/python3', ['-c', `import numpy as np, json; a=np.load('${dir}/a.npy'); b=np.load('${dir}/b.npy'); print(json.dumps([a.tolist(), str(a.dtype), b.tolist(), str(b.dtype)]))`]);
      expect(JSON.parse(String(out))).toEqual([[[0.5, -1], [3.25, 7], [8, 9]], 'float32', [0.1, 0.2], 'float64']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
