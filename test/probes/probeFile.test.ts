import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictProbe, trainProbe, type FittedProbe } from '../../src/probes/linearProbe.ts';
import { fromProbeFile, loadProbe, saveProbe, toProbeFile, type ProbeFile } from '../../src/probes/probeFile.ts';
import { createRng } from '../../src/random.ts';
import { rejection, tempDir } from '../helpers/audio.ts';

let dir: string;
let cleanup: () => Promise<void>;

// Three Gaussian clusters in 6 dimensions; a probe fitted on them to save and load.
const rng = createRng(11);
const centres = [0, 1, 2].map(() => Array.from({ length: 6 }, () => rng.normal() * 2));
const features = Array.from({ length: 45 }, (_, i) => Float32Array.from(centres[i % 3], (v) => v + rng.normal()));
const labels = Int32Array.from(features, (_, i) => i % 3);
let fitted: FittedProbe;
let file: ProbeFile;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-probe-file-'));
  fitted = trainProbe(features, labels, 3, { seed: 4, iterations: 200 });
  file = toProbeFile(fitted, {
    modelId: 'tiny',
    classes: ['a', 'b', 'c'],
    seed: 4,
    trainedOn: { data: '/data', examples: 45, heldOut: ['a/1.wav', 'c/9.wav'], condition: { snrDb: 5 } },
  });
});
afterAll(() => cleanup());

describe('probe files', () => {
  it('toProbeFile → saveProbe → loadProbe → fromProbeFile gives the same predictions, bit for bit', async () => {
    const path = join(dir, 'probe.json');
    await saveProbe(path, file);
    const loaded = await loadProbe(path);
    expect(loaded).toEqual(file);
    expect(loaded).toMatchObject({ format: 'earshot-linear-probe', version: 1, embeddingSize: 6, l2: fitted.l2, trainedOn: { heldOut: ['a/1.wav', 'c/9.wav'], condition: { snrDb: 5 } } });
    const unpacked = fromProbeFile(loaded);
    for (const f of features) expect(Array.from(predictProbe(unpacked, f))).toEqual(Array.from(predictProbe(fitted, f)));
    // Plain JSON that other tools can read, classes × dim weights.
    const json = JSON.parse(await readFile(path, 'utf8'));
    expect(json.weights).toHaveLength(3);
    expect(json.weights[0]).toHaveLength(6);
    // The save is atomic: no temp file is left next to it.
    expect((await readdir(dir)).filter((n) => n.startsWith('probe.json'))).toEqual(['probe.json']);
  });

  it('saveProbe into a missing folder: WRITE_FAILED naming the path', async () => {
    const path = join(dir, 'no', 'such', 'folder', 'p.json');
    const err = await rejection(saveProbe(path, file));
    expect(err.code).toBe('EARSHOT_WRITE_FAILED');
    expect(err.message).toContain(path);
  });

  // name -> [file contents, what the message must say after the path]
  const BAD: Record<string, [() => string, RegExp]> = {
    'a missing file': [() => '', /cannot read the probe \(ENOENT\)/],
    'not JSON': [() => 'this is not json {', /not JSON .*earshot probe train/],
    'JSON of the wrong format': [() => JSON.stringify({ ...file, format: 'something-else' }), /not an earshot probe \(\/format: .*\)/],
    'a render summary instead of a probe': [() => JSON.stringify({ condition: { snrDb: 5 }, measured: {} }), /not an earshot probe/],
    'weights that do not match the classes and dimensions': [
      () => JSON.stringify({ ...file, weights: file.weights.map((w) => w.slice(1)) }),
      /weights, bias, mean and std do not match 3 classes × 6 dimensions/,
    ],
    'a bias short of a class': [() => JSON.stringify({ ...file, bias: file.bias.slice(1) }), /do not match 3 classes × 6 dimensions/],
  };
  it.each(Object.keys(BAD))('loadProbe, %s: INVALID_PROBE naming the file', async (name) => {
    const path = join(dir, `${name.replaceAll(' ', '-')}.json`);
    const [contents, message] = BAD[name];
    if (name !== 'a missing file') await writeFile(path, contents());
    const err = await rejection(loadProbe(path));
    expect(err.code).toBe('EARSHOT_INVALID_PROBE');
    expect(err.message.startsWith(`${path}: `), err.message).toBe(true);
    expect(err.message).toMatch(message);
  });
});
