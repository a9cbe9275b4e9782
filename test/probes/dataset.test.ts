import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEncoder } from '../../src/encoders/index.ts';
import type { Encoder } from '../../src/encoders/types.ts';
import { readLabelledData } from '../../src/probes/dataset.ts';
import { embedData } from '../../src/probes/embedData.ts';
import { makeLayout, rejection, tempDir } from '../helpers/audio.ts';

let dir: string;
let cleanup: () => Promise<void>;

const layout = (name: string, files: Record<string, number | string>) => makeLayout(dir, name, files);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-dataset-'));
});
afterAll(() => cleanup());

describe('readLabelledData', () => {
  it('reads classes in sorted order, clips sorted by path, nested folders and links included, hidden and non-audio files skipped', async () => {
    const root = await layout('good', {
      'yes/b.wav': 1,
      'yes/a.WAV': 2,
      'yes/deeper/c.wav': 3,
      'yes/._a.wav': 'a macOS resource fork, not audio',
      'yes/notes.txt': 'not audio',
      'no/x.wav': 4,
      '.hidden/z.wav': 5,
      'readme.md': 'the top level holds classes only',
    });
    const elsewhere = await layout('elsewhere', { 'up/u.wav': 6 });
    await symlink(join(elsewhere, 'up'), join(root, 'up'));
    const data = await readLabelledData(root);
    expect(data.root).toBe(root);
    expect(data.classes).toEqual(['no', 'up', 'yes']);
    expect(data.files).toEqual(['no/x.wav', 'up/u.wav', 'yes/a.WAV', 'yes/b.wav', 'yes/deeper/c.wav']);
    expect(Array.from(data.labels)).toEqual([0, 1, 2, 2, 2]);
  });

  it('a link back up the tree is walked once', async () => {
    const root = await layout('loop', { 'a/1.wav': 1, 'b/2.wav': 2 });
    await symlink(join(root, 'a'), join(root, 'a', 'again'));
    expect((await readLabelledData(root)).files).toEqual(['a/1.wav', 'b/2.wav']);
  });

  it('a missing folder: names it', async () => {
    const err = await rejection(readLabelledData(join(dir, 'nowhere')));
    expect(err.code).toBe('EARSHOT_INVALID_DATA');
    expect(err.message).toContain(`${join(dir, 'nowhere')}: no such folder`);
  });

  it('a file instead of a folder: names it', async () => {
    await writeFile(join(dir, 'plain.txt'), 'x');
    const err = await rejection(readLabelledData(join(dir, 'plain.txt')));
    expect(err.code).toBe('EARSHOT_INVALID_DATA');
    expect(err.message).toContain(`${join(dir, 'plain.txt')} is a file`);
  });

  it('no class subfolders (clips straight in the folder): names the folder and the layout it needs', async () => {
    const root = await layout('flat', { 'a.wav': 1, 'b.wav': 2 });
    const err = await rejection(readLabelledData(root));
    expect(err.code).toBe('EARSHOT_INVALID_DATA');
    expect(err.message).toContain(`${root} has no class subfolders`);
    expect(err.message).toContain(`${root}/<class>/<clip>.wav`);
  });

  it('one class only: names it', async () => {
    const root = await layout('single', { 'yes/a.wav': 1 });
    const err = await rejection(readLabelledData(root));
    expect(err.code).toBe('EARSHOT_INVALID_DATA');
    expect(err.message).toContain(`${root} has a single class ("yes")`);
  });

  it('classes with no audio: lists every one of them, and none of the good ones', async () => {
    const root = await layout('empties', { 'yes/a.wav': 1, 'no/readme.txt': 'no audio', 'up/': '', 'down/deeper/': '', 'go/b.wav': 2 });
    const err = await rejection(readLabelledData(root));
    expect(err.code).toBe('EARSHOT_INVALID_DATA');
    expect(err.message).toContain('hold no audio');
    for (const cls of ['down', 'no', 'up']) expect(err.message).toContain(join(root, cls));
    for (const cls of ['yes', 'go']) expect(err.message).not.toContain(join(root, cls));
  });
});

describe('embedData', () => {
  let encoder: Encoder;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ encoder, close } = await openEncoder('naive-logmel', { workers: 1, device: 'cpu' }));
  });
  afterAll(() => close());

  it('one scene embedding per clip, in the order of data.files', async () => {
    const data = await readLabelledData(await layout('embed-good', { 'a/1.wav': 1, 'a/2.wav': 2, 'b/3.wav': 3 }));
    const progress: number[] = [];
    const out = await embedData(data, encoder, { onProgress: (done, total) => progress.push(done / total) });
    expect(out).toHaveLength(3);
    for (const e of out) expect(e).toHaveLength(512);
    expect(out[0]).not.toEqual(out[1]);
    expect(progress.at(-1)).toBe(1);
  });

  it('collects ALL unreadable clips into one single-line INVALID_DATA error naming each', async () => {
    const root = await layout('embed-bad', {
      'a/1.wav': 1,
      'a/garbage.wav': 'plain text, not audio\n',
      'b/2.wav': 2,
      'b/empty.wav': '',
    });
    const data = await readLabelledData(root);
    let last = 0;
    const err = await rejection(embedData(data, encoder, { onProgress: (done) => (last = done) }));
    expect(err.code).toBe('EARSHOT_INVALID_DATA');
    expect(err.message).toMatch(/^2 clip\(s\) in .* could not be read: /);
    expect(err.message).toContain(join(root, 'a', 'garbage.wav'));
    expect(err.message).toContain(join(root, 'b', 'empty.wav'));
    expect(err.message).not.toContain('1.wav');
    expect(err.message).not.toContain('\n');
    expect(last).toBe(4);
  });
});
