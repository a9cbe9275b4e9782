import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serializeSession } from '../../client/src/lib/session.ts';
import { CSV_COLUMNS } from '../../client/src/lib/metricsLog.ts';
import { NO_CHROMIUM, SKIP_BROWSER, ROOT, scratchDir, serverAndBrowser, until } from './helpers.ts';

// The dashboard without traps, and as a monitor: bank IRs with the default
// receiver, refused changes, replays, probe tabs, layout at 1440 and 1024 px,
// watching another page's stream read-only, and exporting its metrics.

if (SKIP_BROWSER) console.warn(`test/e2e/monitoring.test.ts ${NO_CHROMIUM}`);

async function seqOf(page: Page): Promise<number> {
  return Number.parseInt((await page.getByTestId('cosine').getAttribute('data-seq')) ?? '', 10);
}

/** Elements whose text is cut off: wider content than box, with the overflow hidden. */
async function truncated(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => {
        if (el.closest('.uplot, canvas, svg, select, option, input')) return false;
        const style = getComputedStyle(el);
        const cut = style.textOverflow === 'ellipsis' || ['hidden', 'clip'].includes(style.overflowX);
        return cut && el.scrollWidth > el.clientWidth + 1 && (el.textContent ?? '').trim() !== '';
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? '').trim().slice(0, 60)}`),
  );
}

describe.skipIf(SKIP_BROWSER)('dashboard as a monitor, in Chromium against a real server', () => {
  const fixture = serverAndBrowser();
  const { cleanups } = fixture;

  it("a bank IR plays with the default receiver (the IR's own layout); receivers it cannot take are disabled with the reason", async () => {
    const { page } = fixture.browser;
    await page.goto(fixture.server.url);
    await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('models').getByRole('button', { name: /oww-speech-embedding/ }).waitFor();
    expect(await page.getByTestId('receiver').inputValue()).toBe('auto');
    await page.getByTestId('room').selectOption('bank:hall-binaural');
    const problems = await page.getByTestId('receiver').locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled, problem: o.getAttribute('data-problem') })));
    expect(problems).toEqual([
      { value: 'auto', disabled: false, problem: '' },
      { value: 'mono', disabled: true, problem: 'the IR "hall-binaural" has 2 channels (binaural)' },
      { value: 'binaural', disabled: false, problem: '' },
      { value: 'foa', disabled: true, problem: 'the IR "hall-binaural" has 2 channels (binaural)' },
    ]);
    await page.getByTestId('snr').fill('10');
    await page.getByTestId('clip').selectOption('speech/digits/en/7.wav');
    await page.getByTestId('start').click();
    await page.getByTestId('applied-condition').filter({ hasText: 'room hall-binaural' }).waitFor({ timeout: 30_000 });
    await until(() => seqOf(page), (s) => s >= 2, 'results in the hall');
    // A 4-channel IR while running: still fine with auto.
    await page.getByTestId('room').selectOption('bank:office-foa');
    await page.getByTestId('applied-condition').filter({ hasText: 'room office-foa' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('toast').filter({ hasText: 'EARSHOT_' }).count()).toBe(0);
    expect(fixture.browser.problems).toEqual([]);
  }, 120_000);

  it('a change the server refuses returns the control to the value in force, and the same toast twice shows once with a count', async () => {
    const { page } = fixture.browser;
    const seed = page.getByTestId('seed');
    expect(await seed.inputValue()).toBe('0');
    for (let i = 0; i < 2; i++) {
      await seed.fill('99999999999');
      await seed.dispatchEvent('change');
      await expect.poll(() => seed.inputValue()).toBe('0');
    }
    const toast = page.getByTestId('toast').filter({ hasText: 'EARSHOT_INVALID_CONDITION' });
    await expect.poll(() => toast.count()).toBe(1);
    expect(await toast.textContent()).toMatch(/seed = 99999999999/);
    expect(await toast.getByTestId('toast-count').textContent()).toMatch(/×2/);
    await page.getByTestId('applied-condition').filter({ hasText: 'room office-foa' }).waitFor();
    // Not a number at all: the dashboard names the value itself, and the seed in force stays.
    await seed.fill('-3');
    await seed.dispatchEvent('change');
    await page.getByTestId('toast').filter({ hasText: 'Seed "-3" is not a whole number of 0 or more; the seed stays 0' }).waitFor();
    expect(await seed.inputValue()).toBe('0');
  }, 60_000);

  it('the SNR slider and its label agree when the scene is clean; metrics explain themselves', async () => {
    const { page } = fixture.browser;
    await page.getByTestId('snr-clean').click();
    await expect.poll(() => page.getByTestId('snr-value').textContent()).toMatch(/clean/);
    const slider = page.getByTestId('snr');
    expect(await slider.inputValue()).toBe(await slider.getAttribute('max'));
    expect(await slider.getAttribute('aria-valuetext')).toBe('clean (no noise)');
    await slider.fill('5');
    await expect.poll(() => page.getByTestId('snr-value').textContent()).toBe('5 dB');
    for (const [id, words] of [['help-cosine', /negative/], ['help-agreement', /top probe class/], ['help-cka', /CKA/], ['help-vad', /speech/]] as const) {
      expect(await page.getByTestId(id).getAttribute('title')).toMatch(words);
    }
  }, 60_000);

  it('nothing is cut off at 1440 and 1024 px', async () => {
    const { page } = fixture.browser;
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.waitForTimeout(300);
      expect(await truncated(page), `at ${width} px`).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 1400 });
  }, 60_000);

  it('watches another page’s stream read-only, and exports its metrics as CSV', async () => {
    const owner = fixture.browser.page;
    await until(() => owner.getByTestId('running-stream').count(), (n) => n === 1, 'the owner page to list its stream');
    const id = await owner.getByTestId('running-stream').getAttribute('data-id');
    const watcher = await fixture.browser.context.newPage();
    try {
      await watcher.goto(fixture.server.url);
      await watcher.getByTestId('connection').filter({ hasText: 'connected' }).waitFor();
      const row = watcher.getByTestId('running-stream');
      await row.filter({ hasText: 'another client' }).waitFor();
      if (id) expect(await row.getAttribute('data-id')).toBe(id);
      await row.getByTestId('attach').click();
      await watcher.getByTestId('watching').waitFor();
      await watcher.getByTestId('applied-condition').filter({ hasText: 'room office-foa' }).waitFor({ timeout: 30_000 });
      const first = await until(() => seqOf(watcher), (s) => Number.isFinite(s), 'results on the watching page');
      await until(() => seqOf(watcher), (s) => s >= first + 3, 'more results on the watching page');
      // Read-only: the scene controls are disabled, the keyboard SNR step does nothing, and Stop only stops watching.
      expect(await watcher.getByTestId('snr').isDisabled()).toBe(true);
      expect(await watcher.getByTestId('room').isDisabled()).toBe(true);
      expect(await watcher.getByTestId('snr-value').textContent()).toBe('5 dB');
      await watcher.locator('body').press('-');
      await watcher.waitForTimeout(300);
      expect(await watcher.getByTestId('snr-value').textContent()).toBe('5 dB');
      // The owner still changes the scene (here with the keyboard: "-" is one 5 dB step down), and the watcher follows.
      // Keys typed into a field are not shortcuts: take the focus off the slider moved last.
      await owner.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await owner.locator('body').press('-');
      await watcher.getByTestId('applied-condition').filter({ hasText: '0 dB SNR' }).waitFor({ timeout: 30_000 });
      expect(await watcher.getByTestId('snr-value').textContent()).toBe('0 dB');
      expect(await owner.getByTestId('snr-value').textContent()).toBe('0 dB');
      // More keys: listen to the clean audio, stop listening, the list of shortcuts.
      await owner.locator('body').press('c');
      await expect.poll(() => owner.getByTestId('listen-clean').getAttribute('aria-checked')).toBe('true');
      await owner.locator('body').press('m');
      await expect.poll(() => owner.getByTestId('listen-off').getAttribute('aria-checked')).toBe('true');
      await owner.locator('body').press('?');
      expect(await owner.getByTestId('shortcuts-help').textContent()).toMatch(/start or stop the stream/);
      await owner.locator('body').press('?');

      await until(async () => Number.parseInt(((await watcher.getByTestId('logged').textContent()) ?? '').replace(/\D/g, ''), 10), (n) => n >= 5, 'windows in the export');
      const [download] = await Promise.all([watcher.waitForEvent('download'), watcher.getByTestId('export-csv').click()]);
      expect(download.suggestedFilename()).toMatch(/^earshot-metrics-.*\.csv$/);
      const dir = scratchDir('export');
      cleanups.push(dir);
      const file = join(dir, 'metrics.csv');
      await download.saveAs(file);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe(CSV_COLUMNS.join(','));
      expect(lines.length).toBeGreaterThan(5);
      const rows = lines.slice(1).map((l) => l.split(','));
      const col = (name: string) => CSV_COLUMNS.indexOf(name as never);
      for (const r of rows) {
        expect(r[col('model')]).toBe('oww-speech-embedding');
        expect(Number(r[col('cosine')])).toBeGreaterThan(-1.0001);
        expect(Number(r[col('cosine')])).toBeLessThan(1.0001);
      }
      expect(rows.some((r) => Number(r[col('conditionVersion')]) >= 1)).toBe(true);

      await watcher.getByTestId('stop').click();
      await watcher.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
      // The owner's stream runs on.
      const at = await seqOf(owner);
      await until(() => seqOf(owner), (s) => s >= at + 3, 'the owner stream to keep running');
      expect(await owner.getByTestId('stream-status').textContent()).toMatch(/running/);
    } finally {
      await watcher.close();
    }
    expect(fixture.browser.problems).toEqual([]);
  }, 120_000);

  it('with two models, the tab of the model no probe reads says so, and side by side each model has its cosine and probe panels; an upload keeps its name in the header', async () => {
    const { page } = fixture.browser;
    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
    await page.getByTestId('upload').setInputFiles(join(ROOT, 'speech', 'digits', 'es', '3.wav'));
    await expect.poll(() => page.getByTestId('clip').evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent ?? '')).toMatch(/3\.wav/);
    await page.getByTestId('models').getByRole('button', { name: /naive-logmel/ }).click();
    await page.getByTestId('probe').selectOption('keywords');
    await page.getByTestId('start').click();
    await page.getByTestId('stream-status').filter({ hasText: 'running' }).waitFor();
    expect(await page.getByTestId('stream-status').textContent()).toMatch(/3\.wav/);
    await page.getByRole('tablist', { name: 'model shown' }).getByRole('button', { name: 'naive-logmel' }).click({ timeout: 30_000 });
    await page.getByTestId('probe-none').filter({ hasText: 'No probe reads naive-logmel on this stream: "keywords" reads oww-speech-embedding' }).waitFor();
    // Side by side: a column per model, each with its cosine chart and its probe panel, on one time axis.
    await page.getByTestId('side-by-side').click();
    const column = (m: string) => page.locator(`[data-testid="compare-column"][data-model="${m}"]`);
    await expect.poll(() => page.getByTestId('compare-column').count()).toBe(2);
    for (const m of ['oww-speech-embedding', 'naive-logmel']) expect(await column(m).getByTestId('cosine-chart').count()).toBe(1);
    await column('oww-speech-embedding').getByTestId('probe-row').first().waitFor({ timeout: 30_000 });
    await column('naive-logmel').getByTestId('probe-none').filter({ hasText: 'No probe reads naive-logmel' }).waitFor();
    const axis = await page.getByTestId('compare').evaluate((el) => [Number(el.getAttribute('data-x0')), Number(el.getAttribute('data-x1'))]);
    expect(axis[1]).toBeGreaterThan(axis[0]);
    await page.getByRole('tablist', { name: 'model shown' }).getByRole('button', { name: 'oww-speech-embedding' }).click();
    await expect.poll(() => page.getByTestId('compare').count()).toBe(0);
    await page.getByTestId('probe-row').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
  }, 120_000);

  it('a named preset sets the whole scene; the condition copies as CLI flags and as JSON', async () => {
    const { page, context } = fixture.browser;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(fixture.server.url).origin });
    await page.getByTestId('clip').selectOption('speech/digits/en/7.wav');
    await page.getByTestId('start').click();
    await page.getByTestId('stream-status').filter({ hasText: 'running' }).waitFor();
    await page.getByTestId('preset').selectOption('street café, 0 dB');
    await page.getByTestId('applied-condition').filter({ hasText: '0 dB SNR' }).filter({ hasText: 'room street' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('receiver').inputValue()).toBe('auto');
    await page.getByTestId('copy-flags').click();
    await page.getByTestId('toast').filter({ hasText: 'CLI FLAGS' }).waitFor();
    const flags = await page.evaluate(() => navigator.clipboard.readText());
    expect(flags).toMatch(/^--snr 0 --rir street --azimuth 0 --elevation 0 --distance 1\.5 --receiver auto --noise cafe --noise-sources 1 --seed 0$/);
    await page.getByTestId('copy-json').click();
    await page.getByTestId('toast').filter({ hasText: 'CONDITION JSON' }).waitFor();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toMatchObject({ snrDb: 0, room: { bank: 'street' }, receiver: 'auto', noise: { ids: ['cafe'], sources: 1 } });
    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
  }, 60_000);

  it('after a replay, "Back to live" shows no stream (no RUNNING without one)', async () => {
    const { page } = fixture.browser;
    const dir = scratchDir('replay');
    cleanups.push(dir);
    const file = join(dir, 'session.json');
    const condition = { snrDb: 5, room: null, source: { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 }, noise: { ids: ['cafe'], sources: 1 }, seed: 0 } as const;
    const config = { source: { kind: 'file', path: 'speech/digits/en/7.wav', realtime: true, loop: false }, models: ['oww-speech-embedding'], probes: [], condition, ckaWindows: 16 } as const;
    writeFileSync(
      file,
      serializeSession([
        { atMs: 0, msg: { type: 'started', streamId: 'gone', config: structuredClone(config) as never } },
        { atMs: 10, msg: { type: 'condition', streamId: 'gone', condition: structuredClone(condition) as never, conditionVersion: 0 } },
      ]),
    );
    await page.getByTestId('replay-file').setInputFiles(file);
    await page.getByTestId('stream-status').filter({ hasText: 'replay' }).waitFor();
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.getByTestId('stream-status').filter({ hasText: 'no stream' }).waitFor();
    expect(await page.getByTestId('start').isVisible()).toBe(true);
    expect(await page.getByTestId('stop').count()).toBe(0);
    expect(fixture.browser.problems).toEqual([]);
  }, 60_000);
});
