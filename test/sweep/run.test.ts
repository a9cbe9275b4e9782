import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep, specFromInput } from '../../src/sweep/run.ts';
import type { SweepEvent, SweepResults, SweepSpec } from '../../src/sweep/types.ts';
import { REPO_ROOT, tempDir } from '../helpers/audio.ts';

let dir: string;
let cleanup: () => Promise<void>;
let spec: SweepSpec;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-sweep-run-'));
  // The shipped spoken digits (3 languages × 10 clips): what cells compute does not matter here, only where.
  spec = await specFromInput({ models: ['oww-speech-embedding'], data: join(REPO_ROOT, 'speech', 'digits'), snrDb: [0], room: [0, 0.4], seeds: 2 });
});
afterAll(() => cleanup());

describe('runSweep', () => {
  it('stops promptly when aborted: finished cells are kept and reported, the rest is not', async () => {
    const controller = new AbortController();
    const events: SweepEvent['type'][] = [];
    const out = join(dir, 'aborted');
    // 16 cells, of which two threads finish only a few before the abort takes hold, even on a busy machine.
    const results = await runSweep({ ...spec, axes: { ...spec.axes, snrDb: [20, 10, 5, 0] } }, {
      out,
      threads: 2,
      cacheDir: join(dir, 'cache'),
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'cell') controller.abort();
      },
    });
    expect(events).not.toContain('done');
    expect(results.cellsDone).toBeGreaterThanOrEqual(1);
    expect(results.cellsDone).toBeLessThan(16);
    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as SweepResults;
    expect(written.cellsDone).toBe(results.cellsDone);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  }, 120_000);

  it('gives the same records on one thread as on two, whole or split (cells do not depend on where they run)', async () => {
    // Clean embeddings too: computed here on one thread, read on two from the cache the aborted run filled on two.
    const one = await runSweep(spec, { out: join(dir, 'one'), threads: 1, cacheDir: null });
    const two = await runSweep(spec, { out: join(dir, 'two'), threads: 2, cacheDir: join(dir, 'cache') });
    expect(one.cellsDone).toBe(4);
    expect(two.points).toEqual(one.points);
    expect(two.clean).toEqual(one.clean);
    const cells = (out: string) =>
      readFileSync(join(dir, out, 'cells.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((r) => ({ ...r, elapsedS: 0, worker: '' })) // timing and thread names differ by design
        .sort((a, b) => a.key.localeCompare(b.key));
    expect(cells('two')).toEqual(cells('one'));
    // One cell on two threads is split in two halves of its clips: joined, the same record.
    const single = await runSweep({ ...spec, axes: { ...spec.axes, snrDb: [0], room: [0.4] }, seeds: 1 }, { out: join(dir, 'split'), threads: 2, cacheDir: join(dir, 'cache') });
    expect(single.cellsDone).toBe(1);
    const [split] = cells('split').filter((r) => r.kind === 'cell');
    expect(split).toEqual(cells('one').find((r) => r.key === split.key));
    expect(readFileSync(join(dir, 'split', 'cells.jsonl'), 'utf8')).toMatch(/"worker":"[^"]*\/t\d+,[^"]*\/t\d+"/);
  }, 240_000);
});
