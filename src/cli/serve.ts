import { Command, Option } from './commander.ts';
import { SERVER_DEFAULTS } from '../../server/options.ts';
import { Errors } from '../errors.ts';
import { probeDirs } from '../probes/resolveProbe.ts';
import { integerOption, positiveOption, workersOption } from './numericOptions.ts';

const repeat = (v: string, p: string[]) => [...p, v];

interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  allowOrigin: string[];
  device: 'auto' | 'cuda' | 'cpu';
  workers?: number;
  modelsDir: string[];
  rirDir: string[];
  noiseDir: string[];
  probesDir: string[];
  uploads: string;
  sweeps: string;
  sweepData: string[];
  maxSweepCells: number;
  maxStreamsPerClient: number;
  minHop: number;
  maxCkaCost: number;
  maxPushSpeed: number;
  maxUploadDuration: number;
  uploadsQuota: number;
  log?: boolean;
  verbose?: boolean;
}

/**
 * `earshot serve`: the live dashboard, REST API and WebSocket on one port.
 * Loopback only unless a token is given; runs until SIGINT/SIGTERM, then
 * stops every stream and the ONNX pool before exiting.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Serve the live dashboard at /, the REST API under /api, Prometheus metrics at /metrics and the ' +
        'WebSocket protocol (server/PROTOCOL.md) at /ws. Binds to 127.0.0.1 by default. On any other host ' +
        '--token (or EARSHOT_TOKEN) is required, and every API, metrics and WebSocket request must carry it ' +
        '(Authorization: Bearer T, or ?token=T; open the dashboard as http://HOST:PORT/?token=T).',
    )
    .option('--host <host>', 'interface to listen on (anything but loopback needs --token)', SERVER_DEFAULTS.host)
    .option('--port <n>', 'port to listen on (0: any free port)', integerOption('port', { min: 0, max: 65535 }), SERVER_DEFAULTS.port)
    .option('--token <t>', 'require this bearer token (at least 8 characters; default: $EARSHOT_TOKEN)')
    .option('--allow-origin <origin>', 'also accept browser requests from this origin, e.g. http://localhost:5173 (repeatable)', repeat, [])
    .addOption(new Option('--device <device>', 'where ONNX models run').choices(['auto', 'cuda', 'cpu']).default(SERVER_DEFAULTS.device))
    .option('--workers <n>', 'ONNX worker threads (default: one per core)', workersOption)
    .option('--models-dir <dir>', 'add a folder of model manifests (repeatable)', repeat, [])
    .option('--rir-dir <dir>', 'add a folder of IRs to the RIR bank (repeatable)', repeat, [])
    .option('--noise-dir <dir>', 'add a folder of noise recordings (repeatable)', repeat, [])
    .option('--probes-dir <dir>', 'offer the probes (earshot probe train) in this folder too (repeatable; the shipped models/probes and models/trained are always offered)', repeat, [])
    .option('--uploads <dir>', 'where uploaded clips are kept', SERVER_DEFAULTS.uploadsDir)
    .option('--sweeps <dir>', 'where sweeps started from the dashboard write their folders', SERVER_DEFAULTS.sweepsDir)
    .option('--sweep-data <dir>', 'a labelled data folder (DIR/<class>/<clip>) the dashboard may sweep, offered by folder name (repeatable; default: the shipped keyword set, speech/keywords)', repeat, [])
    .option('--max-sweep-cells <n>', 'largest grid a dashboard sweep may have (bigger ones: `earshot sweep`)', integerOption('max-sweep-cells', { min: 1 }), SERVER_DEFAULTS.maxSweepCells)
    .option('--max-streams-per-client <n>', 'most streams one WebSocket connection may run at once', integerOption('max-streams-per-client', { min: 1 }), SERVER_DEFAULTS.maxStreamsPerClient)
    .option('--min-hop <s>', 'shortest hop (seconds between windows) a stream may ask for; shorter ones are refused', positiveOption('min-hop', 'a number of seconds'), SERVER_DEFAULTS.minHopS)
    .option('--max-cka-cost <n>', 'most rolling-CKA work a stream may ask for: sum over its models of ckaWindows × (ckaWindows + embedding size) × windows a second', positiveOption('max-cka-cost'), SERVER_DEFAULTS.maxCkaCost)
    .option('--max-push-speed <x>', 'pushed audio (browser microphone) arriving faster than this many times real time is dropped and counted', positiveOption('max-push-speed'), SERVER_DEFAULTS.maxPushSpeed)
    .option('--max-upload-duration <s>', 'longest upload kept, seconds of audio (read from the header when it says, else counted while decoding)', positiveOption('max-upload-duration', 'a number of seconds'), SERVER_DEFAULTS.maxUploadDurationS)
    .option('--uploads-quota <bytes>', 'most bytes the uploads folder may hold; the least recently played uploads are deleted to make room', positiveOption('uploads-quota'), SERVER_DEFAULTS.maxUploadsBytes)
    .option('--log', 'log every request (JSON lines on stdout)')
    .option('--verbose', 'explain notices in full (e.g. why CUDA is not used and how to enable it)')
    .action(async (opts: ServeOptions) => {
      // Imported here so that the other commands do not load Fastify.
      const [{ buildApp }, { containFaults }, { trimFreedMemory }] = await Promise.all([import('../../server/app.ts'), import('../../server/faultScope.ts'), import('../../server/memoryTrim.ts')]);
      const app = await buildApp({
        host: opts.host,
        port: opts.port,
        token: opts.token ?? process.env.EARSHOT_TOKEN,
        allowOrigins: opts.allowOrigin,
        device: opts.device,
        verbose: opts.verbose === true,
        workers: opts.workers,
        modelsDirs: opts.modelsDir,
        rirDirs: opts.rirDir,
        noiseDirs: opts.noiseDir,
        probeDirs: probeDirs(opts.probesDir),
        uploadsDir: opts.uploads,
        sweepsDir: opts.sweeps,
        ...(opts.sweepData.length > 0 ? { sweepDataDirs: opts.sweepData } : {}),
        maxSweepCells: opts.maxSweepCells,
        maxStreamsPerClient: opts.maxStreamsPerClient,
        minHopS: opts.minHop,
        maxCkaCost: opts.maxCkaCost,
        maxPushSpeed: opts.maxPushSpeed,
        maxUploadDurationS: opts.maxUploadDuration,
        maxUploadsBytes: opts.uploadsQuota,
        logger: opts.log ? { level: 'info' } : { level: 'warn' },
      });
      // From here on no fault ends the process: it ends the stream or connection it came from.
      const release = containFaults(app.log);
      app.addHook('onClose', async () => release());
      const stopTrimming = await trimFreedMemory();
      app.addHook('onClose', async () => stopTrimming());
      let address: string;
      try {
        address = await app.listen({ host: opts.host, port: opts.port });
      } catch (err) {
        await app.close();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new Errors.INVALID_OPTION(`port ${opts.port} on ${opts.host} is in use; pick another with --port`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new Errors.INVALID_OPTION(`--host ${opts.host} is not an address of this machine`);
        throw err;
      }
      const token = app.config.token ? '?token=<token>' : '';
      process.stderr.write(`earshot: serving on ${address} (dashboard ${address}/${token}, WebSocket ${address.replace(/^http/, 'ws')}/ws, metrics ${address}/metrics); Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`earshot: ${signal}: stopping streams and closing\n`);
          app.close().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
