import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConditionOptions, conditionFromOptions } from '../../src/cli/conditionOptions.ts';
import { rejection, tempDir } from '../helpers/audio.ts';

/** Parse condition flags with the real commander setup `earshot render` uses, then build the condition. */
function fromFlags(args: string[]) {
  const cmd = addConditionOptions(new Command('render')).exitOverride();
  cmd.parse(args, { from: 'user' });
  return conditionFromOptions(cmd.opts(), (name) => cmd.getOptionValueSource(name) === 'cli');
}

let dir: string;
let cleanup: () => Promise<void>;
async function conditionFile(name: string, body: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}
beforeAll(async () => ({ dir, cleanup } = await tempDir('earshot-cond-')));
afterAll(() => cleanup());

describe('condition flags', () => {
  it('no flags: the default condition (clean, dry, café, seed 0)', async () => {
    expect(await fromFlags([])).toEqual({ snrDb: 'clean', room: null, source: { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 }, noise: { ids: ['cafe'], sources: 1 }, seed: 0 });
  });

  it('every flag lands in its field', async () => {
    const c = await fromFlags(['--snr', '-5', '--rt60', '0.8', '--room-size', '8,6,3', '--receiver', 'binaural', '--azimuth', '90', '--elevation', '10',
      '--distance', '2', '--noise', 'airport, rain', '--noise-sources', '3', '--seed', '4']);
    expect(c).toEqual({ snrDb: -5, room: { rt60S: 0.8, dimensionsM: [8, 6, 3] }, receiver: 'binaural', source: { azimuthDeg: 90, elevationDeg: 10, distanceM: 2 }, noise: { ids: ['airport', 'rain'], sources: 3 }, seed: 4 });
    expect((await fromFlags(['--rir', 'street', '--snr', 'clean'])).room).toEqual({ bank: 'street' });
    expect((await fromFlags(['--mics', '0,0.05,0;0,-0.05,0'])).receiver).toEqual({ kind: 'array', micsM: [[0, 0.05, 0], [0, -0.05, 0]] });
  });

  it('--condition FILE: its fields stand unless a flag is given, even a flag equal to the default', async () => {
    const path = await conditionFile('c.json', { snrDb: 5, room: { rt60S: 0.4 }, receiver: 'foa', source: { azimuthDeg: 45, distanceM: 1 }, noise: { ids: ['rain', 'pink'], sources: 3 }, seed: 9 });
    expect(await fromFlags(['--condition', path])).toEqual({ snrDb: 5, room: { rt60S: 0.4 }, receiver: 'foa', source: { azimuthDeg: 45, elevationDeg: 0, distanceM: 1 }, noise: { ids: ['rain', 'pink'], sources: 3 }, seed: 9 });
    const c = await fromFlags(['--condition', path, '--azimuth', '0', '--seed', '0', '--noise', 'cafe', '--rir', 'street', '--receiver', 'binaural']);
    expect(c).toEqual({ snrDb: 5, room: { bank: 'street' }, receiver: 'binaural', source: { azimuthDeg: 0, elevationDeg: 0, distanceM: 1 }, noise: { ids: ['cafe'], sources: 3 }, seed: 0 });
    expect((await fromFlags(['--condition', path, '--room-size', '7,5,3'])).room).toEqual({ rt60S: 0.4, dimensionsM: [7, 5, 3] });
  });

  it.each([
    [['--rir', 'street', '--rt60', '1'], 'EARSHOT_INVALID_OPTION', /either --rir .* or --rt60/],
    [['--room-size', '5,4,3'], 'EARSHOT_INVALID_OPTION', /--room-size needs a simulated room: give --rt60/],
    [['--rt60', '0.5', '--room-size', '5,4'], 'EARSHOT_INVALID_OPTION', /--room-size expects 3 comma-separated numbers .* got "5,4"/],
    [['--receiver', 'foa', '--mics', '0,0,0'], 'EARSHOT_INVALID_OPTION', /either --receiver or --mics/],
    [['--mics', '0,0,0;;'], 'EARSHOT_INVALID_OPTION', /--mics expects 3/],
    [['--noise-sources', '2.5'], 'EARSHOT_INVALID_CONDITION', /noise.sources = 2.5/],
    [['--distance', 'far'], 'EARSHOT_INVALID_CONDITION', /source.distanceM = "far"/],
    [['--seed', '-1'], 'EARSHOT_INVALID_CONDITION', /seed = -1/],
    [['--noise', ','], 'EARSHOT_INVALID_CONDITION', /noise.ids/],
  ])('%j is %s', async (args, code, message) => {
    const err = await rejection(fromFlags(args));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it.each([
    ['a missing file', null, 'EARSHOT_INVALID_OPTION', /cannot read the file \(ENOENT\)/],
    ['not JSON', '{snrDb: 5', 'EARSHOT_INVALID_OPTION', /not a JSON condition object/],
    ['a JSON array', '[1, 2]', 'EARSHOT_INVALID_OPTION', /not a JSON condition object \(expected a JSON object\)/],
    ['an unknown field', { snr: 5 }, 'EARSHOT_INVALID_CONDITION', /unknown field "snr"/],
    ['source = 5', { source: 5 }, 'EARSHOT_INVALID_CONDITION', /source = 5 in .*: source must be \{"azimuthDeg"/],
    ['source = null', { source: null }, 'EARSHOT_INVALID_CONDITION', /source = null in /],
    ['noise = "cafe"', { noise: 'cafe' }, 'EARSHOT_INVALID_CONDITION', /noise = "cafe" in .*: noise must be \{"ids"/],
    ['noise = ["cafe"]', { noise: ['cafe'] }, 'EARSHOT_INVALID_CONDITION', /noise = \["cafe"\] in /],
  ])('--condition with %s is a clear error naming the file or field', async (name, body, code, message) => {
    const path = body === null ? join(dir, 'missing.json') : await conditionFile(`${name.replace(/\W+/g, '_')}.json`, body);
    const err = await rejection(fromFlags(['--condition', path, '--azimuth', '30']));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    if (code === 'EARSHOT_INVALID_OPTION') expect(err.message).toContain(path);
  });
});
