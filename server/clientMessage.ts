import { homedir, tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.ts';
import type { ServerOptions } from './options.ts';

// The engine speaks in CLI flags; the API's clients know the request's field names. Longer flags first.
const FLAG_FIELDS: [RegExp, string][] = [
  [/--noise-sources\b/g, 'noiseSources'],
  [/--noise\b/g, 'noise'],
  [/--snr-mode\b/g, 'snrMode'],
  [/--snr\b/g, 'snrDb'],
  [/--recipe\b/g, 'recipe'],
  [/--clean-reference\b/g, 'cleanReference'],
  [/--rt60\b/g, 'rt60S'],
  [/--room\b/g, 'room'],
  [/--azimuth\b/g, 'azimuthDeg'],
  [/--test-fraction\b/g, 'testFraction'],
  [/--split-seed\b/g, 'splitSeed'],
  [/--seeds\b/g, 'seeds'],
  [/--receiver\b/g, 'receiver'],
  [/--model\b/g, 'models'],
  [/--probe-smooth\b/g, 'probeSmooth'],
  [/--probe\b/g, 'probes'],
  [/--hop\b/g, 'hopS'],
  [/--cka-windows\b/g, 'ckaWindows'],
  [/--wake-threshold\b/g, 'wakeThreshold'],
  [/--no-vad\b/g, 'vad: false'],
];

/** An engine message in the API's words: `--snr` reads `snrDb`, `--model` `models`. */
export function inFieldNames(message: string): string {
  return FLAG_FIELDS.reduce((m, [flag, field]) => m.replace(flag, field), message);
}

/**
 * A filter for every message that leaves the server (REST errors, WebSocket
 * `error` and `stopped` messages, sweep failures): CLI flags become the
 * API's field names ({@link inFieldNames}), and a path under one of the
 * server's folders (the package, the working folder, the temporary and home
 * folders, and each folder the options name) becomes its base name, so
 * "/srv/earshot/models/trained/kw.json: not JSON" reads "kw.json: not JSON".
 * The engine's errors name files for the CLI's user, who knows them; a
 * client of the server knows ids. Routes that know the id say it instead
 * (see `resolveStreamConfig`); this catches the rest.
 *
 * @example
 * const toClient = clientMessage(options);
 * toClient(`${process.cwd()}/x/y.onnx not found; add --model x`); // 'y.onnx not found; add models x'
 */
export function clientMessage(options: Pick<ServerOptions, 'modelsDirs' | 'rirDirs' | 'noiseDirs' | 'probeDirs' | 'uploadsDir' | 'clipsDir' | 'sweepsDir' | 'sweepDataDirs'>): (message: string) => string {
  const folders = [PACKAGE_ROOT, process.cwd(), tmpdir(), homedir(), ...options.modelsDirs, ...options.rirDirs, ...options.noiseDirs, ...options.probeDirs, options.uploadsDir, options.clipsDir, options.sweepsDir, ...options.sweepDataDirs];
  const roots = [...new Set(folders.map((f) => resolve(f).replace(/\/+$/, '')).filter((f) => f !== '' && f !== '/'))].sort((a, b) => b.length - a.length);
  // A root, then the rest of the path up to a space, quote, bracket, comma or colon.
  const pattern = new RegExp(`(?:${roots.map(escapeRegExp).join('|')})(?![\\w.-])(?:/[^\\s"'\`()\\[\\],;:]*)?`, 'g');
  return (message) => inFieldNames(message).replace(pattern, (path) => basename(path) || 'a server folder');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
