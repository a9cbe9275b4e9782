// The synthesized speech earshot ships (speech/keywords and
// wakewords, made by make-speech-sets.sh) and the keyword probe trained on it
// (models/trained/keywords.json): the set is big enough for the default sweep,
// the wake-word clips do what their folders promise with the real heads, and
// the probe is right on the live windows of the clips the dashboard offers.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src/audio/load.ts';
import { readLabelledData } from '../../src/probes/dataset.ts';
import { stratifiedSplit } from '../../src/probes/split.ts';
import { openWakeWordHeads, WAKE_WORD_HEADS, type WakeWordHead } from '../../src/probes/wakeword.ts';
import { createRng } from '../../src/random.ts';
import { SWEEP_DEFAULTS } from '../../src/sweep/spec.ts';
import { REPO_ROOT } from '../helpers/audio.ts';
import { runMain } from '../helpers/cli.ts';
import { loader, owwEncoder } from '../helpers/openwakeword.ts';

const SPEECH = join(REPO_ROOT, 'speech');
const KEYWORDS = join(SPEECH, 'keywords');
const WAKEWORDS = join(SPEECH, 'wakewords');
const PROBE = join(REPO_ROOT, 'models', 'trained', 'keywords.json');

/** Rows of a manifest.csv (no quoted commas in these files). */
async function manifest(dir: string): Promise<Record<string, string>[]> {
  const [header, ...rows] = (await readFile(join(dir, 'manifest.csv'), 'utf8')).trim().split('\n');
  const keys = header.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [keys[i], v.replace(/^"|"$/g, '')])));
}

describe('the shipped keyword set', () => {
  it('has >= 10 classes, >= 8 test clips per class in the default sweep split, several voices per class, all in its manifest', async () => {
    const data = await readLabelledData(KEYWORDS);
    expect(data.classes.length).toBeGreaterThanOrEqual(10);
    const { heldOut } = stratifiedSplit(data.labels, SWEEP_DEFAULTS.testFraction, createRng(SWEEP_DEFAULTS.splitSeed).fork('sweep-test-split'));
    for (const [c, name] of data.classes.entries()) expect(heldOut.filter((i) => data.labels[i] === c).length, name).toBeGreaterThanOrEqual(8);

    const rows = await manifest(KEYWORDS);
    expect(rows.map((r) => r.path).sort()).toEqual([...data.files].sort());
    for (const name of data.classes) {
      const mine = rows.filter((r) => r.label === name);
      // Distinct espeak-ng voices (language variants), not counting the voice variants (+f1, +m3, ...) on top.
      expect(new Set(mine.map((r) => r.voice.split('+')[0])).size, name).toBeGreaterThanOrEqual(4);
      expect(new Set(mine.map((r) => r.voice)).size, name).toBeGreaterThanOrEqual(10);
    }
    const clip = await loadAudio(join(KEYWORDS, data.files[0]));
    expect([clip.sampleRateHz, clip.channels.length, clip.channels[0].length]).toEqual([16000, 1, 16000]);
  });
});

describe('the shipped wake-word clips', () => {
  let heads: WakeWordHead[];
  const scores = new Map<string, Record<string, number>>();

  beforeAll(async () => {
    const enc = await owwEncoder();
    heads = await openWakeWordHeads(loader);
    for (const row of await manifest(WAKEWORDS)) {
      const e = await enc.timestampEmbeddings((await loadAudio(join(WAKEWORDS, row.path))).channels);
      const byHead: Record<string, number> = {};
      for (const h of heads) byHead[h.id] = await h.scoreClip(e);
      scores.set(row.path, byHead);
    }
  });

  it('are laid out as <head id>/ (positives) and negative/, every folder in the manifest', async () => {
    const folders = (await readdir(WAKEWORDS, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.sort()).toEqual([...WAKE_WORD_HEADS, 'negative'].sort());
    for (const folder of folders) expect((await readdir(join(WAKEWORDS, folder))).length).toBe([...scores.keys()].filter((p) => p.startsWith(`${folder}/`)).length);
  });

  it('each positive fires its head (>= 0.5) and no other; no head fires on a negative', () => {
    for (const [path, byHead] of scores) {
      const folder = path.split('/')[0];
      for (const head of WAKE_WORD_HEADS) {
        if (head === folder) expect(byHead[head], `${head} on ${path}`).toBeGreaterThanOrEqual(0.5);
        else expect(byHead[head], `${head} on ${path}`).toBeLessThan(0.5);
      }
    }
    for (const head of WAKE_WORD_HEADS) expect([...scores.keys()].filter((p) => p.startsWith(`${head}/`)).length, head).toBeGreaterThanOrEqual(4);
  });
});

describe('the shipped keyword probe', () => {
  it('is right on >= 90 % of the live windows of the keyword clips the dashboard offers, all held out of its training (earshot stream)', async () => {
    const probe = JSON.parse(await readFile(PROBE, 'utf8')) as { classes: string[]; trainedOn: { heldOut: string[]; unit?: string } };
    expect(probe.trainedOn.unit).toBe('live-window');
    const offered = (await readFile(join(SPEECH, 'clips.txt'), 'utf8')).split('\n').filter((l) => l.startsWith('keywords/'));
    expect(offered.length).toBeGreaterThanOrEqual(probe.classes.length);
    let windows = 0;
    let right = 0;
    for (const clip of offered) {
      const rel = clip.slice('keywords/'.length);
      expect(probe.trainedOn.heldOut, clip).toContain(rel);
      const run = await runMain(['stream', join(SPEECH, clip), '--model', 'oww-speech-embedding', '--probe', PROBE, '--no-vad', '--workers', '1']);
      expect(run.code, run.stderr).toBe(0);
      for (const line of run.stdout.trim().split('\n')) {
        const { probe: p } = JSON.parse(line) as { probe: { classes: string[]; clean: number[] } };
        const top = p.clean.indexOf(Math.max(...p.clean));
        windows += 1;
        if (p.classes[top] === rel.split('/')[0]) right += 1;
      }
    }
    expect(windows).toBeGreaterThanOrEqual(2 * offered.length);
    expect(right / windows).toBeGreaterThanOrEqual(0.9);
  }, 180_000);
});
