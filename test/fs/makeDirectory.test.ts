import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDirectory } from '../../src/makeDirectory.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'earshot-mkdir-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('makes missing parents, and a folder already there is fine', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDirectory(deep);
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
  });

  it('fails at once with ENOENT where the parent takes no new folders (procfs), instead of spinning', async () => {
    await expect(makeDirectory('/proc/earshot-test/out')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a path through a file (ENOTDIR) and onto a file (EEXIST)', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(makeDirectory(join(dir, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory(join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('concurrent calls for one path all succeed', async () => {
    const path = join(dir, 'x', 'y', 'z');
    await Promise.all(Array.from({ length: 8 }, () => makeDirectory(path)));
    expect((await stat(path)).isDirectory()).toBe(true);
  });
});
