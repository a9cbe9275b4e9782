import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { buildWav, floatBytes, intBytes } from './wavBuilder.ts';
import { rejection, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

/** Write `bytes` as `file` in the temp dir, decode it, and return the error (fails if none). */
async function errorFor(file: string, bytes?: Uint8Array): Promise<Error & { code: string }> {
  const path = join(dir, file);
  if (bytes) await writeFile(path, bytes);
  const result = await rejection(decodeAudioFile(path));
  expect(result.message).toContain(path);
  expect(result.message).not.toMatch(/\n\s+at /); // a message, not a stack trace
  return result;
}

/** Decode `path` in a child process running as nobody (uid/gid 65534): root reads any file, nobody does not. */
function decodeAsNobody(path: string): Promise<Error & { code: string }> {
  const bootstrap = fileURLToPath(new URL('../../src/tsBootstrap.js', import.meta.url));
  const script = new URL('./decodeScript.ts', import.meta.url).href;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bootstrap, script, path], { uid: 65534, gid: 65534, cwd: tmpdir(), timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`the child process failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Error & { code: string });
    });
  });
}

const pcm16 = (extra: Partial<Parameters<typeof buildWav>[0]> = {}) =>
  buildWav({ formatTag: 1, bits: 16, channels: 1, sampleRateHz: 8000, data: intBytes([1, 2, 3, 4, 5, 6, 7, 8], 2), ...extra });

describe('file-system errors name the file', () => {
  it('missing file -> FILE_NOT_FOUND', async () => expect((await errorFor('nope.wav')).code).toBe('EARSHOT_FILE_NOT_FOUND'));
  it('missing parent folder -> FILE_NOT_FOUND', async () => expect((await errorFor('nope/x.wav')).code).toBe('EARSHOT_FILE_NOT_FOUND'));
  it('a directory -> IS_DIRECTORY', async () => {
    await mkdir(join(dir, 'folder.wav'));
    expect((await errorFor('folder.wav')).code).toBe('EARSHOT_IS_DIRECTORY');
  });
  it('a symlink loop -> UNREADABLE', async () => {
    await symlink(join(dir, 'loop.wav'), join(dir, 'loop.wav'));
    const err = await errorFor('loop.wav');
    expect(err.code).toBe('EARSHOT_UNREADABLE');
    expect(err.message).toMatch(/symbolic links/);
  });
  it('no read permission -> UNREADABLE (as root, read by an unprivileged user in a child process)', async () => {
    // A folder anyone may enter, holding a file no one may read.
    const open = await mkdtemp(join(tmpdir(), 'earshot-locked-'));
    try {
      await chmod(open, 0o711);
      const path = join(open, 'locked.wav');
      await writeFile(path, pcm16());
      await chmod(path, 0o000);
      const err = process.getuid?.() === 0 ? await decodeAsNobody(path) : await rejection(decodeAudioFile(path));
      expect(err.code).toBe('EARSHOT_UNREADABLE');
      expect(err.message).toBe(`${path}: cannot read (permission denied).`);
    } finally {
      await rm(open, { recursive: true, force: true });
    }
  });
  it('an I/O error -> UNREADABLE with the system\'s message (/proc/self/mem at address 0, which no one can read)', async () => {
    const err = await rejection(decodeAudioFile('/proc/self/mem'));
    expect(err.code).toBe('EARSHOT_UNREADABLE');
    expect(err.message).toMatch(/^\/proc\/self\/mem: cannot read \(EIO: i\/o error, read\)\.$/);
  });
});

describe('content errors name the file and the problem', () => {
  const cases: [string, string, () => Uint8Array, RegExp][] = [
    ['empty file (0 bytes)', 'EARSHOT_EMPTY_AUDIO', () => new Uint8Array(0), /zero samples/],
    ['text', 'EARSHOT_UNKNOWN_FORMAT', () => new TextEncoder().encode('just some text, not audio'), /bytes 6a 75 73 74/],
    ['random bytes', 'EARSHOT_UNKNOWN_FORMAT', () => Uint8Array.from({ length: 500 }, (_, i) => (i * 7919 + 13) & 0x7f), /not a recognised audio format/],
    ['Ogg Opus', 'EARSHOT_UNKNOWN_FORMAT', () => new Uint8Array([...new TextEncoder().encode('OggS'), ...new Uint8Array(22), 1, 19, ...new TextEncoder().encode('OpusHead'), ...new Uint8Array(11)]), /Ogg with Opus/],
    ['AIFF', 'EARSHOT_UNKNOWN_FORMAT', () => new TextEncoder().encode('FORM\0\0\0\x20AIFFCOMM'), /AIFF/],
    ['RIFX (big-endian) WAV', 'EARSHOT_UNKNOWN_FORMAT', () => { const b = pcm16(); b[3] = 0x58; return b; }, /RIFX/],
    ['12-bit PCM WAV', 'EARSHOT_UNKNOWN_FORMAT', () => pcm16({ bits: 12, blockAlign: 2 }), /12-bit integer PCM/],
    ['WAV holding MP3 data', 'EARSHOT_UNKNOWN_FORMAT', () => pcm16({ formatTag: 0x55 }), /MP3/],
    ['WAV with 0 channels', 'EARSHOT_CORRUPT_AUDIO', () => pcm16({ channels: 0, blockAlign: 2 }), /0 channels/],
    ['WAV with a 0 Hz rate', 'EARSHOT_CORRUPT_AUDIO', () => pcm16({ sampleRateHz: 0 }), /0 Hz/],
    ['WAV with a wrong block align', 'EARSHOT_CORRUPT_AUDIO', () => pcm16({ blockAlign: 3 }), /block align 3/],
    ['WAV cut inside the header', 'EARSHOT_CORRUPT_AUDIO', () => pcm16().slice(0, 30), /fmt chunk/],
    ['WAV with no data chunk', 'EARSHOT_CORRUPT_AUDIO', () => pcm16().slice(0, 36), /no data chunk/],
    ['WAV whose data chunk is cut short', 'EARSHOT_CORRUPT_AUDIO', () => pcm16().slice(0, 50), /truncated.*16 bytes.*6 bytes/],
    ['WAV with zero samples', 'EARSHOT_EMPTY_AUDIO', () => pcm16({ data: new Uint8Array(0) }), /zero samples/],
    ['float WAV with NaN', 'EARSHOT_NON_FINITE_AUDIO', () => buildWav({ formatTag: 3, bits: 32, channels: 2, sampleRateHz: 8000, data: floatBytes([0, 0, 0.5, 0.1, 0.2, NaN], 32) }), /sample 2 of channel 1 is NaN/],
    ['float64 WAV with -Infinity', 'EARSHOT_NON_FINITE_AUDIO', () => buildWav({ formatTag: 3, bits: 64, channels: 1, sampleRateHz: 8000, data: floatBytes([0, -Infinity], 64) }), /sample 1 of channel 0 is -Infinity/],
  ];
  cases.forEach(([label, code, make, message], k) => {
    it(`${label} -> ${code.replace('EARSHOT_', '')}`, async () => {
      const err = await errorFor(`case${k}.wav`, make());
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
    });
  });
});
