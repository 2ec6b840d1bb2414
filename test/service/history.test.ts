/**
 * Query history: every state with its fields, durable across a restart, unfinished queries of a
 * stopped process failed on start, retention purge, listing, and each organization's own
 * `query_history` view.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryRecord } from '../../src/control/control-store.ts';
import { infoFromRecord } from '../../src/service/query-service.ts';
import { ENDLESS_SQL, SLOW_SQL, collect, openStack, request, run, type Stack } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('query service: history', () => {
  let stack: Stack;
  const ids: Record<string, string> = {};
  const record = (id: string) => stack.control.store.getQuery(id);

  before(async () => {
    stack = await openStack([
      { name: 'acme' },
      { name: 'globex' },
      { name: 'tiny', limits: { maxConcurrentQueries: 1 } },
      { name: 'slowco', limits: { queryTimeoutMs: 200 } },
    ]);
    for (const org of ['acme', 'globex', 'tiny', 'slowco']) await stack.publish(org, ['p1', 'p2']);
  });
  after(async () => {
    await stack?.close();
  });

  it('records a successful query with who, how, what, when and how much', async () => {
    const sql = 'SELECT process_id FROM processes ORDER BY 1';
    const r = await run(stack, 'acme', sql);
    ids.ok = r.q.id;
    const rec = (await record(r.q.id))!;
    assert.deepEqual(
      { ...rec, submittedAt: '', startedAt: '', finishedAt: '', queueMs: 0, execMs: 0, bytesScanned: 0 },
      {
        queryId: r.q.id, org: 'acme', principal: 'key-of-acme', protocol: 'http', dialect: 'trino', sql,
        state: 'SUCCEEDED', errorCode: null, error: null, submittedAt: '', startedAt: '', finishedAt: '',
        queueMs: 0, execMs: 0, rows: 2, bytesScanned: 0, snapshotVersion: 1, cached: false, truncated: false,
      },
    );
    assert.ok(rec.submittedAt <= rec.startedAt! && rec.startedAt! <= rec.finishedAt!);
    assert.ok(rec.queueMs! >= 0 && rec.execMs! >= 0);
    assert.ok(rec.bytesScanned! > 0, 'the processes files count as scanned');
    // The store and the service agree.
    assert.deepEqual(await stack.service.get(r.q.id, stack.principal('acme')), infoFromRecord(rec));
  });

  it('records failed, cancelled, timed-out, queued and running queries', async () => {
    const failed = await stack.service.submit(request(stack, 'acme', 'SELECT no_such_column FROM processes'));
    await failed.finished();
    ids.failed = failed.id;
    const f = (await record(failed.id))!;
    assert.equal(f.state, 'FAILED');
    assert.equal(f.errorCode, 'bad_request');
    assert.match(f.error!, /no_such_column/);
    assert.notEqual(f.startedAt, null);
    assert.notEqual(f.finishedAt, null);

    const timedOut = await stack.service.submit(request(stack, 'slowco', SLOW_SQL, { protocol: 'athena' }));
    const t = await timedOut.finished();
    assert.equal(t.state, 'FAILED');
    const tr = (await record(timedOut.id))!;
    assert.equal(tr.errorCode, 'query_timeout');
    assert.equal(tr.protocol, 'athena');

    const running = await stack.service.submit(request(stack, 'tiny', ENDLESS_SQL, { protocol: 'pgwire' }));
    await running.columns();
    const queued = await stack.service.submit(request(stack, 'tiny', 'SELECT 1 AS n', { protocol: 'console' }));
    await stack.service.flushHistory();
    assert.equal((await record(running.id))!.state, 'RUNNING');
    const q = (await record(queued.id))!;
    assert.equal(q.state, 'QUEUED');
    assert.equal(q.startedAt, null);

    running.cancel();
    await collect(queued);
    await stack.service.flushHistory(); // a finished query's row is written after its reply
    const c = (await record(running.id))!;
    assert.equal(c.state, 'CANCELLED');
    assert.equal(c.errorCode, 'cancelled');
    assert.equal(c.protocol, 'pgwire');
    const done = (await record(queued.id))!;
    assert.equal(done.state, 'SUCCEEDED');
    assert.ok(done.queueMs! >= 0);
    ids.cancelled = running.id;
    ids.queued = queued.id;
  });

  it('lists the organization\'s queries newest first, by state, page by page', async () => {
    for (let i = 0; i < 3; i++) await run(stack, 'globex', `SELECT ${i} AS n`);
    const all = await stack.service.list(stack.principal('globex'));
    assert.equal(all.length, 3);
    assert.deepEqual(all.map((x) => x.sql), ['SELECT 2 AS n', 'SELECT 1 AS n', 'SELECT 0 AS n']);
    const page1 = await stack.service.list(stack.principal('globex'), { limit: 2 });
    const page2 = await stack.service.list(stack.principal('globex'), { limit: 2, before: page1[1]!.queryId });
    assert.deepEqual([...page1, ...page2].map((x) => x.queryId), all.map((x) => x.queryId));
    const acmeFailed = await stack.service.list(stack.principal('acme'), { state: 'FAILED' });
    assert.ok(acmeFailed.length >= 1 && acmeFailed.every((x) => x.state === 'FAILED' && x.org === 'acme'));
    await assert.rejects(stack.service.list(stack.principal('acme'), { before: all[0]!.queryId }), /does not exist in this organization/);
  });

  it("each organization's query_history view shows its own queries only", async () => {
    const r = await run(stack, 'acme', 'SELECT query_id, organization_id, principal, state, cached FROM query_history ORDER BY submitted_at');
    const rows = r.rows.map((x) => ({ id: x[0], org: x[1], principal: x[2], state: x[3], cached: x[4] }));
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((x) => x.org === 'acme' && x.principal === 'key-of-acme'), JSON.stringify(rows));
    assert.ok(rows.some((x) => x.id === ids.ok && x.state === 'SUCCEEDED' && x.cached === false));
    assert.ok(rows.some((x) => x.id === ids.failed && x.state === 'FAILED'));
    const globex = await run(stack, 'globex', 'SELECT DISTINCT organization_id FROM query_history');
    assert.deepEqual(globex.rows, [['globex']]);
  });

  it('is durable across a restart; queries a stopped process left unfinished become FAILED', async () => {
    const before = await Promise.all(Object.values(ids).map(record));
    // What a crashed process leaves behind: a query still RUNNING.
    const crashed: QueryRecord = {
      ...(before[0] as QueryRecord), queryId: 'crashed-1', state: 'RUNNING', finishedAt: null, execMs: null, rows: null,
    };
    assert.equal(await stack.control.store.recordQuery(crashed), true);
    await stack.reopen();
    assert.deepEqual(await Promise.all(Object.values(ids).map(record)), before);
    const after = (await record('crashed-1'))!;
    assert.equal(after.state, 'FAILED');
    assert.equal(after.errorCode, 'unavailable');
    assert.match(after.error!, /the server stopped while the query was queued or running/);
    assert.notEqual(after.finishedAt, null);
    assert.equal((await stack.service.get(ids.ok!, stack.principal('acme'))).state, 'SUCCEEDED');
  });

  it('purges rows past the retention period (400 days by default, configurable)', async () => {
    const now = Date.now();
    const old = (id: string, daysAgo: number): QueryRecord => ({
      queryId: id, org: 'globex', principal: 'k', protocol: 'http', dialect: 'trino', sql: 'SELECT 1', state: 'SUCCEEDED',
      errorCode: null, error: null, submittedAt: new Date(now - daysAgo * DAY).toISOString(), startedAt: null, finishedAt: null,
      queueMs: 0, execMs: 0, rows: 1, bytesScanned: 0, snapshotVersion: 1, cached: false, truncated: false,
    });
    await stack.control.store.recordQuery(old('old-401', 401));
    await stack.control.store.recordQuery(old('old-399', 399));
    await stack.control.store.recordQuery(old('old-31', 31));
    assert.equal(await stack.service.purgeHistory(), 1);
    assert.equal(await record('old-401'), undefined);
    assert.notEqual(await record('old-399'), undefined);
    assert.ok((await stack.service.list(stack.principal('globex'), { limit: 1000 })).some((x) => x.queryId === 'old-399'));

    // A 30-day retention: the purge on start removes the rest.
    await stack.reopen({ history: { retentionDays: 30 } });
    assert.equal(await record('old-399'), undefined);
    assert.equal(await record('old-31'), undefined);
    assert.notEqual(await record(ids.ok!), undefined);
  });
});
