import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { NO_CHROMIUM, SKIP_BROWSER, OUTPUT, ROOT, SHIPPED_PROBES, dashboardDist, openBrowser, scratchDir, startServer, until, type Browser, type RunningServer } from './helpers.ts';
import { SHIPPED_PROBE_DIR } from '../../src/probes/probeManifest.ts';

// The dashboard as a person uses it: a real server on a loopback port, the
// dashboard built from client/, headless Chromium clicking through it.

if (SKIP_BROWSER) console.warn(`test/e2e/dashboard.test.ts ${NO_CHROMIUM}`);

interface Probe {
  cls: string;
  clean: number;
  degraded: number;
}

async function probeRows(page: Page): Promise<Probe[]> {
  return page.getByTestId('probe-row').evaluateAll((rows) =>
    rows.map((r) => ({ cls: r.getAttribute('data-class') ?? '', clean: Number(r.getAttribute('data-clean')), degraded: Number(r.getAttribute('data-degraded')) })),
  );
}

async function cosine(page: Page): Promise<{ value: number; seq: number; version: number }> {
  const el = page.getByTestId('cosine');
  const [value, seq, version] = await Promise.all(['data-value', 'data-seq', 'data-version'].map((a) => el.getAttribute(a)));
  return { value: Number.parseFloat(value ?? ''), seq: Number.parseInt(seq ?? '', 10), version: Number.parseInt(version ?? '', 10) };
}

describe.skipIf(SKIP_BROWSER)('dashboard in Chromium against a real earshot server', () => {
  let server: RunningServer;
  let browser: Browser;
  const cleanups: string[] = [];

  beforeAll(async () => {
    // The probes `earshot serve` offers: the wake-word heads (models/probes) and the trained probes (models/trained).
    server = await startServer({ clientDist: dashboardDist(), probeDirs: [SHIPPED_PROBE_DIR, SHIPPED_PROBES] });
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
  });

  it('streams a shipped clip through oww-speech-embedding; moving SNR to 0 dB pulls cosine and probe apart', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('empty-state').filter({ hasText: 'No stream yet' }).waitFor();

    await page.getByTestId('models').getByRole('button', { name: /oww-speech-embedding/ }).waitFor();
    await page.getByTestId('clip').selectOption('speech/keywords/down/down_002.flac');
    // The default probes: the keyword probe and the wake-word heads together.
    await expect.poll(() => page.getByTestId('probe').inputValue()).toBe('keywords + oww-wakeword');
    await page.getByTestId('start').click();

    // Predictions and metrics appear; with the scene clean, degraded equals clean.
    const clean = await until(() => cosine(page), (c) => Number.isFinite(c.value) && c.seq >= 5, 'the first results');
    expect(clean.version).toBe(0);
    expect(clean.value).toBeGreaterThan(0.98);
    const rows = await probeRows(page);
    expect(rows.map((r) => r.cls).sort()).toEqual(['down', 'go', 'left', 'no', 'off', 'on', 'right', 'stop', 'up', 'yes']);
    for (const r of rows) expect(Math.abs(r.clean - r.degraded)).toBeLessThan(1e-3);
    await expect.poll(() => page.getByTestId('wake-panel').getAttribute('data-threshold')).toBe('0.5');
    await expect.poll(() => page.getByTestId('windows').textContent()).not.toBe('0');
    await expect.poll(async () => Number(await page.getByTestId('meter-clean').getAttribute('data-rms'))).toBeGreaterThan(-60);

    // Move the SNR slider to 0 dB: the server confirms the scene, and the next windows drift.
    await page.getByTestId('snr').fill('0');
    await expect.poll(() => page.getByTestId('snr-value').textContent()).toBe('0 dB');
    await page.getByTestId('applied-condition').filter({ hasText: '0 dB SNR' }).waitFor({ timeout: 30_000 });
    const noisy = await until(() => cosine(page), (c) => c.version >= 1 && c.value < clean.value - 0.02, 'the cosine to drop under the 0 dB scene');
    expect(noisy.seq).toBeGreaterThan(clean.seq);
    const apart = await until(() => probeRows(page), (rs) => rs.some((r) => Math.abs(r.clean - r.degraded) > 0.01), 'probe probabilities to differ');
    expect(apart.length).toBe(10);
    // Smoothing the probe over 4 windows: the next results say their probabilities are averaged over 4.
    // (The wake-word panel has the same control: one setting for the stream's probes.)
    const smooth = page.getByTestId('probe-panel').getByTestId('probe-smooth');
    await smooth.fill('4');
    await smooth.dispatchEvent('change');
    await expect.poll(() => page.getByTestId('wake-panel').getByTestId('probe-smooth').inputValue()).toBe('4');
    await expect.poll(() => page.getByTestId('probe-smoothed').getAttribute('data-smooth')).toBe('4');
    await page.getByTestId('probe-smoothed').filter({ hasText: 'averaged over 4 windows' }).waitFor();
    // The SNR definition: per channel, confirmed by the server.
    await page.getByTestId('snr-mode').selectOption('per-channel');
    await page.getByTestId('applied-condition').filter({ hasText: 'SNR per channel' }).waitFor({ timeout: 30_000 });

    mkdirSync(OUTPUT, { recursive: true });
    // Let the spectrograms and trajectories fill in for the picture: a dozen more windows.
    const { seq } = await cosine(page);
    await until(() => cosine(page), (c) => c.seq >= seq + 12, 'a dozen more results for the picture');
    await page.screenshot({ path: join(OUTPUT, 'dashboard.png') });
    // Listening to the degraded scene schedules Web Audio buffers without complaint, for the frames that keep coming.
    await page.getByTestId('listen-degraded').click();
    await expect.poll(() => page.getByTestId('listen-degraded').getAttribute('aria-checked')).toBe('true');
    const listening = await cosine(page);
    await until(() => cosine(page), (c) => c.seq >= listening.seq + 5, 'five more results while listening');
    await page.getByTestId('listen-off').click();
    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
    expect(browser.problems).toEqual([]);
  }, 120_000);

  it('a -10 dB scene drives the degraded signal past full scale: the CLIP lamp lights, with the count and peak in its tooltip, and goes dark once the scene is clean', async () => {
    const { page } = browser;
    await page.getByTestId('clip').selectOption('speech/digits/en/7.wav');
    await page.getByTestId('start').click();
    await page.getByTestId('stream-status').filter({ hasText: 'running' }).waitFor();
    await page.getByTestId('snr').fill('-10');
    await page.getByTestId('applied-condition').filter({ hasText: '-10 dB SNR' }).waitFor({ timeout: 30_000 });

    const lamp = page.getByTestId('clip-degraded');
    // One snapshot of the lamp: its attributes change together as frames arrive.
    const read = () =>
      lamp.evaluate((el) => ({ lit: el.getAttribute('data-lit'), clipped: Number(el.getAttribute('data-clipped')), peak: Number(el.getAttribute('data-peak')), title: el.getAttribute('title') ?? '' }));
    const lit = await until(read, (l) => l.lit === 'true', 'the CLIP lamp to light under the -10 dB scene');
    expect(lit.clipped).toBeGreaterThan(0);
    expect(lit.peak).toBeGreaterThan(0);
    expect(lit.title).toContain(`${lit.clipped} samples past full scale`);
    expect(lit.title).toContain(`peak +${lit.peak.toFixed(1)} dBFS`);
    expect(await lamp.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(248, 113, 113)'); // --bad

    // Clean speech held at -14 dBFS stays within full scale once the leveller has settled: the lamp lets go.
    await page.getByTestId('snr-clean').click();
    await page.getByTestId('applied-condition').filter({ hasText: /^clean/ }).waitFor({ timeout: 30_000 });
    const dark = await until(read, (l) => l.lit === 'false', 'the CLIP lamp to go dark in the clean scene');
    expect(dark.title).toMatch(/no samples past full scale/);
    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
    expect(browser.problems).toEqual([]);
  }, 120_000);

  it("shows the server's error message in a toast (an upload that is not audio), and accepts a real upload", async () => {
    const { page } = browser;
    const dir = scratchDir('upload');
    cleanups.push(dir);
    const bad = join(dir, 'notes.wav');
    writeFileSync(bad, 'these are not samples');
    await page.getByTestId('source-file').click();
    await page.getByTestId('upload').setInputFiles(bad);
    const toast = page.getByTestId('toast').filter({ hasText: 'EARSHOT_' });
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(/notes\.wav/);
    // Chromium logs the refused request itself; that one is expected.
    const refused = browser.problems.findIndex((p) => /status of 415/.test(p));
    if (refused >= 0) browser.problems.splice(refused, 1);

    await page.getByTestId('upload').setInputFiles(join(ROOT, 'speech', 'digits', 'ru', '4.wav'));
    await expect.poll(() => page.getByTestId('clip').evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent ?? '')).toMatch(/4\.wav/);
  }, 120_000);

  it('records a session, saves it as JSON and WAV, and replays it in the dashboard', async () => {
    const { page } = browser;
    await page.getByTestId('clip').selectOption('speech/digits/es/3.wav');
    await page.getByTestId('start').click();
    await until(() => cosine(page), (c) => Number.isFinite(c.value) && c.seq >= 2, 'results of the second stream');
    await page.getByTestId('record').click();
    // Three seconds of the session on the recorder's clock (its summary reads m:ss).
    await expect.poll(() => page.getByTestId('record-summary').textContent(), { timeout: 20_000 }).toMatch(/^0:0[3-9]/);
    await page.getByTestId('record-stop').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-session').click()]);
    const dir = scratchDir('session');
    cleanups.push(dir);
    const file = join(dir, 'session.json');
    await download.saveAs(file);
    const session = JSON.parse(readFileSync(file, 'utf8')) as { format: string; events: { msg: { type: string }; data?: string }[] };
    expect(session.format).toBe('earshot-session');
    const types = new Set(session.events.map((e) => e.msg.type));
    for (const t of ['started', 'condition', 'result', 'audio']) expect(types).toContain(t);
    expect(session.events.find((e) => e.msg.type === 'result')?.data).toBeTruthy();
    const [wavDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-wav').click()]);
    const wavFile = join(dir, 'session.wav');
    await wavDownload.saveAs(wavFile);
    const wav = readFileSync(wavFile);
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(2); // left clean, right degraded
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt32LE(40) / 8 / 16000).toBeGreaterThan(1.5); // seconds of audio in a 3 s recording

    await page.getByTestId('stop').click();
    await page.getByTestId('replay-file').setInputFiles(file);
    await page.getByTestId('stream-status').filter({ hasText: 'replay' }).waitFor();
    await until(() => cosine(page), (c) => Number.isFinite(c.value), 'replayed results');
    await page.getByTestId('replay-status').filter({ hasText: 'replayed' }).waitFor({ timeout: 30_000 });
    // Each model's line has a gap wherever its windows jump (the live stream drops windows on a busy machine).
    type Event = { msg: { type: string; seq?: number; model?: string } };
    const gapsOf = () => page.getByTestId('cosine-chart').getAttribute('data-gaps').then(Number);
    const recorded = (session.events as Event[]).filter((e) => e.msg.type === 'result');
    const seqsOf = (rows: Event[]) => [...new Set(rows.map((e) => e.msg.seq ?? -1))].sort((a, b) => a - b);
    const models = [...new Set(recorded.map((e) => e.msg.model))];
    const jumps = (seqs: number[]) => seqs.filter((q, i) => i > 0 && q > seqs[i - 1] + 1).length;
    await expect.poll(gapsOf).toBe(models.reduce((n, m) => n + jumps(seqsOf(recorded.filter((e) => e.msg.model === m))), 0));

    // A window missing in the middle of an unbroken run is a gap, not a line across: the session made unbroken (each
    // window renumbered by its rank) replays with none, and with one window left out in the middle, one per model.
    const seqs = seqsOf(recorded);
    expect(seqs.length, 'windows in the recording').toBeGreaterThanOrEqual(3);
    const rank = new Map(seqs.map((q, i) => [q, i]));
    const unbroken = (session.events as Event[]).map((e) => (e.msg.type === 'result' ? { ...e, msg: { ...e.msg, seq: rank.get(e.msg.seq ?? -1) } } : e));
    const middle = Math.floor(seqs.length / 2);
    const gapped = unbroken.filter((e) => !(e.msg.type === 'result' && e.msg.seq === middle));
    for (const [name, events, gaps] of [['unbroken.json', unbroken, 0], ['gapped.json', gapped, models.length]] as const) {
      const replay = join(dir, name);
      writeFileSync(replay, JSON.stringify({ ...session, events }));
      await page.getByRole('button', { name: 'Back to live' }).click();
      await page.getByTestId('replay-file').setInputFiles(replay);
      await page.getByTestId('replay-status').filter({ hasText: 'replayed' }).waitFor({ timeout: 30_000 });
      await expect.poll(gapsOf, { message: `gaps replaying ${name}` }).toBe(gaps);
    }
    expect(browser.problems).toEqual([]);
  }, 120_000);
});
