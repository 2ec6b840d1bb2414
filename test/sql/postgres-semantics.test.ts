/** PostgreSQL semantics of the front-end's rewrites, checked by running them on DuckDB. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { PgSqlError, splitPostgres, translatePostgres } from '../../src/sql/postgres/translate.ts';
import { relationOid } from '../../src/catalog/pg-catalog.ts';
import { CTX, corpus, openTestDb } from './postgres-helpers.ts';

function rowsJson(rows: unknown[][]): unknown[][] {
  return JSON.parse(
    JSON.stringify(rows, (_k, v: unknown) => {
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'object' && v !== null && 'items' in v) return (v as { items: unknown[] }).items;
      return v;
    }),
  ) as unknown[][];
}

describe('postgres front-end: semantics', () => {
  let db: DuckDBInstance;
  let c: DuckDBConnection;
  before(async () => {
    ({ db, c } = await openTestDb());
  });
  after(() => {
    c.closeSync();
    db.closeSync();
  });

  async function run(sql: string): Promise<{ names: string[] | undefined; rows: unknown[][] }> {
    const t = translatePostgres(sql, CTX);
    const r = await c.runAndReadAll(t.sql);
    return { names: t.columnNames, rows: rowsJson(r.getRows() as unknown[][]) };
  }

  it('splits by the parser, not by semicolons in strings or comments', () => {
    assert.deepEqual(splitPostgres(`select ';'; -- x;\nselect 2;select $$a;b$$`), [`select ';'`, 'select 2', 'select $$a;b$$']);
    assert.deepEqual(splitPostgres('  ;  '), []);
    assert.deepEqual(splitPostgres(''), []); // pgJDBC's isValid(): EmptyQueryResponse, not an error
  });

  it('reports syntax errors as 42601 with a position', () => {
    assert.throws(() => translatePostgres('select from where', CTX), (e: unknown) => e instanceof PgSqlError && e.sqlstate === '42601' && e.position === 13);
  });

  it('LIKE … ESCAPE stays SQL syntax (SQLAlchemy 2.0 get_schema_names)', async () => {
    const r = await run(`select 'pg_x' not like 'pg/_' || '%' escape '/', 'pgx' not like 'pg/_' || '%' escape '/', 'A_b' ilike 'a!_%' escape '!'`);
    assert.deepEqual(r.rows, [[false, true, true]]);
    const ns = await run(`SELECT pg_catalog.pg_namespace.nspname FROM pg_catalog.pg_namespace WHERE (pg_catalog.pg_namespace.nspname NOT LIKE 'pg/_' || '%' ESCAPE '/') ORDER BY pg_catalog.pg_namespace.nspname`);
    assert.ok(ns.rows.some((row) => row[0] === 'public') && !ns.rows.some((row) => String(row[0]).startsWith('pg_')), JSON.stringify(ns.rows));
  });

  it("to_char formats timestamps as PostgreSQL does (Looker's timeframes), named to_char", async () => {
    const r = await run(`select TO_CHAR(DATE_TRUNC('month', TIMESTAMP '2024-05-17 10:11:12'), 'YYYY-MM'), to_char(DATE '2024-02-29', 'FMMonth DD, YYYY "Q"Q'), to_char(NULL::timestamp, 'YYYY')`);
    assert.deepEqual(r.names, ['to_char', 'to_char', 'to_char']);
    assert.deepEqual(r.rows, [['2024-05', 'February 29, 2024 Q1', null]]);
    assert.throws(() => translatePostgres(`select to_char(1.5, '999D9')`, CTX), (e: unknown) => e instanceof PgSqlError && e.sqlstate === '0A000' && /number format/.test(e.message));
  });

  it('regex operators are partial matches, case-insensitive with *', async () => {
    const r = await run(`select 'pg_catalog' ~ '^pg_', 'xpg' ~ 'pg', 'abc' !~ 'b', 'ABC' ~* 'b', 'ABC' !~* 'z', 'a' OPERATOR(pg_catalog.~) 'a' COLLATE pg_catalog.default`);
    assert.deepEqual(r.rows, [[true, true, false, true, true, true]]);
    const col = await run(`select nspname from pg_namespace where nspname ~ ('^' || 'pg_') order by 1`);
    assert.deepEqual(col.rows, [['pg_catalog']]);
  });

  it('integer division truncates; other division stays exact', async () => {
    const r = await run(`select 7/2, -7/2, 7.0/2, '150018'::int/100, count(*)/2 from (values (1),(2),(3)) v(x)`);
    assert.deepEqual(r.rows, [[3, -3, 3.5, 1500, 1]]);
  });

  it('names result columns as PostgreSQL does', async () => {
    const r = await run(`select count(*), 1+1, upper('a'), 'x'::text, pg_catalog.version(), current_user, (select 1 as one), case when true then 1 end from (values (1)) v(x)`);
    assert.deepEqual(r.names, ['count', '?column?', 'upper', 'text', 'version', 'current_user', 'one', 'case']);
    const a = await run(`select x AS "MiXed", x AS Folded, v.x, x::int8 from (values (1)) v(x)`);
    assert.deepEqual(a.names, ['MiXed', 'folded', 'x', 'x']);
    assert.equal((await run('select * from processes')).names, undefined);
  });

  it('accepts pg_catalog-qualified functions and relations, and three-part column names', async () => {
    const r = await run(`select pg_catalog.version() like 'PostgreSQL 15.18%', pg_catalog.current_database(), pg_catalog.pg_class.relname from pg_catalog.pg_class where pg_catalog.pg_class.relname = 'steps'`);
    assert.deepEqual(r.rows, [[true, 'acme', 'steps']]);
  });

  it('generate_series is a set-returning function in the select list and in FROM', async () => {
    assert.deepEqual((await run('select generate_series(1,3)')).rows, [[1], [2], [3]]);
    assert.deepEqual((await run('select s from pg_catalog.generate_series(1,3) s order by s desc')).rows, [[3], [2], [1]]);
  });

  it('settings, schemas and identity functions', async () => {
    const r = await run(`select current_setting('server_version_num')::int/100, current_schema(), current_schemas(true), current_schemas(false), pg_backend_pid(), session_user`);
    assert.deepEqual(r.rows, [[1500, 'public', ['pg_catalog', 'public'], ['public'], 4242, 'AKIDEXAMPLE']]);
  });

  it('regclass, regtype, regproc and oid casts', async () => {
    const steps = relationOid('public', 'steps');
    const r = await run(`select 'steps'::regclass::oid, 'public.steps'::regclass = ${steps}, ${steps}::regclass, 23::regtype::text, 'pg_catalog.array_in'::regproc = (select typinput from pg_type where typname = '_int4'), to_regclass('nope')`);
    assert.deepEqual(r.rows, [[steps, true, 'steps', 'integer', true, null]]);
  });

  it('format_type, quote_ident, parse_ident, array bounds', async () => {
    const r = await run(`select format_type(1043, 14), format_type(20, -1), format_type(1700, ((10 << 16) | 2) + 4), quote_ident('Ab'), quote_ident('ab'), quote_ident('select'), parse_ident('"A".b'), array_upper(array[1,2,3], 1), array_lower(array[1,2,3], 1)`);
    assert.deepEqual(r.rows, [['character varying(10)', 'bigint', 'numeric(10,2)', '"Ab"', 'ab', '"select"', ['A', 'b'], 3, 1]]);
  });

  it('= ANY(array) and PostgreSQL array literals', async () => {
    const r = await run(`select 2 = any(array[1,2]), 5 <> all(array[1,2]), array[0] = '{0}'`);
    assert.deepEqual(r.rows, [[true, true, true]]);
  });

  it('information_schema columns use PostgreSQL type names', async () => {
    const r = await run(`select column_name, data_type, udt_name from INFORMATION_SCHEMA.columns where table_name = 'processes' and column_name in ('tags', 'created_at', 'total_tasks', 'process_id') order by ordinal_position`);
    assert.deepEqual(r.rows, [['process_id', 'text', 'text'], ['tags', 'ARRAY', '_text'], ['total_tasks', 'integer', 'int4'], ['created_at', 'timestamp without time zone', 'timestamp']]);
    const t = await run(`select table_type, count(*) from information_schema.tables where table_schema = 'public' group by 1 order by 1`);
    assert.deepEqual(t.rows, [['BASE TABLE', 9], ['VIEW', 1]]);
  });

  it('classifies statements', () => {
    const k = (sql: string): string => translatePostgres(sql, CTX).kind;
    assert.equal(k('SET extra_float_digits = 3'), 'session');
    assert.equal(k('show transaction isolation level'), 'session');
    assert.equal(k('BEGIN'), 'session');
    assert.equal(k('DISCARD ALL'), 'session');
    assert.equal(k('DECLARE c CURSOR WITH HOLD FOR select 1'), 'session');
    assert.equal(k('EXPLAIN select 1'), 'explain');
    assert.equal(translatePostgres('explain analyze select * from pg_class', CTX).sql, 'EXPLAIN ANALYZE select * from pgc."pg_class"');
    const ctas = translatePostgres('create table scratch.pdt as select x from (values (1)) v(x)', CTX);
    assert.deepEqual([ctas.kind, ctas.target, ctas.sql], ['create_table_as', { schema: 'scratch', name: 'pdt' }, 'CREATE TABLE "scratch"."pdt" AS select x from (values (1)) v(x)']);
    assert.equal(k('drop table scratch.pdt'), 'drop_table');
    assert.equal(k('alter table scratch.a rename to b'), 'alter_table_rename');
    assert.equal(k('create view scratch.v as select 1'), 'create_view');
    assert.equal(k('drop view scratch.v'), 'drop_view');
    assert.equal(k('insert into scratch.t values (1)'), 'write');
    const temp = translatePostgres('SELECT * INTO TEMPORARY TABLE "#t" FROM (SELECT 1 AS COL) AS CHECKTEMP', CTX);
    // The unquoted alias COL is PostgreSQL's `col`.
    assert.deepEqual([temp.kind, temp.sql], ['create_temp_table', 'CREATE TEMP TABLE "#t" AS SELECT *   FROM (SELECT 1 AS "col") AS CHECKTEMP']);
  });

  it('refuses writes outside the scratch schema with 25006, other databases with 3D000, unknown relations with 42P01', () => {
    const code = (sql: string): string | undefined => {
      try {
        translatePostgres(sql, CTX);
        return undefined;
      } catch (e) {
        return e instanceof PgSqlError ? e.sqlstate : String(e);
      }
    };
    assert.equal(code('insert into processes values (1)'), '25006');
    assert.equal(code('delete from public.steps'), '25006');
    assert.equal(code('update steps set x = 1'), '25006');
    assert.equal(code('create table public.x as select 1'), '25006');
    assert.equal(code('drop table public.processes'), '25006');
    assert.equal(code('truncate processes'), '25006');
    assert.equal(code('copy processes from stdin'), '25006');
    assert.equal(code('select * from other.public.processes'), '3D000');
    assert.equal(code('select * from acme.public.processes'), undefined);
    assert.equal(code('select * from pg_catalog.pg_nope'), '42P01');
    assert.equal(code('select * from information_schema.nope'), '42P01');
    assert.equal(code('select * from otherschema.t'), '42P01');
  });

  describe('psql meta-commands (queries from the psql 15 capture)', () => {
    const psql = corpus().filter((e) => e.file === 'capture-psql15.json');
    const withOid = (sql: string, oid: number): string => sql.replace(/'\d+'/g, `'${oid}'`);

    it('\\l lists the database', async () => {
      const r = await run(psql[0]!.sql);
      assert.deepEqual(r.rows.map((x) => x.slice(0, 3)), [['acme', 'AKIDEXAMPLE', 'UTF8']]);
    });
    it('\\dn lists public', async () => {
      assert.deepEqual((await run(psql[1]!.sql)).rows, [['public', 'AKIDEXAMPLE']]);
    });
    it('\\dt lists the datasets as tables; \\dv the views', async () => {
      const dt = await run(psql[2]!.sql);
      assert.ok(dt.rows.some((x) => x[1] === 'processes' && x[2] === 'table'));
      assert.equal(dt.rows.length, 9);
      // Unqualified \dt: psql filters by pg_table_is_visible.
      const plain = await run(`SELECT n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r','p','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema'
        AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2`);
      assert.equal(plain.rows.length, 9);
      const dv = await run(psql[11]!.sql);
      assert.deepEqual(dv.rows.map((x) => x[1]), ['v_events']);
    });
    it('\\d processes and \\d+ steps describe the columns', async () => {
      const find = await run(psql[3]!.sql.replace('^(events)$', '^(processes)$'));
      assert.equal(find.rows.length, 1);
      const oid = find.rows[0]![0] as number;
      const info = await run(withOid(psql[4]!.sql, oid));
      assert.equal(info.rows[0]![1], 'r');
      const cols = await run(withOid(psql[5]!.sql, oid));
      assert.deepEqual(cols.rows[0]!.slice(0, 2), ['organization_id', 'text']);
      assert.ok(cols.rows.some((x) => x[0] === 'tags' && x[1] === 'text[]'));
      const steps = relationOid('public', 'steps');
      const stepCols = await run(withOid(psql[5]!.sql, steps));
      assert.ok(stepCols.rows.length > 5);
      for (const q of psql.slice(6, 11)) await run(withOid(q.sql, steps));
    });
    it('primary keys: a constraint, a unique index and NOT NULL key columns, as psql \\d, pgJDBC and information_schema read them', async () => {
      assert.deepEqual((await run("SELECT conname, contype, pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'form_fields'::regclass")).rows, [
        ['form_fields_pkey', 'p', 'PRIMARY KEY (process_id, field_id)'],
      ]);
      const idx = await run(`SELECT c2.relname, c2.relkind, i.indisprimary, i.indisunique, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
        pg_catalog.pg_get_indexdef(i.indexrelid, 2, false), am.amname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c2 ON c2.oid = i.indexrelid
        JOIN pg_catalog.pg_am am ON am.oid = c2.relam WHERE i.indrelid = 'form_fields'::regclass`);
      assert.deepEqual(idx.rows, [['form_fields_pkey', 'i', true, true, 'CREATE UNIQUE INDEX form_fields_pkey ON public.form_fields USING btree (process_id, field_id)', 'field_id', 'btree']]);
      assert.deepEqual((await run("SELECT attname FROM pg_attribute WHERE attrelid = 'processes'::regclass AND attnotnull")).rows, [['process_id']]);
      const kcu = await run(`SELECT k.column_name, k.ordinal_position FROM information_schema.table_constraints t JOIN information_schema.key_column_usage k
        ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name WHERE t.table_name = 'member_logins' AND t.constraint_type = 'PRIMARY KEY' ORDER BY 2`);
      assert.deepEqual(kcu.rows, [['member_id', 1], ['login_at', 2]]);
      assert.deepEqual((await run("SELECT count(*) FROM pg_index WHERE indrelid = 'v_events'::regclass OR indrelid = 'events'::regclass")).rows, [[0]]);
    });
    it('\\df runs (no user functions)', async () => {
      const r = await run(psql[12]!.sql);
      assert.deepEqual(r.names, ['Schema', 'Name', 'Result data type', 'Argument data types', 'Type']);
    });
  });
});
