import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedReceiverOf, validateCondition } from '../../src/scene/condition.ts';
import { prepareScene, toSpec } from '../../src/scene/prepare.ts';
import { NOISE_FADE_S, openBanks, renderCondition, renderScene, type SceneBanks } from '../../src/scene/render.ts';
import { applyNoisePlacement } from '../../src/scene/placeNoise.ts';
import { simulateRir } from '../../src/scene/room/index.ts';
import { hashSeed } from '../../src/random.ts';
import { convolve } from '../../src/dsp/convolver.ts';
import { normalizeRms } from '../../src/dsp/level.ts';
import { writeWav } from '../../src/audio/wav.ts';
import { bitIdentical, dbfsOf, difference, energyOf, loadSpeech, maxRelativeError, rejection, tempDir } from '../helpers/audio.ts';

const RATE = 16000;
let clip: Float32Array;
let banks: SceneBanks;

beforeAll(async () => {
  clip = await loadSpeech(7, RATE);
  banks = await openBanks();
});

const SIMULATED_BINAURAL = { snrDb: 5, room: { rt60S: 0.5 }, receiver: 'binaural', source: { azimuthDeg: 60, distanceM: 1.2 }, noise: { ids: ['cafe', 'rain'], sources: 3 }, seed: 3 };
const BANK_STREET = { snrDb: 5, room: { bank: 'street' }, noise: { ids: ['airport'], sources: 1 }, seed: 3 };
const DRY_MONO = { snrDb: 0, noise: { ids: ['vinyl', 'pink'], sources: 2 }, seed: 3 };

describe('renderScene: determinism', () => {
  it.each([
    ['a simulated binaural room, 3 noise sources, 2 noise ids', SIMULATED_BINAURAL],
    ['a bank room', BANK_STREET],
    ['a dry mono noisy scene', DRY_MONO],
  ])('%s: same clip, condition and seed give bit-identical output from fresh banks; another seed differs', async (_, partial) => {
    const condition = validateCondition(partial);
    const [a, b] = await Promise.all([openBanks(), openBanks()]);
    const first = await renderCondition(clip, condition, a, RATE);
    const second = await renderCondition(clip.slice(), validateCondition(partial), b, RATE);
    expect(bitIdentical(first.channels, second.channels)).toBe(true);
    expect(second.params).toEqual(first.params);
    const other = await renderCondition(clip, { ...condition, seed: 4 }, a, RATE);
    expect(bitIdentical(first.channels, other.channels)).toBe(false);
    expect(maxRelativeError(first.channels, other.channels)).toBeGreaterThan(1e-3);
  });
});

describe('renderScene: SNR', () => {
  const receivers: [string, object][] = [
    ['dry mono', { noise: { ids: ['cafe'], sources: 1 } }],
    ['binaural room, 3 sources', { room: { rt60S: 0.6 }, receiver: 'binaural', noise: { ids: ['cafe', 'rain'], sources: 3 } }],
    ['foa room, 2 sources', { room: { rt60S: 0.4 }, receiver: 'foa', source: { azimuthDeg: -45 }, noise: { ids: ['wind'], sources: 2 } }],
    ['3-mic array room', { room: { rt60S: 0.3 }, receiver: { kind: 'array', micsM: [[0, 0.05, 0], [0, -0.05, 0], [0.05, 0, 0]] }, noise: { ids: ['birds'], sources: 1 } }],
    ['bank street IR', { room: { bank: 'street' }, noise: { ids: ['airport', 'pink'], sources: 2 } }],
  ];
  const SNRS = [-5, 0, 10, 25];

  it.each(receivers)('%s: measured.snrDb and the SNR recomputed from the components are within 0.05 dB of the target', async (_, partial) => {
    const noisy = validateCondition({ ...partial, snrDb: 0, seed: 11 });
    const scene = await prepareScene(noisy, banks, RATE);
    const clean = (await renderCondition(clip, validateCondition({ ...partial, snrDb: 'clean', seed: 11 }), banks, RATE)).channels;
    const cleanEnergy = energyOf(clean);
    for (const snrDb of SNRS) {
      const out = renderScene(clip, { ...scene, condition: { ...noisy, snrDb } });
      expect(out.measured.snrDb).not.toBeNull();
      expect(Math.abs(out.measured.snrDb! - snrDb)).toBeLessThan(0.05);
      const noisePart = difference(out.channels, clean);
      const recomputed = 10 * Math.log10(cleanEnergy / energyOf(noisePart));
      expect(Math.abs(recomputed - snrDb), `recomputed ${recomputed} dB for ${snrDb} dB`).toBeLessThan(0.05);
    }
  });
});

describe('renderScene: channels and length', () => {
  it.each([
    ['mono (dry)', { snrDb: 10 }, 1],
    ['mono (room)', { snrDb: 10, room: { rt60S: 0.4 } }, 1],
    ['binaural', { snrDb: 10, room: { rt60S: 0.4 }, receiver: 'binaural' }, 2],
    ['binaural (anechoic)', { snrDb: 10, receiver: 'binaural' }, 2],
    ['foa', { snrDb: 10, room: { rt60S: 0.4 }, receiver: 'foa' }, 4],
    ['array of 5', { snrDb: 10, room: { rt60S: 0.4 }, receiver: { kind: 'array', micsM: [[0, 0, 0], [0.1, 0, 0], [-0.1, 0, 0], [0, 0.1, 0], [0, -0.1, 0]] } }, 5],
    ['bank street', { snrDb: 10, room: { bank: 'street' } }, 2],
  ])('%s gives %s channel(s) of the input length', async (_, partial, channels) => {
    const out = await renderCondition(clip, validateCondition(partial), banks, RATE);
    expect(out.channels).toHaveLength(channels as number);
    for (const ch of out.channels) expect(ch.length).toBe(clip.length);
    // Only a reverberant IR has a decay to measure: dry and anechoic scenes report none.
    const room = (partial as { room?: { rt60S?: number } }).room;
    if (room === undefined) expect(out.measured.rt60S).toBeNull();
    else if (room.rt60S !== undefined) expect(Math.abs(out.measured.rt60S! - room.rt60S)).toBeLessThan(0.1 * room.rt60S);
    else expect(out.measured.rt60S).toBeGreaterThan(0);
    const short = await renderCondition(clip.subarray(0, 100), validateCondition(partial), banks, RATE);
    for (const ch of short.channels) expect(ch.length).toBe(100);
  });
});

describe('renderScene: the RIR-summation shortcut', () => {
  it('equals rendering each noise source through its own IR and summing', async () => {
    const condition = validateCondition({ snrDb: 0, room: { rt60S: 0.5 }, receiver: 'binaural', noise: { ids: ['cafe', 'rain'], sources: 3 }, seed: 8 });
    const scene = await prepareScene(condition, banks, RATE);
    const out = renderScene(clip, scene);
    const clean = renderScene(clip, { ...scene, condition: { ...condition, snrDb: 'clean' } }).channels;
    const room = scene.sourceRirInfo.room!;
    const noise = out.params.noise!;
    expect(noise.layers.map((l) => l.positions?.length)).toEqual([2, 1]);

    const separate = clean.map(() => new Float64Array(clip.length));
    let source = 0; // each noise source's IR has its own tail, seeded by its index in the scene
    for (const [i, layer] of noise.layers.entries()) {
      const prepared = scene.noiseLayers[i].noise;
      if (prepared.kind !== 'recording') throw new Error('expected a recording');
      const mono = applyNoisePlacement(prepared.samples, clip.length, layer.placement!, Math.round(NOISE_FADE_S * RATE));
      for (const position of layer.positions!) {
        const seed = hashSeed(condition.seed, `noise-source-${source++}`);
        const ir = await simulateRir({ room, source: position, receiver: toSpec(fixedReceiverOf(condition)!), sampleRateHz: RATE, seed });
        convolve(mono, ir).forEach((ch, c) => ch.forEach((v, k) => (separate[c][k] += noise.noiseGain * v)));
      }
    }
    expect(maxRelativeError(separate, difference(out.channels, clean))).toBeLessThan(1e-4);
  });
});

describe('renderScene: the recipe', () => {
  it('normalises a dry mono clean scene to -14 dBFS, whatever the input level', async () => {
    for (const gain of [1, 0.01, 20]) {
      const out = await renderCondition(clip.map((v) => v * gain), validateCondition({}), banks, RATE);
      expect(Math.abs(dbfsOf(out.channels) - -14)).toBeLessThan(0.01);
    }
  });

  it('normalises the source before convolving it with the source IR', async () => {
    const scene = await prepareScene(validateCondition({ room: { rt60S: 0.7 }, receiver: 'foa', seed: 2 }), banks, RATE);
    const out = renderScene(clip.map((v) => v * 0.05), scene);
    const expected = convolve(normalizeRms([clip], -14)[0], scene.sourceRir!);
    expect(maxRelativeError(expected, out.channels)).toBeLessThan(1e-5);
  });

  describe('a noise recording shorter than the clip', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    const blipLength = RATE / 2;
    const blip = Float32Array.from({ length: blipLength }, (_, i) => 0.3 * Math.sin(i * 0.37) + 0.1 * Math.sin(i * 1.91));
    beforeAll(async () => {
      ({ dir, cleanup } = await tempDir());
      await writeWav(join(dir, 'blip.wav'), { sampleRateHz: RATE, channels: [blip] }, 'float32');
    });
    afterAll(() => cleanup());

    it('lies at the recorded offset, faded in and out, with zeros elsewhere (dry mono)', async () => {
      const userBanks = await openBanks({ noiseDirs: [dir] });
      const offsets = new Set<number>();
      for (const seed of [0, 1, 2, 3]) {
        const out = await renderCondition(clip, validateCondition({ snrDb: 3, noise: { ids: ['blip'], sources: 1 }, seed }), userBanks, RATE);
        const clean = (await renderCondition(clip, validateCondition({ seed }), userBanks, RATE)).channels;
        const [noisePart] = difference(out.channels, clean);
        const { placement } = out.params.noise!.layers[0];
        expect(placement?.mode).toBe('placed');
        const offset = placement!.offsetSamples;
        offsets.add(offset);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset + blipLength).toBeLessThanOrEqual(clip.length);
        noisePart.forEach((v, i) => {
          if (i < offset || i >= offset + blipLength) expect(v, `sample ${i} outside the noise`).toBe(0);
        });
        const placed = applyNoisePlacement(normalizeRms([blip], -14)[0], clip.length, placement!, Math.round(NOISE_FADE_S * RATE));
        const expected = placed.map((v) => v * out.params.noise!.noiseGain);
        expect(maxRelativeError([expected], [noisePart])).toBeLessThan(1e-5);
        // Unfaded in the middle, faded to zero at both ends.
        expect(Math.abs(noisePart[offset + blipLength / 2])).toBeGreaterThan(0);
        expect(noisePart[offset]).toBe(0);
      }
      expect(offsets.size).toBeGreaterThan(1);
    });
  });
});

describe('renderScene: silence', () => {
  it.each([
    ['dry mono', { snrDb: 10 }],
    ['binaural room', { snrDb: 10, room: { rt60S: 0.5 }, receiver: 'binaural', noise: { ids: ['cafe', 'white'], sources: 2 } }],
    ['bank street', { snrDb: -10, room: { bank: 'street' } }],
    ['clean room', { room: { rt60S: 0.5 } }],
  ])('%s: silent input gives silent output (no noise scaled against zero energy), no NaN', async (_, partial) => {
    const out = await renderCondition(new Float32Array(RATE), validateCondition(partial), banks, RATE);
    for (const ch of out.channels) {
      expect(ch.length).toBe(RATE);
      expect(ch.every((v) => v === 0)).toBe(true);
    }
    expect(out.measured.snrDb).toBeNull();
    if (out.params.noise) expect(out.params.noise.noiseGain).toBe(0);
    expect(Number.isNaN(out.measured.rt60S)).toBe(false);
  });
});

describe('prepareScene: errors', () => {
  const fails = (partial: object) => rejection(prepareScene(validateCondition(partial), banks, RATE));

  it('an unknown bank room id is EARSHOT_UNKNOWN_ID listing the known ids', async () => {
    const err = await fails({ room: { bank: 'cathedral' } });
    expect(err.code).toBe('EARSHOT_UNKNOWN_ID');
    expect(err.message).toContain('"cathedral"');
    expect(err.message).toContain('street');
  });

  it('an unknown noise id is EARSHOT_UNKNOWN_ID listing the known ids', async () => {
    const err = await fails({ snrDb: 5, noise: { ids: ['cafe', 'traffic'], sources: 2 } });
    expect(err.code).toBe('EARSHOT_UNKNOWN_ID');
    expect(err.message).toContain('"traffic"');
    for (const id of ['cafe', 'rain', 'white', 'pink', 'brown']) expect(err.message).toContain(id);
  });

  it('a bank room with an explicit receiver of the wrong channel count is EARSHOT_INVALID_CONDITION', async () => {
    for (const receiver of ['foa', 'mono']) {
      const err = await fails({ room: { bank: 'street' }, receiver });
      expect(err.code).toBe('EARSHOT_INVALID_CONDITION');
      expect(err.message).toContain('street');
      expect(err.message).toMatch(/use receiver "auto" \(or leave it out\)/);
    }
    const ok = await prepareScene(validateCondition({ room: { bank: 'street' }, receiver: 'binaural' }), banks, RATE);
    expect(ok.channelCount).toBe(2);
  });

  it('receiver "auto" takes a bank IR\'s own layout, and is mono without one: the same scene as leaving receiver out', async () => {
    const auto = await prepareScene(validateCondition({ room: { bank: 'office-foa' }, receiver: 'auto' }), banks, RATE);
    expect(auto.channelCount).toBe(4);
    expect(auto.receiverLabel).toBe('foa');
    const dry = await prepareScene(validateCondition({ receiver: 'auto', room: { rt60S: 0.4 } }), banks, RATE);
    const absent = await prepareScene(validateCondition({ room: { rt60S: 0.4 } }), banks, RATE);
    expect(dry.channelCount).toBe(1);
    expect(dry.receiverLabel).toBe('mono');
    expect(dry.sourceRir).toEqual(absent.sourceRir);
  });

  it('an RT60 the room cannot reach is EARSHOT_UNREACHABLE_RT60', async () => {
    const explicit = await fails({ room: { rt60S: 0.1, dimensionsM: [20, 20, 10] } });
    expect(explicit.code).toBe('EARSHOT_UNREACHABLE_RT60');
    expect(explicit.message).toMatch(/too short for a 20×20×10 m room/);
    const tiny = await fails({ room: { rt60S: 0.01, dimensionsM: [1, 1, 1] } });
    expect(tiny.code).toBe('EARSHOT_UNREACHABLE_RT60');
    const defaultRoom = await fails({ room: { rt60S: 0.02 } });
    expect(defaultRoom.code).toBe('EARSHOT_UNREACHABLE_RT60');
    expect(defaultRoom.message).toMatch(/dimensionsM/);
  });

  it('a source outside the room is a clear error naming the distance and what fits', async () => {
    const err = await fails({ room: { rt60S: 0.3, dimensionsM: [3, 3, 3] }, source: { distanceM: 5 } });
    expect(err.code).toMatch(/^EARSHOT_/);
    expect(err.message).toMatch(/outside the 3×3×3 m room/);
    expect(err.message).toMatch(/reduce source.distanceM/);
  });

  it('too many noise sources for a small room is a clear error', async () => {
    const err = await fails({ snrDb: 0, room: { rt60S: 0.2, dimensionsM: [2, 2, 2.5] }, source: { distanceM: 0.5 }, noise: { ids: ['cafe'], sources: 5 } });
    expect(err.code).toBe('EARSHOT_INVALID_CONDITION');
    expect(err.message).toMatch(/noise sources/);
  });
});

