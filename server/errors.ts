import createError from '@fastify/error';

/**
 * Errors only the server raises (authentication, origins, the WebSocket
 * protocol, uploads, stream ownership), with the same shape as `src/errors.ts`:
 * an `EARSHOT_*` code, a message template naming the value and the fix, and
 * the HTTP status. Over the WebSocket the code and message travel in an
 * `error` message; over REST as `{ code, message }` with the status.
 */
export const ServerErrors = {
  UNAUTHORIZED: createError('EARSHOT_UNAUTHORIZED', '%s', 401),
  FORBIDDEN_ORIGIN: createError('EARSHOT_FORBIDDEN_ORIGIN', '%s', 403),
  FORBIDDEN_HOST: createError('EARSHOT_FORBIDDEN_HOST', '%s', 403),
  NOT_OWNER: createError('EARSHOT_NOT_OWNER', '%s', 403),
  INVALID_REQUEST: createError('EARSHOT_INVALID_REQUEST', '%s', 400),
  BAD_MESSAGE: createError('EARSHOT_BAD_MESSAGE', '%s', 400),
  INVALID_JSON: createError('EARSHOT_INVALID_JSON', '%s', 400),
  JSON_TOO_DEEP: createError('EARSHOT_JSON_TOO_DEEP', '%s', 400),
  FORBIDDEN_KEY: createError('EARSHOT_FORBIDDEN_KEY', '%s', 400),
  FRAME_TOO_LARGE: createError('EARSHOT_FRAME_TOO_LARGE', '%s', 413),
  UPLOAD_TOO_LARGE: createError('EARSHOT_UPLOAD_TOO_LARGE', 'the upload is larger than the %s limit; send a shorter clip or compress it (FLAC, Ogg, MP3)', 413),
  UPLOAD_TOO_LONG: createError('EARSHOT_UPLOAD_TOO_LONG', '%s; this server keeps uploads of at most %s s (server option maxUploadDurationS). Cut it shorter first (e.g. ffmpeg -i IN -t 60 OUT.flac)', 413),
  UPLOADS_FULL: createError('EARSHOT_UPLOADS_FULL', '%s', 507),
  NOT_MULTIPART: createError('EARSHOT_NOT_MULTIPART', '%s', 415),
  INVALID_MULTIPART: createError('EARSHOT_INVALID_MULTIPART', '%s', 400),
  TOO_MANY_PARTS: createError('EARSHOT_TOO_MANY_PARTS', 'the upload has more parts than one file and a few fields; send exactly one file part (%s)', 413),
  UPLOAD_TOO_SHORT: createError('EARSHOT_UPLOAD_TOO_SHORT', '%s', 422),
  NOT_FOUND: createError('EARSHOT_NOT_FOUND', '%s', 404),
  OVER_LIMIT: createError('EARSHOT_OVER_LIMIT', '%s', 400),
  TOO_MANY_CLIENT_STREAMS: createError('EARSHOT_TOO_MANY_CLIENT_STREAMS', 'this connection already runs %s streams, the most one client may (server option maxStreamsPerClient); stop one first with a "stop" message', 429),
  PUSH_TOO_FAST: createError('EARSHOT_PUSH_TOO_FAST', '%s', 429),
  TOO_MANY_STREAMS: createError('EARSHOT_TOO_MANY_STREAMS', '%s streams are running, the most this server allows; stop one first (DELETE /api/streams/:id or a "stop" message)', 429),
  STREAM_FAILED: createError('EARSHOT_STREAM_FAILED', 'stream %s failed: %s', 500),
  TOO_MANY_SWEEPS: createError('EARSHOT_TOO_MANY_SWEEPS', '%s', 429),
  SWEEP_NOT_RUNNING: createError('EARSHOT_SWEEP_NOT_RUNNING', '%s', 409),
} as const;
