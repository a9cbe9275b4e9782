/**
 * All HTTP the dashboard does, in one place. Errors come back as ApiError
 * carrying the server's EARSHOT_* code and message (Fastify's error body:
 * `{ statusCode, code, error, message }`), so the toasts can show them as is.
 * The answers' types are the server's route schemas (server/protocol/rest.ts).
 */
import type { ClipInfo, ModelInfo, NoiseInfo, ProbeInfo, RirInfo } from '../../../server/protocol/rest.ts';

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

export type { ClipInfo as Clip, ModelInfo, NoiseInfo, ProbeInfo, RirInfo };

export const api = {
  models: () => request<ModelInfo[]>('GET', '/api/models'),
  probes: () => request<ProbeInfo[]>('GET', '/api/probes'),
  clips: () => request<ClipInfo[]>('GET', '/api/clips'),
  rirs: () => request<RirInfo[]>('GET', '/api/rirs'),
  noises: () => request<NoiseInfo[]>('GET', '/api/noises'),
  /** Upload an audio file (multipart field `file`); the answer names the clip to stream. */
  upload: async (file: File): Promise<ClipInfo> => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<ClipInfo>('POST', '/api/uploads', form);
  },
};
