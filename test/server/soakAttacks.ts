// The attacks of test/server/soakHarness.ts, run on a worker thread of their own: their client-side work
// (building uploads, flooding a socket) then never delays the victim's client or the health probe, which
// share the harness's event loop. Each attack runs for the seconds it is given and returns what the server
// answered it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { binaryFrame, FRAME_KIND } from '../../server/ws/frames.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { TestClient } from './helpers.ts';

/** A 36 KB FLAC of silence that decodes to 16384 s at 8 kHz. */
export const BOMB = join(PACKAGE_ROOT, 'test', 'fixtures', 'attacks', 'silence_16384s_8k.flac');
/** The uploads quota the soak's server runs with (bytes). */
export const UPLOADS_QUOTA = 16_000_000;

export interface AttackTarget {
  http: string;
  ws: string;
}

type Api = (method: string, path: string, body?: unknown, raw?: string) => Promise<Response>;
type Attack = (seconds: number) => Promise<string[]>;

/** The review's attack table, scaled down, in the order they run. */
export function attacks(server: AttackTarget): Record<string, Attack> {
  const api: Api = (method, path, body, raw) =>
    fetch(`${server.http}${path}`, { method, ...(body !== undefined || raw !== undefined ? { body: raw ?? JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const speech = (extra: object) => ({ source: { kind: 'file', path: 'digits/en/3', realtime: true, loop: true }, condition: { snrDb: 5 }, vad: false, ...extra });
  const until = (seconds: number) => {
    const end = Date.now() + seconds * 1000;
    return () => Date.now() < end;
  };
  const restStream = async (config: object): Promise<[string, string | null]> => {
    const res = await api('POST', '/api/streams', config);
    const body = (await res.json()) as { id?: string; code?: string };
    return [`${res.status} ${body.code ?? ''}`.trim(), body.id ?? null];
  };
  return {
    'no attack': async (s) => {
      for (const more = until(s); more(); ) await new Promise((r) => setTimeout(r, 100));
      return [];
    },
    'a stream with hopS 1e-9 (naive-logmel), then the shortest hop allowed': async (s) => {
      const [refused] = await restStream(speech({ models: ['naive-logmel'], hopS: 1e-9 }));
      const [ok, id] = await restStream(speech({ models: ['naive-logmel'], hopS: 0.04 }));
      const more = until(s);
      while (more()) await new Promise((r) => setTimeout(r, 100));
      if (id) await api('DELETE', `/api/streams/${id}`);
      return [refused, ok];
    },
    '7 streams with ckaWindows 1024 from one client, then the most allowed': async (s) => {
      const c = await TestClient.open(server.ws);
      for (let i = 0; i < 7; i++) c.send({ type: 'start', id: i, config: speech({ models: ['oww-speech-embedding'], ckaWindows: 1024 }) });
      const first = await c.waitFor((m) => m.type === 'error' && m.id === 0);
      const fits = Number(/ckaWindows ≤ (\d+)/.exec(String(first.message))?.[1] ?? 20);
      for (let i = 0; i < 7; i++) c.send({ type: 'start', id: 10 + i, config: speech({ models: ['oww-speech-embedding'], ckaWindows: fits }) });
      await c.waitFor((m) => (m.type === 'error' || m.type === 'started') && m.id === 16);
      const more = until(s);
      while (more()) await new Promise((r) => setTimeout(r, 100));
      const answers = c.messages.filter((m) => m.type === 'error' || m.type === 'started').map((m) => (m.type === 'error' ? String(m.code) : 'started'));
      c.close();
      await c.closed();
      return answers;
    },
    'a 36 KB FLAC upload that decodes to 16384 s (declared, and hidden)': async (s) => {
      const bomb = new Uint8Array(await readFile(BOMB));
      const hidden = bomb.slice();
      hidden[8 + 13] &= 0xf0;
      hidden.fill(0, 8 + 14, 8 + 34);
      const answers: string[] = [];
      for (const more = until(s); more(); ) for (const b of [bomb, hidden]) answers.push(await upload(server.http, 'bomb.flac', b));
      return answers;
    },
    'PATCH a condition to a 1x1x1 m room, RT60 3 s': async (s) => {
      const [, id] = await restStream(speech({ models: ['oww-speech-embedding'] }));
      const answers: string[] = [];
      for (let k = 0, more = until(s); more(); k++) {
        // Only a talker 0.3 m away and no noise fit in such a room.
        const res = await api('PATCH', `/api/streams/${id}/condition`, { snrDb: 'clean', source: { distanceM: 0.3 }, room: { rt60S: 3 - (k % 2) * 0.5, dimensionsM: [1, 1, 1] } });
        answers.push(String(res.status));
      }
      await api('DELETE', `/api/streams/${id}`);
      return answers;
    },
    '4 concurrent CPU-heavy condition changes (storm)': async (s) => {
      const ids = (await Promise.all([0, 1, 2, 3].map(() => restStream(speech({ models: ['oww-speech-embedding'] }))))).map(([, id]) => id);
      const answers: string[] = [];
      for (let k = 0, more = until(s); more(); k++) {
        const rooms = ids.map((id, i) => api('PATCH', `/api/streams/${id}/condition`, { room: { rt60S: 2 + 0.1 * ((k + i) % 5), dimensionsM: [9, 7, 4] }, noise: { ids: ['cafe'], sources: 5 } }));
        answers.push(...(await Promise.all(rooms)).map((r) => String(r.status)));
      }
      await Promise.all(ids.map((id) => api('DELETE', `/api/streams/${id}`)));
      return answers;
    },
    'a push-source client sending audio as fast as it can': async (s) => {
      const c = await TestClient.open(server.ws);
      c.send({ type: 'start', config: { source: { kind: 'push', sampleRateHz: 16000 }, models: ['oww-speech-embedding'], condition: { snrDb: 10 }, vad: false } });
      const streamId = (await c.waitFor((m) => m.type === 'started')).streamId as string;
      const frame = binaryFrame(FRAME_KIND.audio, [new Float32Array(1600).map((_, i) => 0.1 * Math.sin(i / 7))]);
      const head = JSON.stringify({ v: 1, type: 'audio', streamId });
      for (const more = until(s); more(); ) {
        // As fast as the socket takes it, yielding so the victim's client in this process still reads.
        for (let i = 0; i < 20; i++) {
          c.ws.send(head);
          c.ws.send(frame);
        }
        while (c.ws.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 5));
        await turn();
      }
      const answers = c.of('error').map((m) => String(m.code));
      c.close();
      await c.closed();
      return answers;
    },
    'uploads of 3.5 MB, 3 at a time, past the uploads quota': async (s) => {
      const wav = await readFile(join(PACKAGE_ROOT, 'speech', 'digits', 'en', '7.wav'));
      const big = padWav(wav, 3_500_000); // 109 s: under the soak server's 120 s cap
      const answers: string[] = [];
      for (const more = until(s); more(); ) answers.push(...(await Promise.all([0, 1, 2].map((i) => upload(server.http, `big${i}.wav`, big)))));
      const clips = (await (await api('GET', '/api/clips')).json()) as { origin: string; bytes: number }[];
      const kept = clips.filter((c) => c.origin === 'upload').reduce((n, c) => n + c.bytes, 0);
      answers.push(kept <= UPLOADS_QUOTA ? 'uploads within quota' : `uploads over quota: ${kept} bytes`);
      return answers;
    },
    'a 50 000-deep JSON body': async (s) => {
      const deep = '['.repeat(50_000) + ']'.repeat(50_000);
      const answers: string[] = [];
      for (const more = until(s); more(); ) {
        for (const path of ['/api/streams', '/api/sweeps']) {
          const res = await api('POST', path, undefined, `{"models": ${deep}}`);
          answers.push(`${path} ${res.status} ${((await res.json()) as { code?: string }).code ?? ''}`.trim());
        }
      }
      return answers;
    },
  };
}

async function upload(http: string, name: string, bytes: Uint8Array): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)]), name);
  const res = await fetch(`${http}/api/uploads`, { method: 'POST', body: form });
  const body = (await res.json()) as { code?: string };
  return `${res.status} ${body.code ?? ''}`.trim();
}

/** A 16-bit mono WAV of `bytes` bytes: the clip's header, its samples repeated. */
function padWav(wav: Buffer, bytes: number): Uint8Array {
  const out = Buffer.alloc(bytes);
  wav.copy(out, 0, 0, 44);
  for (let at = 44; at < bytes; at += wav.length - 44) wav.copy(out, at, 44, Math.min(wav.length, 44 + bytes - at));
  out.writeUInt32LE(bytes - 8, 4);
  out.writeUInt32LE(bytes - 44, 40);
  return out;
}


// On the worker thread: run the attack each message names, answer with what the server said.
if (parentPort !== null && (workerData as { soakAttacks?: AttackTarget } | null)?.soakAttacks) {
  const table = attacks((workerData as { soakAttacks: AttackTarget }).soakAttacks);
  parentPort.on('message', async ({ name, seconds }: { name: string; seconds: number }) => {
    try {
      parentPort!.postMessage({ answers: await table[name](seconds) });
    } catch (err) {
      parentPort!.postMessage({ answers: [`attack failed: ${(err as Error).message}`] });
    }
  });
}
