import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RirBank } from '../../src/scene/rirBank.ts';
import { NoiseBank } from '../../src/scene/noiseBank.ts';
import { encodeWav, writeWav } from '../../src/audio/wav.ts';
import { SHIPPED_NOISE_DIR, SHIPPED_RIR_DIR } from '../../src/paths.ts';
import { rejection, speechPath, tempDir } from '../helpers/audio.ts';

const RATE = 16000;
const SHIPPED_NOISES = ['cafe', 'river', 'birds', 'airport', 'vinyl', 'rain', 'wind'];

/** A short decaying IR with `channels` channels (each a little different). */
function ir(channels: number, length = 800): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length }, (_, i) => Math.exp(-i / 100) * Math.cos(i * (0.3 + 0.1 * c))));
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('earshot-banks-')));
afterEach(() => cleanup());

async function folder(name: string, files: Record<string, Float32Array[] | string | Uint8Array>): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (Array.isArray(content)) await writeWav(join(path, file), { sampleRateHz: RATE, channels: content }, 'float32');
    else await writeFile(join(path, file), content);
  }
  return path;
}

describe('shipped banks', () => {
  it('the RIR bank lists the measured street IR, stereo, with its licence, and loads it at any rate', async () => {
    const bank = await RirBank.open();
    const street = bank.list().find((e) => e.id === 'street');
    expect(street).toMatchObject({ kind: 'measured', layout: 'stereo', origin: 'shipped', license: 'GPL-2.0-or-later', file: join(SHIPPED_RIR_DIR, 'street2_stereo_48k.wav') });
    for (const e of bank.list()) expect(e.origin).toBe('shipped');
    const [at16k, at48k] = await Promise.all([bank.load('street', 16000), bank.load('street', 48000)]);
    expect(at16k).toHaveLength(2);
    expect(at48k[0].length).toBeCloseTo(3 * at16k[0].length, -1);
    expect(await bank.load('street', 16000)).toBe(at16k);
  });

  it('every shipped IR loads with the channel count its layout needs', async () => {
    const bank = await RirBank.open();
    const channels = { mono: 1, stereo: 2, binaural: 2, foa: 4 } as Record<string, number>;
    for (const e of bank.list()) {
      const loaded = await bank.load(e.id, RATE);
      if (channels[e.layout] !== undefined) expect(loaded, e.id).toHaveLength(channels[e.layout]);
      expect(loaded[0].length, e.id).toBeGreaterThan(RATE / 100);
    }
  });

  it('the noise bank lists the shipped recordings and the synthetic colours', async () => {
    const bank = await NoiseBank.open();
    const ids = bank.list().map((e) => e.id);
    for (const id of [...SHIPPED_NOISES, 'white', 'pink', 'brown']) expect(ids).toContain(id);
    for (const id of SHIPPED_NOISES) expect(bank.entry(id).file.startsWith(SHIPPED_NOISE_DIR)).toBe(true);
    const cafe = await bank.load('cafe', RATE);
    expect(cafe.kind).toBe('recording');
    if (cafe.kind === 'recording') expect(cafe.samples.length / RATE).toBeGreaterThan(20);
    expect(await bank.load('pink', RATE)).toEqual({ kind: 'colour', id: 'pink', colour: 'pink' });
  });
});

describe('user folders', () => {
  it('without a manifest: ids from file names, layout from the channel count once loaded; other files ignored', async () => {
    const path = await folder('irs', { 'Hall.WAV': ir(1), 'pair.wav': ir(2), 'quad.wav': ir(4), 'notes.txt': 'not audio' });
    const bank = await RirBank.open({ userDirs: [path], includeShipped: false });
    expect(bank.list().map((e) => e.id).sort()).toEqual(['Hall', 'pair', 'quad']);
    for (const e of bank.list()) expect(e).toMatchObject({ origin: 'user', kind: 'user' });
    const expected = { Hall: ['mono', 1], pair: ['stereo', 2], quad: ['array', 4] } as const;
    for (const [id, [layout, channels]] of Object.entries(expected)) {
      const loaded = await bank.load(id, RATE);
      expect(loaded).toHaveLength(channels);
      expect(loaded[0]).toHaveLength(800);
      expect(bank.entry(id).layout).toBe(layout);
    }
  });

  it('user folders add to the shipped ones', async () => {
    const rirs = await RirBank.open({ userDirs: [await folder('irs', { 'mine.wav': ir(2) })] });
    expect(rirs.list().map((e) => e.id)).toEqual(expect.arrayContaining(['street', 'mine']));
    const noises = await NoiseBank.open({ userDirs: [await folder('noises', { 'hum.wav': ir(1, 4000) })] });
    expect(noises.list().map((e) => e.id)).toEqual(expect.arrayContaining(['cafe', 'hum', 'white']));
    expect(noises.entry('hum').origin).toBe('user');
  });

  it('with a manifest.json: its ids, files, layouts and descriptions', async () => {
    const manifest = { rirs: [{ id: 'kemar-hall', file: 'sub/h.wav', layout: 'binaural', description: 'a hall', license: 'CC0-1.0' }] };
    const path = await folder('irs', { 'manifest.json': JSON.stringify(manifest), 'ignored.wav': ir(1) });
    await folder('irs/sub', { 'h.wav': ir(2) });
    const bank = await RirBank.open({ userDirs: [path], includeShipped: false });
    expect(bank.list()).toHaveLength(1);
    expect(bank.entry('kemar-hall')).toMatchObject({ layout: 'binaural', description: 'a hall', license: 'CC0-1.0', file: join(path, 'sub', 'h.wav'), origin: 'user' });
    await bank.load('kemar-hall', RATE);
    expect(bank.entry('kemar-hall').layout).toBe('binaural');

    const noisePath = await folder('noises', { 'manifest.json': JSON.stringify({ noises: [{ id: 'talk', file: 'talk.wav' }] }) });
    await copyFile(speechPath(3), join(noisePath, 'talk.wav'));
    const noises = await NoiseBank.open({ userDirs: [noisePath], includeShipped: false });
    expect((await noises.load('talk', RATE)).kind).toBe('recording');
  });

  it('a layout stated in the manifest is kept (a 2-mic array stays an array)', async () => {
    const path = await folder('irs', { 'manifest.json': JSON.stringify({ rirs: [{ id: 'pair', file: 'pair.wav', layout: 'array' }] }), 'pair.wav': ir(2) });
    const bank = await RirBank.open({ userDirs: [path], includeShipped: false });
    await bank.load('pair', RATE);
    expect(bank.entry('pair').layout).toBe('array');
  });

  it('a multichannel noise recording is mixed down to mono', async () => {
    const path = await folder('noises', { 'stereo.wav': ir(2, 3000) });
    const bank = await NoiseBank.open({ userDirs: [path], includeShipped: false });
    const loaded = await bank.load('stereo', RATE);
    if (loaded.kind !== 'recording') throw new Error('expected a recording');
    const [l, r] = ir(2, 3000);
    expect(loaded.samples[10]).toBeCloseTo((l[10] + r[10]) / 2, 6);
  });
});

describe('bank errors name the folder or file', () => {
  it('an empty folder', async () => {
    const path = await folder('empty', {});
    const err = await rejection(RirBank.open({ userDirs: [path] }));
    expect(err.code).toBe('EARSHOT_INVALID_BANK');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/no audio files/);
  });

  it('a missing folder', async () => {
    const path = join(dir, 'nowhere');
    const err = await rejection(NoiseBank.open({ userDirs: [path] }));
    expect(err.code).toBe('EARSHOT_INVALID_BANK');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/no such folder/);
  });

  it('a file instead of a folder', async () => {
    const file = join(await folder('irs', { 'one.wav': ir(1) }), 'one.wav');
    const err = await rejection(RirBank.open({ userDirs: [file] }));
    expect(err.code).toBe('EARSHOT_INVALID_BANK');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/is a file/);
  });

  it.each([
    ['invalid JSON', '{"rirs": [', /not valid JSON/],
    ['the wrong list key', JSON.stringify({ noises: [] }), /expected \{"rirs": \[ \.\.\. \]\}/],
    ['an entry without an id', JSON.stringify({ rirs: [{ file: 'a.wav' }] }), /rirs\[0\]\.id must be a string/],
    ['an id with spaces', JSON.stringify({ rirs: [{ id: 'my hall', file: 'a.wav' }] }), /rirs\[0\]\.id must be a string/],
    ['an entry without a file', JSON.stringify({ rirs: [{ id: 'hall' }] }), /rirs\[0\] \("hall"\) has no "file"/],
    ['null', 'null', /expected \{"rirs"/],
  ])('a bad manifest: %s', async (_, text, pattern) => {
    const path = await folder('irs', { 'manifest.json': text });
    const err = await rejection(RirBank.open({ userDirs: [path] }));
    expect(err.code).toBe('EARSHOT_INVALID_BANK');
    expect(err.message).toContain(join(path, 'manifest.json'));
    expect(err.message).toMatch(pattern);
  });

  it('a manifest layout that is not a layout fails at open, naming the file', async () => {
    const path = await folder('irs', { 'manifest.json': JSON.stringify({ rirs: [{ id: 'x', file: 'x.wav', layout: 'surround' }] }), 'x.wav': ir(2) });
    const err = await rejection(RirBank.open({ userDirs: [path] }));
    expect(err.code).toBe('EARSHOT_INVALID_BANK');
    expect(err.message).toContain(join(path, 'x.wav'));
    expect(err.message).toMatch(/layout "surround".*mono, stereo, binaural, foa, array/);
  });

  it('a manifest layout that does not match the file\'s channels fails at load, naming the file', async () => {
    const manifest = { rirs: [{ id: 'fake-foa', file: 'two.wav', layout: 'foa' }, { id: 'fake-binaural', file: 'one.wav', layout: 'binaural' }] };
    const path = await folder('irs', { 'manifest.json': JSON.stringify(manifest), 'two.wav': ir(2), 'one.wav': ir(1) });
    const bank = await RirBank.open({ userDirs: [path], includeShipped: false });
    for (const [id, file, pattern] of [['fake-foa', 'two.wav', /2 channel\(s\).*layout "foa", which has 4/], ['fake-binaural', 'one.wav', /1 channel\(s\).*layout "binaural", which has 2/]] as const) {
      const err = await rejection(bank.load(id, RATE));
      expect(err.code).toBe('EARSHOT_INVALID_BANK');
      expect(err.message).toContain(join(path, file));
      expect(err.message).toMatch(pattern);
    }
  });

  it('a manifest entry whose file is missing fails at load, naming the file', async () => {
    const path = await folder('irs', { 'manifest.json': JSON.stringify({ rirs: [{ id: 'gone', file: 'gone.wav' }] }) });
    const bank = await RirBank.open({ userDirs: [path], includeShipped: false });
    const err = await rejection(bank.load('gone', RATE));
    expect(err.code).toBe('EARSHOT_FILE_NOT_FOUND');
    expect(err.message).toContain(join(path, 'gone.wav'));
  });

  it('duplicate ids across shipped and user folders name both files', async () => {
    const rirPath = await folder('irs', { 'street.wav': ir(2) });
    const rirErr = await rejection(RirBank.open({ userDirs: [rirPath] }));
    expect(rirErr.code).toBe('EARSHOT_INVALID_BANK');
    expect(rirErr.message).toContain('"street"');
    expect(rirErr.message).toContain(join(SHIPPED_RIR_DIR, 'street2_stereo_48k.wav'));
    expect(rirErr.message).toContain(join(rirPath, 'street.wav'));

    const noisePath = await folder('noises', { 'cafe.flac': ir(1) });
    const noiseErr = await rejection(NoiseBank.open({ userDirs: [noisePath] }));
    expect(noiseErr.code).toBe('EARSHOT_INVALID_BANK');
    expect(noiseErr.message).toContain(join(SHIPPED_NOISE_DIR, 'cafe_lenautile_restaurant.flac'));
    expect(noiseErr.message).toContain(join(noisePath, 'cafe.flac'));
  });

  it('a user recording named like a synthetic colour says which is which', async () => {
    const path = await folder('noises', { 'pink.wav': ir(1) });
    const err = await rejection(NoiseBank.open({ userDirs: [path] }));
    expect(err.code).toBe('EARSHOT_INVALID_BANK');
    expect(err.message).toContain(join(path, 'pink.wav'));
    expect(err.message).toMatch(/synthetic pink noise/);
    expect(err.message).not.toMatch(/ and \./);
  });

  it('duplicate ids across two user folders', async () => {
    const a = await folder('a', { 'hall.wav': ir(1) });
    const b = await folder('b', { 'hall.flac': ir(1) });
    const err = await rejection(RirBank.open({ userDirs: [a, b], includeShipped: false }));
    expect(err.message).toContain(join(a, 'hall.wav'));
    expect(err.message).toContain(join(b, 'hall.flac'));
  });

  it('a corrupt IR gives the decoder\'s error naming the file, and a later load tries again', async () => {
    const good = encodeWav({ sampleRateHz: RATE, channels: ir(2) }, 'float32');
    const path = await folder('irs', { 'garbage.wav': 'this is not a RIFF file at all, just text', 'cut.wav': good.subarray(0, good.length - 1001) });
    const bank = await RirBank.open({ userDirs: [path], includeShipped: false });
    const garbage = await rejection(bank.load('garbage', RATE));
    expect(garbage.code).toBe('EARSHOT_UNKNOWN_FORMAT');
    expect(garbage.message).toContain(join(path, 'garbage.wav'));
    const cut = await rejection(bank.load('cut', RATE));
    expect(cut.code).toBe('EARSHOT_CORRUPT_AUDIO');
    expect(cut.message).toContain(join(path, 'cut.wav'));
    await writeWav(join(path, 'cut.wav'), { sampleRateHz: RATE, channels: ir(2) }, 'float32');
    expect(await bank.load('cut', RATE)).toHaveLength(2);
  });

  it('an unknown id lists the known ones', () => {
    return RirBank.open().then((bank) => {
      expect(() => bank.entry('nope')).toThrow(/unknown RIR "nope"\. Known: .*street/);
    });
  });
});
