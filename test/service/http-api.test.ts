/**
 * The HTTP query API end to end over a real socket with `fetch`: streaming NDJSON and CSV,
 * access-key authentication, problem JSON, a client disconnect cancelling the query, a cancel
 * ending a stream with an error line, status and history routes.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addQueryRoutes } from '../../src/protocols/http/query-routes.ts';
import { Router } from '../../src/protocols/http/router.ts';
import type { QueryInfo } from '../../src/service/types.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { ENDLESS_SQL, openStack, type Stack } from './helpers.ts';

describe('HTTP query API', () => {
  let stack: Stack;
  let server: Server;
  let base: string;
  const keys: Record<string, { id: string; secret: string }> = {};
  const bearer = (org: string) => `Bearer ${keys[org]!.id}:${keys[org]!.secret}`;

  /** `auth` null sends no Authorization header. */
  const post = (body: unknown, auth: string | null = bearer('acme'), signal?: AbortSignal) =>
    fetch(`${base}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth === null ? {} : { authorization: auth }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  const ndjson = async (res: Response) => (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);

  before(async () => {
    stack = await openStack([{ name: 'acme' }, { name: 'globex' }, { name: 'initech' }]);
    await stack.publish('acme', ['p1', 'p2']);
    for (const org of ['acme', 'globex', 'initech']) {
      const k = await stack.control.admin.createAccessKey(org);
      keys[org] = { id: k.accessKeyId, secret: k.secretAccessKey };
    }
    await stack.control.admin.setAnalyticsEnabled('initech', false);
    const router = new Router(silentLogger);
    addQueryRoutes(router, stack.service, stack.control.admin);
    server = createServer(router.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await stack?.close();
  });

  it('streams NDJSON: a columns line with the query id, then one JSON array per row, values JSON-safe', async () => {
    const sql = `SELECT process_id, started_at, DATE '2024-03-15' AS d, CAST('12.50' AS DECIMAL(10, 2)) AS amount,
      9007199254740993 AS big, 42 AS small, true AS yes, NULL AS nothing, ARRAY['a', 'b'] AS tags
      FROM processes ORDER BY process_id`;
    const res = await post({ sql });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
    const id = res.headers.get('x-runlake-query-id');
    const lines = await ndjson(res);
    assert.deepEqual(lines[0], {
      columns: [
        { name: 'process_id', type: 'varchar' },
        { name: 'started_at', type: 'timestamp' },
        { name: 'd', type: 'date' },
        { name: 'amount', type: 'decimal(10,2)' },
        { name: 'big', type: 'bigint' },
        { name: 'small', type: 'integer' },
        { name: 'yes', type: 'boolean' },
        { name: 'nothing', type: 'integer' },
        { name: 'tags', type: 'list(varchar)' },
      ],
      queryId: id,
    });
    assert.deepEqual(lines.slice(1), [
      ['p1', '2025-01-01T09:00:00', '2024-03-15', '12.50', '9007199254740993', 42, true, null, ['a', 'b']],
      ['p2', '2025-01-01T09:00:00', '2024-03-15', '12.50', '9007199254740993', 42, true, null, ['a', 'b']],
    ]);
    const info = (await (await fetch(`${base}/api/v1/queries/${id}`, { headers: { authorization: bearer('acme') } })).json()) as QueryInfo;
    assert.equal(info.state, 'SUCCEEDED');
    assert.equal(info.rows, 2);
    assert.equal(info.protocol, 'http');
    assert.equal(info.principal, keys.acme!.id);
  });

  it('streams CSV: a header, then RFC 4180 rows (quotes doubled, NULL empty, empty string quoted)', async () => {
    const res = await post({ sql: `SELECT 'a,b' AS "x,y", 'say "hi"' AS q, 'two\nlines' AS l, NULL AS n, '' AS e, 1.5e0 AS f`, format: 'csv' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8; header=present');
    assert.equal(await res.text(), '"x,y",q,l,n,e,f\r\n"a,b","say ""hi""","two\nlines",,"",1.5\r\n');
  });

  it('streams a large result with backpressure', async () => {
    const res = await post({ sql: 'SELECT x FROM UNNEST(sequence(1, 10000)) AS t(x)', format: 'csv' });
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.equal(lines.length, 10001);
    assert.equal(lines[10000], '10000');
  });

  it('authenticates with Bearer id:secret or HTTP Basic; refuses wrong secrets and unknown keys alike (401), disabled organizations (403)', async () => {
    const basic = `Basic ${Buffer.from(`${keys.acme!.id}:${keys.acme!.secret}`).toString('base64')}`;
    assert.equal((await post({ sql: 'SELECT 1' }, basic)).status, 200);

    const problems: [string | null, number, RegExp][] = [
      [null, 401, /^missing or malformed credentials: send "Authorization: Bearer <access_key_id>:<secret_access_key>"/],
      [`Bearer ${keys.acme!.id}`, 401, /missing or malformed credentials/],
      [`Bearer ${keys.acme!.id}:${keys.globex!.secret}`, 401, /^the access key id or secret access key is not valid/],
      [`Bearer RLAKAAAAAAAAAAAAAAAA:${keys.acme!.secret}`, 401, /^the access key id or secret access key is not valid/],
      [bearer('initech'), 403, /^analytics is not enabled for organization "initech"/],
    ];
    for (const [auth, status, detail] of problems) {
      const res = await post({ sql: 'SELECT 1' }, auth);
      assert.equal(res.status, status, String(auth));
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      const body = (await res.json()) as { detail: string; status: number };
      assert.equal(body.status, status);
      assert.match(body.detail, detail);
      if (status === 401) assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="runlake"');
    }
    // A revoked key stops working at once.
    const k = await stack.control.admin.createAccessKey('globex');
    assert.equal((await post({ sql: 'SELECT 1' }, `Bearer ${k.accessKeyId}:${k.secretAccessKey}`)).status, 200);
    await stack.control.admin.revokeAccessKey('globex', k.accessKeyId);
    assert.equal((await post({ sql: 'SELECT 1' }, `Bearer ${k.accessKeyId}:${k.secretAccessKey}`)).status, 401);
  });

  it('answers a syntax error with problem JSON naming line:column, before any result byte', async () => {
    const res = await post({ sql: 'SELECT *\nFROM processes\nWHERE' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.title, 'syntax_error');
    assert.match(String(body.detail), /^line 3:6: mismatched input '<EOF>'/);
    assert.equal(body.line, 3);
    assert.equal(body.column, 6);
    assert.equal(typeof body.queryId, 'string');

    const refused = await post({ sql: 'DELETE FROM processes' });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { detail: string }).detail, /^DELETE is not allowed: only SELECT/);
    const bad = await post('{"sql": 1}');
    assert.equal(bad.status, 400);
    const badFormat = await post({ sql: 'SELECT 1', format: 'xml' });
    assert.equal(badFormat.status, 400);
    assert.match(((await badFormat.json()) as { detail: string }).detail, /"format" must be one of ndjson, csv/);
  });

  it('a client that disconnects mid-stream cancels its query', async () => {
    const ac = new AbortController();
    const res = await post({ sql: ENDLESS_SQL }, bearer('acme'), ac.signal);
    assert.equal(res.status, 200);
    const id = res.headers.get('x-runlake-query-id')!;
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.length > 0);
    ac.abort();
    await reader.cancel().catch(() => undefined);
    const info = await stack.service.waitFor(id, stack.principal('acme'));
    assert.equal(info.state, 'CANCELLED');
    assert.ok(info.rows! < 1e8, 'the server stopped producing rows');
    assert.deepEqual(stack.service.activity('acme'), { running: 0, queued: 0 });
  });

  it('a cancel request ends a running NDJSON stream with an error line; status and history routes are per organization', async () => {
    const res = await post({ sql: ENDLESS_SQL });
    const id = res.headers.get('x-runlake-query-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    const other = await fetch(`${base}/api/v1/queries/${id}/cancel`, { method: 'POST', headers: { authorization: bearer('globex') } });
    assert.equal(other.status, 404);
    const cancel = await fetch(`${base}/api/v1/queries/${id}/cancel`, { method: 'POST', headers: { authorization: bearer('acme') } });
    assert.equal(cancel.status, 200);
    assert.equal(((await cancel.json()) as QueryInfo).state, 'CANCELLED');
    let rest = '';
    const decoder = new TextDecoder();
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += decoder.decode(r.value, { stream: true });
    const last = JSON.parse(rest.trimEnd().split('\n').at(-1)!) as unknown;
    assert.deepEqual(last, { error: { code: 'cancelled', status: 499, message: `the query was cancelled by ${keys.acme!.id}` } });

    const del = await fetch(`${base}/api/v1/queries/${id}`, { method: 'DELETE', headers: { authorization: bearer('acme') } });
    assert.equal(((await del.json()) as QueryInfo).state, 'CANCELLED');
    assert.equal((await fetch(`${base}/api/v1/queries/${id}`, { headers: { authorization: bearer('globex') } })).status, 404);

    const list = (await (await fetch(`${base}/api/v1/queries?state=cancelled&limit=5`, { headers: { authorization: bearer('acme') } })).json()) as {
      queries: QueryInfo[];
      next: string | null;
    };
    assert.ok(list.queries.some((q) => q.queryId === id));
    assert.ok(list.queries.every((q) => q.state === 'CANCELLED' && q.org === 'acme'));
    const bad = await fetch(`${base}/api/v1/queries?state=DONE`, { headers: { authorization: bearer('acme') } });
    assert.equal(bad.status, 400);
  });
});
