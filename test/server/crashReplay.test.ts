// Every input that once ended the server process, replayed against ONE real `earshot serve`
// (the compiled CLI, on loopback); then a victim stream must still play. And a fault nobody
// catches inside a stream's or a connection's own work ends that stream or connection only.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_THREAD_FLAGS } from '../../src/moduleStart.ts';
import { REPO_ROOT, speechPath, tempDir } from '../helpers/audio.ts';
import { EARSHOT_NODE_ARGS } from '../helpers/cli.ts';
import { buildWav } from '../audio/wavBuilder.ts';
import { fileConfig, TestClient } from './helpers.ts';

/** A server process and the address it announced (a line matching `pattern` on stdout or stderr). */
async function spawnServer(args: string[], pattern: RegExp): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address announced: ${output}`)), 60_000);
    const read = (d: Buffer) => {
      output += d.toString();
      const m = pattern.exec(output);
      if (!m) return;
      clearTimeout(timer);
      resolve(m[1]);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${output}`)));
  });
  return { child, url, output: () => output };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function wav(sampleRateHz: number, samples: number): Uint8Array {
  const data = new Float32Array(samples).map((_, i) => Math.sin(i / 7) / 4);
  return buildWav({ formatTag: 3, bits: 32, channels: 1, sampleRateHz, data: new Uint8Array(data.buffer) });
}

function upload(url: string, name: string, bytes: Uint8Array): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)]), name);
  return fetch(`${url}/api/uploads`, { method: 'POST', body: form });
}

/** Start a stream over the WebSocket and wait for `count` of its results. */
async function victimPlays(ws: string, count = 3): Promise<void> {
  const c = await TestClient.open(ws);
  try {
    c.send({ type: 'start', config: fileConfig(), id: 'victim' });
    const started = await c.next('started', undefined, 60_000);
    for (let k = 0; k < count; k++) await c.next('result', started.streamId as string, 60_000);
  } finally {
    c.close();
  }
}

describe('one earshot serve process takes every input that once ended it', () => {
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let uploads: string;
  const planted = randomUUID();
  const stale = randomUUID();

  beforeAll(async () => {
    dir = await tempDir('earshot-crash-');
    uploads = join(dir.dir, 'uploads');
    await mkdir(uploads);
    // Metadata that points outside the uploads folder (written by someone with local access).
    await writeFile(join(dir.dir, 'outside.wav'), await readFile(speechPath(7)));
    const meta = { id: `upload/${planted}`, path: `uploads/${planted}.wav`, origin: 'upload', name: 'planted.wav', durationS: 0.8, sampleRateHz: 16000, channels: 1, bytes: 1, file: `${planted}/../../outside.wav` };
    await writeFile(join(uploads, `${planted}.json`), JSON.stringify(meta));
    await writeFile(join(uploads, `${randomUUID()}.json`), '{"id": "upload/cut sh');
    // A 384 kHz upload an earlier version kept: listed, it ended the process when a stream played it.
    await writeFile(join(uploads, `${stale}.wav`), wav(384_000, 2000));
    await writeFile(join(uploads, `${stale}.json`), JSON.stringify({ ...meta, id: `upload/${stale}`, path: `uploads/${stale}.wav`, sampleRateHz: 384_000, file: `${stale}.wav` }));
    server = await spawnServer([...EARSHOT_NODE_ARGS, 'serve', '--port', '0', '--uploads', uploads, '--sweeps', join(dir.dir, 'sweeps'), '--workers', '1'], /serving on (http:\/\/127\.0\.0\.1:\d+)/);
  }, 90_000);

  afterAll(async () => {
    await stop(server?.child);
    await dir?.cleanup();
  });

  it('replays them all; each gets a clear 4xx or error message, and a victim stream then plays', { timeout: 180_000 }, async () => {
    const { url } = server!;
    const ws = `${url.replace(/^http/, 'ws')}/ws`;
    const clips = async () => ((await (await fetch(`${url}/api/clips`)).json()) as { id: string }[]).map((c) => c.id);

    // Upload metadata naming a file outside the folder is not listed, nor one cut short; the server started.
    expect(await clips()).not.toContain(`upload/${planted}`);
    expect(await clips()).not.toContain(`upload/${stale}`);
    const sneaky = await fetch(`${url}/api/streams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fileConfig({ source: { kind: 'file', path: `upload/${planted}` } })) });
    expect(sneaky.status).toBe(404);

    // A deeply nested id in ping and subscribe.
    const c = await TestClient.open(ws);
    const deep = `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`;
    for (const type of ['ping', 'subscribe']) {
      const from = c.messages.length;
      c.ws.send(`{"v":1,"type":"${type}","t":0,"streamId":"x","id":${deep}}`);
      expect(await c.waitFor((m) => m.type === 'error', 20_000, from)).toMatchObject({ code: 'EARSHOT_BAD_MESSAGE', message: expect.stringMatching(/JSON nesting deeper than 32 levels/) });
    }
    c.close();

    // Rates a stream cannot play (384 kHz, the 32-bit maximum, 1 Hz, 50 Hz) are refused at upload, so no stream can pick them.
    const before = await clips();
    for (const rate of [384_000, 4_294_967_295, 1, 50]) {
      const res = await upload(url, `rate-${rate}.wav`, wav(rate, 2000));
      expect(res.status, `${rate} Hz`).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'EARSHOT_UNSUPPORTED_RATE', message: expect.stringContaining('8000 to 192000 Hz') });
    }
    // Shorter than a window of any model the server runs (naive-logmel: 25 ms).
    const short = await upload(url, 'short.wav', wav(16000, 100));
    expect(short.status).toBe(422);
    expect(await short.json()).toEqual({ code: 'EARSHOT_UPLOAD_TOO_SHORT', message: expect.stringMatching(/^upload "short.wav" lasts 0.00625 s; the shortest window .* is 0.025 s \(naive-logmel\).*at least 0.025 s/) });
    expect(await clips()).toEqual(before);

    // An empty file name is stored under a generated id and shown as "upload".
    const unnamed = await upload(url, '', await readFile(speechPath(4)));
    expect(unnamed.status).toBe(201);
    expect(await unnamed.json()).toMatchObject({ name: 'upload', origin: 'upload' });

    // A multipart body the parser cannot read.
    const garbled = await fetch(`${url}/api/uploads`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF' });
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ code: 'EARSHOT_INVALID_MULTIPART' });

    // 50 000-deep JSON bodies.
    for (const route of ['/api/sweeps', '/api/streams']) {
      const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}` });
      expect(res.status, route).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'EARSHOT_JSON_TOO_DEEP' });
    }

    // Still the same process, and it serves a stream.
    expect(server!.child.exitCode).toBeNull();
    await victimPlays(ws);
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
  });
});

describe('a fault nobody catches ends only the stream or connection whose work raised it', () => {
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir('earshot-fault-');
    server = await spawnServer([...MAIN_THREAD_FLAGS, join(REPO_ROOT, 'dist', 'test', 'server', 'faultyServeChild.js'), dir.dir], /^(http:\/\/127\.0\.0\.1:\d+)$/m);
  }, 90_000);

  afterAll(async () => {
    await stop(server?.child);
    await dir?.cleanup();
  });

  /** A REST-started victim stream, and a client watching it that has seen its first result. */
  async function watchVictim(): Promise<{ ws: string; watcher: TestClient; victimId: string }> {
    const ws = `${server!.url.replace(/^http/, 'ws')}/ws`;
    const watcher = await TestClient.open(ws);
    const victim = await fetch(`${server!.url}/api/streams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fileConfig()) });
    const victimId = ((await victim.json()) as { id: string }).id;
    watcher.send({ type: 'subscribe', streamId: victimId });
    await watcher.next('result', victimId, 60_000);
    return { ws, watcher, victimId };
  }

  it('a throw in its timer or an unhandled rejection: its clients are told, others play on, the process runs', { timeout: 120_000 }, async () => {
    const { watcher, victimId } = await watchVictim();
    for (const [seed, what] of [[666, 'injected fault in a timer'], [667, 'injected unhandled rejection']] as const) {
      const from = watcher.messages.length;
      watcher.send({ type: 'start', config: fileConfig({ condition: { snrDb: 10, seed } }) });
      const started = await watcher.waitFor((m) => m.type === 'started', 60_000, from);
      const stopped = await watcher.waitFor((m) => m.type === 'stopped' && m.streamId === started.streamId, 60_000, from);
      expect(stopped.reason).toBe(`failed: stream ${String(started.streamId)} failed: ${what}`);
      expect(watcher.messages.slice(from).find((m) => m.type === 'error' && m.streamId === started.streamId)).toMatchObject({ code: 'EARSHOT_STREAM_FAILED' });
      // The victim plays on, for the same client.
      await watcher.next('result', victimId, 60_000);
    }
    expect(watcher.closeCode).toBeUndefined();
    expect(server!.child.exitCode).toBeNull();
    expect(server!.output()).toMatch(/uncaught exception in stream .*: ending it; the server runs on/);
    expect(server!.output()).toMatch(/unhandled rejection in stream .*: ending it; the server runs on/);
    watcher.close();
  });

  it('a throw in a connection\'s own work closes that connection alone with 1011; the others play on', { timeout: 120_000 }, async () => {
    const { ws, watcher, victimId } = await watchVictim();
    for (const [t, what] of [[666, 'injected fault in a connection'], [667, 'injected fault in a connection timer']] as const) {
      const faulty = await TestClient.open(ws);
      faulty.send({ type: 'ping', t });
      const error = await faulty.waitFor((m) => m.type === 'error', 60_000);
      expect(error).toMatchObject({ code: 'EARSHOT_INTERNAL' });
      expect(String(error.message)).toMatch(/it is closed, reconnect/);
      expect(String(error.message)).not.toContain(what);
      expect(await faulty.closed(60_000)).toBe(1011);
      expect(server!.output()).toContain(what);
      // The other client and its stream play on.
      await watcher.next('result', victimId, 60_000);
    }
    expect(watcher.closeCode).toBeUndefined();
    expect(server!.child.exitCode).toBeNull();
    expect(server!.output()).toMatch(/uncaught exception in WebSocket connection .*: ending it; the server runs on/);
    watcher.close();
  });
});
