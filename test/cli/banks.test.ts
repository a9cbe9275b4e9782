import { beforeAll, describe, expect, it } from 'vitest';
import { runMain, type CliRun } from '../helpers/cli.ts';

// In-process through main(): the output and exit codes are under test, not the process boundary (test/cli/render.test.ts and others cover that).

let rirs: CliRun;
let noises: CliRun;
beforeAll(async () => {
  [rirs, noises] = await Promise.all([runMain(['rirs', '--json']), runMain(['noises', '--json'])]);
}, 120_000);

describe('earshot rirs / noises --json', () => {
  it('rirs --json prints a JSON array of the RIR bank, with the street IR', () => {
    expect(rirs.code, rirs.stderr).toBe(0);
    const rows = JSON.parse(rirs.stdout) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    const street = rows.find((r) => r.id === 'street');
    expect(street).toMatchObject({ kind: 'measured', layout: 'stereo', channels: 2, license: 'GPL-2.0-or-later' });
    for (const row of rows) {
      expect(row.lengthS as number).toBeGreaterThan(0);
      expect(row.rt60S as number).toBeGreaterThan(0);
      const channels = { mono: 1, stereo: 2, binaural: 2, foa: 4 }[row.layout as string];
      if (channels !== undefined) expect(row.channels, String(row.id)).toBe(channels);
    }
  });

  it('noises --json prints a JSON array of the noise bank, with café and the colours', () => {
    expect(noises.code, noises.stderr).toBe(0);
    const rows = JSON.parse(noises.stdout) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    const ids = rows.map((r) => r.id);
    for (const id of ['cafe', 'rain', 'airport', 'white', 'pink', 'brown']) expect(ids).toContain(id);
    expect(rows.find((r) => r.id === 'cafe')).toMatchObject({ origin: 'shipped', license: 'CC0-1.0' });
    expect(rows.find((r) => r.id === 'cafe')!.lengthS as number).toBeGreaterThan(20);
    expect(rows.find((r) => r.id === 'pink')!.lengthS).toBe('any');
  });
});
