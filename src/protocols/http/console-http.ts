/**
 * Small HTTP helpers the console API shares: JSON answers that are never cached, JSON bodies of
 * bounded size, typed field readers with clear errors, the client's address, and running one
 * query through the query service to a bounded list of JSON rows.
 *
 * Invariant: every console query goes through QueryService.submit as the given principal
 * (protocol `console`, interactive caps), never around it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueryService } from '../../service/query-service.ts';
import { jsonValue, typeName, type JsonValue } from '../../service/render.ts';
import type { Principal } from '../../service/types.ts';
import { RunlakeError, isRunlakeError } from '../../util/errors.ts';
import { readBody } from './router.ts';

/** Headers every console answer carries. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
});

export function sendConsoleJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...CONSOLE_HEADERS,
    'cache-control': 'no-store',
    ...(text === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const MAX_JSON_BODY = 64 * 1024;

export type JsonBody = Record<string, unknown>;

/** The request's JSON object body (at most `limit` bytes; empty body = `{}`). */
export async function jsonBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<JsonBody> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RunlakeError('bad_request', 'the request body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RunlakeError('bad_request', 'the request body must be a JSON object');
  return v as JsonBody;
}

export function str(b: JsonBody, key: string, label = key): string {
  const v = b[key];
  if (typeof v !== 'string' || v === '') throw new RunlakeError('bad_request', `${label} is required`);
  return v;
}

export function optStr(b: JsonBody, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RunlakeError('bad_request', `"${key}" must be text`);
  return v;
}

export function bool(b: JsonBody, key: string): boolean {
  const v = b[key];
  if (typeof v !== 'boolean') throw new RunlakeError('bad_request', `"${key}" must be true or false`);
  return v;
}

/** The client's address as this server sees it (no proxy headers are trusted). */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export interface CollectedResult {
  queryId: string;
  columns: { name: string; type: string }[];
  rows: JsonValue[][];
  /** The result had more rows than were kept. */
  truncated: boolean;
}

/** Runs one query as the principal and keeps up to `maxRows` rows (the rest is cut, not an error). */
export async function collectQuery(
  service: QueryService,
  principal: Principal,
  sql: string,
  opts: { maxRows: number; signal?: AbortSignal },
): Promise<CollectedResult> {
  const q = await service.submit({
    principal, protocol: 'console', dialect: 'trino', sql, interactive: true, maxRows: opts.maxRows,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const columns = await q.columns();
  const rows: JsonValue[][] = [];
  for await (const chunk of q.rows()) {
    for (const r of chunk) rows.push(r.map((v, i) => jsonValue(v, columns[i]?.type)));
  }
  return { queryId: q.id, columns: columns.map((c) => ({ name: c.name, type: typeName(c.type) })), rows, truncated: q.info().truncated };
}

/** An AbortSignal that fires when the client goes away before the answer is complete. */
export function clientGone(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}

/** A RunlakeError as-is; anything else as a bare internal error (never its message). */
export function publicError(e: unknown): RunlakeError {
  return isRunlakeError(e) ? e : new RunlakeError('internal', 'internal error');
}
