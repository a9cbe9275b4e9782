// The attack table of the hardening review, replayed against a real `earshot serve` (a child process on
// loopback), each attack beside a victim: one shipped clip streamed in real time through the speech
// embedding (12.5 results a second). Shared by test/server/soak.test.ts (asserts the goals) and
// test/bench/soak.bench.ts (reports the figures). Attacks are scaled down in time and count to fit a test
// run, each keeping its nature. The attackers run on a worker thread (soakAttacks.ts), so that their own
// client-side work does not pass for the server's in the victim's or the probe's figures.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { moduleStart, workerExecArgv } from '../../src/moduleStart.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantile } from '../../src/pipeline/metricsInternals.ts';
import { spawnServe } from '../helpers/serveProcess.ts';
import { TestClient } from './helpers.ts';
import { attacks, BOMB, UPLOADS_QUOTA } from './soakAttacks.ts';

/** Results a second of the victim (one window per 80 ms hop). */
const VICTIM_RATE = 12.5;
const ATTACKER = moduleStart(new URL('./soakAttacks.ts', import.meta.url));

export interface SoakOptions {
  /** How long each attack runs (s). */
  attackS: number;
  /** Longest wait for RSS to come back after an attack (s). */
  settleS: number;
  /** Measure a phase without attack first (the row named "no attack"), as a baseline. */
  quietFirst?: boolean;
  log?: (line: string) => void;
}

/** What the victim, /api/health and the server's memory saw during one attack. */
export interface AttackFigures {
  attack: string;
  /** The victim's results during the attack over what real time gives (1 = none lost). */
  victimShare: number;
  /** Window end to arrival on the victim's client, p99 over the attack (ms). */
  victimP99Ms: number;
  /** Slowest /api/health answer during the attack (ms). */
  healthMaxMs: number;
  rssBeforeMb: number;
  /** RSS once it came back within 10% of rssBeforeMb, or when `settleS` ran out. */
  rssAfterMb: number;
  /** What the attacker was told (status codes, error codes), for the record. */
  answers: string[];
}

interface Server {
  child: ChildProcess;
  http: string;
  ws: string;
}

async function startServe(uploads: string): Promise<Server> {
  // EARSHOT_SOAK_NODE_ARGS: node flags for the served process (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it under the attacks).
  const nodeArgs = (process.env.EARSHOT_SOAK_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { child, http } = await spawnServe(['--device', 'cpu', '--uploads', uploads, '--uploads-quota', String(UPLOADS_QUOTA), '--max-upload-duration', '120'], nodeArgs);
  return { child, http, ws: `${http.replace('http', 'ws')}/ws` };
}

/** Run every attack in turn beside the victim; returns one row per attack. */
export async function runSoak(opts: SoakOptions): Promise<AttackFigures[]> {
  const log = opts.log ?? (() => undefined);
  const uploads = await mkdtemp(join(tmpdir(), 'earshot-soak-'));
  const server = await startServe(uploads);
  const attacker = new Worker(ATTACKER.file, { workerData: { entry: ATTACKER.entry, soakAttacks: { http: server.http, ws: server.ws } }, execArgv: workerExecArgv(process.execArgv) });
  const attack = (name: string, seconds: number) =>
    new Promise<string[]>((resolve, reject) => {
      attacker.once('message', (m: { answers: string[] }) => resolve(m.answers));
      attacker.once('error', reject);
      attacker.postMessage({ name, seconds });
    });
  const victim = await TestClient.open(server.ws);
  const probe = healthProbe(server.http);
  try {
    victim.send({ type: 'start', config: { source: { kind: 'file', path: 'digits/en/7', realtime: true, loop: true }, models: ['oww-speech-embedding'], condition: { snrDb: 10 }, vad: false } });
    const streamId = (await victim.waitFor((m) => m.type === 'started', 60_000)).streamId as string;
    // Warm-up: the first results of a stream carry its start-up, and the first use of a model, a decoder,
    // the room simulator or of several streams at once loads what it keeps for later (RSS then stays on a
    // plateau, the same after a second round of attacks); none of that is what an attack leaves behind.
    await victim.waitFor((m) => m.type === 'result' && (m.seq as number) >= 25, 60_000);
    await warmUp(server.http);
    const rows: AttackFigures[] = [];
    const names = Object.keys(attacks(server)).filter((n) => opts.quietFirst || n !== 'no attack');
    for (const name of names) {
      const rssBefore = await rssMb(server.http);
      const t0 = Date.now();
      probe.reset();
      const answers = await attack(name, opts.attackS);
      const t1 = Date.now();
      const healthMaxMs = probe.maxMs();
      const during = victim.of('result', streamId).filter((m) => m.atMs >= t0 && m.atMs < t1);
      const lat = during.map((m) => m.atMs - (m.capturedAtMs as number));
      let rssAfter = await rssMb(server.http);
      for (const deadline = Date.now() + opts.settleS * 1000; rssAfter > 1.1 * rssBefore && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 250));
        rssAfter = await rssMb(server.http);
      }
      const row = { attack: name, victimShare: during.length / (((t1 - t0) / 1000) * VICTIM_RATE), victimP99Ms: quantile(lat, 0.99), healthMaxMs, rssBeforeMb: rssBefore, rssAfterMb: rssAfter, answers: [...new Set(answers)] };
      log(`${name}: ${JSON.stringify(row)}`);
      rows.push(row);
    }
    return rows;
  } finally {
    probe.stop();
    victim.close();
    await attacker.terminate();
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    await rm(uploads, { recursive: true, force: true });
  }
}

async function warmUp(http: string): Promise<void> {
  const post = (path: string, body: unknown, method = 'POST') => fetch(`${http}${path}`, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const source = { kind: 'file', path: 'digits/en/3', realtime: false, loop: false };
  const naive = (await (await post('/api/streams', { source, models: ['naive-logmel'], condition: { snrDb: 5 }, vad: false })).json()) as { id: string };
  // Several streams at once, each changing to a long room with noise sources: the ONNX sessions size their memory
  // for the batches that concurrent streams make, and the room simulator and scene threads load their tables.
  const more = await Promise.all([0, 1, 2, 3].map(async () => ((await (await post('/api/streams', { source: { ...source, realtime: true, loop: true }, models: ['oww-speech-embedding'], condition: { snrDb: 5 }, vad: false })).json()) as { id: string }).id));
  await Promise.all(more.map((id, i) => post(`/api/streams/${id}/condition`, { room: { rt60S: 1 + 0.5 * i, dimensionsM: [9, 7, 4] }, noise: { ids: ['cafe'], sources: 5 } }, 'PATCH')));
  await new Promise((r) => setTimeout(r, 2000));
  for (const [name, bytes] of [['warm.wav', await readFile(join(PACKAGE_ROOT, 'speech', 'digits', 'en', '7.wav'))], ['warm.flac', await readFile(BOMB)]] as const) {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    await fetch(`${http}/api/uploads`, { method: 'POST', body: form });
  }
  await Promise.all([naive.id, ...more].map((id) => fetch(`${http}/api/streams/${id}`, { method: 'DELETE' })));
}

async function rssMb(http: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('earshot_process_resident_memory_bytes '));
  return Number(line?.split(' ')[1]) / 1e6;
}

/** GET /api/health every 50 ms; the slowest answer since the last reset. */
function healthProbe(http: string): { reset(): void; maxMs(): number; stop(): void } {
  let max = 0;
  let running = true;
  void (async () => {
    while (running) {
      const t = performance.now();
      await fetch(`${http}/api/health`).then((r) => r.arrayBuffer()).catch(() => undefined);
      max = Math.max(max, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { reset: () => void (max = 0), maxMs: () => max, stop: () => void (running = false) };
}
