import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { probeDirs } from '../../src/probes/resolveProbe.ts';
import { WAKEWORD_FIXTURES } from '../helpers/openwakeword.ts';
import { NO_CHROMIUM, SKIP_BROWSER, dashboardDist, openBrowser, scratchDir, speechWavForCapture, startServer, until, wavForCapture, type Browser, type RunningServer } from './helpers.ts';

// The browser-microphone path end to end: Chromium's fake capture device
// plays a WAV of spoken digits (48 kHz) -> getUserMedia -> AudioWorklet ->
// the dashboard's 16 kHz resampler -> `start` with a push source and `audio`
// messages -> the real server and pipeline -> results back in the page.

if (SKIP_BROWSER) console.warn(`test/e2e/mic.test.ts ${NO_CHROMIUM}`);

/** A server and a Chromium whose fake microphone plays the WAV `wav` writes into a scratch folder; for one describe block. */
function micSession(wav: (media: string) => Promise<string>, probeDirs?: string[]): { server: RunningServer; browser: Browser } {
  const session = {} as { server: RunningServer; browser: Browser };
  let media = '';
  beforeAll(async () => {
    media = scratchDir('media');
    const file = await wav(media);
    session.server = await startServer({ clientDist: dashboardDist(), ...(probeDirs ? { probeDirs } : {}) });
    session.browser = await openBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${file}`]);
  }, 120_000);
  afterAll(async () => {
    await session.browser?.close();
    await session.server?.close();
    if (media) rmSync(media, { recursive: true, force: true });
  });
  return session;
}

describe.skipIf(SKIP_BROWSER)('browser microphone through Chromium’s fake capture device', () => {
  const session = micSession((media) => speechWavForCapture(media));

  it('streams the fake microphone to the server and shows the results', async () => {
    const { server, browser } = session;
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

// The wake-word panel live: the fake microphone says "hey jarvis" (two synthesized clips, 1 s of
// silence around each, looped by Chromium) into a stream with the oww-wakeword probe.
describe.skipIf(SKIP_BROWSER)('wake-word panel with the browser microphone saying "hey jarvis"', () => {
  const clips = ['hey_jarvis_en-us_150.wav', 'hey_jarvis_en-gb_150.wav'].map((f) => join(WAKEWORD_FIXTURES, f));
  const session = micSession((media) => wavForCapture(media, clips, 'hey-jarvis.wav'), probeDirs());

  it('shows each head\'s scores, the threshold control and a hey_jarvis detection marker', async () => {
    const { browser } = session;
    const { page } = browser;
    const { server } = session;
    await page.goto(server.url);
    await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('models').getByRole('button', { name: /oww-speech-embedding/ }).waitFor();
    await page.getByTestId('probe').selectOption('oww-wakeword');
    await page.getByTestId('source-browser-mic').click();
    await page.getByTestId('start').click();
    await page.getByTestId('stream-status').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });

    const panel = page.getByTestId('wake-panel');
    await panel.waitFor({ timeout: 30_000 });
    const jarvis = panel.locator('[data-testid="wake-head"][data-head="hey_jarvis"]');
    await jarvis.waitFor({ timeout: 30_000 });
    expect(await panel.getByTestId('wake-head').count()).toBe(6);
    // A detection marker of hey_jarvis on the clean side (the mic's audio as the server heard it).
    const marker = panel.locator('[data-testid="wake-detection"][data-head="hey_jarvis"][data-side="clean"]').first();
    await marker.waitFor({ timeout: 60_000 });
    expect(await marker.textContent()).toMatch(/hey_jarvis at \d+\.\d+ s, clean/);
    // The threshold control reaches the server: the results that follow are read at the new threshold.
    await panel.getByTestId('wake-threshold').fill('0.8');
    await expect.poll(async () => panel.getAttribute('data-threshold')).toBe('0.8');
    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
    expect(browser.problems).toEqual([]);
  }, 180_000);
});
