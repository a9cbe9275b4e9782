import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type TestServer } from './helpers.ts';

const TOKEN = 'test-token-0123456789';

/** What a WebSocket upgrade gets: 101 (open) or the HTTP status and error body of the refusal. */
function upgrade(url: string, opts: WebSocket.ClientOptions = {}): Promise<{ status: number; body?: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.on('error', reject);
  });
}

describe('loopback server (the default): no token, Host and Origin checked', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ allowOrigins: ['http://localhost:5173'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers REST without a token', async () => {
    expect((await fetch(`${server.http}/api/health`)).status).toBe(200);
  });

  it('refuses a Host that is not loopback (DNS rebinding), REST and WebSocket', async () => {
    const res = await server.app.inject({ url: '/api/health', headers: { host: `evil.example:${server.port}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 'EARSHOT_FORBIDDEN_HOST', message: expect.stringMatching(/Host "evil.example:\d+" is not this machine/) });
    expect((await upgrade(server.ws, { headers: { host: 'evil.example' } })).status).toBe(403);
  });

  it('accepts a WebSocket from its own origin, an allowed one, or a non-browser client without Origin', async () => {
    expect((await upgrade(server.ws, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(101);
    expect((await upgrade(server.ws, { origin: 'http://localhost:5173' })).status).toBe(101);
    expect((await upgrade(server.ws)).status).toBe(101);
  });

  it('refuses a WebSocket and API calls from another origin', async () => {
    const ws = await upgrade(server.ws, { origin: 'https://evil.example' });
    expect(ws).toEqual({ status: 403, body: { code: 'EARSHOT_FORBIDDEN_ORIGIN', message: expect.stringMatching(/Origin "https:\/\/evil.example" may not use this server/) } });
    expect((await upgrade(server.ws, { origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    const post = await fetch(`${server.http}/api/streams`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(403);
    expect(server.app.streams.list()).toHaveLength(0);
  });
});

describe('server on a public interface: the token is required everywhere but the static dashboard', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Policy follows `host`; the test still listens on 127.0.0.1.
    server = await startServer({ host: '0.0.0.0', token: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['/api/health', '/api/models', '/api/clips', '/api/streams', '/metrics'])('%s needs the token', async (path) => {
    const none = await fetch(`${server.http}${path}`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 'EARSHOT_UNAUTHORIZED', message: expect.stringMatching(/Authorization: Bearer <token>.*\?token=<token>/) });
    const wrong = await fetch(`${server.http}${path}`, { headers: { authorization: 'Bearer nope-nope-nope' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${server.http}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${server.http}${path}?token=${TOKEN}`)).status).toBe(200);
  });

  it('percent-encoded paths to the API still need the token', async () => {
    for (const path of ['/%61pi/health', '/ap%69/streams', '/%6detrics', '/w%73']) {
      const res = await rawGet(server.port, path);
      expect(res.status, path).toBe(401);
      expect(res.body, path).not.toContain('earshot_process');
    }
  });

  it('an upload without the token is refused before it is read', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(100)]), 'x.wav');
    expect((await fetch(`${server.http}/api/uploads`, { method: 'POST', body: form })).status).toBe(401);
  });

  it('serves the dashboard files without the token (the page passes ?token= to the API)', async () => {
    expect([200, 503]).toContain((await fetch(`${server.http}/`)).status);
  });

  it('WebSocket: needs the token and an Origin', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await upgrade(server.ws, { origin })).toMatchObject({ status: 401, body: { code: 'EARSHOT_UNAUTHORIZED' } });
    expect((await upgrade(`${server.ws}?token=wrong-token-123`, { origin })).status).toBe(401);
    expect((await upgrade(`${server.ws}?token=${TOKEN}`, { origin })).status).toBe(101);
    expect((await upgrade(server.ws, { origin, headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(101);
    const noOrigin = await upgrade(`${server.ws}?token=${TOKEN}`);
    expect(noOrigin).toEqual({ status: 403, body: { code: 'EARSHOT_FORBIDDEN_ORIGIN', message: expect.stringMatching(/without an Origin header is accepted only when the server listens on loopback/) } });
  });
});

describe('a token on loopback is enforced too', () => {
  it('refuses requests without it', async () => {
    const server = await startServer({ token: TOKEN });
    try {
      expect((await fetch(`${server.http}/api/health`)).status).toBe(401);
      expect((await upgrade(server.ws)).status).toBe(401);
      expect((await upgrade(`${server.ws}?token=${TOKEN}`)).status).toBe(101);
    } finally {
      await server.close();
    }
  });
});

describe('request logs never carry the token', () => {
  it('however the query spells it: percent-encoded, as an array, after a ";", in another case', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const server = await startServer({ token: TOKEN, logger: { level: 'info', stream: sink } });
    try {
      // The check decodes the query: %74oken is token, and is accepted.
      expect((await rawGet(server.port, `/api/health?%74oken=${TOKEN}`)).status).toBe(200);
      for (const query of [`token[]=${TOKEN}`, `x=1;token=${TOKEN}`, `TOKEN=${TOKEN}&a=1`, `%74%6Fken%5B0%5D=${TOKEN}`, `token=${encodeURIComponent(TOKEN)}#frag`, `a=%;%74oken=${TOKEN}`]) {
        await rawGet(server.port, `/api/health?${query}`);
      }
      expect((await upgrade(`${server.ws}?%74oken=${TOKEN}`)).status).toBe(101);
      const urls = lines.map((l) => (JSON.parse(l) as { req?: { url: string } }).req?.url).filter((u) => u !== undefined);
      expect(urls.length).toBeGreaterThanOrEqual(8);
      expect(urls).toContain('/api/health?x=1;token=[redacted]');
      expect(lines.join('\n')).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });
});

/** GET a raw path (no URL normalisation by the client, unlike fetch). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files: the dashboard, and nothing outside it', () => {
  it('serves client/dist at / and refuses paths that climb out of it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'earshot-static-'));
    const dist = join(root, 'dist');
    await mkdir(dist);
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>dash</title>');
    await writeFile(join(root, 'secret.txt'), 'SECRET');
    const server = await startServer({ clientDist: dist });
    try {
      expect(await rawGet(server.port, '/')).toMatchObject({ status: 200, body: expect.stringContaining('<title>dash</title>') });
      for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets/../../secret.txt', '/....//secret.txt']) {
        const res = await rawGet(server.port, path);
        expect(res.body, path).not.toContain('SECRET');
        expect(res.status, path).toBeGreaterThanOrEqual(400);
      }
    } finally {
      await server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
