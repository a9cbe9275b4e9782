import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { NO_CHROMIUM, ROOT, SKIP_BROWSER, OUTPUT, dashboardDist, openBrowser, scratchDir, startServer, until, type Browser, type RunningServer } from './helpers.ts';
import { heatColour, heatmaps, listProblem, parseList } from '../../client/src/lib/sweepGrid.ts';
import { apply } from '../../client/src/lib/sweepEvents.ts';
import type { SweepDetail } from '../../server/sweeps/schemas.ts';
import type { CellSummary, GridPoint } from '../../src/sweep/types.ts';

// The sweep view as a person uses it: a real server on a loopback port, the
// dashboard built from client/, headless Chromium starting a tiny sweep of
// oww-speech-embedding over a small data set and watching it fill in.

if (SKIP_BROWSER) console.warn(`test/e2e/sweep.test.ts ${NO_CHROMIUM}`);

interface Heat {
  snr: string;
  room: string;
  value: number;
}

async function filledCells(page: Page): Promise<Heat[]> {
  return page.getByTestId('heat-cell').evaluateAll((tds) =>
    tds
      .map((td) => ({ snr: td.getAttribute('data-snr') ?? '', room: td.getAttribute('data-room') ?? '', value: Number.parseFloat(td.getAttribute('data-value') ?? '') }))
      .filter((c) => Number.isFinite(c.value)),
  );
}

describe('the sweep view\'s pure modules', () => {
  const point = (model: string, snrDb: number | 'clean', room: number | string): GridPoint => ({ model, snrDb, room, azimuthDeg: 0, noise: 'cafe', noiseSources: 1 });
  const cell = (p: GridPoint, seed: number, top1: number): CellSummary => ({ key: `${p.model}|${p.snrDb}|${p.room}|${seed}`, point: p, seed, top1, macroF1: top1, mAP: top1, cosine: 0.9, relativeTop1: top1 / 0.8 });

  it('heatmaps: one per model, cleanest SNR and driest room first, IR rooms after the RT60s, seeds pooled, unfinished cells empty', () => {
    const points = [point('a', 0, 0), point('a', 20, 0), point('a', 'clean', 0.6), point('a', 0, 0.6), point('a', 20, 'street'), point('a', 20, 0.6), point('a', 'clean', 0), point('b', 20, 0)];
    const cells = [cell(points[1], 0, 0.8), cell(points[1], 1, 0.6), cell(points[0], 0, 0.2), cell(points[7], 0, 1), cell(points[4], 0, 0.4)];
    const [a, b] = heatmaps(points, 2, cells, 'top1');
    expect(a.snrs).toEqual(['clean', 20, 0]);
    expect(a.rooms).toEqual([0, 0.6, 'street']);
    expect(a.rows[1][0]).toMatchObject({ snrDb: 20, room: 0, value: 0.7, done: 2, total: 2 });
    expect(a.rows[1][2]).toMatchObject({ snrDb: 20, room: 'street', value: 0.4, done: 1, total: 2 });
    expect(a.rows[0][2]).toMatchObject({ value: null, total: 0 });
    expect(a.rows[2][0]).toMatchObject({ value: 0.2, done: 1, total: 2 });
    expect(a.rows[0][1]).toMatchObject({ value: null, done: 0 });
    expect(b).toMatchObject({ model: 'b', snrs: [20], rows: [[{ value: 1 }]] });
    expect(heatmaps(points, 2, cells, 'relativeTop1')[0].rows[1][0].value).toBeCloseTo(0.875);
  });

  it('listProblem names the value a list cannot read', () => {
    expect(listProblem('20, 10, loud', true, 'SNR')).toBe('SNR "loud" is not a number or "clean"');
    expect(listProblem('0, 0.6s', false, 'RT60')).toBe('RT60 "0.6s" is not a number');
    expect(listProblem(' , ', false, 'azimuth')).toBe('no azimuth given: type at least one number');
    expect(listProblem('clean, 5', true, 'SNR')).toBeNull();
  });

  it('parseList reads comma or space separated numbers (and "clean" for SNRs)', () => {
    expect(parseList('20, 10 0,-5', true)).toEqual([20, 10, 0, -5]);
    expect(parseList('clean, 0.5', true)).toEqual(['clean', 0.5]);
    expect(parseList('clean', false)).toBeNull();
    expect(parseList('1e', false)).toBeNull();
    expect(parseList(' ', false)).toEqual([]);
  });

  it('heatColour runs red -> amber -> green and clamps', () => {
    expect(heatColour(0)).toBe('rgba(248, 113, 113, 0.82)');
    expect(heatColour(0.5)).toBe('rgba(250, 204, 21, 0.82)');
    expect(heatColour(1)).toBe(heatColour(1.7));
    expect(heatColour(-1)).toBe(heatColour(0));
  });

  it('apply: events update the state, a repeated cell counts once, the end sets the status', () => {
    const p = point('a', 20, 0);
    let s: SweepDetail = { id: 'x', status: 'running', createdAt: '', finishedAt: null, request: { models: ['a'], protocol: 'clean', snrDb: [20], room: [0], seeds: 1 }, cellsDone: 0, cellsTotal: 1, error: null, report: null, plan: null, clean: [], cells: [], results: null };
    s = apply(s, { type: 'plan', points: [p], seeds: 1, testClips: 9, cellsTotal: 1, cellsDone: 0 });
    s = apply(s, { type: 'clean', model: 'a', top1: 0.9, macroF1: 0.9, mAP: 0.9 });
    s = apply(s, { type: 'cell', summary: cell(p, 0, 0.5), cellsDone: 1, cellsTotal: 1 });
    s = apply(s, { type: 'cell', summary: cell(p, 0, 0.5), cellsDone: 1, cellsTotal: 1 });
    expect(s).toMatchObject({ cellsDone: 1, clean: [{ model: 'a', top1: 0.9 }], plan: { testClips: 9 } });
    expect(s.cells).toHaveLength(1);
    expect(apply(s, { type: 'failed', code: 'EARSHOT_X', message: 'm' })).toMatchObject({ status: 'failed', error: { code: 'EARSHOT_X', message: 'm' } });
    expect(apply(s, { type: 'cancelled', cellsDone: 1, cellsTotal: 1 }).status).toBe('cancelled');
  });
});

describe.skipIf(SKIP_BROWSER)('sweep view in Chromium against a real earshot server', () => {
  let server: RunningServer;
  let browser: Browser;
  let scratch: string;

  beforeAll(async () => {
    // Beside the shipped keyword set (the default, 300 clips), the first 8 clips of each of its words:
    // the sweep below runs on those, a quarter of the work.
    const keywords = join(ROOT, 'speech', 'keywords');
    scratch = scratchDir('sweep-data');
    const small = join(scratch, 'keywords-8');
    for (const word of readdirSync(keywords, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      mkdirSync(join(small, word), { recursive: true });
      for (const clip of readdirSync(join(keywords, word)).sort().slice(0, 8)) copyFileSync(join(keywords, word, clip), join(small, word, clip));
    }
    server = await startServer({ clientDist: dashboardDist(), sweepDataDirs: [keywords, small] });
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('starts a tiny sweep, sees its cells appear one by one, and links the report', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('view-sweeps').click();
    await page.getByTestId('sweep-empty').waitFor();
    expect(page.url()).toMatch(/#sweeps$/);

    // The defaults are small; make them tiny.
    await page.getByTestId('sweep-models').getByRole('button', { name: 'oww-speech-embedding' }).waitFor();
    // The data sets come in a request of their own: wait for the list to arrive and the default to be chosen.
    await expect.poll(() => page.getByTestId('sweep-data').inputValue()).toBe('keywords');
    await page.getByTestId('sweep-data').selectOption('keywords-8');
    // A value the form cannot read is named, and the sweep cannot start.
    await page.getByTestId('sweep-snr').fill('20, loud');
    await page.getByTestId('sweep-problem').filter({ hasText: 'SNR "loud" is not a number or "clean"' }).waitFor();
    expect(await page.getByTestId('sweep-start').isDisabled()).toBe(true);
    await page.getByTestId('sweep-snr').fill('20, 0');
    await page.getByTestId('sweep-rt60').fill('0');
    await page.getByTestId('sweep-seeds').fill('1');
    await expect.poll(() => page.getByTestId('sweep-size').textContent()).toMatch(/= 2 cells/);
    // Azimuths and noises multiply the grid too (then back to one of each).
    await page.getByTestId('sweep-azimuth').fill('0, 90');
    await page.getByTestId('sweep-noises').getByRole('button', { name: 'rain' }).click();
    await expect.poll(() => page.getByTestId('sweep-size').textContent()).toMatch(/× 2 azimuths\s*× 2 noises × 1 seed = 8 cells/);
    await page.getByTestId('sweep-azimuth').fill('0');
    await page.getByTestId('sweep-noises').getByRole('button', { name: 'rain' }).click();
    await expect.poll(() => page.getByTestId('sweep-size').textContent()).toMatch(/= 2 cells/);
    // A bank IR is a room beside the RT60s.
    await page.getByTestId('sweep-rirs').getByRole('button', { name: 'street' }).click();
    await expect.poll(() => page.getByTestId('sweep-size').textContent()).toMatch(/× 2 rooms × 1 seed = 4 cells/);
    await page.getByTestId('sweep-rirs').getByRole('button', { name: 'street' }).click();
    await expect.poll(() => page.getByTestId('sweep-size').textContent()).toMatch(/= 2 cells/);
    // Count the filled heatmap cells after every change of the page, to see them arrive one at a time.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { filledCounts: number[] }).filledCounts = seen;
      new MutationObserver(() => {
        const n = [...document.querySelectorAll('[data-testid="heat-cell"]')].filter((td) => td.getAttribute('data-value') !== '').length;
        if (seen.at(-1) !== n) seen.push(n);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('sweep-start').click();

    await page.getByTestId('sweep-status').filter({ hasText: 'running' }).waitFor();
    await expect.poll(() => page.getByTestId('sweep-progress').getAttribute('data-total')).toBe('2');
    await page.getByTestId('heatmap').filter({ has: page.getByText('oww-speech-embedding') }).waitFor({ timeout: 60_000 });
    const all = await until(() => filledCells(page), (cells) => cells.length === 2, 'both cells', 90_000);
    // Each cell appeared as it finished, not all at the end.
    expect(await page.evaluate(() => (window as unknown as { filledCounts: number[] }).filledCounts.filter((n) => n > 0))).toEqual([1, 2]);
    expect(all.map((c) => c.snr).sort()).toEqual(['0', '20']);
    for (const c of all) expect(c.value).toBeGreaterThanOrEqual(0);
    await expect.poll(() => page.getByTestId('sweep-progress').textContent()).toBe('cells 2/2');
    await page.getByTestId('sweep-status').filter({ hasText: 'done' }).waitFor({ timeout: 30_000 });
    const clean = Number(await page.getByTestId('clean-top1').getAttribute('data-value'));
    expect(clean).toBeGreaterThan(0.5);

    // The report link serves the HTML report.
    const link = page.getByTestId('report-link');
    await link.waitFor();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/api\/sweeps\/[\w-]+\/report\.html$/);
    const report = await page.request.get(new URL(href!, server.url).href);
    expect(report.status()).toBe(200);
    expect(await report.text()).toContain('earshot sweep report');

    // Relative top-1: the 20 dB cell keeps about what clean had.
    await page.getByTestId('metric-relative').click();
    await expect.poll(async () => (await filledCells(page)).find((c) => c.snr === '20')?.value).toBeGreaterThan(0.6);
    await page.getByTestId('metric-top1').click();

    // The sweep is listed, and a reload comes back to the sweep view.
    await expect.poll(() => page.getByTestId('sweep-list').textContent()).toMatch(/done/);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'sweep.png') });
    await page.reload();
    await page.getByTestId('sweep-empty').waitFor();

    // Back to the live view: it is as it was.
    await page.getByTestId('view-live').click();
    await page.getByTestId('empty-state').filter({ hasText: 'No stream yet' }).waitFor();
    expect(browser.problems).toEqual([]);
  }, 180_000);
});
