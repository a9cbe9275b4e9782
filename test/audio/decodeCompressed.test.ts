import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { decodeAudioBytes, decodeAudioFile } from '../../src/audio/decode.ts';
import { FIXTURES, rejection, toneStats } from './helpers.ts';

// file, sample rate, frames (exact), per-channel [frequency Hz, amplitude], amplitude tolerance
const cases: [string, number, number, [number, number][], number][] = [
  ['sine440_mono_44k1.flac', 44100, 11025, [[440, 0.5]], 0.001],
  ['sine1k3k_stereo_96k_24bit.flac', 96000, 4800, [[1000, 0.5], [3000, 0.25]], 0.001],
  ['sine440_mono_22k05.ogg', 22050, 11025, [[440, 0.5]], 0.02],
  ['sine440_880_stereo_48k.ogg', 48000, 14400, [[440, 0.5], [880, 0.25]], 0.02],
  // LAME lowers a pure tone by about 0.45 dB (ffmpeg decodes the same level)
  ['sine1k_mono_44k1.mp3', 44100, 22050, [[1000, 0.475]], 0.02],
  ['sine500_1k_stereo_16k.mp3', 16000, 8000, [[500, 0.475], [1000, 0.2375]], 0.02],
  ['sine300_mono_8k.mp3', 8000, 4000, [[300, 0.475]], 0.02],
  ['dualmono_stereo_44k1.mp3', 44100, 13230, [[1000, 0.475], [1000, 0.475]], 0.02],
];

describe('FLAC, Ogg Vorbis and MP3 fixtures decode to the right rate, channels, length and content', () => {
  for (const [file, rate, n, tones, tol] of cases) {
    it(file, async () => {
      const audio = await decodeAudioFile(FIXTURES + file);
      expect(audio.sampleRateHz).toBe(rate);
      expect(audio.channels).toHaveLength(tones.length);
      audio.channels.forEach((x, c) => {
        expect(x).toHaveLength(n);
        const s = toneStats(x, rate);
        expect(Math.abs(s.freqHz - tones[c][0])).toBeLessThan(tones[c][0] * 0.002);
        expect(Math.abs(s.amplitude - tones[c][1])).toBeLessThan(tol);
      });
    });
  }
  it('FLAC is rescaled to the WAV convention: samples are integers / 2^(bits-1), within [-1, 1)', async () => {
    for (const [file, bits] of [['sine440_mono_44k1.flac', 16], ['sine1k3k_stereo_96k_24bit.flac', 24]] as const) {
      const x = (await decodeAudioFile(FIXTURES + file)).channels[0];
      const scale = 2 ** (bits - 1);
      for (let i = 0; i < x.length; i += 7) expect(Number.isInteger(x[i] * scale)).toBe(true);
    }
  });
  it('MP3 with a trailing ID3v1 tag decodes to the same samples', async () => {
    const b = new Uint8Array(await readFile(FIXTURES + 'sine1k_mono_44k1.mp3'));
    const tagged = new Uint8Array([...b, ...new TextEncoder().encode('TAG'), ...new Uint8Array(125).fill(0x41)]);
    expect((await decodeAudioBytes(tagged, 'tagged.mp3')).channels).toEqual((await decodeAudioBytes(b, 'plain.mp3')).channels);
  });
  it('MP3 without a Xing/Info tag still decodes (its length then includes encoder delay and padding)', async () => {
    const audio = await decodeAudioFile(FIXTURES + 'sine1k_mono_44k1_noinfo.mp3');
    expect(audio.channels).toHaveLength(1);
    expect(audio.channels[0].length).toBeGreaterThanOrEqual(13230);
    expect(toneStats(audio.channels[0], 44100).freqHz).toBeCloseTo(1000, 0);
  });
});

describe('truncated or damaged compressed files are errors, never silently short audio', () => {
  const cut = async (file: string, keep: (n: number) => number) => {
    const b = new Uint8Array(await readFile(FIXTURES + file));
    return b.slice(0, keep(b.length));
  };
  const expectCorrupt = async (bytes: Uint8Array, name: string, reason: RegExp) => {
    const err = await rejection(decodeAudioBytes(bytes, name));
    expect(err.code).toBe('EARSHOT_CORRUPT_AUDIO');
    expect(err.message).toContain(name);
    expect(err.message).toMatch(reason);
  };
  for (const file of ['sine440_mono_44k1.flac', 'sine1k3k_stereo_96k_24bit.flac', 'sine440_880_stereo_48k.ogg', 'sine1k_mono_44k1.mp3', 'sine500_1k_stereo_16k.mp3']) {
    for (const [label, keep] of [['cut mid-file', (n: number) => Math.floor(n * 0.6)], ['last 30 bytes cut', (n: number) => n - 30]] as const) {
      it(`${file}: ${label}`, async () => expectCorrupt(await cut(file, keep), `cut-${file}`, /truncated/));
    }
  }
  it('FLAC cut inside its STREAMINFO header', async () => {
    await expectCorrupt(await cut('sine440_mono_44k1.flac', () => 30), 'head.flac', /STREAMINFO/);
  });
  it('FLAC whose samples do not match the STREAMINFO MD5', async () => {
    const b = await cut('sine440_mono_44k1.flac', (n) => n);
    b[8 + 18] ^= 0xff; // first MD5 byte
    await expectCorrupt(b, 'md5.flac', /MD5/);
  });
  it('FLAC with damaged frame bytes', async () => {
    const b = await cut('sine1k3k_stereo_96k_24bit.flac', (n) => n);
    for (let i = b.length - 6000; i < b.length - 5990; i++) b[i] ^= 0x55;
    await expectCorrupt(b, 'frames.flac', /damaged/);
  });
  it('Ogg Vorbis with a flipped byte fails its page CRC', async () => {
    const b = await cut('sine440_mono_22k05.ogg', (n) => n);
    b[b.length - 100] ^= 1;
    await expectCorrupt(b, 'crc.ogg', /CRC/);
  });
  it('Ogg Vorbis with a page removed', async () => {
    const b = await cut('sine440_880_stereo_48k.ogg', (n) => n);
    const pages: number[] = [];
    for (let i = 0; i + 4 < b.length; i++) if (b[i] === 0x4f && b[i + 1] === 0x67 && b[i + 2] === 0x67 && b[i + 3] === 0x53) pages.push(i);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const spliced = new Uint8Array([...b.subarray(0, pages[1]), ...b.subarray(pages[2])]);
    await expectCorrupt(spliced, 'gap.ogg', /missing/);
  });
  it('bytes that only look like an MPEG frame: the decoder errors become CORRUPT_AUDIO and are not printed', async () => {
    let seed = 1;
    const noise = Uint8Array.from({ length: 20000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    noise.set([0xff, 0xfb, 0x90, 0x00]);
    const spy = vi.spyOn(console, 'error');
    try {
      await expectCorrupt(noise, 'fake.mp3', /mp3 decoder reported: mpg123-decoder/);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
  it('MP3 cut right after its ID3 tag has no decodable frame', async () => {
    await expectCorrupt(await cut('sine1k_mono_44k1.mp3', () => 60), 'id3only.mp3', /MPEG/);
  });
});
