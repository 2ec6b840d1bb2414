/**
 * Per-organization limits with real concurrency on the DuckDB engine: running slots, the FIFO
 * queue, refusal when full, timeouts, cancellation (by request, by the client's signal, by
 * stopping to read) and interactive caps. No timing assertions: every wait is on a state.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RunlakeError } from '../../src/util/errors.ts';
import type { RunningQuery } from '../../src/service/types.ts';
import { ENDLESS_SQL, SLOW_SQL, collect, openStack, request, run, type Stack } from './helpers.ts';

/** More rows than one engine chunk (2048): the query stays RUNNING until it is read to the end. */
const FINITE_SQL = 'SELECT x FROM UNNEST(sequence(1, 5000)) AS t(x)';

const isCode = (code: string) => (e: unknown) => e instanceof RunlakeError && e.code === code;

describe('query service: limits, queue, timeout, cancellation', () => {
  let stack: Stack;
  const submit = (org: string, sql: string, extra = {}) => stack.service.submit(request(stack, org, sql, extra));

  before(async () => {
    stack = await openStack(
      [
        { name: 'acme' },
        { name: 'globex' },
        { name: 'tiny', limits: { maxConcurrentQueries: 1, maxQueuedQueries: 2 } },
        { name: 'slowco', limits: { queryTimeoutMs: 300 } },
      ],
      { interactive: { maxRows: 1000, maxBytes: 64 * 1024 } },
    );
    for (const org of ['acme', 'globex', 'tiny', 'slowco']) await stack.publish(org, ['p1', 'p2']);
  });
  after(async () => {
    await stack?.close();
  });

  it('runs 20 queries of an organization at once; the 21st is QUEUED and starts when one finishes', async () => {
    const held: RunningQuery[] = [await submit('acme', FINITE_SQL)];
    for (let i = 1; i < 20; i++) held.push(await submit('acme', ENDLESS_SQL));
    await Promise.all(held.map((q) => q.columns()));
    assert.deepEqual(held.map((q) => q.state), Array(20).fill('RUNNING'));
    assert.deepEqual(stack.service.activity('acme'), { running: 20, queued: 0 });

    const q21 = await submit('acme', 'SELECT 21 AS n');
    assert.equal(q21.state, 'QUEUED');
    assert.deepEqual(stack.service.activity('acme'), { running: 20, queued: 1 });
    assert.equal((await stack.service.get(q21.id, stack.principal('acme'))).state, 'QUEUED');
    // Another organization's limits are its own.
    assert.deepEqual((await run(stack, 'globex', 'SELECT 1 AS n')).rows, [[1]]);

    // One finishes (read to the end): its slot goes to the queued query at once.
    const first = await collect(held[0]!);
    assert.equal(first.rows.length, 5000);
    assert.equal(held[0]!.state, 'SUCCEEDED');
    assert.notEqual(q21.state, 'QUEUED');
    const r21 = await collect(q21);
    assert.deepEqual(r21.rows, [[21]]);
    const info = await q21.finished();
    assert.equal(info.state, 'SUCCEEDED');
    assert.ok(info.startedAt! >= info.submittedAt && info.queueMs! >= 0);

    for (const q of held) q.cancel();
    await Promise.all(held.map((q) => q.finished()));
    assert.deepEqual(stack.service.activity('acme'), { running: 0, queued: 0 });
  });

  it('refuses with too_many_requests when the slots and the queue are full; a cancel frees a slot for the next', async () => {
    const running = await submit('tiny', ENDLESS_SQL);
    await running.columns();
    const queued1 = await submit('tiny', 'SELECT 1 AS n');
    const queued2 = await submit('tiny', 'SELECT 2 AS n');
    assert.deepEqual([running.state, queued1.state, queued2.state], ['RUNNING', 'QUEUED', 'QUEUED']);
    await assert.rejects(submit('tiny', 'SELECT 3 AS n'), (e: unknown) => {
      assert.ok(e instanceof RunlakeError);
      assert.equal(e.code, 'too_many_requests');
      assert.equal(e.httpStatus, 429);
      assert.match(e.message, /organization "tiny" already has 1 queries running and 2 queued \(its limits are 1 running and 2 queued\); retry when some have finished/);
      assert.deepEqual(e.details, { reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
      return true;
    });

    // Cancelling a queued query takes it out of the queue; it never runs.
    const c2 = await stack.service.cancel(queued2.id, stack.principal('tiny'));
    assert.equal(c2.state, 'CANCELLED');
    assert.equal(c2.startedAt, null);
    assert.deepEqual(stack.service.activity('tiny'), { running: 1, queued: 1 });

    // Only the same organization may see or cancel a query: to others it does not exist.
    await assert.rejects(stack.service.cancel(running.id, stack.principal('acme')), isCode('not_found'));
    await assert.rejects(stack.service.get(running.id, stack.principal('acme')), isCode('not_found'));
    assert.equal(running.state, 'RUNNING');

    // Cancelling the running one frees its slot at once: the queued one starts and completes.
    const c = await stack.service.cancel(running.id, stack.principal('tiny'));
    assert.equal(c.state, 'CANCELLED');
    assert.deepEqual(c.error, { code: 'cancelled', message: 'the query was cancelled by key-of-tiny' });
    assert.notEqual(queued1.state, 'QUEUED');
    assert.deepEqual((await collect(queued1)).rows, [[1]]);
    await assert.rejects(running.columns().then(() => collect(running)), isCode('cancelled'));
    assert.deepEqual((await run(stack, 'tiny', 'SELECT 4 AS n')).rows, [[4]]);
  });

  it('a query over its timeout is stopped and FAILED with query_timeout; the next query works', async () => {
    const q = await submit('slowco', SLOW_SQL);
    await assert.rejects(q.columns(), (e: unknown) => {
      assert.ok(e instanceof RunlakeError);
      assert.equal(e.code, 'query_timeout');
      assert.match(e.message, /ran longer than this organization's limit of 300 ms and was stopped/);
      return true;
    });
    const info = await q.finished();
    assert.equal(info.state, 'FAILED');
    assert.equal(info.error?.code, 'query_timeout');
    assert.deepEqual(stack.service.activity('slowco'), { running: 0, queued: 0 });
    assert.deepEqual((await run(stack, 'slowco', 'SELECT 42 AS answer')).rows, [[42]]);
  });

  it("the client's AbortSignal cancels a running query; stopping to read cancels it too", async () => {
    const ac = new AbortController();
    const q = await submit('acme', ENDLESS_SQL, { signal: ac.signal });
    await q.columns();
    ac.abort();
    const info = await q.finished();
    assert.equal(info.state, 'CANCELLED');
    assert.match(info.error!.message, /cancelled the query or disconnected/);

    const q2 = await submit('acme', ENDLESS_SQL);
    await q2.columns();
    let chunks = 0;
    for await (const chunk of q2.rows()) {
      assert.ok(chunk.length > 0);
      if (++chunks === 2) break;
    }
    const info2 = await q2.finished();
    assert.equal(info2.state, 'CANCELLED');
    assert.ok(info2.rows! > 0 && info2.rows! < 1e8);
    assert.deepEqual(stack.service.activity('acme'), { running: 0, queued: 0 });
  });

  it('an already aborted signal cancels the query before it runs', async () => {
    const q = await submit('acme', 'SELECT 1 AS n', { signal: AbortSignal.abort() });
    await assert.rejects(q.columns(), isCode('cancelled'));
    assert.equal((await q.finished()).state, 'CANCELLED');
  });

  it('interactive results stop at the row cap and the byte cap, truncated, not failed', async () => {
    const byRows = await run(stack, 'acme', ENDLESS_SQL, { interactive: true, protocol: 'console' });
    assert.equal(byRows.rows.length, 1000);
    assert.equal(byRows.info.state, 'SUCCEEDED');
    assert.equal(byRows.info.truncated, true);
    assert.equal(byRows.info.rows, 1000);

    // ~2 KB a row: the 64 KiB cap comes first.
    const byBytes = await run(stack, 'acme', "SELECT lpad('', 1000, 'x') AS s FROM UNNEST(sequence(1, 5000)) AS t(x)", { interactive: true, protocol: 'console' });
    assert.ok(byBytes.rows.length > 0 && byBytes.rows.length < 64, `${byBytes.rows.length} rows`);
    assert.equal(byBytes.info.truncated, true);

    // Within the caps: complete and not truncated; a non-interactive query is never capped.
    const small = await run(stack, 'acme', FINITE_SQL.replace('5000', '10'), { interactive: true, protocol: 'console' });
    assert.equal(small.rows.length, 10);
    assert.equal(small.info.truncated, false);
    assert.equal((await run(stack, 'acme', FINITE_SQL)).rows.length, 5000);
  });
});
