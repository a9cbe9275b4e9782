import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SweepStore } from '../../src/sweep/store.ts';
import type { CellRecord } from '../../src/sweep/types.ts';
import { rejection, tempDir } from '../helpers/audio.ts';

const identity = { fingerprint: 'abc', describe: { data: '/d', protocol: 'clean' } };
const record = (key: string): CellRecord => ({
  kind: 'cell',
  key,
  cell: { model: 'm', snrDb: 0, room: 0, azimuthDeg: 0, noise: 'cafe', noiseSources: 1, seed: 0, key },
  snrMode: 'pooled',
  recipe: 'earshot',
  cleanReference: 'levelled',
  probabilities: [[0.25, 0.75]],
  cosine: [0.9],
  elapsedS: 1,
  worker: 'w',
});

describe('SweepStore', () => {
  it('keeps every appended record across reopenings, once per key', async () => {
    const { dir } = await tempDir('earshot-store-');
    const a = await SweepStore.open(dir, identity);
    await Promise.all([a.append(record('x')), a.append(record('y')), a.append(record('x'))]);
    await a.close();
    const b = await SweepStore.open(dir, identity);
    expect([...b.records.keys()].sort()).toEqual(['x', 'y']);
    await b.append(record('y'));
    await b.close();
    expect(readFileSync(join(dir, 'cells.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('cuts a torn last line (a kill mid-write) and appends after the good ones', async () => {
    const { dir } = await tempDir('earshot-store-torn-');
    const a = await SweepStore.open(dir, identity);
    await a.append(record('x'));
    await a.close();
    appendFileSync(join(dir, 'cells.jsonl'), JSON.stringify(record('y')).slice(0, 40));
    const notes: string[] = [];
    const b = await SweepStore.open(dir, identity, (l) => notes.push(l));
    expect([...b.records.keys()]).toEqual(['x']);
    expect(notes.join('\n')).toMatch(/torn last line/);
    await b.append(record('y'));
    await b.close();
    const lines = readFileSync(join(dir, 'cells.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).key)).toEqual(['x', 'y']);
  });

  it('refuses a folder holding another sweep, naming what differs, and leaves it intact', async () => {
    const { dir } = await tempDir('earshot-store-mismatch-');
    const a = await SweepStore.open(dir, identity);
    await a.append(record('x'));
    await a.close();
    const before = readFileSync(join(dir, 'cells.jsonl'), 'utf8');
    const err = await rejection(SweepStore.open(dir, { fingerprint: 'other', describe: { data: '/d', protocol: 'matched' } }));
    expect(err.message).toMatch(/different sweep \(differs in: protocol\).*new output folder/);
    expect(readFileSync(join(dir, 'cells.jsonl'), 'utf8')).toBe(before);
  });

  it('refuses a folder another live sweep holds, and takes over one left by a dead process', async () => {
    const { dir } = await tempDir('earshot-store-lock-');
    const a = await SweepStore.open(dir, identity);
    expect((await rejection(SweepStore.open(dir, identity))).message).toMatch(/in use by another sweep/);
    await a.close();
    writeFileSync(join(dir, '.lock'), `999999999@${(await import('node:os')).hostname()}`);
    const b = await SweepStore.open(dir, identity);
    await b.close();
  });
});
