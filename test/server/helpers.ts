import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { buildApp } from '../../server/app.ts';
import type { ServerOptionsInput } from '../../server/options.ts';
import { HEADER_BYTES } from '../../server/ws/frames.ts';

/** A real server on a loopback port with its own uploads folder; `close()` stops it and removes the folder. */
export interface TestServer {
  app: FastifyInstance;
  port: number;
  http: string;
  ws: string;
  uploadsDir: string;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptionsInput = {}): Promise<TestServer> {
  const uploadsDir = opts.uploadsDir ?? (await mkdtemp(join(tmpdir(), 'earshot-uploads-')));
  const app = await buildApp({ workers: 1, device: 'cpu', ...opts, uploadsDir });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/ws`,
    uploadsDir,
    async close() {
      await app.close();
      if (opts.uploadsDir === undefined) await rm(uploadsDir, { recursive: true, force: true });
    },
  };
}

/** A server message (with its arrival time); results and audio carry the float32 values of the binary frame that followed them. */
export type Received = { type: string; [field: string]: unknown } & { data?: Float32Array; atMs: number };

/**
 * A real `ws` client that keeps every message (binary frames attached to the
 * message that announced them) and can wait for one.
 */
export class TestClient {
  readonly messages: Received[] = [];
  readonly ws: WebSocket;
  closeCode: number | undefined;
  closeReason = '';
  private pending: Received | undefined;
  private waiters: (() => void)[] = [];

  constructor(url: string, opts: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, opts);
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        const msg = this.pending;
        this.pending = undefined;
        if (msg) msg.data = new Float32Array(new Uint8Array(data.subarray(HEADER_BYTES)).buffer);
        return this.wake();
      }
      const msg = { ...JSON.parse(data.toString()), atMs: Date.now() } as Received;
      if (msg.type === 'result' || msg.type === 'audio') this.pending = msg;
      this.messages.push(msg);
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
    this.ws.on('error', () => this.wake());
  }

  static async open(url: string, opts: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const c = new TestClient(url, opts);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    return c;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify({ v: 1, ...message }));
  }

  /** Messages of one type (optionally of one stream). */
  of(type: string, streamId?: string): Received[] {
    return this.messages.filter((m) => m.type === type && (streamId === undefined || m.streamId === streamId));
  }

  /** Resolve with the first message (from `from` on) that matches, or reject after `timeoutMs`. */
  async waitFor(match: (m: Received) => boolean, timeoutMs = 20_000, from = 0): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.slice(from).find((m) => match(m) && (m.type !== 'result' && m.type !== 'audio' ? true : m.data !== undefined));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; last: ${JSON.stringify(this.messages.slice(-3)).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  /** Wait for a message of `type` (and stream, when given) that arrives after now. */
  next(type: string, streamId?: string, timeoutMs?: number): Promise<Received> {
    return this.waitFor((m) => m.type === type && (streamId === undefined || m.streamId === streamId), timeoutMs, this.messages.length);
  }

  /** Wait for the connection to close; resolves with its code. */
  async closed(timeoutMs = 20_000): Promise<number> {
    if (this.closeCode === undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
        this.ws.once('close', () => (clearTimeout(timer), resolve()));
      });
    }
    return this.closeCode!;
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** A stream config for the tests: a shipped clip through the pure-JS naive-logmel encoder. */
export function fileConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { source: { kind: 'file', path: 'digits/en/7', realtime: true, loop: true }, models: ['naive-logmel'], condition: { snrDb: 10 }, vad: false, ...over };
}

/**
 * A well-behaved client watching a stream: `assertSteady()` checks that results still
 * come to it, in order, that it is still connected, and that the server skipped none of
 * its messages (the count the latest `stats` message carried for its receiver). Nothing here
 * depends on how fast the machine is: a busy machine delays results, and the server must
 * still deliver every one of them to a client that keeps reading.
 */
export class Observer {
  private constructor(
    readonly client: TestClient,
    readonly streamId: string,
  ) {}

  static async watch(url: string, streamId: string): Promise<Observer> {
    const client = await TestClient.open(url);
    client.send({ type: 'subscribe', streamId });
    await client.next('result', streamId);
    return new Observer(client, streamId);
  }

  async assertSteady(timeoutMs = 60_000): Promise<void> {
    await this.client.next('result', this.streamId, timeoutMs);
    // The stats messages (about one a second) count what was skipped for this client so far.
    const skipped = this.client.of('stats', this.streamId).at(-1)?.skipped ?? 0;
    if (skipped !== 0) throw new Error(`the server skipped ${String(skipped)} message(s) to the well-behaved client`);
    const seqs = this.client.of('result', this.streamId).map((m) => m.seq as number);
    if (seqs.some((seq, k) => k > 0 && seq <= seqs[k - 1])) throw new Error(`the well-behaved client's results came out of order: ${seqs.join(', ')}`);
    if (this.client.closeCode !== undefined) throw new Error(`the well-behaved client was closed (${this.client.closeCode})`);
  }
}

/** Poll `check` until it returns true (or throw after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
