import { dirname } from 'node:path';
import { type TSchema, Value } from '../../src/typebox.ts';
import { Errors, isEarshotError } from '../../src/errors.ts';
import type { ModelRegistry } from '../../src/encoders/registry.ts';
import type { SceneBanks } from '../../src/scene/render.ts';
import { checkRoomChannels } from '../../src/sweep/rooms.ts';
import type { SweepSpec } from '../../src/sweep/types.ts';
import type { ServerOptions } from '../options.ts';
import { listProbeIds } from '../../src/probes/resolveProbe.ts';
import type { Datasets } from './datasets.ts';
import type { SweepInput } from './runner.ts';
import { SweepRequestSchema, type SweepRequest } from './schemas.ts';
import { describeValue } from '../../src/showValue.ts';
import { inFieldNames } from '../clientMessage.ts';

const FIELDS = Object.keys(SweepRequestSchema.properties);
const AXES = ['snrDb', 'room', 'rt60S', 'azimuthDeg', 'noise', 'noiseSources'] as const;
/** Rooms when a request names none: dry and a reverberant simulated room. */
const DEFAULT_ROOMS = [0, 0.6];

/**
 * Check a POST /api/sweeps body and fill in the defaults. Throws
 * INVALID_REQUEST naming the field: unknown fields, wrong types or ranges,
 * an empty axis (a grid without points), a model listed twice.
 */
export function parseSweepRequest(body: unknown): SweepRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Errors.INVALID_REQUEST('a sweep request must be a JSON object, e.g. {"models": ["oww-speech-embedding"], "snrDb": [20, 0], "rt60S": [0], "seeds": 1}');
  }
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).find((k) => !FIELDS.includes(k));
  if (unknown !== undefined) throw new Errors.INVALID_REQUEST(`unknown sweep field "${unknown.slice(0, 60)}". Known: ${FIELDS.join(', ')}`);
  for (const axis of AXES) {
    if (Array.isArray(input[axis]) && input[axis].length === 0) {
      throw new Errors.INVALID_REQUEST(`${axis} is empty, so the grid has no points; give at least one value (${SweepRequestSchema.properties[axis].description}), or leave it out for the default`);
    }
  }
  const request = Value.Default(SweepRequestSchema, structuredClone(input)) as SweepRequest;
  const first = Value.Errors(SweepRequestSchema, request).First();
  if (first) {
    const field = first.path.slice(1).replaceAll('/', '.') || 'request';
    // A union's own message ("expected union value") says nothing; its description says what is allowed.
    const why = 'anyOf' in first.schema ? 'not allowed' : first.message.toLowerCase();
    throw new Errors.INVALID_REQUEST(`${field} ${describeValue(first.value)}: ${why}${hint(first.schema)}`);
  }
  const twice = request.models.find((m, i) => request.models.indexOf(m) !== i);
  if (twice !== undefined) throw new Errors.INVALID_REQUEST(`models lists "${twice}" twice; list each model once`);
  if (request.room !== undefined && request.rt60S !== undefined) throw new Errors.INVALID_REQUEST('give either room or rt60S, not both: room takes RT60s too, e.g. "room": [0, 0.6, "street"]');
  if (request.room === undefined && request.rt60S === undefined) request.room = DEFAULT_ROOMS;
  return request;
}

/** What resolving a request needs from the server. */
export interface SweepRequestContext {
  models: ModelRegistry;
  banks: SceneBanks;
  datasets: Datasets;
  config: Pick<ServerOptions, 'probeDirs' | 'rirDirs' | 'noiseDirs' | 'maxSweepCells'>;
  specFromInput(input: SweepInput): Promise<SweepSpec> | SweepSpec;
}

/**
 * Turn a request into the engine's spec: models must be known and
 * installed and noises in the bank, the data set is looked up by name, probe
 * ids become their files, the server's bank and model folders are passed
 * on, and the grid (models × points × seeds) must stay within
 * `maxSweepCells`. The engine's validation errors come back as
 * INVALID_REQUEST, in the API's field names and with the data folder named
 * as the client knows it.
 */
export async function resolveSweepRequest(request: SweepRequest, ctx: SweepRequestContext): Promise<{ spec: SweepSpec; dataName: string; cellsTotal: number }> {
  const modelsDir = userModelsDir(request.models, ctx.models);
  const noises = ctx.banks.noises.list().map((n) => n.id);
  const unknownNoise = request.noise?.find((id) => !noises.includes(id));
  if (unknownNoise !== undefined) throw new Errors.INVALID_REQUEST(`unknown noise "${unknownNoise.slice(0, 100)}". Known: ${noises.join(', ')} (GET /api/noises)`);
  // Rooms named by the client are bank ids, never paths: only the CLI reads IR files.
  const rirIds = ctx.banks.rirs.list().map((e) => e.id);
  const unknownRoom = request.room?.find((r): r is string => typeof r === 'string' && !rirIds.includes(r));
  if (unknownRoom !== undefined) throw new Errors.INVALID_REQUEST(`unknown room "${unknownRoom.slice(0, 100)}": give RT60s in seconds or RIR bank ids. Known: ${rirIds.join(', ')} (GET /api/rirs)`);
  const data = ctx.datasets.folder(request.data);
  const probes = request.probes === undefined ? undefined : await probePaths(request.probes, ctx.config.probeDirs);
  const { rirDirs, noiseDirs } = ctx.config;
  const input: SweepInput = { ...request, data: data.dir, probes, rirDirs, noiseDirs, ...(modelsDir ? { modelsDir } : {}) };
  let spec: SweepSpec;
  try {
    spec = await ctx.specFromInput(input);
    const channels = spec.models.map((id) => ({ id, channels: ctx.models.require(id).manifest.channels }));
    await checkRoomChannels(spec.axes.room, ctx.banks.rirs, channels, spec.receiver);
  } catch (err) {
    if (!isEarshotError(err) || err.statusCode >= 500) throw err;
    throw new Errors.INVALID_REQUEST(inFieldNames(err.message).replaceAll(data.dir, `data set "${data.name}"`));
  }
  const cellsTotal = countCells(spec);
  if (cellsTotal > ctx.config.maxSweepCells) {
    const { axes } = spec;
    const sizes = `${spec.models.length} model(s) × ${axes.snrDb.length} SNR × ${axes.room.length} room(s) × ${axes.azimuthDeg.length} azimuth × ${axes.noise.length} noise × ${axes.noiseSources.length} noise-source count × ${spec.seeds} seed(s)`;
    throw new Errors.INVALID_REQUEST(`the grid has ${cellsTotal} cells (${sizes}); sweeps started here may have at most ${ctx.config.maxSweepCells}. Shrink an axis, or run the full grid with \`earshot sweep\``);
  }
  return { spec, dataName: data.name, cellsTotal };
}

/** Cells of a spec: every model × grid point × seed (src/sweep/grid.ts). */
export function countCells(spec: Pick<SweepSpec, 'models' | 'axes' | 'seeds'>): number {
  const { axes } = spec;
  return spec.models.length * axes.snrDb.length * axes.room.length * axes.azimuthDeg.length * axes.noise.length * axes.noiseSources.length * spec.seeds;
}

/**
 * Every model must be known and installed. The engine reads user models from
 * one folder, so those of one sweep must share theirs; it is returned.
 */
function userModelsDir(ids: string[], registry: ModelRegistry): string | undefined {
  const known = registry.list().map((m) => m.manifest.id);
  const dirs = new Set<string>();
  for (const id of ids) {
    if (!known.includes(id)) throw new Errors.INVALID_REQUEST(`unknown model "${id.slice(0, 100)}". Known: ${known.join(', ')} (GET /api/models)`);
    const entry = registry.require(id, 'id');
    if (entry.origin === 'user') dirs.add(dirname(entry.manifestPath));
  }
  if (dirs.size > 1) throw new Errors.INVALID_REQUEST(`models ${ids.join(', ')} come from different model folders; a sweep reads user models from one, so sweep them separately`);
  return [...dirs][0];
}

async function probePaths(ids: string[], dirs: string[]): Promise<string[]> {
  const files = await listProbeIds(dirs);
  return ids.map((id) => {
    const path = files.get(id);
    if (path === undefined) throw new Errors.INVALID_REQUEST(`unknown probe "${id.slice(0, 100)}". Known: ${[...files.keys()].join(', ') || '(none: this server offers no probes)'} (GET /api/probes)`);
    return path;
  });
}

function hint(schema: TSchema): string {
  return typeof schema.description === 'string' ? ` (${schema.description})` : '';
}
