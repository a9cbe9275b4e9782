import { describe, expect, it } from 'vitest';
import { validateCondition } from '../../src/scene/condition.ts';
import { prepareScene } from '../../src/scene/prepare.ts';
import { openBanks } from '../../src/scene/render.ts';
import { simulateRir } from '../../src/scene/room/index.ts';
import { hashSeed } from '../../src/random.ts';

const FS = 16000;
const LATE_S = 0.15;
const late = (x: Float32Array) => x.subarray(Math.round(LATE_S * FS));
const energy = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0);
const correlation = (a: Float32Array, b: Float32Array) => {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  for (let i = 0; i < n; i++) ab += a[i] * b[i];
  return ab / Math.sqrt(energy(a.subarray(0, n)) * energy(b.subarray(0, n)));
};

describe('every IR of a scene has its own late tail', () => {
  it('four noise sources and the talker: late tails uncorrelated (|ρ| ≤ 0.1), summed late energy grows like N', async () => {
    const seed = 7;
    const condition = validateCondition({ snrDb: 0, room: { rt60S: 0.6 }, noise: { ids: ['cafe'], sources: 4 }, seed });
    const scene = await prepareScene(condition, await openBanks(), FS);
    const [layer] = scene.noiseLayers;
    const room = scene.sourceRirInfo.room!;
    expect(layer.positions).toHaveLength(4);
    // The layer's IR is the sum of one IR per source, each seeded by its own index.
    const singles = await Promise.all(
      layer.positions!.map((source, k) => simulateRir({ room, source, receiver: { kind: 'mono' }, sampleRateHz: FS, seed: hashSeed(seed, `noise-source-${k}`) }).then((ir) => ir[0])),
    );
    const summed = layer.rir![0];
    singles.reduce((acc, ir) => acc.map((v, i) => v + ir[i]), new Float32Array(summed.length)).forEach((v, i) => expect(Math.abs(v - summed[i])).toBeLessThan(1e-5));

    const tails = [scene.sourceRir![0], ...singles].map(late);
    for (let a = 0; a < tails.length; a++) for (let b = a + 1; b < tails.length; b++) expect(Math.abs(correlation(tails[a], tails[b])), `IRs ${a} and ${b}`).toBeLessThanOrEqual(0.1);

    const sumOfEnergies = singles.reduce((s, ir) => s + energy(late(ir)), 0);
    expect(Math.abs(10 * Math.log10(energy(late(summed)) / sumOfEnergies))).toBeLessThan(1);
    const meanSingle = sumOfEnergies / singles.length;
    expect(Math.abs(10 * Math.log10(energy(late(summed)) / (4 * meanSingle)))).toBeLessThan(1);
  });
});
