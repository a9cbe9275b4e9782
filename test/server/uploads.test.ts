import { readdir, readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/wav.ts';
import { windowSpec } from '../../src/pipeline/streamConfig.ts';
import { loadSpeech, speechPath } from '../helpers/audio.ts';
import { buildWav } from '../audio/wavBuilder.ts';
import { fileConfig, Observer, startServer, TestClient, type TestServer } from './helpers.ts';

let server: TestServer;
let observer: Observer;
beforeAll(async () => {
  server = await startServer({ maxUploadBytes: 200_000 });
  // A well-behaved WebSocket client watches a stream throughout.
  const id = (await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() })).json().id;
  observer = await Observer.watch(server.ws, id);
});
afterEach(async () => {
  await observer.assertSteady();
});
afterAll(async () => {
  observer?.client.close();
  await server?.close();
});

/** A multipart/form-data body with one file part. */
function multipart(name: string, bytes: Uint8Array, contentType = 'application/octet-stream'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----earshot-test-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  const payload = Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const upload = (name: string, bytes: Uint8Array) => server.app.inject({ method: 'POST', url: '/api/uploads', ...multipart(name, bytes) });

function float32Wav(samples: number[], sampleRateHz = 16000): Uint8Array {
  return buildWav({ formatTag: 3, bits: 32, channels: 1, sampleRateHz, data: new Uint8Array(new Float32Array(samples).buffer) });
}

describe('POST /api/uploads', () => {
  it('stores a WAV under a generated id, lists it in /api/clips and keeps it across restarts', async () => {
    const bytes = await readFile(speechPath(3));
    const res = await upload('three.wav', bytes);
    expect(res.statusCode).toBe(201);
    const clip = res.json();
    expect(clip).toMatchObject({ origin: 'upload', name: 'three.wav', sampleRateHz: 16000, channels: 1, bytes: bytes.length });
    expect(clip.id).toMatch(/^upload\/[0-9a-f-]{36}$/);
    expect(clip.path).toMatch(/^uploads\/[0-9a-f-]{36}\.wav$/);
    const clips = (await server.app.inject('/api/clips')).json() as { id: string }[];
    expect(clips.map((c) => c.id)).toContain(clip.id);
    expect((await readdir(server.uploadsDir)).sort()).toEqual([`${clip.id.slice(7)}.json`, `${clip.id.slice(7)}.wav`]);

    const again = await startServer({ uploadsDir: server.uploadsDir });
    try {
      expect(((await again.app.inject('/api/clips')).json() as { id: string }[]).map((c) => c.id)).toContain(clip.id);
    } finally {
      await again.close();
    }
  });

  it('never uses the client file name as a path', async () => {
    const res = await upload('../../../etc/evil\u0000.wav', float32Wav(Array.from({ length: 1600 }, (_, i) => Math.sin(i / 5) / 4)));
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe('evil_.wav');
    for (const f of await readdir(server.uploadsDir)) expect(f).toMatch(/^[0-9a-f-]{36}\.(wav|json)$/);
  });

  it('refuses what is not audio: 415 naming the upload and what was found', async () => {
    const res = await upload('notes.txt', new TextEncoder().encode('hello, this is not audio'));
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ code: 'EARSHOT_UNKNOWN_FORMAT', message: expect.stringMatching(/upload "notes.txt": not a recognised audio format .*WAV, FLAC, Ogg Vorbis and MP3/) });
  });

  it('refuses a format earshot does not read (415), corrupt (422), empty (422) or NaN audio (422)', async () => {
    const mp4 = new Uint8Array(32);
    mp4.set(new TextEncoder().encode('ftypisom'), 4);
    expect((await upload('clip.m4a', mp4)).json()).toMatchObject({ code: 'EARSHOT_UNKNOWN_FORMAT', message: expect.stringMatching(/MP4\/M4A is not supported/) });
    const truncated = float32Wav([0.1, 0.2, 0.3, 0.4]).subarray(0, 50);
    const bad = await upload('cut.wav', truncated);
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'EARSHOT_CORRUPT_AUDIO']);
    const empty = await upload('empty.wav', new Uint8Array(0));
    expect([empty.statusCode, empty.json().code]).toEqual([422, 'EARSHOT_EMPTY_AUDIO']);
    const nan = await upload('nan.wav', float32Wav([0.1, NaN]));
    expect([nan.statusCode, nan.json().code]).toEqual([422, 'EARSHOT_NON_FINITE_AUDIO']);
  });

  it('refuses, at upload, a sample rate a stream cannot play (384 kHz, the 32-bit maximum, 50 Hz), naming the rate and the range; nothing is listed', async () => {
    const before = (await server.app.inject('/api/clips')).json().length;
    for (const rate of [384000, 4294967295, 50]) {
      const res = await upload('odd-rate.wav', float32Wav([0.1, -0.1, 0.2, -0.2], rate));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ code: 'EARSHOT_UNSUPPORTED_RATE', message: `upload "odd-rate.wav": sampled at ${rate} Hz; earshot streams audio sampled at 8000 to 192000 Hz. Resample it first (e.g. ffmpeg -i IN -ar 16000 OUT.wav).` });
    }
    expect((await server.app.inject('/api/clips')).json()).toHaveLength(before);
  });

  it('refuses an upload over the size limit with 413 and a clear message', async () => {
    const res = await upload('big.wav', float32Wav(Array.from({ length: 60_000 }, () => 0.1)));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: 'EARSHOT_UPLOAD_TOO_LARGE', message: 'the upload is larger than the 200 kB limit; send a shorter clip or compress it (FLAC, Ogg, MP3)' });
  });

  it('refuses a request that is not multipart (415) or has no file (400)', async () => {
    const json = await server.app.inject({ method: 'POST', url: '/api/uploads', payload: { file: 'x' } });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toEqual({ code: 'EARSHOT_NOT_MULTIPART', message: expect.stringMatching(/multipart\/form-data .* curl -F file=@clip.wav/) });
    const boundary = 'b';
    const noFile = await server.app.inject({
      method: 'POST',
      url: '/api/uploads',
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().message).toMatch(/no file part/);
  });

  it('a 44.1 kHz upload streams: its scene thread resamples it to the model\'s 16 kHz, and every window and sample of the clip comes out', async () => {
    const [three, four] = await Promise.all([loadSpeech(3, 44100), loadSpeech(4, 44100)]);
    const clip = new Float32Array(three.length + four.length);
    clip.set(three);
    clip.set(four, three.length);
    const res = await upload('cd-rate.wav', encodeWav({ sampleRateHz: 44100, channels: [clip] }, 'pcm16'));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ sampleRateHz: 44100 });
    const c = await TestClient.open(server.ws);
    try {
      c.send({ type: 'start', config: { source: { kind: 'file', path: res.json().id, realtime: false, loop: false }, models: ['naive-logmel'], condition: { snrDb: 5, noise: { ids: ['cafe'], sources: 2 } }, vad: false } });
      const id = (await c.waitFor((m) => m.type === 'started' || m.type === 'error', 30_000)).streamId as string;
      expect(await c.waitFor((m) => m.type === 'stopped' && m.streamId === id, 60_000)).toMatchObject({ reason: 'ended' });
      expect(c.of('error')).toEqual([]);
      // n samples at 44.1 kHz give round(n · 16000 / 44100) at 16 kHz, the flushed tail included.
      const samples = Math.round((clip.length * 16000) / 44100);
      const audio = c.of('audio', id);
      expect(new Set(audio.map((a) => a.sampleRateHz))).toEqual(new Set([16000]));
      expect(audio.reduce((n, a) => n + (a.samples as number), 0)).toBe(samples);
      const { windowSamples, hopSamples } = windowSpec(server.app.models.entry('naive-logmel').manifest);
      const windows = Math.floor((samples - windowSamples) / hopSamples) + 1;
      expect(c.of('result', id).map((r) => r.seq)).toEqual(Array.from({ length: windows }, (_, k) => k));
    } finally {
      c.close();
    }
  });

  it('an upload is streamable by its id or path; other files are not', async () => {
    const clip = (await upload('four.wav', await readFile(speechPath(4)))).json();
    for (const path of [clip.id, clip.path]) {
      const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: { source: { kind: 'file', path, realtime: true, loop: false }, models: ['naive-logmel'], vad: false } });
      expect(res.statusCode, res.body).toBe(201);
      await server.app.inject({ method: 'DELETE', url: `/api/streams/${res.json().id}` });
    }
    const sneaky = await server.app.inject({ method: 'POST', url: '/api/streams', payload: { source: { kind: 'file', path: `uploads/${clip.id.slice(7)}.json` }, models: ['naive-logmel'] } });
    expect(sneaky.statusCode).toBe(404);
  });
});
