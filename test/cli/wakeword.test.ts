import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WakeWordOutput } from '../../src/pipeline/types.ts';
import type { SweepResults } from '../../src/sweep/types.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { messageLines, runMain } from '../helpers/cli.ts';
import { WAKEWORD_FIXTURES } from '../helpers/openwakeword.ts';
import { ensureWakeWordData } from '../helpers/wakeWordData.ts';

const HEY_JARVIS = join(WAKEWORD_FIXTURES, 'hey_jarvis_en-us_150.wav');
const KEYWORDS = join(PACKAGE_ROOT, 'speech', 'keywords');
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'earshot-wake-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const jarvisTrack = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t1S: number; wakeword: WakeWordOutput })
    .map((r) => ({ t1S: r.t1S, threshold: r.wakeword.threshold, smooth: r.wakeword.smooth, ...r.wakeword.heads.find((h) => h.id === 'hey_jarvis')! }));

describe('earshot stream with a wake-word probe', () => {
  it('--probe oww-wakeword: a "hey jarvis" clip gives one hey_jarvis detection on clean audio, in the NDJSON and on stderr', async () => {
    const run = await runMain(['stream', HEY_JARVIS, '--model', 'oww-speech-embedding', '--probe', 'oww-wakeword', '--no-vad', '--workers', '1']);
    expect(run.code, run.stderr).toBe(0);
    const track = jarvisTrack(run.stdout);
    // One result per 80 ms window; a head scores once it has 16 windows' embeddings.
    expect(track.slice(0, 15).every((t) => t.clean === null)).toBe(true);
    const hits = track.filter((t) => t.detected.clean);
    expect(hits).toHaveLength(1);
    expect(hits[0].clean!).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...track.map((t) => t.clean ?? 0))).toBeGreaterThan(0.9);
    expect(track.every((t) => t.threshold === 0.5 && t.smooth === 1)).toBe(true);
    expect(messageLines(run.stderr).some((l) => /hey_jarvis detected at \d+\.\d+ s on the clean side/.test(l))).toBe(true);
  });

  it('the manifest by path, --wake-threshold and --probe-smooth; at 0 dB in a room the degraded side scores lower', async () => {
    const args = ['stream', HEY_JARVIS, '--model', 'oww-speech-embedding', '--probe', 'models/probes/oww-wakeword.json', '--no-vad', '--workers', '1', '--snr', '0', '--rt60', '0.6'];
    const run = await runMain([...args, '--wake-threshold', '0.3', '--probe-smooth', '3']);
    expect(run.code, run.stderr).toBe(0);
    const track = jarvisTrack(run.stdout);
    expect(track.every((t) => t.threshold === 0.3 && t.smooth === 3)).toBe(true);
    const scored = track.filter((t) => t.clean !== null);
    // A 3-window average: no smoothed score exceeds the largest raw one, and the clean side still fires.
    expect(scored.filter((t) => t.detected.clean).length).toBeGreaterThanOrEqual(1);
    const sum = (side: 'clean' | 'degraded') => scored.reduce((a, t) => a + (t[side] ?? 0), 0);
    expect(sum('degraded')).toBeLessThan(sum('clean'));
  });

  it('an unknown probe names both lookups and the known ids', async () => {
    const run = await runMain(['stream', HEY_JARVIS, '--model', 'oww-speech-embedding', '--probe', 'oww-wakewords']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/probe "oww-wakewords": no file at .*oww-wakewords, and no probe with that id in .*models\/probes.*models\/trained.*Known ids: .*oww-wakeword.*keywords/s);
    const wrongModel = await runMain(['stream', HEY_JARVIS, '--model', 'naive-logmel', '--probe', 'oww-wakeword']);
    expect(wrongModel.code).toBe(1);
    expect(wrongModel.stderr).toMatch(/heads read model "oww-speech-embedding", which this stream does not run/);
  });
});

describe('earshot probe eval by id', () => {
  it('a shipped linear probe by id; the wake-word heads by id, scored on clean clips', async () => {
    // One shipped keyword clip of each word: the keyword probe's classes.
    const words = (await readdir(KEYWORDS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    for (const word of words) {
      await mkdir(join(out, 'one-each', word), { recursive: true });
      const [first] = (await readdir(join(KEYWORDS, word))).sort();
      await copyFile(join(KEYWORDS, word, first), join(out, 'one-each', word, first));
    }
    const run = await runMain(['probe', 'eval', '--probe', 'keywords', '--data', join(out, 'one-each'), '--workers', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ classes: words, top1: expect.any(Number) });
    // The wake-word heads by id: each head's detection rate, false accepts and AUC on the clean clips.
    const wake = await runMain(['probe', 'eval', '--probe', 'oww-wakeword', '--data', await ensureWakeWordData(), '--workers', '1']);
    expect(wake.code, wake.stderr).toBe(0);
    const scored = JSON.parse(wake.stdout) as { model: string; threshold: number; heads: { head: string; positives: number; negatives: number; detectionRate: { mean: number }; falseAcceptsPerClip: { mean: number }; auc: { mean: number } }[] };
    expect(scored).toMatchObject({ model: 'oww-speech-embedding', threshold: 0.5 });
    expect(scored.heads).toHaveLength(1);
    expect(scored.heads[0]).toMatchObject({ head: 'hey_jarvis', positives: 6, negatives: 6, detectionRate: { mean: 1 }, falseAcceptsPerClip: { mean: 0 }, auc: { mean: 1 } });
    const degraded = await runMain(['probe', 'eval', '--probe', 'oww-wakeword', '--data', await ensureWakeWordData(), '--condition', 'x.json']);
    expect(degraded.code).toBe(1);
    expect(degraded.stderr).toMatch(/for degraded audio sweep it: `earshot sweep --probe oww-wakeword --data DIR`/);
  });
});

describe('earshot sweep with a wake-word probe', () => {
  it('DIR/hey_jarvis + DIR/negative: detection rate, false accepts and AUC per cell with intervals, in JSON, CSV and the report', async () => {
    const data = await ensureWakeWordData();
    const dir = join(out, 'sweep');
    const run = await runMain(['sweep', '--probe', 'oww-wakeword', '--data', data, '--snr', '20,-5', '--room', '0', '--seeds', '2', '--workers', '2', '--no-cache', '-o', dir]);
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as SweepResults;
    expect(results.spec).toMatchObject({ protocol: 'wakeword', models: ['oww-speech-embedding'], wakeword: { threshold: 0.5 } });
    expect(results.classes).toEqual(['hey_jarvis', 'negative']);
    const clean = results.clean[0].wakeword!;
    expect(clean.map((w) => w.head)).toEqual(['hey_jarvis']);
    expect(clean[0]).toMatchObject({ positives: 6, negatives: 6 });
    // Every synthesized "hey jarvis" fires on clean audio, no negative does.
    expect(clean[0].detectionRate.mean).toBe(1);
    expect(clean[0].falseAcceptsPerClip.mean).toBe(0);
    expect(clean[0].auc.mean).toBe(1);
    expect(results.points).toHaveLength(2);
    for (const p of results.points) {
      const w = p.wakeword![0];
      for (const e of [w.detectionRate, w.falseAcceptsPerClip, w.falseAcceptsPerHour, w.auc]) {
        expect(e.lo).toBeLessThanOrEqual(e.mean);
        expect(e.hi).toBeGreaterThanOrEqual(e.mean);
      }
      expect(w.auc.mean).toBeGreaterThanOrEqual(0);
      expect(w.auc.mean).toBeLessThanOrEqual(1);
      expect(w.negativeHours).toBeGreaterThan(0);
    }
    const at = (snr: number) => results.points.find((p) => p.snrDb === snr)!.wakeword![0];
    expect(at(20).detectionRate.mean).toBeGreaterThan(0.5);
    expect(at(-5).detectionRate.mean).toBeLessThanOrEqual(at(20).detectionRate.mean);
    const csv = (await readFile(join(dir, 'results.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/wake_head,wake_threshold,.*detection_rate,detection_rate_lo,detection_rate_hi,fa_per_clip,.*fa_per_hour,.*auc,auc_lo,auc_hi$/);
    expect(csv).toHaveLength(1 + 1 + 2);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toMatch(/<h2>Wake words<\/h2>[\s\S]*false accepts \/ hour[\s\S]*hey_jarvis/);
  });

  it('a wake-word probe refuses other models and a data folder without a head', async () => {
    const data = await ensureWakeWordData();
    const other = await runMain(['sweep', '--probe', 'oww-wakeword', '--model', 'naive-logmel', '--data', data, '-o', join(out, 'x')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/heads read model "oww-speech-embedding"; a wake-word sweep cannot run naive-logmel/);
    const none = await runMain(['sweep', '--probe', 'oww-wakeword', '--data', join(PACKAGE_ROOT, 'speech', 'digits'), '--snr', '20', '--room', '0', '--seeds', '1', '--workers', '1', '--no-cache', '-o', join(out, 'y')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no folder named after a head of the wake-word probe \(alexa, hey_jarvis/);
  });
});
