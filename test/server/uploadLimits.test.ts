import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechPath } from '../helpers/audio.ts';
import { fileConfig, Observer, startServer, until, type TestServer } from './helpers.ts';

// Upload caps: decoded duration (from the header first, then while decoding), and the folder's quota with LRU eviction.

const BOMB = fileURLToPath(new URL('../fixtures/attacks/silence_16384s_8k.flac', import.meta.url));

function multipart(name: string, bytes: Uint8Array): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----earshot-limits';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { payload: Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The FLAC with its STREAMINFO total-samples field zeroed ("unknown"): only decoding can tell its length. */
function withoutDeclaredLength(flac: Uint8Array): Uint8Array {
  const b = flac.slice();
  const d = 8; // after "fLaC" (4 bytes) and the metadata block header (4): STREAMINFO's data
  b[d + 13] &= 0xf0;
  b.fill(0, d + 14, d + 18);
  b.fill(0, d + 18, d + 34); // and its MD5, which a decode would otherwise check
  return b;
}

describe('upload caps', () => {
  let server: TestServer;
  let observer: Observer;
  const upload = (name: string, bytes: Uint8Array) => server.app.inject({ method: 'POST', url: '/api/uploads', ...multipart(name, bytes) });

  beforeAll(async () => {
    const three = (await readFile(speechPath(3))).length;
    server = await startServer({ maxUploadDurationS: 30, maxUploadsBytes: Math.floor(2.5 * three) });
    const id = (await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() })).json().id as string;
    observer = await Observer.watch(server.ws, id);
  }, 60_000);
  afterAll(async () => {
    observer?.client.close();
    await server?.close();
  });

  it('a FLAC that declares 16384 s is refused from its header, before it is decoded', async () => {
    const res = await upload('bomb.flac', await readFile(BOMB));
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('EARSHOT_UPLOAD_TOO_LONG');
    expect(res.json().message).toMatch(/upload "bomb\.flac" declares 16384 s of audio; this server keeps uploads of at most 30 s \(server option maxUploadDurationS\)/);
    await observer.assertSteady();
  });

  it('the same FLAC hiding its length is refused as soon as decoding passes the cap, on a task thread', async () => {
    const res = await upload('bomb.flac', withoutDeclaredLength(await readFile(BOMB)));
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/upload "bomb\.flac" decodes to more than 3\d(\.\d)? s of audio/);
    expect(server.app.tasks.cpuMs.get('inspectUpload')).toBeGreaterThan(0);
    expect(await readdir(server.uploadsDir)).toEqual([]);
    await observer.assertSteady();
  });

  it('the quota deletes the least recently played uploads to make room, never one a stream plays', async () => {
    const bytes = await readFile(speechPath(3));
    const ids: string[] = [];
    for (const name of ['a.wav', 'b.wav']) {
      const res = await upload(name, bytes);
      expect(res.statusCode).toBe(201);
      ids.push(res.json().id as string);
    }
    // a is played (most recently used, and in use): b is the one to go.
    const playing = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig({ source: { kind: 'file', path: ids[0], realtime: true, loop: true } }) });
    expect(playing.statusCode).toBe(201);
    const third = await upload('c.wav', bytes);
    expect(third.statusCode).toBe(201);
    const listed = ((await server.app.inject('/api/clips')).json() as { id: string }[]).map((c) => c.id);
    expect(listed).toContain(ids[0]);
    expect(listed).not.toContain(ids[1]);
    expect(listed).toContain(third.json().id);
    expect((await readdir(server.uploadsDir)).filter((f) => f.startsWith(ids[1].slice(7)))).toEqual([]);
    // Now a and c fill the quota and a is playing: c goes for d; with a alone left and playing, an upload that needs a's room is refused.
    const fourth = await upload('d.wav', bytes);
    expect(fourth.statusCode).toBe(201);
    const big = await upload('e.wav', Buffer.concat([bytes.subarray(0, 44), Buffer.alloc(Math.floor(1.6 * bytes.length))]));
    expect(big.statusCode).toBe(507);
    expect(big.json().code).toBe('EARSHOT_UPLOADS_FULL');
    expect(big.json().message).toMatch(/quota of \d+ bytes \(server option maxUploadsBytes\).*being played/);
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${playing.json().id as string}` });
    await until(() => server.app.streams.list().length === 1, 10_000, 'the upload stream stopped');
    await observer.assertSteady();
  });
});
