/**
 * Session temporary tables against a real `runlake serve` over demo data, with node-postgres:
 * Tableau's connect probes answer as PostgreSQL 15 answers them (compared with a real one when
 * installed), temporary tables take rows and join the organization's data, and stay private: no
 * other connection of the organization, no other organization, and no later connection sees them;
 * their size is bounded; writes anywhere else are still refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresBinDir, startRealPostgres, type RealPostgres } from './support/postgres.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { WireClient, errorOf, rows } from './support/wire-client.ts';

/** Tableau's probes, verbatim (research/pg-client-queries/bi-tools.json), as pgJDBC sends them (extended protocol). */
const TABLEAU_PROBES = [
  'CREATE LOCAL TEMPORARY TABLE "#Tableau___A_BE________D__F___B_____F_FF___D__C_1_Connect_Check" ("COL" INTEGER) ON COMMIT PRESERVE ROWS',
  'DROP TABLE "#Tableau___A_BE________D__F___B_____F_FF___D__C_1_Connect_Check"',
  'SELECT "SUBCOL" AS "COL" FROM (SELECT 1 AS "SUBCOL") "SUBQUERY" GROUP BY 2',
  'SELECT * INTO TEMPORARY TABLE "#Tableau_1_1_Connect_CheckSelectIntoCap" FROM (SELECT 1 AS COL) AS CHECKTEMP',
  'SELECT * FROM "#Tableau_1_1_Connect_CheckSelectIntoCap"',
  'INSERT INTO "#Tableau_1_1_Connect_CheckSelectIntoCap" ("col") VALUES (2), (3)',
  'SELECT col FROM "#Tableau_1_1_Connect_CheckSelectIntoCap" ORDER BY col',
  'DROP TABLE "#Tableau_1_1_Connect_CheckSelectIntoCap"',
  'SELECT * FROM "#Tableau_1_1_Connect_CheckSelectIntoCap"',
];

type Answer = { command: string; rowCount: number | null; rows: unknown[]; fields: string[] } | { code: string; message: string; position?: string };

async function answer(c: pg.Client, sql: string): Promise<Answer> {
  try {
    const r = await c.query({ text: sql, queryMode: 'extended' } as pg.QueryConfig);
    return { command: r.command, rowCount: r.rowCount, rows: r.rows, fields: r.fields.map((f) => `${f.name}:${f.dataTypeID}`) };
  } catch (e) {
    const pe = e as { code: string; message: string; position?: string };
    return { code: pe.code, message: pe.message, ...(pe.position ? { position: pe.position } : {}) };
  }
}

const code = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? 'none',
  );

describe('temporary tables over pgwire against runlake serve', () => {
  let demo: DemoServer;
  const open: pg.Client[] = [];
  const connect = async (org = demo?.acme): Promise<pg.Client> => {
    const c = demo.client(org);
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

  it("Tableau's connect probes: the temporary tables work and GROUP BY 2 fails, as on PostgreSQL 15", async () => {
    const c = await connect();
    const ours: Answer[] = [];
    for (const sql of TABLEAU_PROBES) ours.push(await answer(c, sql));
    // What PostgreSQL 15 answers (verified against a real server below when one is installed).
    assert.deepEqual(ours[0], { command: 'CREATE', rowCount: null, rows: [], fields: [] });
    assert.deepEqual(ours[1], { command: 'DROP', rowCount: null, rows: [], fields: [] });
    assert.deepEqual(ours[2], { code: '42P10', message: 'GROUP BY position 2 is not in select list', position: '74' });
    assert.deepEqual(ours[3], { command: 'SELECT', rowCount: 1, rows: [], fields: [] });
    assert.deepEqual(ours[4], { command: 'SELECT', rowCount: 1, rows: [{ col: 1 }], fields: ['col:23'] });
    assert.deepEqual(ours[5], { command: 'INSERT', rowCount: 2, rows: [], fields: [] });
    assert.deepEqual(ours[6], { command: 'SELECT', rowCount: 3, rows: [{ col: 1 }, { col: 2 }, { col: 3 }], fields: ['col:23'] });
    assert.deepEqual(ours[7], { command: 'DROP', rowCount: null, rows: [], fields: [] });
    assert.equal((ours[8] as { code: string }).code, '42P01');

    if (postgresBinDir() === undefined) return;
    const real: RealPostgres | undefined = await startRealPostgres();
    const p = new pg.Client({ host: '127.0.0.1', port: real!.port, user: 'postgres', database: 'postgres' });
    try {
      await p.connect();
      for (const [i, sql] of TABLEAU_PROBES.entries()) {
        const theirs = await answer(p, sql);
        if ('code' in theirs) assert.equal((ours[i] as { code: string }).code, theirs.code, sql);
        else assert.deepEqual(ours[i], theirs, sql);
      }
    } finally {
      await p.end().catch(() => undefined);
      real?.stop();
    }
  });

  it('a temporary table takes rows from the data, joins it, and shadows a dataset of its name for its session only', async () => {
    const a = await connect();
    const b = await connect();
    await a.query('CREATE TEMP TABLE picked (process_id text)');
    const ins = await a.query("INSERT INTO picked SELECT process_id FROM processes ORDER BY process_id LIMIT 3");
    assert.equal(ins.rowCount, 3);
    const joined = await a.query('SELECT count(*) AS n FROM processes p JOIN picked USING (process_id)');
    assert.deepEqual(joined.rows, [{ n: '3' }]);
    // Extended protocol with a parameter, as pgJDBC sends Tableau's filters.
    const byParam = await a.query('SELECT count(*) AS n FROM picked WHERE process_id > $1', ['']);
    assert.deepEqual(byParam.rows, [{ n: '3' }]);

    const total = Number((await b.query('SELECT count(*) AS n FROM processes')).rows[0].n);
    assert.ok(total > 3);
    await a.query('CREATE TEMP TABLE processes AS SELECT 42 AS answer');
    assert.deepEqual((await a.query('SELECT * FROM processes')).rows, [{ answer: 42 }]);
    assert.equal(Number((await b.query('SELECT count(*) AS n FROM processes')).rows[0].n), total, 'another session still reads the dataset');
    await a.query('DROP TABLE processes');
    assert.equal(Number((await a.query('SELECT count(*) AS n FROM processes')).rows[0].n), total, 'dropped: the dataset again');
  });

  it('is never visible to another connection, another organization, or after disconnect', async () => {
    const a = await connect();
    const b = await connect();
    const g = await connect(demo.globex);
    await a.query('CREATE TEMP TABLE mine AS SELECT 1 AS x');
    // The same name elsewhere is another table (or none).
    await g.query('CREATE TEMP TABLE mine AS SELECT 2 AS x');
    assert.deepEqual((await a.query('SELECT x FROM mine')).rows, [{ x: 1 }]);
    assert.deepEqual((await g.query('SELECT x FROM mine')).rows, [{ x: 2 }]);
    assert.equal(await code(b.query('SELECT * FROM mine')), '42P01');
    assert.equal(await code(b.query('SELECT * FROM pg_temp.mine')), '42P01');
    // Not a temporary table of this session, nor a relation of the database: none, as on PostgreSQL.
    assert.equal(await code(b.query('DROP TABLE mine')), '42P01');
    assert.equal((await b.query('DROP TABLE IF EXISTS mine')).command, 'DROP');
    assert.deepEqual((await a.query('SELECT x FROM mine')).rows, [{ x: 1 }], "another session's drop leaves it");
    for (const c of [a, b]) {
      const listed = await c.query("SELECT relname FROM pg_catalog.pg_class WHERE relname = 'mine' UNION ALL SELECT table_name FROM information_schema.tables WHERE table_name = 'mine'");
      assert.deepEqual(listed.rows, [], 'the emulated catalog lists no temporary table');
    }
    await a.end();
    open.splice(open.indexOf(a), 1);
    const again = await connect();
    assert.equal(await code(again.query('SELECT * FROM mine')), '42P01', 'gone with its session');
    assert.deepEqual((await g.query('SELECT x FROM mine')).rows, [{ x: 2 }], "the other organization's session keeps its own");
  });

  it('keeps the sandbox: writes elsewhere are 25006, files and settings stay out of reach, scratch tables cannot copy a temporary one', async () => {
    const c = await connect();
    await c.query('CREATE TEMP TABLE t AS SELECT process_id FROM processes LIMIT 1');
    assert.equal(await code(c.query("INSERT INTO processes (process_id) VALUES ('x')")), '25006');
    assert.equal(await code(c.query('DELETE FROM steps')), '25006');
    assert.equal(await code(c.query('DROP TABLE processes')), '25006');
    assert.equal(await code(c.query('CREATE TABLE public.x AS SELECT 1')), '25006');
    assert.equal(await code(c.query('CREATE TEMP TABLE public.y (x int)')), '42P16');
    assert.equal(await code(c.query('CREATE TABLE looker_scratch.copy AS SELECT * FROM t')), '0A000');
    assert.equal(await code(c.query('UPDATE t SET process_id = 1')), '0A000');
    for (const sql of [
      "CREATE TEMP TABLE f AS SELECT * FROM read_csv('/etc/passwd')",
      "CREATE TEMP TABLE f AS SELECT getenv('HOME') AS home",
      "INSERT INTO t SELECT * FROM read_text('/etc/hostname')",
      "CREATE TEMP TABLE f AS SELECT * FROM duckdb_settings()",
    ]) {
      assert.notEqual(await code(c.query(sql)), 'ok', sql);
    }
    assert.equal(await code(c.query('SELECT * FROM f')), '42P01', 'nothing was created');
    // The engine's file readers do not exist for a client, as in PostgreSQL (not a hint to call them elsewhere).
    for (const fn of ['read_csv', 'read_parquet', 'read_text']) {
      const e = (await c.query(`SELECT * FROM ${fn}('/etc/passwd')`).catch((x: unknown) => x)) as { code?: string; message?: string };
      assert.equal(e.code, '42883', fn);
      assert.equal(e.message, `function ${fn} does not exist`);
    }
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM t')).rows[0].n), 1, 'nothing was inserted');
  });

  it('is bounded per session (53400), and a refused write changes nothing', async () => {
    const c = await connect();
    await c.query('CREATE TEMP TABLE n AS SELECT * FROM generate_series(1, 10) AS g(i)');
    const tooMany = await c.query('INSERT INTO n SELECT * FROM generate_series(1, 2000000)').catch((e: { code: string; message: string }) => e);
    assert.equal((tooMany as { code: string }).code, '53400');
    assert.match((tooMany as { message: string }).message, /temporary tables are limited to 1000000 rows/);
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM n')).rows[0].n), 10);
    const tooBig = await c.query("CREATE TEMP TABLE wide AS SELECT repeat('x', 100000) AS s FROM generate_series(1, 1000)").catch((e: { code: string }) => e);
    assert.equal((tooBig as { code: string }).code, '53400');
    assert.equal(await code(c.query('SELECT * FROM wide')), '42P01');
  });

  it('refuses a second reader while a portal still reads the temporary tables (55006), then goes on', async () => {
    // Two open portals on one connection: node-postgres queues queries behind an open cursor, so
    // this one speaks the protocol itself (TLS, SCRAM) as pgJDBC does with a fetch size.
    const w = await WireClient.connect(demo.pgPort);
    try {
      assert.equal(await w.requestTls(), 'S');
      assert.equal(errorOf(await w.login(demo.acme.accessKeyId, demo.acme.secretAccessKey, 'acme')), undefined);
      assert.equal(errorOf(await w.query('CREATE TEMP TABLE many AS SELECT i FROM generate_series(1, 100000) AS g(i)')), undefined);
      assert.equal(errorOf(await w.query('BEGIN')), undefined);
      w.send(
        { type: 'Parse', name: '', sql: 'SELECT i FROM many ORDER BY i', paramTypes: [] },
        { type: 'Bind', portal: 'c1', statement: '', paramFormats: [], params: [], resultFormats: [] },
        { type: 'Execute', portal: 'c1', maxRows: 2 },
        { type: 'Sync' },
      );
      const first = await w.readUntil('ReadyForQuery');
      assert.deepEqual(rows(first), [['1'], ['2']]);
      assert.ok(first.some((m) => m.type === 'PortalSuspended'));
      assert.equal(errorOf(await w.query('SELECT count(*) FROM many'))?.code, '55006');
      assert.equal(errorOf(await w.query('ROLLBACK')), undefined);
      assert.deepEqual(rows(await w.query('SELECT count(*) FROM many')), [['100000']], 'the portal ended with its transaction');
    } finally {
      w.close();
    }
  });
});
