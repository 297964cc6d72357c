import type { ErrorJson } from '../../src/server/api-types.js';

/*
 * The only way the front end reaches data: the dashboard's HTTP API. A bearer token, when the
 * server asks for one, is kept for this tab only (sessionStorage) and sent as a header, never in URLs.
 */

const TOKEN_KEY = 'vigil-token';
const CLUSTER_KEY = 'vigil-cluster';

/** The cluster chosen in the header (when the store holds several), for this tab. */
export function chosenCluster(): string | undefined {
  return sessionStorage.getItem(CLUSTER_KEY) ?? undefined;
}

export function chooseCluster(cluster: string | undefined): void {
  if (cluster === undefined || cluster === '') sessionStorage.removeItem(CLUSTER_KEY);
  else sessionStorage.setItem(CLUSTER_KEY, cluster);
}

/** Every API call is about the chosen cluster (the server's default when none is chosen). */
function withCluster(path: string): string {
  const cluster = chosenCluster();
  if (cluster === undefined || !path.startsWith('/api/') || /[?&]cluster=/.test(path)) return path;
  return `${path}${path.includes('?') ? '&' : '?'}cluster=${encodeURIComponent(cluster)}`;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return { Accept: 'application/json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...extra };
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

async function parse<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    const error = body as Partial<ErrorJson>;
    throw new ApiError(response.status, error.error ?? `HTTP ${response.status}`, error.hint);
  }
  return body as T;
}

export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export async function get<T>(path: string): Promise<T> {
  return parse<T>(await fetch(withCluster(path), { headers: headers() }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(withCluster(path), {
      method: 'POST',
      headers: headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify(body),
    }),
  );
}

export async function del(path: string): Promise<void> {
  await parse<undefined>(await fetch(withCluster(path), { method: 'DELETE', headers: headers() }));
}

/**
 * Download an API resource as a file. A plain link cannot send the bearer token, so the file is
 * fetched with it and handed to the browser as a blob.
 */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(withCluster(path), { headers: headers({ Accept: '*/*' }) });
  if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 1000);
}
