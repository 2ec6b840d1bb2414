/**
 * node-postgres (`pg`) against the pgwire listener and the DuckDB test backend: the real client's
 * simple and extended protocol, prepared statements, binary results, cancel, SCRAM, TLS, and a
 * 200k-row result read by a paused client with the server's memory staying bounded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import pg from 'pg';
import { DATABASE, PASSWORD, USER, selfSignedCert, sleep, startHarness, until, type Harness } from './support/harness.ts';

const cert = selfSignedCert();

function client(h: Harness, extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: h.port, user: USER, password: PASSWORD, database: DATABASE, ...extra });
}

async function rejectsWithCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { code?: string; message?: string };
    assert.equal(err.code, code, `expected SQLSTATE ${code}, got ${err.code}: ${err.message}`);
    if (message) assert.match(err.message ?? '', message);
    return true;
  });
}

describe('pgwire with node-postgres (pg)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('connects with SCRAM-SHA-256 and runs simple queries', async () => {
    const c = client(h, { application_name: 'pg-test' });
    await c.connect();
    const r = await c.query('SELECT i, s, d FROM t WHERE i < 3 ORDER BY i');
    assert.deepEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [['i', 23], ['s', 25], ['d', 1082]]);
    assert.deepEqual(r.rows.map((x: { i: number; s: string }) => [x.i, x.s]), [[0, 'x0'], [1, 'x1'], [2, 'x2']]);
    assert.equal(r.command, 'SELECT');
    assert.equal(r.rowCount, 3);
    const multi = (await c.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as pg.QueryResult[];
    assert.deepEqual(multi.map((x) => x.rows), [[{ a: 1 }], [{ b: 2 }]]);
    assert.deepEqual((await c.query('SHOW application_name')).rows, [{ application_name: 'pg-test' }]);
    await c.end();
  });

  it('runs extended-protocol queries with parameters, and named prepared statements reused', async () => {
    const c = client(h);
    await c.connect();
    const r = await c.query('SELECT s FROM t WHERE i >= $1 AND s <> $2 ORDER BY i', [7, 'x8']);
    assert.deepEqual(r.rows, [{ s: 'x7' }, { s: 'x9' }]);
    for (const n of [1, 4, 2]) {
      const q = await c.query({ name: 'by-limit', text: 'SELECT count(*)::INTEGER AS n FROM t WHERE i < $1', values: [n] });
      assert.deepEqual(q.rows, [{ n }]);
    }
    const typed = await c.query('SELECT $1::DATE + 1 AS next, $2::DOUBLE * 2 AS twice, $3::BOOLEAN AS b', ['2025-01-31', 1.25, true]);
    assert.equal((typed.rows[0] as { twice: number }).twice, 2.5);
    assert.equal((typed.rows[0] as { b: boolean }).b, true);
    await c.end();
  });

  it('recovers after errors, with PostgreSQL\'s SQLSTATEs and positions', async () => {
    const c = client(h);
    await c.connect();
    await rejectsWithCode(c.query('SELECT * FROM nope'), '42P01');
    await rejectsWithCode(c.query('SELECT nope FROM t WHERE i = $1', [1]), '42703');
    await rejectsWithCode(c.query('SELEC 1'), '42601');
    await rejectsWithCode(c.query('DELETE FROM t'), '25006', /read-only transaction/);
    await rejectsWithCode(c.query('SELECT $1::int', ['abc']), '22P02');
    assert.deepEqual((await c.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
    await c.query('BEGIN');
    await rejectsWithCode(c.query('SELECT * FROM nope'), '42P01');
    await rejectsWithCode(c.query('SELECT 1'), '25P02');
    await c.query('ROLLBACK');
    assert.deepEqual((await c.query('SELECT 2 AS ok')).rows, [{ ok: 2 }]);
    await c.end();
  });

  it('returns binary results that pg decodes to the same values as text', async () => {
    const sql = "SELECT 42::SMALLINT AS i2, 7::INTEGER AS i4, 9007199254740993::BIGINT AS i8, 1.5::REAL AS f4, 0.1::DOUBLE AS f8, true AS b, 'héllo' AS t, " +
      "TIMESTAMPTZ '2025-01-02 03:04:05.123+00' AS tz, 'ab'::BLOB AS bytes";
    const text = client(h);
    const binary = client(h, { binary: true } as pg.ClientConfig);
    await text.connect();
    await binary.connect();
    const a = (await text.query({ text: sql, values: [] })).rows[0] as Record<string, unknown>;
    const b = (await binary.query({ text: sql, values: [] })).rows[0] as Record<string, unknown>;
    assert.deepEqual(b, a);
    assert.equal(a.i8, '9007199254740993');
    assert.equal(a.f8, 0.1);
    assert.equal((a.tz as Date).toISOString(), '2025-01-02T03:04:05.123Z');
    assert.deepEqual(a.bytes, Buffer.from('ab'));
    await text.end();
    await binary.end();
  });

  it('shows dates, intervals, arrays and numerics as PostgreSQL text', async () => {
    const c = client(h, { types: { getTypeParser: () => (v: string) => v } as never });
    await c.connect();
    const r = await c.query(
      "SELECT 0.1::FLOAT AS f4, 1e20::DOUBLE AS big, INTERVAL '14 months 3 days 4 hours' AS iv, ['a', 'b,c', NULL] AS arr, " +
        "'123.4500'::DECIMAL(10,4) AS num, DATE '2025-01-02' AS d, TIMESTAMP '2025-01-02 03:04:05.120' AS ts, {'k': 1} AS st",
    );
    assert.deepEqual(r.rows[0], {
      f4: '0.1', big: '1e+20', iv: '1 year 2 mons 3 days 04:00:00', arr: '{a,"b,c",NULL}', num: '123.4500',
      d: '2025-01-02', ts: '2025-01-02 03:04:05.12', st: '{"k":1}',
    });
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [700, 701, 1186, 1009, 1700, 1082, 1114, 114]);
    await c.end();
  });

  it('cancels a running query through CancelRequest (57014)', async () => {
    const c = client(h);
    await c.connect();
    // pg's cancel needs the Query object (it compares it with the active query).
    const long = new pg.Query('SELECT count(*) FROM range(100000000000) a(x) WHERE x % 7 = 3');
    const done = new Promise((resolve, reject) => {
      long.on('error', reject);
      long.on('end', resolve);
    });
    c.query(long);
    await until(() => h.backend.log.running > 0, 10_000, 'the query to start');
    // Client#cancel(client, query) sends the CancelRequest on a connection of its own (untyped in @types/pg).
    const canceller = client(h) as unknown as { cancel(target: pg.Client, query: pg.Query): void };
    canceller.cancel(c, long);
    await rejectsWithCode(done, '57014', /canceling statement due to user request/);
    assert.deepEqual((await c.query('SELECT 1 AS alive')).rows, [{ alive: 1 }]);
    await c.end();
  });

  it('fails a wrong password with 28P01', async () => {
    const c = client(h, { password: 'wrong' });
    await rejectsWithCode(c.connect(), '28P01', /password authentication failed for user "alice"/);
  });

  it('streams 200k rows to a paused reader without buffering them in the server', async (t) => {
    const c = client(h);
    await c.connect();
    const socket = (c as unknown as { connection: { stream: Socket } }).connection.stream;
    const session = () => h.listener.sessions().find((s) => s.stats.statements > 0 && s.state.busy);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    socket.pause();
    const query = c.query("SELECT i, repeat('x', 100) AS pad FROM range(200000) t(i)");
    await until(() => session() !== undefined, 10_000, 'the query to start');
    const s = session()!;
    // Wait until the server stops writing: the socket is full and it waits for 'drain'.
    let last = -1;
    while (s.stats.bytesOut !== last) {
      last = s.stats.bytesOut;
      await sleep(300);
    }
    const heapPaused = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const total = 200_000 * (100 + 8 + 4 + 4 + 11);
    t.diagnostic(`paused: server wrote ${s.stats.bytesOut} of ~${total} bytes, pulled ${s.stats.rowsOut} rows, heap +${Math.round((heapPaused - heapBefore) / 1e6)} MB`);
    assert.ok(s.stats.bytesOut < 16 * 1024 * 1024, `server wrote ${s.stats.bytesOut} bytes of about ${total} while the reader was paused`);
    assert.ok(s.stats.rowsOut < 150_000, `${s.stats.rowsOut} rows pulled while paused`);
    assert.ok(heapPaused - heapBefore < 96 * 1024 * 1024, `heap grew by ${heapPaused - heapBefore} bytes`);
    socket.resume();
    const r = await query;
    assert.equal(r.rowCount, 200_000);
    assert.equal((r.rows[199_999] as { i: string }).i, '199999');
    await c.end();
  });
});

describe('pgwire with node-postgres over TLS', { skip: cert ? false : 'openssl is not installed' }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ tls: cert!, requireTls: true });
  });
  after(() => h.close());

  it('connects with TLS (the self-signed certificate verified as the CA) and SCRAM', async () => {
    const c = client(h, { ssl: { ca: cert!.cert, servername: 'localhost' } });
    await c.connect();
    assert.deepEqual((await c.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    assert.ok(h.listener.sessions().length >= 1);
    await c.end();
  });

  it('is refused without TLS when TLS is required', async () => {
    const c = client(h, { ssl: false });
    await rejectsWithCode(c.connect(), '28000', /requires an encrypted \(TLS\) connection/);
  });
});
