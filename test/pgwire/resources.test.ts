/**
 * Resource behaviour of a real `runlake serve` over pgwire, with node-postgres:
 * - a million wide rows to a client that stops reading: the server waits on the socket instead of
 *   buffering (its resident memory, read from /proc, stays within a bound far below the result's
 *   size), then streams them all once the client reads again;
 * - a CancelRequest from a second connection stops a running query with 57014, and the engine
 *   with it (the server goes idle);
 * - an organization disabled with `runlake org disable` is refused at connect with a FATAL 28000
 *   that says why, and an open session's next query is refused the same way (until re-enabled).
 * Resource bounds, not timings.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { runCli } from '../support/server.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';

/** Resident memory of a process, in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU time (user + system) a process has used, in seconds (Linux /proc). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const MB = 1024 * 1024;
const ROWS = 1_000_000;
/** Bytes of one row's padding: the whole result is about ROWS × 400 bytes ≈ 400 MB of DataRows. */
const PAD = 400;

/** A query that only counts its rows (node-postgres would otherwise keep them all in memory). */
class CountingQuery extends pg.Query {
  count = 0;
  /** node-postgres calls this for every DataRow (not in its type declarations). */
  handleDataRow(): void {
    this.count++;
  }
}

/** Resolves when a submitted query ends, rejects with its error. */
function finished(q: pg.Query): Promise<void> {
  return new Promise((resolve, reject) => {
    q.on('end', () => resolve());
    q.on('error', reject);
  });
}

describe('pgwire resources against runlake serve', () => {
  let demo: DemoServer;
  const open: pg.Client[] = [];
  const connect = async (): Promise<pg.Client> => {
    const c = demo.client();
    await c.connect();
    open.push(c);
    return c;
  };

  before(async () => {
    demo = await startDemoServer();
  });
  after(async () => {
    for (const c of open) await c.end().catch(() => undefined);
    await demo?.stop();
  });

  it('streams a million rows to a reader that pauses, without buffering them (server RSS bounded)', async () => {
    const pid = demo.server.child.pid!;
    const c = await connect();
    // Warm up: the organization's engine is open, the first query's allocations are made.
    await c.query(`SELECT count(*) FROM (SELECT i, repeat('x', ${PAD}) FROM generate_series(1, 100000) AS g(i)) AS w`);
    const before = rssOf(pid);

    const socket = (c as unknown as { connection: { stream: Socket } }).connection.stream;
    socket.pause();
    const q = new CountingQuery(`SELECT i, repeat('x', ${PAD}) AS pad FROM generate_series(1, ${ROWS}) AS g(i)`);
    const done = finished(q);
    void c.query(q);
    // While the client reads nothing, sample the server's memory: a server that buffered the
    // result would grow by hundreds of MB here.
    let peak = before;
    for (let i = 0; i < 20; i++) {
      await sleep(200);
      peak = Math.max(peak, rssOf(pid));
    }
    assert.equal(q.count, 0, 'the paused client received no rows yet');
    socket.resume();
    await done;
    peak = Math.max(peak, rssOf(pid));
    assert.equal(q.count, ROWS, 'every row arrived once the client read again');
    assert.ok(peak - before < 150 * MB, `server RSS grew by ${Math.round((peak - before) / MB)} MB while streaming ~${Math.round((ROWS * PAD) / MB)} MB to a paused reader`);
  });

  it('a CancelRequest from a second connection stops a running query: 57014', async () => {
    const c = await connect();
    const q = new pg.Query('SELECT count(*) FROM generate_series(1, 200000) AS a(i), generate_series(1, 200000) AS b(j) WHERE a.i + b.j = 3');
    const done = finished(q);
    void c.query(q);
    // Cancel requests are answered only while a statement runs; send them until this one stops.
    let outcome: unknown;
    done.then(
      () => (outcome = 'finished'),
      (e: unknown) => (outcome = e),
    );
    for (let i = 0; i < 100 && outcome === undefined; i++) {
      // node-postgres's cancel: a new client sends CancelRequest with the session's key (undeclared in its types).
      const canceller = demo.client() as unknown as { cancel(client: pg.Client, query: pg.Query): void };
      canceller.cancel(c, q);
      await sleep(200);
    }
    const err = outcome as { code?: string; message?: string; severity?: string };
    assert.equal(err.code, '57014', `the query was cancelled: ${String(err.message ?? outcome)}`);
    assert.equal(err.severity, 'ERROR');
    // The engine really stopped: over the next seconds the server is idle (a cross join still
    // running would keep its engine threads busy the whole time).
    const pid = demo.server.child.pid!;
    const cpu0 = cpuSecondsOf(pid);
    await sleep(3000);
    const used = cpuSecondsOf(pid) - cpu0;
    assert.ok(used < 1, `the server used ${used.toFixed(2)} s of CPU in the 3 s after the cancel`);
    assert.deepEqual((await c.query('SELECT 1 AS ok')).rows, [{ ok: 1 }], 'the session goes on');
  });

  it('a disabled organization: FATAL 28000 at connect, its open session refused on the next query', async () => {
    const running = await connect();
    assert.deepEqual((await running.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
    const disable = await runCli(['org', 'disable', 'acme', '--data-dir', demo.dataDir]);
    assert.equal(disable.code, 0, disable.stderr);
    try {
      const refused = await demo.client().connect().then(
        () => undefined,
        (e: { code?: string; message?: string; severity?: string }) => e,
      );
      assert.equal(refused?.severity, 'FATAL');
      assert.equal(refused?.code, '28000');
      assert.match(refused?.message ?? '', /analytics is not enabled for organization "acme"/);
      await assert.rejects(running.query('SELECT 1'), (e: { code?: string; severity?: string; message: string }) => {
        assert.equal(e.code, '28000');
        assert.equal(e.severity, 'ERROR');
        assert.match(e.message, /analytics is not enabled for organization "acme"/);
        return true;
      });
      // Another organization is not affected.
      const g = demo.client(demo.globex);
      await g.connect();
      open.push(g);
      assert.deepEqual((await g.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
    } finally {
      const enable = await runCli(['org', 'enable', 'acme', '--data-dir', demo.dataDir]);
      assert.equal(enable.code, 0, enable.stderr);
    }
    assert.deepEqual((await running.query('SELECT 1 AS ok')).rows, [{ ok: 1 }], 're-enabled: the session works again');
  });
});
