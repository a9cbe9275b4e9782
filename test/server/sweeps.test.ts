// Sweeps over the API: a real server on loopback runs real (small) sweeps of
// oww-speech-embedding over the shipped spoken digits, pushes their events
// over /ws, serves their state and report, cancels them, and refuses bad
// requests with a clear 400 while a client watching a stream keeps going.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { fileConfig, Observer, startServer, TestClient, until, type Received, type TestServer } from './helpers.ts';

const DIGITS = join(PACKAGE_ROOT, 'speech', 'digits');
// Two cells: a dry room and a measured one (a bank IR beside an RT60), at one SNR.
const SMALL = { models: ['oww-speech-embedding'], snrDb: [20], room: [0, 'street'], seeds: 1 };

let server: TestServer;
let scratch: string;
let sweepsDir: string;
let observer: Observer;
let watchedId: string;
let events: TestClient;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'earshot-sweeps-'));
  sweepsDir = join(scratch, 'sweeps');
  // A data set laid out correctly whose clips are not audio: its sweeps fail once they start.
  const broken = join(scratch, 'broken');
  for (const cls of ['a', 'b']) {
    await mkdir(join(broken, cls), { recursive: true });
    for (let i = 0; i < 4; i++) await writeFile(join(broken, cls, `${i}.wav`), 'not audio at all');
  }
  server = await startServer({ sweepsDir, sweepDataDirs: [DIGITS, broken] });
  watchedId = (await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() })).json().id;
  observer = await Observer.watch(server.ws, watchedId);
  events = await TestClient.open(server.ws);
});

afterEach(async () => {
  await observer.assertSteady();
});

afterAll(async () => {
  events?.close();
  observer?.client.close();
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A request over the loopback socket (not inject), as a browser or curl would make it. */
function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.http}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

type SweepMessage = Received & { sweepId: string; event: { type: string; [k: string]: unknown } };

function sweepEvents(id: string): SweepMessage['event'][] {
  return (events.of('sweep') as SweepMessage[]).filter((m) => m.sweepId === id).map((m) => m.event);
}

async function sweepEnd(id: string, timeoutMs = 90_000): Promise<SweepMessage['event']> {
  const end = await events.waitFor((m) => m.type === 'sweep' && (m as SweepMessage).sweepId === id && ['done', 'cancelled', 'failed'].includes((m as SweepMessage).event.type), timeoutMs);
  return (end as SweepMessage).event;
}

describe('a small sweep, end to end', () => {
  let id: string;

  it('POST starts it in the background: 202 with its id and grid size', async () => {
    const res = await api('POST', '/api/sweeps', SMALL);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect(body).toMatchObject({ status: 'running', cellsDone: 0, cellsTotal: 2, error: null, report: null, request: { ...SMALL, data: 'digits', protocol: 'clean' } });
    id = body.id as string;
    expect(id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
  });

  it('every WebSocket client hears started, plan, clean, one cell per finished cell, then done', async () => {
    const end = await sweepEnd(id);
    expect(end.type).toBe('done');
    const seen = sweepEvents(id);
    expect(seen.map((e) => e.type)).toEqual(['started', 'plan', 'clean', 'cell', 'cell', 'done']);
    expect(seen[1]).toMatchObject({ cellsTotal: 2, cellsDone: 0, seeds: 1, testClips: expect.any(Number) });
    expect(seen[2]).toMatchObject({ model: 'oww-speech-embedding', top1: expect.any(Number) });
    const cells = seen.filter((e) => e.type === 'cell') as unknown as { summary: { point: { room: number | string }; top1: number; relativeTop1: number }; cellsDone: number }[];
    expect(cells.map((c) => c.cellsDone)).toEqual([1, 2]);
    expect(cells.map((c) => c.summary.point.room).sort()).toEqual([0, 'street']);
    for (const c of cells) expect(c.summary.top1).toBeGreaterThanOrEqual(0);
    // The done event carries the results, without the spec and its server paths.
    const results = seen[5].results as Record<string, unknown>;
    expect(results).toMatchObject({ cellsDone: 2, cellsTotal: 2, classes: ['en', 'es', 'ru'] });
    expect(results.spec).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(scratch);
    expect(JSON.stringify(seen)).not.toContain(PACKAGE_ROOT);
  });

  it('GET /api/sweeps/:id has the plan, the cells, clean top-1 and the results, naming each room with its acoustics', async () => {
    const res = await api('GET', `/api/sweeps/${id}`);
    expect(res.status).toBe(200);
    const state = await res.json();
    expect(state).toMatchObject({ id, status: 'done', cellsDone: 2, cellsTotal: 2, error: null, report: `/api/sweeps/${id}/report.html` });
    expect(state.plan.points.map((p: { room: unknown }) => p.room)).toEqual([0, 'street']);
    expect(state.cells.map((c: { point: { room: unknown } }) => c.point.room).sort()).toEqual([0, 'street']);
    expect(state.clean).toEqual([{ model: 'oww-speech-embedding', top1: expect.any(Number), macroF1: expect.any(Number), mAP: expect.any(Number) }]);
    const results = state.results as { points: { room: unknown; snrDb: number; top1: { mean: number } }[]; rooms: Record<string, unknown>[] };
    expect(results).toMatchObject({ snrMode: 'pooled', recipe: 'earshot', cleanReference: 'levelled' });
    for (const p of results.points) expect(p).toMatchObject({ snrMode: 'pooled', recipe: 'earshot', snrDb: 20 });
    expect(results.points.map((p) => p.room).sort()).toEqual([0, 'street']);
    expect(results.rooms).toEqual([
      expect.objectContaining({ room: 0, kind: 'dry', t20S: null }),
      expect.objectContaining({ room: 'street', kind: 'measured', channels: 2, layout: 'stereo', t20S: expect.any(Number), drrDb: expect.any(Number), c50Db: expect.any(Number), rt60S: expect.any(Number) }),
    ]);
    expect(state.finishedAt).toEqual(expect.any(String));
    expect(JSON.stringify(state)).not.toContain(scratch);
  });

  it('the report is served as HTML without server paths; the engine files are in sweepsDir/<id>', async () => {
    const res = await api('GET', `/api/sweeps/${id}/report.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('earshot sweep report');
    expect(html).toContain('<code>digits</code>');
    expect(html).toContain('<td>street</td><td>measured</td><td>2 (stereo)</td>');
    expect(html).not.toContain(PACKAGE_ROOT);
    expect(html).not.toContain(scratch);
    const lines = (await readFile(join(sweepsDir, id, 'cells.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.filter((l) => l.includes('"kind":"cell"'))).toHaveLength(2);
    expect(await readFile(join(sweepsDir, id, 'results.csv'), 'utf8')).toMatch(/oww-speech-embedding/);
  });

  it('GET /api/sweeps lists it; DELETE on an ended sweep is a 409', async () => {
    const list = (await (await api('GET', '/api/sweeps')).json()) as unknown as Record<string, unknown>[];
    expect(list.find((s) => s.id === id)).toMatchObject({ status: 'done', cellsDone: 2, report: `/api/sweeps/${id}/report.html` });
    expect(list.find((s) => s.id === id)).not.toHaveProperty('cells');
    const del = await api('DELETE', `/api/sweeps/${id}`);
    expect(del.status).toBe(409);
    expect(await del.json()).toEqual({ code: 'EARSHOT_SWEEP_NOT_RUNNING', message: expect.stringMatching(/is not running \(it is done\)/) });
  });

  it('GET /api/datasets names the data sets, never their folders', async () => {
    const sets = (await (await api('GET', '/api/datasets')).json()) as unknown as Record<string, unknown>[];
    expect(sets).toEqual([
      { name: 'digits', classes: ['en', 'es', 'ru'], clips: 30 },
      { name: 'broken', classes: ['a', 'b'], clips: 8 },
    ]);
  });
});

/** The sweep over the data set whose clips are not audio, started once (by whichever test comes first); resolves with its id. */
let brokenSweep: Promise<string> | undefined;
async function startBrokenSweep(): Promise<string> {
  const res = await api('POST', '/api/sweeps', { ...SMALL, data: 'broken' });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe('cancelling', () => {
  it('DELETE stops a running sweep; what finished stays; a second sweep meanwhile is a 429', async () => {
    const res = await api('POST', '/api/sweeps', { ...SMALL, snrDb: [20, 10, 5, 0, -5], room: [0, 0.6], seeds: 2 });
    const { id, cellsTotal } = (await res.json()) as { id: string; cellsTotal: number };
    expect(res.status).toBe(202);
    expect(cellsTotal).toBe(20);
    const busy = await api('POST', '/api/sweeps', SMALL);
    expect(busy.status).toBe(429);
    expect(await busy.json()).toEqual({ code: 'EARSHOT_TOO_MANY_SWEEPS', message: expect.stringMatching(/1 sweep\(s\) running.*cancel it \(DELETE \/api\/sweeps\/:id\)/) });

    await events.waitFor((m) => m.type === 'sweep' && (m as SweepMessage).sweepId === id && (m as SweepMessage).event.type === 'cell', 90_000);
    const del = await api('DELETE', `/api/sweeps/${id}`);
    expect(del.status).toBe(200);
    const state = await del.json();
    expect(state).toMatchObject({ id, status: 'cancelled', error: null });
    expect(state.cellsDone as number).toBeGreaterThanOrEqual(1);
    expect(state.cellsDone as number).toBeLessThan(20);
    expect(await sweepEnd(id)).toMatchObject({ type: 'cancelled', cellsTotal: 20 });
    const kept = (await readFile(join(sweepsDir, id, 'cells.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('"kind":"cell"'));
    expect(kept.length).toBeGreaterThanOrEqual(state.cellsDone as number);
    // The slot is free again: the next sweep starts (the one over broken data, which the next test follows to its end).
    await (brokenSweep ??= startBrokenSweep());
  }, 180_000);
});

describe('a sweep that fails', () => {
  it('ends as failed with the engine\'s message (data named, not located); the server carries on', async () => {
    const id = await (brokenSweep ??= startBrokenSweep());
    const end = await sweepEnd(id);
    expect(end).toMatchObject({ type: 'failed', code: 'EARSHOT_INVALID_DATA', message: expect.stringMatching(/data set "broken"/) });
    expect(end.message).not.toContain(scratch);
    const state = await (await api('GET', `/api/sweeps/${id}`)).json();
    expect(state).toMatchObject({ status: 'failed', error: { code: 'EARSHOT_INVALID_DATA' } });
    expect((await api('GET', '/api/health')).status).toBe(200);
    expect(server.app.streams.list().map((s) => s.id)).toEqual([watchedId]);
  });
});

describe('bad requests get a 400 naming the problem', () => {
  it.each([
    [{ models: ['gpt-audio'] }, /unknown model "gpt-audio". Known: .*oww-speech-embedding/],
    [{ models: ['oww-speech-embedding', 'oww-speech-embedding'] }, /lists "oww-speech-embedding" twice/],
    [{ models: [] }, /models = \[\]/],
    [{ snrDb: [] }, /snrDb is empty, so the grid has no points/],
    [{ rt60S: [] }, /rt60S is empty, so the grid has no points/],
    [{ snrDb: [100] }, /snrDb.0 = 100: not allowed \(a number of dB in -30..80, or "clean"\)/],
    [{ seeds: 0 }, /seeds = 0/],
    [{ noise: ['volcano'] }, /unknown noise "volcano". Known: cafe/],
    [{ snrDb: [20, 20] }, /snrDb lists 20 twice/],
    [{ snrDb: [20, 15, 10, 5, 0, -5, -10, -15], rt60S: [0, 0.3, 0.6, 0.9, 1.2], seeds: 2 }, /the grid has 80 cells \(1 model\(s\) × 8 SNR × 5 room\(s\) .* × 2 seed\(s\)\); sweeps started here may have at most 64/],
    [{ room: [] }, /room is empty, so the grid has no points/],
    [{ room: [0, 'nope'] }, /unknown room "nope": give RT60s in seconds or RIR bank ids. Known: street, .*hall-binaural/],
    [{ room: ['../../etc/passwd'] }, /room.0 = "..\/..\/etc\/passwd": not allowed \(an RT60 in seconds \(0..3; 0 is no room\) or a RIR bank id/],
    [{ room: [0, 'office-foa'] }, /room: the IR "office-foa" has 4 channel\(s\) \(foa\) but model "oww-speech-embedding" takes 1; choose IRs with 1 channel/],
    [{ room: [0, 'street'], rt60S: [0.6] }, /give either room or rt60S, not both/],
    [{ room: [0.6, 0.6] }, /room lists 0.6 twice/],
    [{ data: '/etc' }, /data "\/etc" is not a data set of this server; this server offers "digits", "broken"/],
    [{ data: '../digits' }, /data "..\/digits" is not a data set/],
    [{ data: 'speech' }, /data "speech" is not a data set/],
    [{ data: DIGITS }, /is not a data set/],
    [{ path: '/tmp' }, /unknown sweep field "path"/],
    [{ cleanReference: 'raw' }, /cleanReference .*"raw".*levelled.*original/],
    [{ recipe: 'nathear', snrMode: 'pooled' }, /snrMode pooled cannot go with recipe nathear/],
    [{ probes: ['language'], protocol: 'probe' }, /unknown probe "language"/],
    ['[1, 2]', /a sweep request must be a JSON object/],
  ])('POST /api/sweeps %j', async (body, message) => {
    const res = await fetch(`${server.http}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    expect(await res.json()).toEqual({ code: 'EARSHOT_INVALID_REQUEST', message: expect.stringMatching(message) });
    expect(res.status).toBe(400);
  });

  it('unknown or malformed sweep ids are 404s that open no path', async () => {
    for (const path of ['/api/sweeps/20990101-000000-abcdef', '/api/sweeps/..%2F..%2Fpackage.json', '/api/sweeps/nope/report.html']) {
      const res = await api('GET', path);
      expect(res.status, path).toBe(404);
      expect((await res.json()).code).toBe('EARSHOT_NOT_FOUND');
    }
    expect((await api('DELETE', '/api/sweeps/nope')).status).toBe(404);
  });
});

describe('sweeps an earlier server left behind', () => {
  it('one left running is listed as interrupted; undefined metrics come back as null', async () => {
    const id = '20200101-000000-abcdef';
    // Written before rooms could be bank IRs: its points name their room by RT60.
    const point = { model: 'oww-speech-embedding', snrDb: 0, rt60S: 0, azimuthDeg: 0, noise: 'cafe', noiseSources: 1 };
    const state = {
      format: 'earshot-serve-sweep',
      version: 1,
      id,
      status: 'running',
      createdAt: '2020-01-01T00:00:00.000Z',
      finishedAt: null,
      request: { ...SMALL, protocol: 'clean', data: 'digits' },
      cellsDone: 1,
      cellsTotal: 2,
      error: null,
      plan: { points: [point], seeds: 1, testClips: 9 },
      clean: [{ model: 'oww-speech-embedding', top1: 0, macroF1: 0, mAP: 0.3 }],
      cells: [{ key: 'k', point, seed: 0, top1: 0, macroF1: 0, mAP: 0.3, cosine: 0.9, relativeTop1: null }],
    };
    await mkdir(join(sweepsDir, id), { recursive: true });
    await writeFile(join(sweepsDir, id, 'serve-state.json'), JSON.stringify(state));
    const list = (await (await api('GET', '/api/sweeps')).json()) as { id: string; status: string }[];
    expect(list.find((s) => s.id === id)?.status).toBe('interrupted');
    expect(list.at(-1)?.id).toBe(id); // newest first
    const detail = await (await api('GET', `/api/sweeps/${id}`)).json();
    expect(detail).toMatchObject({ status: 'interrupted', results: null, report: null, cells: [{ relativeTop1: null, top1: 0, point: { room: 0 } }], plan: { points: [{ room: 0, snrDb: 0 }] } });
    expect((await api('DELETE', `/api/sweeps/${id}`)).status).toBe(409);
    const report = await api('GET', `/api/sweeps/${id}/report.html`);
    expect(report.status).toBe(404);
    expect((await report.json()).message).toMatch(/ended \(interrupted\) without results/);
  });
});

describe('security and shutdown', () => {
  it('the sweeps API needs the token when the server has one', async () => {
    const guarded = await startServer({ token: 'sweep-secret-1', sweepsDir: join(scratch, 'guarded') });
    try {
      for (const [method, url] of [['GET', '/api/sweeps'], ['POST', '/api/sweeps'], ['GET', '/api/datasets'], ['GET', '/api/sweeps/20990101-000000-abcdef/report.html']] as const) {
        const res = await guarded.app.inject({ method, url, ...(method === 'POST' ? { payload: SMALL } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
      }
      const ok = await guarded.app.inject({ method: 'GET', url: '/api/sweeps', headers: { authorization: 'Bearer sweep-secret-1' } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('close() cancels running sweeps and records them as cancelled', async () => {
    const dir = join(scratch, 'closing');
    const other = await startServer({ sweepsDir: dir });
    const res = await other.app.inject({ method: 'POST', url: '/api/sweeps', payload: { ...SMALL, snrDb: [20, 10, 0], room: [0, 0.6] } });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    await until(async () => (await other.app.inject({ url: `/api/sweeps/${id}` })).json().plan !== null, 60_000, 'the plan');
    await other.close();
    // A fresh server over the same folder lists it as cancelled, short of its 6 cells: close() did not wait for them.
    const reopened = await startServer({ sweepsDir: dir });
    try {
      const list = (await reopened.app.inject({ url: '/api/sweeps' })).json() as { id: string; status: string; cellsDone: number }[];
      expect(list).toEqual([expect.objectContaining({ id, status: 'cancelled', cellsTotal: 6 })]);
      expect(list[0].cellsDone).toBeLessThan(6);
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
