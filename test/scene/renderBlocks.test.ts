import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryReader } from '../../src/audio/audioReader.ts';
import { memorySpools, tempSpools, type SpoolFactory } from '../../src/audio/spool.ts';
import { writeWav, writeWavBlocks } from '../../src/audio/wav.ts';
import { validateCondition, type Condition } from '../../src/scene/condition.ts';
import { prepareScene, type PreparedScene } from '../../src/scene/prepare.ts';
import { openBanks, renderScene, type SceneBanks } from '../../src/scene/render.ts';
import { renderSceneBlocks, type BlockRender } from '../../src/scene/renderBlocks.ts';
import { loadSpeech, tempDir } from '../helpers/audio.ts';

let banks: SceneBanks;
let clip: Float32Array;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  banks = await openBanks();
  ({ dir, cleanup } = await tempDir('earshot-render-blocks-'));
  // Ten digits, about 8.5 s: longer than the 8 s vinyl recording (laid at an offset) and than nathear's 4 s padding.
  const digits = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => loadSpeech(d, 16000)));
  clip = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((o, d) => (clip.set(d, o), o + d.length), 0);
});
afterAll(() => cleanup());

/** Every block of the render's output, joined per channel. */
async function outputOf(render: BlockRender): Promise<Float32Array[]> {
  const reader = render.output();
  const blocks: Float32Array[][] = [];
  for (let b = await reader.read(); b !== null; b = await reader.read()) blocks.push(b);
  return Array.from({ length: render.channelCount }, (_, c) => Float32Array.from(blocks.flatMap((b) => Array.from(b[c]))));
}

async function render(samples: Float32Array, scene: PreparedScene, spools: SpoolFactory, blockFrames = 4096): Promise<BlockRender> {
  // The clip arrives in 3000-frame pieces, re-blocked by the render to 4096.
  return renderSceneBlocks(memoryReader({ sampleRateHz: 16000, channels: [samples] }, 'clip', 3000), scene, { spools, blockFrames });
}

const CONDITIONS: [string, Partial<Condition>][] = [
  ['mono room, a recording cut under the clip', { snrDb: 5, room: { rt60S: 0.5 }, noise: { ids: ['cafe'], sources: 1 }, seed: 3 }],
  ['binaural, pooled SNR, a recording and pink noise from three sources', { snrDb: 0, room: { rt60S: 0.6 }, receiver: 'binaural', noise: { ids: ['cafe', 'pink'], sources: 3 }, seed: 4 }],
  ['first-order ambisonics from the bank, per-channel SNR, a shorter recording placed, white noise', { snrDb: 10, room: { bank: 'office-foa' }, noise: { ids: ['vinyl', 'white'], sources: 2 }, seed: 5, snrMode: 'per-channel' }],
  ['no noise', { snrDb: 'clean', room: { rt60S: 0.4 }, receiver: 'binaural', seed: 1 }],
  ['no room', { snrDb: 3, room: null, noise: { ids: ['rain'], sources: 1 }, seed: 7 }],
  ['the nathear recipe: brown noise, a recording cut, one placed', { snrDb: 0, room: { rt60S: 0.5 }, receiver: 'binaural', noise: { ids: ['vinyl', 'brown', 'airport'], sources: 3 }, seed: 6, recipe: 'nathear' }],
];

describe('renderSceneBlocks: a clip rendered block by block is renderScene of the whole clip, bit for bit', () => {
  for (const [label, fields] of CONDITIONS) {
    it(label, async () => {
      const scene = await prepareScene(validateCondition(fields), banks, 16000);
      const want = renderScene(clip, scene);
      const spools = memorySpools();
      const got = await render(clip, scene, spools);
      expect(got.frames).toBe(clip.length);
      // Measured by a pass of its own (before any output), then by the output's pass: the same.
      const first = await got.levels();
      expect(await outputOf(got)).toEqual(want.channels);
      expect(JSON.stringify(got.params)).toBe(JSON.stringify(want.params));
      expect(JSON.stringify(first.measured)).toBe(JSON.stringify(want.measured));
      const byOutput = await render(clip, scene, spools);
      await outputOf(byOutput);
      const second = await byOutput.levels();
      expect(JSON.stringify(second.measured)).toBe(JSON.stringify(want.measured));
      expect([second.peak, second.clippedSamples]).toEqual([first.peak, first.clippedSamples]);
      // A clip shorter than one block, and shorter than nathear's 4 s padding.
      const short = clip.subarray(0, 20000);
      expect(await outputOf(await render(short, scene, spools))).toEqual(renderScene(short, scene).channels);
    });
  }
});

describe('a render written block by block', () => {
  it('writeWavBlocks writes the bytes of writeWav, float and 16-bit (scaled to fit a loud render), with the same levels', async () => {
    const scene = await prepareScene(validateCondition({ snrDb: -10, room: { rt60S: 0.6 }, noise: { ids: ['airport'], sources: 2 }, seed: 2 }), banks, 16000);
    const whole = renderScene(clip, scene);
    const spools = await tempSpools();
    try {
      const blocks = await render(clip, scene, spools, 8192);
      for (const format of ['float32', 'pcm16'] as const) {
        const a = await writeWav(join(dir, `whole-${format}.wav`), { sampleRateHz: 16000, channels: whole.channels }, format);
        const b = await writeWavBlocks(join(dir, `blocks-${format}.wav`), blocks.output(), format, format === 'pcm16' ? await blocks.levels() : undefined);
        expect(b).toEqual(a);
        expect(await readFile(join(dir, `blocks-${format}.wav`))).toEqual(await readFile(join(dir, `whole-${format}.wav`)));
      }
      // A float file measured by the render's own pass (as earshot render writes it): the same bytes and levels.
      const c = await writeWavBlocks(join(dir, 'blocks-after.wav'), blocks.output(), 'float32', () => blocks.levels());
      expect(c).toEqual(await writeWav(join(dir, 'whole-after.wav'), { sampleRateHz: 16000, channels: whole.channels }, 'float32'));
      expect(await readFile(join(dir, 'blocks-after.wav'))).toEqual(await readFile(join(dir, 'whole-float32.wav')));
      await expect(writeWavBlocks(join(dir, 'late.wav'), blocks.output(), 'pcm16', () => blocks.levels())).rejects.toThrow(/needs the peak of a 16-bit file/);
      expect((await blocks.levels()).peak).toBeGreaterThan(1);
      await expect(writeWavBlocks(join(dir, 'unfitted.wav'), blocks.output(), 'pcm16')).rejects.toThrow(/needs the peak of a 16-bit file/);
    } finally {
      await spools.close();
    }
  });

  it('refuses a block size that is not a multiple of the convolver partition, and stereo input', async () => {
    const condition = validateCondition({ snrDb: 'clean', room: null, seed: 1 });
    const scene = await prepareScene(condition, banks, 16000);
    await expect(renderSceneBlocks(memoryReader({ sampleRateHz: 16000, channels: [clip] }, 'clip'), scene, { spools: memorySpools(), blockFrames: 5000 })).rejects.toThrow(/multiple of 4096/);
    await expect(renderSceneBlocks(memoryReader({ sampleRateHz: 16000, channels: [clip, clip] }, 'clip'), scene, { spools: memorySpools() })).rejects.toThrow(/mono/);
  });
});
