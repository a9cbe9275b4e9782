import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src/audio/load.ts';
import type { OpenWakeWordEncoder } from '../../src/encoders/openwakeword.ts';
import type { TimestampEmbeddings } from '../../src/encoders/types.ts';
import { openWakeWordHeads, WAKE_WORD_HEADS, type WakeWordHead } from '../../src/probes/wakeword.ts';
import { REPO_ROOT } from '../helpers/audio.ts';
import { loader, owwEncoder, owwReference } from '../helpers/openwakeword.ts';

let enc: OpenWakeWordEncoder;
let heads: WakeWordHead[];
const ref = owwReference();
const embeddings = new Map<string, TimestampEmbeddings>();

beforeAll(async () => {
  enc = await owwEncoder();
  heads = await openWakeWordHeads(loader);
  for (const clip of ref.clips) embeddings.set(clip.file, await enc.timestampEmbeddings((await loadAudio(join(REPO_ROOT, clip.file))).channels));
});

const head = (id: string) => heads.find((h) => h.id === id)!;

describe('openWakeWord wake-word heads', () => {
  it('read their window length and labels from the graph', () => {
    expect(heads.map((h) => h.id)).toEqual([...WAKE_WORD_HEADS]);
    expect(heads.map((h) => h.frames)).toEqual([16, 16, 16, 16, 34, 22]);
    expect(head('timer').labels).toEqual(['1_minute_timer', '5_minute_timer', '10_minute_timer', '20_minute_timer', '30_minute_timer', '1_hour_timer']);
    expect(head('hey_jarvis').labels).toEqual(['hey_jarvis']);
  });

  it('hey_jarvis fires (> 0.9) on each synthesized "hey jarvis" clip; the other heads stay low', async () => {
    expect(ref.clips.length).toBe(5);
    for (const clip of ref.clips) {
      const e = embeddings.get(clip.file)!;
      expect(await head('hey_jarvis').scoreClip(e), clip.file).toBeGreaterThan(0.9);
      for (const other of heads.filter((h) => h.id !== 'hey_jarvis')) expect(await other.scoreClip(e), `${other.id} on ${clip.file}`).toBeLessThan(0.05);
    }
  });

  it('every head stays below 0.01 on 3 s of digital silence', async () => {
    const e = await enc.timestampEmbeddings([new Float32Array(48000)]);
    for (const h of heads) expect(await h.scoreClip(e), h.id).toBeLessThan(0.01);
  });

  it('scores each window as openWakeWord\'s Model.predict does, once its window holds only real embeddings', async () => {
    for (const clip of ref.clips) {
      const e = embeddings.get(clip.file)!;
      for (const h of heads) {
        const { firstFrame, scores } = await h.scoreTrack(e);
        const upstream = clip.scores![h.id];
        // Upstream scores one window per 1280-sample chunk it is fed; its first windows reach back into noise warm-up features.
        for (let k = 0; k < scores.length && firstFrame + k < upstream.length; k++) {
          expect(Math.abs(scores[k] - upstream[firstFrame + k]), `${h.id} ${clip.file} window ${k}`).toBeLessThan(1e-3);
        }
      }
    }
  });

  it('streams: a scorer fed the encoder stream gives the clip track', async () => {
    const clip = ref.clips[0];
    const x = (await loadAudio(join(REPO_ROOT, clip.file))).channels[0];
    const h = head('hey_jarvis');
    const stream = enc.stream();
    const scorer = h.scorer();
    const streamed: number[] = [];
    for (let at = 0; at < x.length; at += 3000) streamed.push(...(await scorer.push((await stream.push(x.subarray(at, at + 3000))).embeddings)));
    const { scores } = await h.scoreTrack(embeddings.get(clip.file)!);
    expect(streamed.length).toBe(scores.length);
    streamed.forEach((s, k) => expect(Math.abs(s - scores[k])).toBeLessThan(1e-5));
  });
});
