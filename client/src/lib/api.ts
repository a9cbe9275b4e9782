/**
 * All HTTP the dashboard does, in one place. Errors come back as ApiError
 * carrying the server's EARSHOT_* code and message (Fastify's error body:
 * `{ statusCode, code, error, message }`), so the toasts can show them as is.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The access token the page was opened with (`/?token=...`, needed when the server is not on loopback). */
export function pageToken(): string | null {
  return new URLSearchParams(location.search).get('token');
}

export async function request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: BodyInit, contentType?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = pageToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (contentType) headers['content-type'] = contentType;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `${method} ${path}: the server cannot be reached (${(err as Error).message})`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // non-JSON body: reported below if the status is an error
  }
  if (!res.ok) {
    const b = (json ?? {}) as { code?: string; message?: string; error?: string };
    throw new ApiError(res.status, b.code ?? `HTTP_${res.status}`, b.message ?? b.error ?? `${method} ${path} answered ${res.status} ${res.statusText}`);
  }
  return json as T;
}

/** A shipped or uploaded clip the server can stream (`source: {kind: 'file', path}`; a name in the server's clip table, not a file system path). */
export interface Clip { id: string; path: string; origin?: 'shipped' | 'upload'; name?: string; durationS?: number; sampleRateHz?: number; channels?: number }
export interface ModelInfo { id: string; description?: string; embeddingSize?: number; available?: boolean; missing?: string[]; install?: string; license?: string; windowS?: number; hopS?: number }
/** A probe; its `id` is what goes into StreamConfig.probes. `model` (or `modelId`/`encoder`) names the model it reads, when the server says. */
export interface ProbeInfo { id: string; model?: string; encoder?: string; modelId?: string; classes?: string[]; description?: string; license?: string; kind?: 'wakeword' }
export interface BankEntry { id: string; description?: string; kind?: string; layout?: string; channels?: number; license?: string }

// Lists arrive either bare or wrapped ({ models: [...] }); accept both.
function list<T>(value: unknown, key: string): T[] {
  if (Array.isArray(value)) return value as T[];
  const inner = (value as Record<string, unknown> | null)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}

export const api = {
  models: async () => list<ModelInfo>(await request('GET', '/api/models'), 'models'),
  probes: async () => list<ProbeInfo>(await request('GET', '/api/probes'), 'probes'),
  clips: async () => list<Clip>(await request('GET', '/api/clips'), 'clips'),
  rirs: async () => list<BankEntry>(await request('GET', '/api/rirs'), 'rirs'),
  noises: async () => list<BankEntry>(await request('GET', '/api/noises'), 'noises'),
  /** Upload an audio file (multipart field `file`); the answer names the clip to stream. */
  upload: async (file: File): Promise<Clip> => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<Clip>('POST', '/api/uploads', form);
  },
};
