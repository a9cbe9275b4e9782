import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors } from '../../src/errors.ts';
import { tempPathBeside, writeAtomically, writeAtomicallyFrom } from '../../src/writeAtomically.ts';
import { tempDir } from '../helpers/audio.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('earshot-atomic-')));
afterAll(() => cleanup());

describe('writeAtomically', () => {
  it('replaces the file whole, flushed or not, and leaves no temporary file', async () => {
    const path = join(dir, 'a.json');
    await writeAtomically(path, 'old');
    await writeAtomically(path, 'new', { durable: false });
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('keeps the earlier file when the producer fails half way, and passes its error on', async () => {
    const path = join(dir, 'b.bin');
    await writeFile(path, 'kept');
    const failing = writeAtomicallyFrom(path, async (write) => {
      await write(new Uint8Array(8));
      throw new Errors.INVALID_DATA('stopped half way');
    });
    await expect(failing).rejects.toMatchObject({ code: 'EARSHOT_INVALID_DATA' });
    expect(await readFile(path, 'utf8')).toBe('kept');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names the path and the reason in words when the folder is missing', async () => {
    await expect(writeAtomically(join(dir, 'missing', 'c.txt'), 'x')).rejects.toThrow(/c\.txt \(the directory does not exist\)/);
  });

  it('puts temporary files beside the target, each under its own name', () => {
    const path = join(dir, 'd.npy');
    const [a, b] = [tempPathBeside(path), tempPathBeside(path)];
    expect(dirname(a)).toBe(dir);
    expect(a).not.toBe(b);
  });
});
