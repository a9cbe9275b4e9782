import { isIP } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { Errors } from '../src/errors.ts';
import { PACKAGE_ROOT } from '../src/paths.ts';
import type { LiveStream, StreamConfig } from '../src/pipeline/types.ts';
import { CLIP_STORE_DEFAULTS } from './clips.ts';
import type { ServerContext } from './plugins/context.ts';

/** Makes the live stream for a resolved config (file paths already checked); the default is the pipeline's createLiveStream. */
export type StreamFactory = (config: StreamConfig, ctx: ServerContext) => Promise<LiveStream> | LiveStream;

/** Thresholds that keep one WebSocket client from hurting the others. */
export interface WsLimits {
  /** Largest text frame answered normally; larger ones get an error (bytes). */
  maxTextBytes: number;
  /** Largest binary frame (header included); larger ones get an error (bytes). */
  maxBinaryBytes: number;
  /** Frames above this are refused by the WebSocket layer itself (close 1009). */
  hardMaxPayloadBytes: number;
  /** A client with more than this buffered is "behind": results and audio for it are skipped (bytes). */
  skipAboveBytes: number;
  /** More than this buffered closes the client at once with 1013 (bytes). */
  closeAboveBytes: number;
  /** Behind for longer than this (ms, without catching up) closes the client with 1013. */
  closeAfterBehindMs: number;
  /** After a 1013/1008 close, the socket is cut if the client has not acknowledged within this (ms). */
  closeGraceMs: number;
  /** This many bad frames within `badFrameWindowMs` close the client with 1008. */
  maxBadFrames: number;
  badFrameWindowMs: number;
}

export interface ServerOptions {
  /** Interface the CLI binds to; decides whether a token is required and how Host/Origin are checked. Default 127.0.0.1. */
  host: string;
  /** Port the CLI binds to (0: any). Default 8080. */
  port: number;
  /** Bearer token; required when `host` is not loopback. */
  token: string | undefined;
  /** Extra origins allowed to open the WebSocket and call the API from a browser, e.g. "http://localhost:5173" (a Vite dev server). */
  allowOrigins: string[];
  device: 'auto' | 'cuda' | 'cpu';
  /** Notices in full (why CUDA is not used and how to enable it). */
  verbose: boolean;
  /** ONNX worker threads (default: the machine's cores). */
  workers: number | undefined;
  modelsDirs: string[];
  rirDirs: string[];
  noiseDirs: string[];
  /** Folders of trained linear probes (`earshot probe train`), offered by file name without `.json`. */
  probeDirs: string[];
  /** Where uploads are stored. Default ./earshot-uploads. */
  uploadsDir: string;
  /** Shipped speech clips offered by `GET /api/clips`. */
  clipsDir: string;
  /** The built dashboard. */
  clientDist: string;
  /** Largest accepted upload (bytes). Default 20 MB. */
  maxUploadBytes: number;
  /** Longest accepted upload (seconds of decoded audio), checked from the header and while decoding. Default 600. */
  maxUploadDurationS: number;
  /** Quota of the uploads folder (bytes): the least recently played uploads are deleted to make room. Default 256 MB. */
  maxUploadsBytes: number;
  /** Most streams running at once. Default 8. */
  maxStreams: number;
  /** Most streams one WebSocket connection may run at once. Default 4. */
  maxStreamsPerClient: number;
  /** Shortest hop a stream may ask for, seconds (each hop is a window per model). Default 0.04 (25 windows a second). */
  minHopS: number;
  /** Most rolling-CKA work one stream may ask for: Σ over its models of ckaWindows × (ckaWindows + embedding size) × windows a second. Default 4e6. */
  maxCkaCost: number;
  /** Pushed audio arriving faster than this many times real time (after a burst of `pushBurstS`) is dropped and counted. Default 2. */
  maxPushSpeed: number;
  /** Seconds of pushed audio accepted at once beyond the steady rate (network jitter). Default 2. */
  pushBurstS: number;
  /** Where sweeps started over the API write their folders (one per sweep). Default ./earshot-sweeps. */
  sweepsDir: string;
  /**
   * Labelled data folders (one subfolder of clips per class) that sweeps may
   * use, named by their folder name; the first is the default. Clients name
   * one, never a path. Default: the shipped keyword set (speech/keywords).
   */
  sweepDataDirs: string[];
  /** Most sweeps running at once. Default 1. */
  maxSweeps: number;
  /** Largest grid (models × grid points × seeds) a sweep started over the API may have; bigger ones belong to `earshot sweep`. Default 64. */
  maxSweepCells: number;
  /** Interval of `stats` messages (ms). Default 1000. */
  statsIntervalMs: number;
  ws: WsLimits;
  /** Fastify's logger option (pino); default off. */
  logger: boolean | object;
  /** Override how streams are made (tests, benchmarks). */
  createStream: StreamFactory | undefined;
}

export const WS_LIMIT_DEFAULTS: Readonly<WsLimits> = Object.freeze({
  maxTextBytes: 1 << 20,
  maxBinaryBytes: (4 << 20) + 16,
  hardMaxPayloadBytes: 16 << 20,
  skipAboveBytes: 1 << 20,
  closeAboveBytes: 4 << 20,
  closeAfterBehindMs: 5000,
  closeGraceMs: 5000,
  maxBadFrames: 20,
  badFrameWindowMs: 10_000,
});

export const SERVER_DEFAULTS: Readonly<Omit<ServerOptions, 'ws'>> = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  token: undefined,
  allowOrigins: [],
  device: 'auto',
  verbose: false,
  workers: undefined,
  modelsDirs: [],
  rirDirs: [],
  noiseDirs: [],
  probeDirs: [],
  uploadsDir: 'earshot-uploads',
  clipsDir: join(PACKAGE_ROOT, 'speech'),
  clientDist: join(PACKAGE_ROOT, 'client', 'dist'),
  maxUploadBytes: 20_000_000,
  maxUploadDurationS: CLIP_STORE_DEFAULTS.maxUploadDurationS,
  maxUploadsBytes: CLIP_STORE_DEFAULTS.maxUploadsBytes,
  maxStreams: 8,
  maxStreamsPerClient: 4,
  minHopS: 0.04,
  maxCkaCost: 4e6,
  maxPushSpeed: 2,
  pushBurstS: 2,
  sweepsDir: 'earshot-sweeps',
  sweepDataDirs: [join(PACKAGE_ROOT, 'speech', 'keywords')],
  maxSweeps: 1,
  maxSweepCells: 64,
  statsIntervalMs: 1000,
  logger: false,
  createStream: undefined,
});

export type ServerOptionsInput = Partial<Omit<ServerOptions, 'ws'>> & { ws?: Partial<WsLimits> };

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * Merge options over the defaults and check them, so that bad options stop
 * startup with a message naming the option. A host other than loopback
 * without a token is refused: the API can start streams and store uploads.
 */
export function validateServerOptions(input: ServerOptionsInput = {}): ServerOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ServerOptionsInput;
  const opts: ServerOptions = { ...SERVER_DEFAULTS, ...defined, ws: { ...WS_LIMIT_DEFAULTS, ...input.ws } };
  if (typeof opts.host !== 'string' || opts.host === '') throw new Errors.INVALID_OPTION(`host must be an interface name or address, got ${JSON.stringify(opts.host)}`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Errors.INVALID_OPTION(`port = ${opts.port}: must be an integer from 0 to 65535`);
  if (opts.token !== undefined && (typeof opts.token !== 'string' || opts.token.length < 8 || /\s/.test(opts.token))) {
    throw new Errors.INVALID_OPTION('token must be at least 8 characters with no spaces (e.g. `openssl rand -hex 16`)');
  }
  if (opts.token === undefined && !isLoopbackHost(opts.host)) {
    throw new Errors.INVALID_OPTION(
      `refusing to listen on ${opts.host} without a token: anyone who can reach it could start streams and store files. ` +
        'Give --token T (or EARSHOT_TOKEN=T); clients then send "Authorization: Bearer T" or ?token=T. Or bind to 127.0.0.1.',
    );
  }
  for (const origin of opts.allowOrigins) {
    if (!/^https?:\/\/[^/?#\s]+$/.test(origin)) throw new Errors.INVALID_OPTION(`allowed origin ${JSON.stringify(origin)} must look like http://host:port (no path)`);
  }
  if (!['auto', 'cuda', 'cpu'].includes(opts.device)) throw new Errors.INVALID_OPTION(`device = ${JSON.stringify(opts.device)}: must be 'auto', 'cuda' or 'cpu'`);
  if (opts.workers !== undefined && (!Number.isInteger(opts.workers) || opts.workers < 1 || opts.workers > 1024)) {
    throw new Errors.INVALID_OPTION(`workers = ${opts.workers}: must be an integer from 1 to 1024`);
  }
  for (const key of ['maxUploadBytes', 'maxUploadDurationS', 'maxUploadsBytes', 'maxStreams', 'maxStreamsPerClient', 'minHopS', 'maxCkaCost', 'maxPushSpeed', 'pushBurstS', 'maxSweeps', 'maxSweepCells', 'statsIntervalMs'] as const) positive(key, opts[key]);
  checkSweepDataDirs(opts.sweepDataDirs);
  for (const [key, value] of Object.entries(opts.ws)) positive(`ws.${key}`, value);
  if (opts.ws.skipAboveBytes > opts.ws.closeAboveBytes) throw new Errors.INVALID_OPTION('ws.skipAboveBytes must not be greater than ws.closeAboveBytes');
  if (opts.ws.maxBinaryBytes > opts.ws.hardMaxPayloadBytes || opts.ws.maxTextBytes > opts.ws.hardMaxPayloadBytes) {
    throw new Errors.INVALID_OPTION('ws.maxTextBytes and ws.maxBinaryBytes must not be greater than ws.hardMaxPayloadBytes');
  }
  return {
    ...opts,
    uploadsDir: resolve(opts.uploadsDir),
    clipsDir: resolve(opts.clipsDir),
    clientDist: resolve(opts.clientDist),
    sweepsDir: resolve(opts.sweepsDir),
    sweepDataDirs: opts.sweepDataDirs.map((d) => resolve(d)),
  };
}

// Sweep data sets are offered by folder name, so two folders may not share one.
function checkSweepDataDirs(dirs: string[]): void {
  if (!Array.isArray(dirs) || dirs.some((d) => typeof d !== 'string' || d === '')) throw new Errors.INVALID_OPTION('sweepDataDirs must be a list of folder paths');
  const names = dirs.map((d) => basename(resolve(d)));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Errors.INVALID_OPTION(`two sweep data folders are both named "${twice}"; clients pick one by folder name, so rename one`);
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new Errors.INVALID_OPTION(`${name} = ${value}: must be a positive number`);
}
