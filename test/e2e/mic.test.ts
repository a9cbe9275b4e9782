import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CHROMIUM, SKIP_BROWSER, dashboardDist, openBrowser, scratchDir, speechWavForCapture, startServer, until, type Browser, type RunningServer } from './helpers.ts';

// The browser-microphone path end to end: Chromium's fake capture device
// plays a WAV of spoken digits (48 kHz) -> getUserMedia -> AudioWorklet ->
// the dashboard's 16 kHz resampler -> `start` with a push source and `audio`
// messages -> the real server and pipeline -> results back in the page.

if (SKIP_BROWSER) console.warn(`test/e2e/mic.test.ts ${NO_CHROMIUM}`);

describe.skipIf(SKIP_BROWSER)('browser microphone through Chromium’s fake capture device', () => {
  let server: RunningServer;
  let browser: Browser;
  const cleanups: string[] = [];

  beforeAll(async () => {
    const media = scratchDir('media');
    cleanups.push(media);
    const wav = await speechWavForCapture(media);
    server = await startServer({ clientDist: dashboardDist() });
    browser = await openBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
  });

  it('streams the fake microphone to the server and shows the results', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('models').getByRole('button', { name: /oww-speech-embedding/ }).waitFor();
    await page.getByTestId('source-browser-mic').click();
    await page.getByTestId('start').click();

    await page.getByTestId('stream-status').filter({ hasText: 'browser mic' }).filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    const sent = await until(async () => Number(await page.getByTestId('mic-info').getAttribute('data-sent-s')), (s) => s >= 1, 'a second of microphone audio sent');
    expect(sent).toBeGreaterThanOrEqual(1);
    const seq = await until(async () => Number.parseInt((await page.getByTestId('cosine').getAttribute('data-seq')) ?? '', 10), (s) => s >= 5, 'results of the microphone stream');
    expect(seq).toBeGreaterThanOrEqual(5);
    expect(Number.parseFloat((await page.getByTestId('cosine').getAttribute('data-value')) ?? '')).toBeGreaterThan(0.9);
    // The digits reached the server: the clean audio it sends back is speech, not silence.
    const loudest = await until(async () => Number(await page.getByTestId('meter-clean').getAttribute('data-rms')), (db) => db > -45, 'speech level in the returned audio');
    expect(loudest).toBeGreaterThan(-45);

    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
    expect(browser.problems).toEqual([]);
  }, 120_000);
});
