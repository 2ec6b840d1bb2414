/**
 * The HTTP query API (`/api/v1`), for scripts and the console:
 *
 *   POST   /api/v1/query                  { sql, format?: 'ndjson' | 'csv', dialect?: 'trino' } → streamed result
 *   GET    /api/v1/queries/:id            → QueryInfo (state and statistics)
 *   POST   /api/v1/queries/:id/cancel     → QueryInfo after cancelling
 *   DELETE /api/v1/queries/:id            → the same
 *   GET    /api/v1/queries?state=&limit=&before=   → { queries: QueryInfo[], next: id | null } (newest first)
 *
 * Authentication: an organization's access key, as
 *   `Authorization: Bearer <access_key_id>:<secret_access_key>`, or HTTP Basic with the same pair
 *   (`curl -u <access_key_id>:<secret_access_key>`). connection.json lists them per organization.
 *
 * Results stream as they are produced, honouring socket backpressure (the next chunk is pulled
 * from the engine only after the previous one was handed to the socket):
 *   - ndjson (`application/x-ndjson`): a first line `{"columns":[{"name","type"}…],"queryId":…}`,
 *     then one JSON array per row (values as src/service/render.ts renders them). A failure after
 *     the first line ends the stream with `{"error":{"code","status","message"}}`.
 *   - csv (`text/csv`): a header line, then RFC 4180 rows (CRLF; NULL is an empty field). A
 *     failure after the header aborts the response, so the client sees an incomplete transfer.
 * The query id is also in the `x-runlake-query-id` header. A failure before the first byte is
 * problem JSON with the error's status. If the client disconnects, the query is cancelled.
 */
import { secretsEqual } from '../../util/secrets-equal.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineColumn, EngineRow } from '../../engine/engine.ts';
import type { QueryService } from '../../service/query-service.ts';
import { jsonValue, textValue, typeName } from '../../service/render.ts';
import { DIALECTS, type Dialect, type Principal, type QueryState } from '../../service/types.ts';
import { RunlakeError, isRunlakeError } from '../../util/errors.ts';
import { readBody, sendJson, type Router } from './router.ts';

export const QUERY_API_PREFIX = '/api/v1';

/** What the routes need to authenticate an access key (LocalAdminOps provides it). */
export interface AccessKeyResolver {
  /** The key when it exists and is not revoked. */
  resolveAccessKey(accessKeyId: string): Promise<{ org: string; secretAccessKey: string } | undefined>;
  /** Records use of the key. */
  touchAccessKey?(accessKeyId: string): Promise<void>;
}

const FORMATS = ['ndjson', 'csv'] as const;
type Format = (typeof FORMATS)[number];

export function addQueryRoutes(router: Router, service: QueryService, auth: AccessKeyResolver): void {
  const p = QUERY_API_PREFIX;
  // JSON escaping can grow SQL text up to 6x (\uXXXX); the service enforces the SQL limit itself.
  const maxBodyBytes = service.maxSqlBytes * 6 + 64 * 1024;
  const authenticate = (req: IncomingMessage) => principalOf(req, auth, service);

  router.add('POST', `${p}/query`, async (req, res) => {
    const principal = await authenticate(req);
    const body = await queryBody(req, maxBodyBytes);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const q = await service.submit({ principal, protocol: 'http', dialect: body.dialect, sql: body.sql, signal: abort.signal });
    const columns = await q.columns();
    const format = body.format === 'csv' ? csvFormat(columns) : ndjsonFormat(columns, q.id);
    res.writeHead(200, {
      'content-type': format.contentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-runlake-query-id': q.id,
    });
    if (!(await write(res, format.head))) return;
    const rows = q.rows();
    try {
      for (;;) {
        const r = await rows.next();
        if (r.done) break;
        if (!(await write(res, format.rows(r.value)))) {
          q.cancel('the client disconnected');
          return;
        }
      }
    } catch (e) {
      const err = isRunlakeError(e) ? e : new RunlakeError('internal', 'internal error');
      if (format.errorLine && !res.destroyed) res.end(format.errorLine(err));
      else res.destroy();
      return;
    }
    res.end();
  });

  router.add('GET', `${p}/queries/:id`, async (req, res, params) => {
    sendJson(res, 200, await service.get(params.id!, await authenticate(req)));
  });
  const cancel = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    sendJson(res, 200, await service.cancel(id, await authenticate(req)));
  };
  router.add('POST', `${p}/queries/:id/cancel`, (req, res, params) => cancel(req, res, params.id!));
  router.add('DELETE', `${p}/queries/:id`, (req, res, params) => cancel(req, res, params.id!));

  router.add('GET', `${p}/queries`, async (req, res, _params, url) => {
    const principal = await authenticate(req);
    const state = url.searchParams.get('state');
    const limitText = url.searchParams.get('limit');
    const before = url.searchParams.get('before');
    const limit = limitText === null ? 100 : Number(limitText);
    const queries = await service.list(principal, {
      limit,
      ...(state !== null && state !== '' ? { state: state.toUpperCase() as QueryState } : {}),
      ...(before !== null && before !== '' ? { before } : {}),
    });
    sendJson(res, 200, { queries, next: queries.length === limit ? queries[queries.length - 1]!.queryId : null });
  });
}

// ---------------------------------------------------------------------------------------------
// Authentication

const AUTH_HELP =
  'send "Authorization: Bearer <access_key_id>:<secret_access_key>" (or HTTP Basic with the same pair); ' +
  "connection.json lists each organization's access_key_id and secret_access_key";

/** The access key pair of a request (Bearer `id:secret` or Basic), if it has one. */
export function accessKeyCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const pair = bearer ? bearer[1]! : basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : undefined;
  if (pair === undefined) return undefined;
  const colon = pair.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: pair.slice(0, colon), secret: pair.slice(colon + 1) };
}

async function principalOf(req: IncomingMessage, auth: AccessKeyResolver, service: QueryService): Promise<Principal> {
  const creds = accessKeyCredentials(req.headers.authorization);
  if (!creds) throw new RunlakeError('unauthenticated', `missing or malformed credentials: ${AUTH_HELP}`);
  const key = await auth.resolveAccessKey(creds.id);
  // Compare even for an unknown key, so both answers take as long.
  const matches = secretsEqual(creds.secret, key?.secretAccessKey ?? UNKNOWN_KEY_SECRET);
  if (!key || !matches) {
    throw new RunlakeError('unauthenticated', 'the access key id or secret access key is not valid (unknown or revoked key, or wrong secret)');
  }
  auth.touchAccessKey?.(creds.id).catch((e: unknown) => service.log.warn('could not record access key use', { accessKeyId: creds.id, error: String(e) }));
  return { org: key.org, name: creds.id };
}

const UNKNOWN_KEY_SECRET = 'x'.repeat(40);

// ---------------------------------------------------------------------------------------------
// Request body

async function queryBody(req: IncomingMessage, limit: number): Promise<{ sql: string; format: Format; dialect: Dialect }> {
  let raw: Buffer;
  try {
    raw = await readBody(req, limit);
  } catch (e) {
    if (isRunlakeError(e) && e.code === 'payload_too_large') {
      throw new RunlakeError('payload_too_large', `the request body is larger than ${limit} bytes; a SQL statement may be at most 256 KiB`);
    }
    throw e;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RunlakeError('bad_request', 'the request body must be JSON: {"sql": "SELECT …", "format": "ndjson" | "csv"}');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RunlakeError('bad_request', 'the request body must be a JSON object: {"sql": "SELECT …", "format": "ndjson" | "csv"}');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.sql !== 'string') throw new RunlakeError('bad_request', '"sql" must be a string holding one SQL statement');
  const format = b.format ?? 'ndjson';
  if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
    throw new RunlakeError('bad_request', `"format" must be one of ${FORMATS.join(', ')}`);
  }
  const dialect = b.dialect ?? 'trino';
  if (typeof dialect !== 'string' || !(DIALECTS as readonly string[]).includes(dialect)) {
    throw new RunlakeError('bad_request', `"dialect" must be one of ${DIALECTS.join(', ')}`);
  }
  return { sql: b.sql, format: format as Format, dialect: dialect as Dialect };
}

// ---------------------------------------------------------------------------------------------
// Result formats

interface ResultFormat {
  contentType: string;
  head: string;
  rows(chunk: EngineRow[]): string;
  /** The line that ends a stream with an error; absent when the format has none (CSV). */
  errorLine?: (e: RunlakeError) => string;
}

export function ndjsonFormat(columns: readonly EngineColumn[], queryId: string): ResultFormat {
  return {
    contentType: 'application/x-ndjson; charset=utf-8',
    head: `${JSON.stringify({ columns: columns.map((c) => ({ name: c.name, type: typeName(c.type) })), queryId })}\n`,
    rows: (chunk) => {
      let out = '';
      for (const row of chunk) out += `${JSON.stringify(row.map((v, i) => jsonValue(v, columns[i]?.type)))}\n`;
      return out;
    },
    errorLine: (e) => `${JSON.stringify({ error: { code: e.code, status: e.httpStatus, message: e.message } })}\n`,
  };
}

export function csvFormat(columns: readonly EngineColumn[]): ResultFormat {
  return {
    contentType: 'text/csv; charset=utf-8; header=present',
    head: `${columns.map((c) => csvField(c.name)).join(',')}\r\n`,
    rows: (chunk) => {
      let out = '';
      for (const row of chunk) out += `${row.map((v, i) => csvField(textValue(v, columns[i]?.type))).join(',')}\r\n`;
      return out;
    },
  };
}

/**
 * One RFC 4180 field: quoted when it holds a quote, comma, CR or LF (quotes doubled). NULL is an
 * empty field and the empty string `""`, as PostgreSQL's CSV tells them apart.
 */
export function csvField(s: string | undefined): string {
  if (s === undefined) return '';
  return s === '' || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes, then waits for the socket to drain if its buffer is full; false when the client is gone. */
export function write(res: ServerResponse, text: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
