// What a client reads when it sends something wrong: ids, never server paths; Infinity, not
// null; the API's field names, not CLI flags; a prototype key named as such. Over REST and
// the WebSocket of one real server on loopback.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { probeDirs } from '../../src/probes/resolveProbe.ts';
import { tempDir } from '../helpers/audio.ts';
import { fileConfig, startServer, TestClient, type Received, type TestServer } from './helpers.ts';

let server: TestServer;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('earshot-clear-');
  // A user model whose graph is not there, and a probe file cut short.
  await mkdir(join(dir.dir, 'models'));
  const manifest = JSON.parse(await readFile(join(PACKAGE_ROOT, 'models', 'wav2vec2-base-random.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir.dir, 'models', 'ghost.json'), JSON.stringify({ ...manifest, id: 'ghost-model', files: { model: 'graphs/ghost.onnx' } }));
  await mkdir(join(dir.dir, 'probes'));
  await writeFile(join(dir.dir, 'probes', 'broken.json'), '{"kind": "linear", "modelId": ');
  server = await startServer({ modelsDirs: [join(dir.dir, 'models')], probeDirs: probeDirs([join(dir.dir, 'probes')]) });
});

afterAll(async () => {
  await server?.close();
  await dir?.cleanup();
});

function postJson(path: string, body: string) {
  return server.app.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': 'application/json' } });
}

/** Send one text frame and wait for the error it causes. */
async function wsError(c: TestClient, text: string): Promise<Received> {
  const from = c.messages.length;
  c.ws.send(text);
  return c.waitFor((m) => m.type === 'error', 20_000, from);
}

function expectNoServerPath(message: unknown): void {
  for (const folder of [dir.dir, PACKAGE_ROOT, process.cwd()]) expect(message).not.toContain(folder);
}

describe('errors name ids, never server paths', () => {
  it('a model whose graph is missing: REST, WebSocket and sweeps name the model', async () => {
    const expected = 'model "ghost-model": ghost.onnx not found. Get it with `npm run export-models` (or fix the path in the manifest).';
    const rest = await postJson('/api/streams', JSON.stringify(fileConfig({ models: ['ghost-model'] })));
    expect(rest.statusCode).toBe(404);
    expect(rest.json()).toEqual({ code: 'EARSHOT_MODEL_FILES_MISSING', message: expected });
    const sweep = await postJson('/api/sweeps', JSON.stringify({ models: ['ghost-model'] }));
    expect(sweep.json()).toEqual({ code: 'EARSHOT_MODEL_FILES_MISSING', message: expected });
    const c = await TestClient.open(server.ws);
    expect(await wsError(c, JSON.stringify({ v: 1, type: 'start', config: fileConfig({ models: ['ghost-model'] }) }))).toMatchObject({ code: 'EARSHOT_MODEL_FILES_MISSING', message: expected });
    c.close();
  });

  it('a probe file that cannot be read is named by its id', async () => {
    const res = await postJson('/api/streams', JSON.stringify(fileConfig({ probes: ['broken'] })));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'EARSHOT_INVALID_PROBE', message: expect.stringMatching(/^probe "broken": not JSON/) });
    expectNoServerPath(res.json().message);
  });

  it('/metrics carries no paths, with a stream of an uploaded clip running', async () => {
    const form = new FormData();
    form.append('file', new Blob([await readFile(join(PACKAGE_ROOT, 'speech', 'digits', 'en', '7.wav'))]), 'seven.wav');
    const clip = (await (await fetch(`${server.http}/api/uploads`, { method: 'POST', body: form })).json()) as { id: string };
    const stream = await postJson('/api/streams', JSON.stringify(fileConfig({ source: { kind: 'file', path: clip.id, realtime: true, loop: true } })));
    expect(stream.statusCode).toBe(201);
    const metrics = (await server.app.inject('/metrics')).body;
    expect(metrics).toContain(`stream="${stream.json().id}"`);
    expectNoServerPath(metrics);
    expect(metrics).not.toContain(server.uploadsDir);
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${stream.json().id}` });
  });

  it('an upload the server cannot store names the upload and the reason, not the uploads folder', async () => {
    // The uploads folder's parent is a file, so the folder cannot be made (the test runs as root, where permissions would not stop it).
    await writeFile(join(dir.dir, 'not-a-folder'), '');
    const broken = await startServer({ uploadsDir: join(dir.dir, 'not-a-folder', 'uploads') });
    try {
      const form = new FormData();
      form.append('file', new Blob([await readFile(join(PACKAGE_ROOT, 'speech', 'digits', 'en', '7.wav'))]), 'seven.wav');
      const res = await fetch(`${broken.http}/api/uploads`, { method: 'POST', body: form });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { code: string; message: string };
      expect(body).toEqual({ code: 'EARSHOT_WRITE_FAILED', message: 'cannot write the upload "seven.wav" into the server\'s uploads folder (a parent path is not a directory).' });
      expectNoServerPath(body.message);
    } finally {
      await broken.close();
    }
  });
});

describe('the words a client reads', () => {
  it('a non-finite value reads Infinity, not null (1e999 parses to Infinity)', async () => {
    const stream = await postJson('/api/streams', '{"source":{"kind":"file","path":"digits/en/7"},"models":["naive-logmel"],"hopS":1e999}');
    expect(stream.json().message).toMatch(/^hopS = Infinity: /);
    const push = await postJson('/api/streams', '{"source":{"kind":"push","sampleRateHz":-1e999},"models":["naive-logmel"]}');
    expect(push.json().message).toMatch(/^source\.sampleRateHz = -Infinity: /);
    const sweep = await postJson('/api/sweeps', '{"snrDb":[10, 1e999]}');
    expect(sweep.json().message).toMatch(/^snrDb\.1 = Infinity: /);
    const c = await TestClient.open(server.ws);
    const ws = await wsError(c, '{"v":1,"type":"start","config":{"source":{"kind":"file","path":"digits/en/7"},"models":["naive-logmel"],"ckaWindows":1e999}}');
    expect(ws.message).toMatch(/^ckaWindows = Infinity: /);
    c.close();
  });

  it('a prototype key has its own message, over REST and the WebSocket', async () => {
    for (const [body, key] of [['{"__proto__": {"models": []}}', '__proto__'], ['{"condition": {"constructor": {"prototype": {}}}}', 'constructor.prototype']]) {
      const res = await postJson('/api/streams', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: 'EARSHOT_FORBIDDEN_KEY', message: `request body: a key named "${key}" is not accepted (it names an object's prototype); remove or rename it` });
    }
    const c = await TestClient.open(server.ws);
    expect(await wsError(c, '{"v":1,"type":"start","config":{"__proto__":{}}}')).toMatchObject({ code: 'EARSHOT_BAD_MESSAGE', message: 'a key named "__proto__" is not accepted (it names an object\'s prototype); remove or rename it' });
    c.close();
  });

  it('nesting past the limit is refused by name, never a stack overflow', async () => {
    const deep = `${'['.repeat(33)}${']'.repeat(33)}`;
    const res = await postJson('/api/streams', deep);
    expect(res.json()).toEqual({ code: 'EARSHOT_JSON_TOO_DEEP', message: 'request body: JSON nesting deeper than 32 levels (objects and arrays inside one another); send a flatter value' });
    // 32 levels are read (and then refused for their shape, not their depth).
    expect((await postJson('/api/streams', `${'['.repeat(32)}${']'.repeat(32)}`)).json().code).toBe('EARSHOT_INVALID_REQUEST');
    // Brackets inside strings are text, not nesting.
    expect((await postJson('/api/streams', JSON.stringify({ note: '['.repeat(100) }))).json().code).toBe('EARSHOT_INVALID_REQUEST');
  });

  it('errors speak of the API\'s fields, never of CLI flags', async () => {
    const texts: string[] = [];
    const unknown = await postJson('/api/streams', JSON.stringify(fileConfig({ probes: ['nothing-here'] })));
    expect(unknown.json().message).toMatch(/^unknown probe "nothing-here"/);
    texts.push(unknown.json().message as string);
    // Wake-word heads without the model they read (the shipped probes are offered too).
    const heads = await postJson('/api/streams', JSON.stringify(fileConfig({ probes: ['oww-wakeword'] })));
    expect(heads.json()).toMatchObject({ code: 'EARSHOT_INVALID_PROBE', message: expect.stringMatching(/heads read model "oww-speech-embedding", which this stream does not run \(models: naive-logmel\)/) });
    texts.push(heads.json().message as string);
    const hop = await postJson('/api/streams', JSON.stringify(fileConfig({ hopS: 0 })));
    expect(hop.json().message).toMatch(/^hopS = 0: /);
    texts.push(hop.json().message as string);
    for (const text of texts) expect(text).not.toMatch(/--[a-z]/);
    // The engine's CLI wording, as the API rewrites any that reaches a client.
    expect(server.app.clientMessage('--snr must be a number; or use --model x with --probe-smooth 4')).toBe('snrDb must be a number; or use models x with probeSmooth 4');
  });
});
