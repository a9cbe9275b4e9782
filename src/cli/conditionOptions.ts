import { readFile } from 'node:fs/promises';
import { Option, type Command } from './commander.ts';
import { Errors } from '../errors.ts';
import { NoiseSchema, SourceSchema, validateCondition, type Condition } from '../scene/condition.ts';
import { MATERIALS } from '../scene/room/absorption.ts';

/** Flags that describe a scene condition; shared by every command that renders scenes. */
export function addConditionOptions(cmd: Command): Command {
  return cmd
    .option('--condition <file>', 'a condition as JSON (the flags below override its fields)')
    .option('--snr <dB>', 'signal-to-noise ratio in dB (-30..80), or "clean"; omitted: no noise')
    .option('--rir <id>', 'reverberate with this IR from the RIR bank (see `earshot rirs`)')
    .option('--rt60 <s>', 'reverberate with a simulated shoebox room of this RT60 in seconds (0 < s <= 3)')
    .option('--room-size <x,y,z>', 'simulated room dimensions in metres (default: a shoebox that suits --rt60)')
    .option('--walls <material|a,b,c,d,e,f>', `wall absorption of the simulated room: a material (${Object.keys(MATERIALS).join(', ')}) or 6 coefficients at 125 Hz..4 kHz; scaled together to reach --rt60 (default flat)`)
    .option('--air <T,RH|off>', 'air absorption of the simulated room (ISO 9613-1): temperature °C and relative humidity %, or "off" (default 20,50)')
    .option('--azimuth <deg>', 'source azimuth, degrees, -180..180; 0 = ahead, +90 = left', '0')
    .option('--elevation <deg>', 'source elevation, degrees, -90..90', '0')
    .option('--distance <m>', 'source distance from the receiver in metres (0.2..50)', '1.5')
    .addOption(new Option('--receiver <kind>', 'receiver: binaural (KEMAR, 2 ch), foa (ambisonics, 4 ch), mono, or auto (the layout of a --rir, else mono; the default)').choices(['auto', 'binaural', 'foa', 'mono']))
    .option('--mics <list>', 'a microphone array instead of --receiver: "x,y,z;x,y,z;..." in metres from its centre')
    .option('--noise <ids>', 'noise recordings or colours, comma-separated (see `earshot noises`)', 'cafe')
    .option('--noise-sources <n>', 'number of noise sources at distinct positions (1..5)', '1')
    .option('--seed <n>', 'random seed: same seed, same samples', '0')
    .addOption(new Option('--snr-mode <mode>', 'SNR definition: pooled (one noise gain from energies over all channels) or per-channel (one gain per channel, as Nat-HEAR); default pooled, per-channel with --recipe nathear').choices(['pooled', 'per-channel']))
    .addOption(new Option('--recipe <name>', 'scene recipe: earshot (default) or nathear (the Nat-HEAR evaluation code step by step: clip padded to the 4 s RIR before the SNR is set, per-channel SNR; offline only)').choices(['earshot', 'nathear']))
    .option('--rir-dir <dir>', 'add a folder of your own IRs to the RIR bank (repeatable)', collect, [])
    .option('--noise-dir <dir>', 'add a folder of your own noise recordings to the noise bank (repeatable)', collect, []);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Turn parsed flags into a validated condition. Errors name the flag or field and the allowed range. */
export async function conditionFromOptions(opts: Record<string, unknown>, flagSet: (name: string) => boolean): Promise<Condition> {
  const base = opts.condition ? await readConditionFile(String(opts.condition)) : {};
  const c: Record<string, unknown> = { ...base };
  if (opts.rir !== undefined && opts.rt60 !== undefined) {
    throw new Errors.INVALID_OPTION('give either --rir (a bank IR) or --rt60 (a simulated room), not both');
  }
  if (opts.snr !== undefined) c.snrDb = opts.snr === 'clean' ? 'clean' : toNumber(opts.snr);
  if (opts.rir !== undefined) c.room = { bank: String(opts.rir) };
  if (opts.rt60 !== undefined) c.room = { rt60S: toNumber(opts.rt60) };
  if (opts.roomSize !== undefined) c.room = { ...simulatedRoom(c.room, '--room-size'), dimensionsM: list(String(opts.roomSize), '--room-size', 3) };
  if (opts.walls !== undefined) {
    const walls = String(opts.walls);
    c.room = { ...simulatedRoom(c.room, '--walls'), walls: walls.includes(',') ? list(walls, '--walls', 6, 'absorption coefficients at 125, 250, 500, 1000, 2000, 4000 Hz') : walls };
  }
  if (opts.air !== undefined) {
    const air = String(opts.air);
    const [temperatureC, humidityPct] = air === 'off' ? [] : list(air, '--air', 2, 'temperature in °C and relative humidity in %');
    c.room = { ...simulatedRoom(c.room, '--air'), air: air === 'off' ? null : { temperatureC, humidityPct } };
  }
  const source = objectField(base, 'source', String(opts.condition));
  if (flagSet('azimuth') || !('azimuthDeg' in source)) source.azimuthDeg = toNumber(opts.azimuth);
  if (flagSet('elevation') || !('elevationDeg' in source)) source.elevationDeg = toNumber(opts.elevation);
  if (flagSet('distance') || !('distanceM' in source)) source.distanceM = toNumber(opts.distance);
  c.source = source;
  if (opts.mics !== undefined && opts.receiver !== undefined) throw new Errors.INVALID_OPTION('give either --receiver or --mics, not both');
  if (opts.receiver !== undefined) c.receiver = opts.receiver;
  if (opts.mics !== undefined) {
    c.receiver = { kind: 'array', micsM: String(opts.mics).split(';').map((m) => list(m, '--mics', 3)) };
  }
  const noise = objectField(base, 'noise', String(opts.condition));
  if (flagSet('noise') || !('ids' in noise)) noise.ids = String(opts.noise).split(',').map((s) => s.trim()).filter(Boolean);
  if (flagSet('noiseSources') || !('sources' in noise)) noise.sources = toNumber(opts.noiseSources);
  c.noise = noise;
  if (flagSet('seed') || !('seed' in c)) c.seed = toNumber(opts.seed);
  if (opts.snrMode !== undefined) c.snrMode = opts.snrMode;
  if (opts.recipe !== undefined) c.recipe = opts.recipe;
  return validateCondition(c);
}

// A copy of the file's source or noise object for the flags to fill in; anything else there is an error
// (spreading it would silently drop a number or null, or turn a string into {"0": ...}).
function objectField(base: Record<string, unknown>, key: 'source' | 'noise', file: string): Record<string, unknown> {
  const value = base[key];
  if (value === undefined) return {};
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { ...value };
  const schema = key === 'source' ? SourceSchema : NoiseSchema;
  throw new Errors.INVALID_CONDITION(`${key} = ${JSON.stringify(value)} in ${file}: ${key} must be ${schema.description}`);
}

/** Read a --condition file as a JSON object (not yet validated: flags may still override its fields). */
export async function readConditionFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Errors.INVALID_OPTION(`--condition ${path}: cannot read the file (${err.code ?? err.message})`);
  });
  try {
    const json = JSON.parse(text);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('expected a JSON object');
    return json;
  } catch (err) {
    throw new Errors.INVALID_OPTION(`--condition ${path}: not a JSON condition object (${(err as Error).message})`);
  }
}

/** A flag value as a number; malformed ones pass through unparsed, so validation names the field and its range. */
export function toNumber(v: unknown): unknown {
  const s = String(v).trim();
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : s;
}

function list(s: string, flag: string, n: number, what = 'x,y,z in metres'): number[] {
  const parts = s.split(',').map((p) => Number(p.trim()));
  if (parts.length !== n || parts.some((p) => !Number.isFinite(p))) {
    throw new Errors.INVALID_OPTION(`${flag} expects ${n} comma-separated numbers (${what}), got "${s}"`);
  }
  return parts;
}

// The condition's simulated room, for a flag that refines it; any other room is an error naming the flag.
function simulatedRoom(room: unknown, flag: string): Record<string, unknown> {
  if (room === null || typeof room !== 'object' || !('rt60S' in room)) {
    throw new Errors.INVALID_OPTION(`${flag} needs a simulated room: give --rt60 (its reverberation time) too`);
  }
  return room as Record<string, unknown>;
}
