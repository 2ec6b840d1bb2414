/**
 * The statements BI tools were recorded sending (research/pg-client-queries, 163 of them: psql 15,
 * pgJDBC 42.5.5, SQLAlchemy 1.4 and 2.0 over psycopg2, Npgsql 4 for Power BI, Metabase, Grafana,
 * Tableau, DBeaver, DataGrip, Sigma, Holistics, Zoho) against a real `runlake serve` over demo
 * data, each sent the way its client sends it: simple Query (psql, psycopg2), extended protocol
 * (pgJDBC and the JDBC-based tools; pgJDBC's fetch-size portal through pg-cursor, its named
 * statement), Npgsql's type loading as one extended batch with text results (raw wire client:
 * node-postgres cannot batch), Power BI's navigator with binary results.
 *
 * The captures record statements, not results, so PostgreSQL's answer comes from a real
 * PostgreSQL 15 given the same statements the same way over a mirror of the schema they name:
 * each statement must succeed where PostgreSQL succeeds (and fail with its SQLSTATE where it
 * fails: Tableau's `GROUP BY 2` probe), with PostgreSQL's column names and type OIDs. The
 * captures' schema `acme` and table `events` become the scratch schema's `looker_scratch.events`,
 * created over pgwire (CREATE TABLE AS from the demo processes), so catalog queries find it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { PG_SCALAR_TYPES } from '../../src/catalog/pg-types.ts';
import { postgresBinDir, startRealPostgres, type RealPostgres } from './support/postgres.ts';
import { WireClient, errorOf, type Msg } from './support/wire-client.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';
import { corpusDir } from '../sql/postgres-helpers.ts';

const noPostgres = postgresBinDir() === undefined ? 'no PostgreSQL 15 server installed (apt-get install postgresql): shapes are not compared' : undefined;

/** Types Runlake does not speak (no codec), announced as the standard type closest to them; pg_index's int2vector columns are int2[] here. */
const STAND_INS: Record<number, { ours: number; why: string }> = {
  28: { ours: 20, why: 'xid as int8' },
  1034: { ours: 1009, why: 'aclitem[] as text[]' },
  194: { ours: 25, why: 'pg_node_tree as text' },
  22: { ours: 1005, why: 'pg_index int2vector columns as int2[]' },
};

type Mode = 'simple' | 'extended' | 'binary' | 'npgsql-batch' | 'portal' | 'portal-fetch' | 'named';

interface Entry {
  id: string;
  sql: string;
  params: string[];
  mode: Mode;
  /** pgJDBC's named statement. */
  name?: string;
}

/** What a statement answered: its columns (name:oid per result set), or its error. */
type Outcome = { columns: string[][] } | { error: { code: string; message: string } };

function modeOf(file: string, e: { how?: string; source?: string }): { mode: Mode; name?: string } {
  const how = e.how ?? '';
  if (how === 'statement') return { mode: 'simple' };
  if (how.startsWith('execute fetch from')) return { mode: 'portal-fetch' };
  if (how.endsWith('/C_1')) return { mode: 'portal' };
  const named = /^execute (S_\d+)$/.exec(how);
  if (named) return { mode: 'named', name: named[1]! };
  if (how.startsWith('execute')) return { mode: 'extended' };
  const source = e.source ?? '';
  if (file === 'bi-tools.json') {
    if (source.startsWith('npgsql')) return { mode: 'npgsql-batch' };
    if (source.startsWith('Power BI')) return { mode: 'binary' };
    // pgJDBC-based tools use the extended protocol for everything.
    if (/^(Metabase|Tableau|DBeaver|DataGrip)/.test(source)) return { mode: 'extended' };
  }
  return { mode: 'simple' };
}

function corpus(): Entry[] {
  const out: Entry[] = [];
  const dir = corpusDir();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const entries = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { sql: string; params?: string; how?: string; source?: string }[];
    entries.forEach((e, i) => {
      out.push({
        id: `${file}#${i}`,
        // The captures' schema is the organization's scratch schema here.
        sql: e.sql.replace(/\bacme\b/g, 'looker_scratch'),
        params: e.params ? [...e.params.matchAll(/\$\d+ = '([^']*)'/g)].map((m) => m[1]!) : [],
        ...modeOf(file, e),
      });
    });
  }
  return out;
}

const shapeOf = (fields: readonly { name: string; dataTypeID: number }[]): string[] => fields.map((f) => `${f.name}:${f.dataTypeID}`);

/** One side of the comparison: a node-postgres client, a raw wire client for Npgsql's batch, and the OID of looker_scratch.events. */
class Side {
  private cursor: Cursor | undefined;
  eventsOid = '';
  /** The DataRows of the Npgsql batch's statements (text values). */
  readonly batchRows = new Map<string, (string | null)[][]>();
  private readonly batch = new Map<string, Outcome>();

  constructor(readonly c: pg.Client, private readonly wire: WireClient) {}

  async prepare(): Promise<void> {
    this.eventsOid = String((await this.c.query("SELECT 'looker_scratch.events'::regclass::oid AS oid")).rows[0].oid);
  }

  /** Parse/Bind (text results)/Describe/Execute per statement, one Sync: Npgsql 4's type loading. */
  async npgsqlBatch(entries: Entry[]): Promise<void> {
    for (const e of entries) {
      this.wire.send(
        { type: 'Parse', name: '', sql: e.sql, paramTypes: [] },
        { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] },
        { type: 'Describe', target: 'P', name: '' },
        { type: 'Execute', portal: '', maxRows: 0 },
      );
    }
    this.wire.send({ type: 'Sync' });
    const ms = await this.wire.readUntil('ReadyForQuery', 60_000);
    let at = 0;
    let columns: string[] = [];
    let rows: (string | null)[][] = [];
    for (const m of ms) {
      const e = entries[at];
      if (!e) break;
      if (m.type === 'RowDescription') columns = m.fields.map((f) => `${f.name}:${f.typeOid}`);
      if (m.type === 'DataRow') rows.push(m.values.map((v) => (v === null ? null : v.toString('utf8'))));
      if (m.type === 'CommandComplete' || m.type === 'ErrorResponse') {
        const err = m.type === 'ErrorResponse' ? errorOf([m as Msg]) : undefined;
        this.batch.set(e.id, err ? { error: { code: err.code, message: err.message } } : { columns: [columns] });
        this.batchRows.set(e.id, rows);
        columns = [];
        rows = [];
        at++;
        if (err) break;
      }
    }
  }

  async run(e: Entry): Promise<Outcome> {
    const sql = e.sql.replaceAll('16386', this.eventsOid);
    try {
      switch (e.mode) {
        case 'npgsql-batch':
          return this.batch.get(e.id) ?? { error: { code: 'none', message: 'not answered in the batch' } };
        case 'portal': {
          // pgJDBC with a fetch size, in a transaction: a named portal, Execute with a row limit.
          this.cursor = this.c.query(new Cursor(sql));
          return { columns: [shapeOf((await this.readCursor()).fields)] };
        }
        case 'portal-fetch':
          return { columns: [shapeOf((await this.readCursor()).fields)] };
        case 'named':
          return { columns: [shapeOf((await this.c.query({ name: e.name!, text: sql, values: e.params })).fields)] };
        default: {
          const r = await this.c.query({
            text: sql, ...(e.params.length > 0 ? { values: e.params } : {}),
            ...(e.mode === 'simple' ? {} : { queryMode: 'extended' }),
            ...(e.mode === 'binary' ? { binary: true } : {}),
          } as pg.QueryConfig);
          const results = (Array.isArray(r) ? r : [r]) as pg.QueryResult[];
          return { columns: results.map((x) => shapeOf(x.fields ?? [])) };
        }
      }
    } catch (err) {
      const pe = err as { code?: string; message: string };
      return { error: { code: pe.code ?? 'none', message: pe.message } };
    }
  }

  private readCursor(): Promise<pg.QueryResult> {
    return new Promise((resolve, reject) => {
      this.cursor!.read(2, (err, _rows, result) => (err ? reject(err) : resolve(result)));
    });
  }

  async closeCursor(): Promise<void> {
    await this.cursor?.close();
    this.cursor = undefined;
  }
}

async function wireLogin(port: number, user: string, password: string, tls: boolean): Promise<WireClient> {
  const w = await WireClient.connect(port);
  if (tls) assert.equal(await w.requestTls(), 'S');
  const ms = await w.login(user, password, 'acme');
  assert.equal(errorOf(ms), undefined, 'the raw client logs in');
  return w;
}

describe('the recorded BI statements over pgwire against runlake serve', () => {
  const entries = corpus();
  let demo: DemoServer;
  let real: RealPostgres | undefined;
  let ours: Side;
  let theirs: Side | undefined;
  const closers: (() => Promise<void> | void)[] = [];

  before(async () => {
    demo = await startDemoServer();
    const c = demo.client();
    await c.connect();
    closers.push(() => c.end());
    // The captures' acme.events / acme.v_events, in the scratch schema, from the demo data.
    await c.query(
      "CREATE TABLE looker_scratch.events AS SELECT CAST(row_number() OVER (ORDER BY process_id) AS BIGINT) AS id, 'acme' AS org, " +
        'CAST(length(process_name) AS NUMERIC(18,2)) AS amount FROM processes',
    );
    await c.query('CREATE VIEW looker_scratch.v_events AS SELECT id FROM looker_scratch.events');
    const w = await wireLogin(demo.pgPort, demo.acme.accessKeyId, demo.acme.secretAccessKey, true);
    closers.push(() => w.close());
    ours = new Side(c, w);
    await ours.prepare();
    await ours.npgsqlBatch(entries.filter((e) => e.mode === 'npgsql-batch'));

    if (!noPostgres) {
      real = await startRealPostgres();
      const admin = new pg.Client({ host: '127.0.0.1', port: real!.port, user: 'postgres', database: 'postgres' });
      await admin.connect();
      await admin.query('CREATE DATABASE acme');
      await admin.end();
      const p = new pg.Client({ host: '127.0.0.1', port: real!.port, user: 'postgres', database: 'acme' });
      await p.connect();
      closers.push(() => p.end());
      await p.query(
        'CREATE SCHEMA looker_scratch; CREATE TABLE looker_scratch.events (id bigint, org text, amount numeric(18,2)); ' +
          'CREATE VIEW looker_scratch.v_events AS SELECT id FROM looker_scratch.events',
      );
      const pw = await WireClient.connect(real!.port);
      pw.sendStartup({ user: 'postgres', database: 'acme' });
      await pw.readUntil('ReadyForQuery');
      closers.push(() => pw.close());
      theirs = new Side(p, pw);
      await theirs.prepare();
      await theirs.npgsqlBatch(entries.filter((e) => e.mode === 'npgsql-batch'));
    }
  });

  after(async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    await demo?.stop();
    real?.stop();
  });

  it('holds the 163 recorded statements', () => {
    assert.equal(entries.length, 163);
  });

  entries.forEach((e, i) => {
    it(`${e.id} (${e.mode}): ${e.sql.replace(/\s+/g, ' ').slice(0, 80)}`, async () => {
      const got = await ours.run(e);
      const want = theirs ? await theirs.run(e) : undefined;
      // pgJDBC's portal is read to its end before the transaction commits.
      if (e.mode === 'portal-fetch' && entries[i + 1]?.mode !== 'portal-fetch') {
        await ours.closeCursor();
        await theirs?.closeCursor();
      }
      if (!want) {
        if ('error' in got) assert.equal(got.error.code, '42P10', `only Tableau's GROUP BY probe fails: ${got.error.message}`);
        return;
      }
      if ('error' in want) {
        assert.ok('error' in got, `PostgreSQL fails with ${want.error.code} (${want.error.message}); Runlake answered ${JSON.stringify(got)}`);
        assert.deepEqual(got.error, want.error);
        return;
      }
      assert.ok('columns' in got, `PostgreSQL answers ${JSON.stringify(want.columns)}; Runlake failed: ${'error' in got ? `${got.error.code} ${got.error.message}` : ''}`);
      assert.equal(got.columns.length, want.columns.length, 'result sets');
      got.columns.forEach((cols, k) => {
        const expected = want.columns[k]!.map((col) => {
          const [name, oid] = [col.slice(0, col.lastIndexOf(':')), Number(col.slice(col.lastIndexOf(':') + 1))];
          const standIn = STAND_INS[oid];
          return standIn ? `${name}:${standIn.ours}` : col;
        });
        assert.deepEqual(cols, expected, 'column names and type OIDs (PostgreSQL 15)');
      });
    });
  });

  it("Npgsql's type loading lists every type Runlake announces, so Power BI can read them all", () => {
    const rows = ours.batchRows.get('bi-tools.json#0') ?? [];
    const oids = new Set(rows.map((r) => Number(r[2])));
    for (const t of PG_SCALAR_TYPES) {
      assert.ok(oids.has(t.oid), `${t.name} (${t.oid}) is in the type query's answer`);
      if (t.arrayOid !== 0) assert.ok(oids.has(t.arrayOid), `_${t.name} (${t.arrayOid}) is in the type query's answer`);
    }
  });
});
