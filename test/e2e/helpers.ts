import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadAudio } from '../../src/audio/load.ts';
import { writeWav } from '../../src/audio/wav.ts';
import type { ServerOptionsInput } from '../../server/options.ts';

/**
 * What the dashboard's end-to-end tests share: a fresh build of client/ (made once
 * per run by test/setup/dashboard.ts), a real earshot server on a loopback port,
 * and Debian's headless Chromium driven by playwright-core with a fresh profile.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OUTPUT = join(ROOT, 'test', 'output');
export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Under CI (CI set, as CI services and .ci/run do) the browser tests must run: there a missing Chromium fails them. */
export const UNDER_CI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
/** Skip the browser tests only on a machine without Chromium outside CI. */
export const SKIP_BROWSER = !HAVE_CHROMIUM && !UNDER_CI;
const MISSING_CHROMIUM = `${CHROMIUM} is absent: the dashboard's browser tests need Debian's chromium package (apt-get install chromium; .ci/run installs it)`;
export const NO_CHROMIUM = `skipped: ${MISSING_CHROMIUM}. Under CI (CI=1) they fail instead.`;

/** The dashboard built from client/ for this run (what `npm run build` makes, without touching client/dist). */
export function dashboardDist(): string {
  return inject('dashboardDist');
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A scratch folder removed by `cleanup`. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `earshot-e2e-${prefix}-`));
}

/** The probes earshot ships (models/trained): the keyword probe "keywords" (ten words) on oww-speech-embedding, trained on the live windows of the shipped keyword set by `earshot probe train --windows`. */
export const SHIPPED_PROBES = join(ROOT, 'models', 'trained');

/** Server limits a test lowers so that the dashboard meets them (server/README.md, "Fair sharing" and the uploads). */
export type ServerLimits = Partial<Pick<ServerOptionsInput, 'minHopS' | 'maxUploadDurationS' | 'maxUploadsBytes' | 'maxPushSpeed' | 'pushBurstS' | 'statsIntervalMs'>>;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** The real server (server/app.ts buildApp, the real pipeline, one ONNX worker so parallel test files share the cores) on 127.0.0.1 at a free port; uploads and sweeps go to scratch folders. */
export async function startServer(options: { clientDist: string; probeDirs?: string[]; sweepDataDirs?: string[]; limits?: ServerLimits }): Promise<RunningServer> {
  const { buildApp } = await import('../../server/app.ts');
  const uploadsDir = scratchDir('uploads');
  const sweepsDir = scratchDir('sweeps');
  const app = await buildApp({ port: 0, clientDist: options.clientDist, probeDirs: options.probeDirs ?? [], ...(options.sweepDataDirs ? { sweepDataDirs: options.sweepDataDirs } : {}), uploadsDir, sweepsDir, logger: false, workers: 1, ...options.limits });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await app.close();
      for (const dir of [uploadsDir, sweepsDir]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen on the page so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; `extraArgs` add switches (the fake capture device). */
export async function openBrowser(extraArgs: string[] = [], viewport = { width: 1440, height: 1400 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
  const profile = scratchDir('profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.stack ?? err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  return {
    page,
    context,
    problems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A WAV for Chromium's fake capture device (--use-file-for-fake-audio-capture):
 * the English digits one to five with 0.3 s pauses, 16-bit PCM mono, 48 kHz
 * (a usual device rate, so the dashboard's 48 -> 16 kHz resampler runs).
 */
export async function speechWavForCapture(dir: string): Promise<string> {
  return wavForCapture(dir, [1, 2, 3, 4, 5].map((d) => join(ROOT, 'speech', 'digits', 'en', `${d}.wav`)), 'fake-mic.wav');
}

/** Clips one after another, each followed by 0.3 s of silence, as a 48 kHz 16-bit WAV for Chromium's fake capture device. */
export async function wavForCapture(dir: string, clips: string[], name: string): Promise<string> {
  const parts: Float32Array[] = [];
  for (const file of clips) {
    const clip = await loadAudio(file, { sampleRateHz: 48000, mono: true });
    parts.push(clip.channels[0], new Float32Array(14400));
  }
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    samples.set(p, at);
    at += p.length;
  }
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  await writeWav(path, { sampleRateHz: 48000, channels: [samples] }, 'pcm16');
  return path;
}

/** Poll `read` until `ok` holds for its value; throws with the last value after `timeoutMs`. */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** A number shown in an element (e.g. "0.982"), NaN while it shows "–". */
export async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).first().textContent()) ?? '';
  return Number.parseFloat(text);
}

export interface Fixture {
  server: RunningServer;
  browser: Browser;
  /** Scratch folders to remove after the file's tests. */
  cleanups: string[];
}

/**
 * For a describe block: the real server with the shipped probes and a fresh
 * Chromium, started before its tests and closed after them (with the scratch
 * folders pushed onto `cleanups`). Read the fields inside the tests.
 */
export function serverAndBrowser(): Fixture {
  const fixture = { cleanups: [] } as unknown as Fixture;
  beforeAll(async () => {
    fixture.server = await startServer({ clientDist: dashboardDist(), probeDirs: [SHIPPED_PROBES] });
    fixture.browser = await openBrowser();
  }, 120_000);
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.server?.close();
    for (const dir of fixture.cleanups) rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}
