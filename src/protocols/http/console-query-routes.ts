/**
 * Console API for the SQL editor and query history:
 *
 *   POST /console/api/orgs/:org/queries              { sql, dialect?: 'trino' | 'postgres', limit?: 1…10000 }
 *        → NDJSON: `{"columns":[…],"queryId":…}`, one JSON array per row, then
 *          `{"end":{"rows":n,"truncated":bool}}` — or `{"error":{code,status,message}}` if it fails midway
 *   POST /console/api/orgs/:org/queries/:id/cancel   → QueryInfo (cancelled, or final already)
 *   GET  /console/api/orgs/:org/queries?state=&protocol=&search=&dashboards=include&before=&limit=
 *        → { queries: QueryInfo[], next: id | null } (newest first; `next` continues the list;
 *          the dashboards' own queries only with dashboards=include)
 *   GET  /console/api/orgs/:org/schema               → { database, relations: [...], scratch: { schema, tables } }
 *
 * Queries run through the query service as the signed-in user of the URL's organization, with the
 * console's interactive caps and the chosen row limit (a longer result is cut, marked truncated).
 * Closing the connection cancels the query, as the HTTP query API does (query-routes.ts).
 */
import { analyticViews } from '../../catalog/analytic-views.ts';
import { orgRelations } from '../../catalog/relations.ts';
import { QUERY_STATES, type QueryState } from '../../control/control-store.ts';
import type { QueryService } from '../../service/query-service.ts';
import { typeName } from '../../service/render.ts';
import { DIALECTS, type Dialect, type QueryInfo } from '../../service/types.ts';
import { RunlakeError, isRunlakeError } from '../../util/errors.ts';
import type { ConsoleAccess } from './console-access.ts';
import { CONSOLE_HEADERS, clientGone, collectQuery, jsonBody, optStr, publicError, sendConsoleJson } from './console-http.ts';
import { DASHBOARD_SQL_TAG } from './console-dashboard-kit.ts';
import { checkValue } from './console-filters.ts';
import { ndjsonFormat, write } from './query-routes.ts';
import type { Router } from './router.ts';

export const ROW_LIMITS = [100, 1000, 10_000] as const;
const DEFAULT_ROW_LIMIT = 1000;
const HISTORY_PAGE = 50;

export function addConsoleQueryRoutes(router: Router, access: ConsoleAccess, service: QueryService): void {
  const p = '/console/api/orgs/:org';
  const maxBody = service.maxSqlBytes * 6 + 64 * 1024;

  router.add('POST', `${p}/queries`, async (req, res, params) => {
    const { principal } = access.forOrg(req, params.org!, 'view');
    const b = await jsonBody(req, maxBody);
    const sql = optStr(b, 'sql');
    if (sql === undefined || sql.trim() === '') throw new RunlakeError('bad_request', 'write a SQL statement to run');
    const dialect = optStr(b, 'dialect') ?? 'trino';
    if (!(DIALECTS as readonly string[]).includes(dialect)) throw new RunlakeError('bad_request', `the SQL dialect must be one of ${DIALECTS.join(', ')}`);
    const limit = b.limit ?? DEFAULT_ROW_LIMIT;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > ROW_LIMITS[ROW_LIMITS.length - 1]!) {
      throw new RunlakeError('bad_request', `the row limit must be a whole number from 1 to ${ROW_LIMITS[ROW_LIMITS.length - 1]}`);
    }
    const signal = clientGone(res);
    const q = await service.submit({ principal, protocol: 'console', dialect: dialect as Dialect, sql, interactive: true, maxRows: limit, signal });
    const columns = await q.columns();
    const format = ndjsonFormat(columns, q.id);
    res.writeHead(200, {
      ...CONSOLE_HEADERS,
      'content-type': format.contentType,
      'cache-control': 'no-store',
      'x-runlake-query-id': q.id,
    });
    if (!(await write(res, format.head))) return;
    let rows = 0;
    try {
      for await (const chunk of q.rows()) {
        rows += chunk.length;
        if (!(await write(res, format.rows(chunk)))) {
          q.cancel('the console closed the query');
          return;
        }
      }
    } catch (e) {
      if (!res.destroyed) res.end(format.errorLine!(publicError(e)));
      return;
    }
    res.end(`${JSON.stringify({ end: { rows, truncated: q.info().truncated } })}\n`);
  });

  router.add('POST', `${p}/queries/:id/cancel`, async (req, res, params) => {
    const { principal } = access.forOrg(req, params.org!, 'view');
    sendConsoleJson(res, 200, await service.cancel(params.id!, principal));
  });

  router.add('GET', `${p}/queries`, async (req, res, params, url) => {
    const { principal } = access.forOrg(req, params.org!, 'view');
    const sp = url.searchParams;
    const stateText = sp.get('state');
    const state = stateText === null || stateText === '' ? undefined : stateText.toUpperCase();
    if (state !== undefined && !(QUERY_STATES as readonly string[]).includes(state)) {
      throw new RunlakeError('bad_request', `state must be one of ${QUERY_STATES.join(', ')}`);
    }
    const protocol = sp.get('protocol') || undefined;
    const searchText = sp.get('search');
    const search = searchText === null || searchText === '' ? undefined : checkValue('search', searchText).toLowerCase();
    const before = sp.get('before') || undefined;
    const want = Number(sp.get('limit') ?? HISTORY_PAGE);
    if (!Number.isSafeInteger(want) || want < 1 || want > 200) throw new RunlakeError('bad_request', 'limit must be a whole number from 1 to 200');

    // The service pages by state; protocol and text are matched here, reading further pages until
    // the page is full or 1,000 queries were looked at (then `next` continues from there).
    const dashboards = sp.get('dashboards') === 'include';
    const matches = (q: QueryInfo) =>
      (dashboards || !q.sql.startsWith(DASHBOARD_SQL_TAG)) &&
      (protocol === undefined || q.protocol === protocol) &&
      (search === undefined || q.sql.toLowerCase().includes(search) || q.principal.toLowerCase().includes(search));
    const out: QueryInfo[] = [];
    let cursor = before;
    let seen = 0;
    let exhausted = false;
    while (out.length < want && seen < 1000) {
      const page = await service.list(principal, { limit: 200, ...(state ? { state: state as QueryState } : {}), ...(cursor ? { before: cursor } : {}) });
      for (const q of page) {
        seen++;
        cursor = q.queryId;
        if (matches(q)) out.push(q);
        if (out.length === want) break;
      }
      if (out.length < want && page.length < 200) {
        exhausted = true;
        break;
      }
    }
    sendConsoleJson(res, 200, { queries: out, next: exhausted ? null : (cursor ?? null) });
  });

  router.add('GET', `${p}/schema`, async (req, res, params) => {
    const { principal } = access.forOrg(req, params.org!, 'view');
    // The relations come from the schema definitions every organization database is built from;
    // the scratch schema's tables are the organization's own, so they are asked of the engine.
    let scratch: string[] = [];
    try {
      const r = await collectQuery(service, principal, `${DASHBOARD_SQL_TAG}schema */\nSHOW TABLES FROM ${service.scratchSchema}`, { maxRows: 5000, signal: clientGone(res) });
      scratch = r.rows.map(([name]) => String(name));
    } catch (e) {
      if (!isRunlakeError(e)) throw e;
      if (e.code === 'analytics_disabled' || e.code === 'unauthenticated' || e.code === 'forbidden') throw e;
    }
    const relations = orgRelations(analyticViews({ timezone: 'UTC' })).map((r) => ({
      name: r.name, kind: r.kind, doc: r.doc,
      columns: r.columns.map((c) => ({ name: c.name, type: typeName(c.type), doc: c.doc })),
    }));
    sendConsoleJson(res, 200, { database: principal.org, relations, scratch: { schema: service.scratchSchema, tables: scratch } });
  });
}
