import { requireCommonJs } from './commonjs.ts';

const createError = requireCommonJs<typeof import('@fastify/error')>('@fastify/error');

/**
 * Every error earshot raises, the engine's and the server's alike, with a
 * stable `EARSHOT_*` code (always `EARSHOT_` + its key), a message template
 * that names the offending value and how to fix it, and the HTTP status the
 * server answers with. Throw `new Errors.X(args...)`; name a code with
 * {@link errorCode} and test one with {@link hasCode}, never with a literal.
 * Over the WebSocket the code and message travel in an `error` message;
 * over REST as `{ code, message }` with the status.
 */
export const Errors = {
  FILE_NOT_FOUND: createError('EARSHOT_FILE_NOT_FOUND', '%s: no such file. Check the path.', 404),
  IS_DIRECTORY: createError('EARSHOT_IS_DIRECTORY', '%s is a directory, not an audio file. Name a file inside it.', 400),
  UNREADABLE: createError('EARSHOT_UNREADABLE', '%s: cannot read (%s).', 400),
  UNKNOWN_FORMAT: createError('EARSHOT_UNKNOWN_FORMAT', '%s: not a recognised audio format (%s). earshot reads WAV, FLAC, Ogg Vorbis and MP3.', 415),
  CORRUPT_AUDIO: createError('EARSHOT_CORRUPT_AUDIO', '%s: corrupt or truncated audio (%s). Re-export or re-download the file.', 422),
  EMPTY_AUDIO: createError('EARSHOT_EMPTY_AUDIO', '%s: contains zero samples. Give a file with some audio in it.', 422),
  UNSUPPORTED_RATE: createError('EARSHOT_UNSUPPORTED_RATE', '%s: sampled at %s Hz; earshot streams audio sampled at %s Hz. Resample it first (e.g. ffmpeg -i IN -ar 16000 OUT.wav).', 422),
  NON_FINITE_AUDIO: createError('EARSHOT_NON_FINITE_AUDIO', '%s: sample %s of channel %s is %s. The file holds NaN/Inf samples; clean it first.', 422),
  INVALID_OPTION: createError('EARSHOT_INVALID_OPTION', '%s', 400),
  INVALID_CONDITION: createError('EARSHOT_INVALID_CONDITION', 'invalid condition: %s', 400),
  UNKNOWN_ID: createError('EARSHOT_UNKNOWN_ID', 'unknown %s "%s". Known: %s.', 404),
  UNREACHABLE_RT60: createError('EARSHOT_UNREACHABLE_RT60', '%s', 422),
  INVALID_BANK: createError('EARSHOT_INVALID_BANK', '%s', 422),
  WRITE_FAILED: createError('EARSHOT_WRITE_FAILED', 'cannot write %s (%s).', 500),
  INVALID_MODEL: createError('EARSHOT_INVALID_MODEL', '%s', 422),
  MODEL_MISMATCH: createError('EARSHOT_MODEL_MISMATCH', '%s', 422),
  MODEL_FILES_MISSING: createError('EARSHOT_MODEL_FILES_MISSING', '%s: %s not found. Get it with `%s` (or fix the path in the manifest).', 404),
  RUNTIME_FAILED: createError('EARSHOT_RUNTIME_FAILED', '%s', 500),
  INVALID_FEEDS: createError('EARSHOT_INVALID_FEEDS', '%s', 400),
  WORKER_CRASHED: createError('EARSHOT_WORKER_CRASHED', '%s', 500),
  CUDA_UNAVAILABLE: createError('EARSHOT_CUDA_UNAVAILABLE', '%s', 503),
  POOL_CLOSED: createError('EARSHOT_POOL_CLOSED', 'the ONNX worker pool is closed (%s); open a new OnnxPool.', 503),
  INVALID_DATA: createError('EARSHOT_INVALID_DATA', '%s', 422),
  INVALID_PROBE: createError('EARSHOT_INVALID_PROBE', '%s', 422),
  SWEEP_MISMATCH: createError('EARSHOT_SWEEP_MISMATCH', '%s', 409),
  SWEEP_BUSY: createError('EARSHOT_SWEEP_BUSY', '%s', 409),
  GRID_TOO_LARGE: createError('EARSHOT_GRID_TOO_LARGE', '%s', 400),
  REDIS_UNAVAILABLE: createError('EARSHOT_REDIS_UNAVAILABLE', 'cannot reach Redis at %s (%s). Start redis-server there or check the URL; `earshot sweep` without --redis runs on this machine alone.', 503),
  CELL_FAILED: createError('EARSHOT_CELL_FAILED', '%s', 500),
  OPERATOR_FAILED: createError('EARSHOT_OPERATOR_FAILED', "the stream's %s step failed: %s", 500),
  WRONG_CHANNELS: createError('EARSHOT_WRONG_CHANNELS', 'model "%s" takes %s-channel audio; got %s', 422),
  // The server's own: authentication, origins, request bodies, the WebSocket protocol, uploads, ownership.
  UNAUTHORIZED: createError('EARSHOT_UNAUTHORIZED', '%s', 401),
  FORBIDDEN_ORIGIN: createError('EARSHOT_FORBIDDEN_ORIGIN', '%s', 403),
  FORBIDDEN_HOST: createError('EARSHOT_FORBIDDEN_HOST', '%s', 403),
  NOT_OWNER: createError('EARSHOT_NOT_OWNER', '%s', 403),
  INVALID_REQUEST: createError('EARSHOT_INVALID_REQUEST', '%s', 400),
  INVALID_JSON: createError('EARSHOT_INVALID_JSON', '%s', 400),
  BODY_TOO_LARGE: createError('EARSHOT_BODY_TOO_LARGE', '%s', 413),
  UNSUPPORTED_MEDIA_TYPE: createError('EARSHOT_UNSUPPORTED_MEDIA_TYPE', '%s', 415),
  BAD_MESSAGE: createError('EARSHOT_BAD_MESSAGE', '%s', 400),
  FRAME_TOO_LARGE: createError('EARSHOT_FRAME_TOO_LARGE', '%s', 413),
  UPLOAD_TOO_LARGE: createError('EARSHOT_UPLOAD_TOO_LARGE', 'the upload is larger than the %s limit; send a shorter clip or compress it (FLAC, Ogg, MP3)', 413),
  NOT_MULTIPART: createError('EARSHOT_NOT_MULTIPART', '%s', 415),
  NOT_FOUND: createError('EARSHOT_NOT_FOUND', '%s', 404),
  TOO_MANY_STREAMS: createError('EARSHOT_TOO_MANY_STREAMS', '%s streams are running, the most this server allows; stop one first (DELETE /api/streams/:id or a "stop" message)', 429),
  STREAM_FAILED: createError('EARSHOT_STREAM_FAILED', 'stream %s failed: %s', 500),
  TOO_MANY_SWEEPS: createError('EARSHOT_TOO_MANY_SWEEPS', '%s', 429),
  SWEEP_NOT_RUNNING: createError('EARSHOT_SWEEP_NOT_RUNNING', '%s', 409),
  INTERNAL: createError('EARSHOT_INTERNAL', '%s', 500),
  JSON_TOO_DEEP: createError('EARSHOT_JSON_TOO_DEEP', '%s', 400),
  FORBIDDEN_KEY: createError('EARSHOT_FORBIDDEN_KEY', '%s', 400),
  UPLOAD_TOO_LONG: createError('EARSHOT_UPLOAD_TOO_LONG', '%s; this server keeps uploads of at most %s s (server option maxUploadDurationS). Cut it shorter first (e.g. ffmpeg -i IN -t 60 OUT.flac)', 413),
  UPLOADS_FULL: createError('EARSHOT_UPLOADS_FULL', '%s', 507),
  INVALID_MULTIPART: createError('EARSHOT_INVALID_MULTIPART', '%s', 400),
  TOO_MANY_PARTS: createError('EARSHOT_TOO_MANY_PARTS', 'the upload has more parts than one file and a few fields; send exactly one file part (%s)', 413),
  UPLOAD_TOO_SHORT: createError('EARSHOT_UPLOAD_TOO_SHORT', '%s', 422),
  OVER_LIMIT: createError('EARSHOT_OVER_LIMIT', '%s', 400),
  TOO_MANY_CLIENT_STREAMS: createError('EARSHOT_TOO_MANY_CLIENT_STREAMS', 'this connection already runs %s streams, the most one client may (server option maxStreamsPerClient); stop one first with a "stop" message', 429),
  PUSH_TOO_FAST: createError('EARSHOT_PUSH_TOO_FAST', '%s', 429),
} as const;

/** True for errors raised by earshot itself (they carry a message meant for the user). */
export function isEarshotError(err: unknown): err is Error & { code: string; statusCode: number } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('EARSHOT_');
}

/** The name of an error in {@link Errors}. */
export type ErrorName = keyof typeof Errors;

/** The wire code of an error in {@link Errors}: `EARSHOT_` + its name. */
export type ErrorCode = `EARSHOT_${ErrorName}`;

/** The code {@link Errors}[name] carries, for answers built by hand and for comparisons. */
export function errorCode(name: ErrorName): ErrorCode {
  return `EARSHOT_${name}`;
}

/**
 * True when err carries the code of {@link Errors}[name]. Compares codes, not
 * classes, so it also holds for errors rebuilt from a worker thread's or a
 * child process's message.
 */
export function hasCode(err: unknown, name: ErrorName): boolean {
  return (err as { code?: unknown } | null)?.code === errorCode(name);
}
