import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechPath, tempDir } from '../helpers/audio.ts';
import { messageLines, runMain } from '../helpers/cli.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('earshot-room-')));
afterAll(() => cleanup());

// In-process through main(): what the flags do is under test, not the process boundary (test/cli/render.test.ts covers that).
describe('earshot render with a frequency-dependent room', () => {
  it('takes --walls and --air, and --json reports the band RT60s targeted and measured on the IR', async () => {
    const run = await runMain(['render', speechPath(7), '-o', join(dir, 'carpet.wav'), '--rt60', '0.5', '--walls', 'carpet_cotton', '--air', '20,40', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.condition.room).toMatchObject({ rt60S: 0.5, walls: 'carpet_cotton', air: { temperatureC: 20, humidityPct: 40 } });
    const bands = out.scene.sourceRir.bands as { centreHz: number; targetRt60S: number }[];
    expect(bands.map((b) => b.centreHz)).toEqual([125, 250, 500, 1000, 2000, 4000]);
    expect((bands[2].targetRt60S + bands[3].targetRt60S) / 2).toBeCloseTo(0.5, 6);
    const measured = out.measured.bandRt60S as Record<string, number>;
    expect(measured['125'] / measured['1000']).toBeGreaterThan(2);
    // Octave-band decays this different leak into each other's measuring filters: mid-band on target within 15 %.
    expect(Math.abs(out.measured.rt60S / 0.5 - 1)).toBeLessThan(0.15);
    expect(out.scene.sourceRir.acoustics).toMatchObject({ c50Db: expect.any(Number), drrDb: expect.any(Number) });
  });

  it('explains bad walls and air flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--rt60', '0.5', '--walls', 'marble'], /room.walls = "marble" is not a known material; known: flat, /],
      [['--rt60', '0.5', '--walls', '0.1,0.2,0.3'], /--walls expects 6 comma-separated numbers \(absorption coefficients at 125, 250, 500, 1000, 2000, 4000 Hz\)/],
      [['--rt60', '0.5', '--air', '20,140'], /room.air.humidityPct = 140/],
      [['--walls', 'brickwork'], /--walls needs a simulated room: give --rt60/],
    ];
    for (const [flags, message] of cases) {
      const run = await runMain(['render', speechPath(7), '-o', join(dir, 'bad.wav'), ...flags]);
      expect(run.code).not.toBe(0);
      expect(messageLines(run.stderr).join('\n')).toMatch(message);
    }
  });
});
