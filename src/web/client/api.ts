/**
 * The console's only way to the server: JSON calls to /console/api with the session cookie and
 * the CSRF token, and the streamed SQL editor results. Problem JSON answers become ApiErrors
 * carrying the server's sentence for people (`detail`), never the raw JSON.
 */
import type { Cell, Column } from './api-types.ts';

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

let csrfToken = '';
const signedOutListeners = new Set<() => void>();

export function setCsrfToken(t: string): void {
  csrfToken = t;
}

/** Called when an API call finds the session gone (the app then shows the sign-in page). */
export function onSignedOut(f: () => void): () => void {
  signedOutListeners.add(f);
  return () => signedOutListeners.delete(f);
}

export const API = '/console/api';

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(API + path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check that Runlake is running, then try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!res.ok) throw errorOf(res.status, text, path);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_response', 'The server sent an answer the console cannot read. Reload the page.');
  }
}

export function errorOf(status: number, text: string, path: string): ApiError {
  let detail: string | undefined;
  let code = 'error';
  try {
    const p = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof p.detail === 'string') detail = p.detail;
    if (typeof p.title === 'string') code = p.title;
  } catch {
    // not JSON: a proxy or the network
  }
  if (status === 401 && path !== '/session') for (const f of signedOutListeners) f();
  return new ApiError(status, code, sentence(detail ?? fallbackMessage(status)));
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return 'Something went wrong on the server. Try again; if it keeps happening, check the server log.';
  return `The request failed (HTTP ${status}).`;
}

/** The server's messages start lower-case (they are also log and CLI text); the console shows sentences. */
function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export function query(params: Record<string, string | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') sp.set(k, v);
  const s = sp.toString();
  return s === '' ? '' : `?${s}`;
}

export interface StreamHandlers {
  onColumns(columns: Column[], queryId: string): void;
  onRows(rows: Cell[][]): void;
}

/** Runs a SQL editor query, handing over rows as they arrive; resolves with the end summary. */
export async function streamQuery(
  org: string,
  body: { sql: string; dialect: string; limit: number },
  h: StreamHandlers,
  signal: AbortSignal,
): Promise<{ rows: number; truncated: boolean }> {
  const path = `/orgs/${encodeURIComponent(org)}/queries`;
  let res: Response;
  try {
    res = await fetch(API + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check that Runlake is running, then try again.');
  }
  if (!res.ok || !res.body) throw errorOf(res.status, await res.text(), path);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let end: { rows: number; truncated: boolean } | undefined;
  const handle = (line: string) => {
    if (line === '') return;
    const v = JSON.parse(line) as unknown;
    if (Array.isArray(v)) return v as Cell[];
    const o = v as { columns?: Column[]; queryId?: string; error?: { code: string; status: number; message: string }; end?: { rows: number; truncated: boolean } };
    if (o.columns) h.onColumns(o.columns, o.queryId ?? '');
    else if (o.error) throw new ApiError(o.error.status, o.error.code, sentence(o.error.message));
    else if (o.end) end = o.end;
    return undefined;
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    const rows: Cell[][] = [];
    for (const line of lines) {
      const r = handle(line);
      if (r) rows.push(r);
    }
    if (rows.length > 0) h.onRows(rows);
  }
  const last = handle(buffer);
  if (last) h.onRows([last]);
  if (!end) throw new ApiError(0, 'incomplete', 'The result ended early (the connection was interrupted). Run the query again.');
  return end;
}
