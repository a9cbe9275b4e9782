import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWav } from '../../src/audio/wav.ts';
import { loadSpeech } from '../helpers/audio.ts';
import { NO_CHROMIUM, SKIP_BROWSER, dashboardDist, openBrowser, scratchDir, speechWavForCapture, startServer, until, type Browser, type RunningServer } from './helpers.ts';

// The server's limits as a dashboard user meets them: each refusal or drop shows on the page
// with its code and a message saying which limit and what to do, and the page runs on.

if (SKIP_BROWSER) console.warn(`test/e2e/limits.test.ts ${NO_CHROMIUM}`);

describe.skipIf(SKIP_BROWSER)('the server\'s limits in the dashboard', () => {
  let media = '';
  let browser: Browser;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    media = scratchDir('limits');
    browser = await openBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${await speechWavForCapture(media)}`]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  /** A server with these limits, the page opened on it and connected. */
  async function open(limits: Parameters<typeof startServer>[0]['limits']): Promise<void> {
    const server = await startServer({ clientDist: dashboardDist(), limits });
    servers.push(server);
    await browser.page.goto(server.url);
    await browser.page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor();
    await browser.page.getByTestId('models').getByRole('button', { name: /oww-speech-embedding/ }).waitFor();
  }

  /** A WAV of the spoken digit seven cut or repeated to `seconds`, at 16 kHz. */
  async function speechWav(name: string, seconds: number): Promise<string> {
    const seven = await loadSpeech(7);
    const samples = new Float32Array(Math.round(seconds * 16000)).map((_, i) => seven[i % seven.length]);
    const path = join(media, name);
    await writeWav(path, { sampleRateHz: 16000, channels: [samples] }, 'pcm16');
    return path;
  }

  const toast = (code: string) => browser.page.getByTestId('toast').filter({ hasText: code });

  it('uploads refused for their length or the uploads quota say why in a toast', async () => {
    await open({ maxUploadDurationS: 1, maxUploadsBytes: 10_000 });
    const { page } = browser;
    const cases: [string, number, string, RegExp][] = [
      ['long.wav', 2, 'EARSHOT_UPLOAD_TOO_LONG', /this server keeps uploads of at most 1 s/],
      ['short.wav', 0.01, 'EARSHOT_UPLOAD_TOO_SHORT', /the shortest window of the models this server runs is 0.025 s .* Upload at least 0.025 s/],
      ['big.wav', 0.5, 'EARSHOT_UPLOADS_FULL', /quota of 10000 bytes/],
    ];
    for (const [name, seconds, code, why] of cases) {
      await page.getByTestId('upload').setInputFiles(await speechWav(name, seconds));
      await toast(code).waitFor();
      expect(await toast(code).textContent()).toMatch(why);
    }
    // Nothing was kept, and the page still offers the shipped clips.
    expect(await page.getByTestId('clip').locator('option', { hasText: '⬆' }).count()).toBe(0);
    // Chromium logs each refused request (413, 422, 507); nothing else went wrong on the page.
    expect(browser.problems.filter((p) => !/Failed to load resource: the server responded with a status of (413|422|507)/.test(p))).toEqual([]);
    browser.problems.length = 0;
  }, 120_000);

  it('a stream refused for its hop shows the limit in a toast and beside the stream status', async () => {
    await open({ minHopS: 1 });
    const { page } = browser;
    // This server offers no probes: the hint says so, and labels the serve flag as the operator's, needing a restart.
    expect(await page.getByTestId('no-probes').textContent()).toMatch(/^This server offers no probes\. For the server's operator \(needs a restart\): .*--probes-dir DIR/);
    await page.getByTestId('start').click();
    await toast('EARSHOT_OVER_LIMIT').waitFor();
    expect(await toast('EARSHOT_OVER_LIMIT').textContent()).toMatch(/hop/);
    const status = page.getByTestId('stream-status');
    await status.filter({ hasText: 'stopped' }).waitFor();
    expect(await status.textContent()).toMatch(/one every 1000 ms at most \(server option minHopS\)/);
    expect(browser.problems).toEqual([]);
  }, 120_000);

  it('microphone audio sent faster than the server allows: the drops show on the page, and a toast says why', async () => {
    // Real time is 1x: over a 0.5x budget about half the audio is dropped once the 0.5 s burst is spent.
    await open({ maxPushSpeed: 0.5, pushBurstS: 0.5, statsIntervalMs: 250 });
    const { page } = browser;
    await page.getByTestId('source-browser-mic').click();
    await page.getByTestId('start').click();
    await page.getByTestId('stream-status').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    await toast('EARSHOT_PUSH_TOO_FAST').waitFor({ timeout: 30_000 });
    expect(await toast('EARSHOT_PUSH_TOO_FAST').textContent()).toMatch(/faster than 0.5x real time/);
    const dropped = await until(async () => (await page.getByTestId('push-dropped').textContent().catch(() => '')) ?? '', (t) => /^[\d.]+ s of audio dropped/.test(t), 'the pushed audio dropped shown');
    expect(Number.parseFloat(dropped)).toBeGreaterThan(0);
    await page.getByTestId('stop').click();
    await page.getByTestId('stream-status').filter({ hasText: 'stopped' }).waitFor();
    expect(browser.problems).toEqual([]);
  }, 120_000);
});
