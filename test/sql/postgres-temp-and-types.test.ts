/**
 * The PostgreSQL front-end's temporary-table statements, GROUP BY / ORDER BY positions and
 * result column types, at the translation level (the end-to-end behaviour is in
 * test/pgwire/temp-tables.test.ts and bi-corpus.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PgSqlError, translatePostgres, type PgTranslateContext } from '../../src/sql/postgres/translate.ts';

const CTX: PgTranslateContext = { database: 'acme', scratchSchema: 'looker_scratch', user: 'AKID', tempTables: new Set(['#t', 'picked']) };

const stateOf = (sql: string, ctx = CTX): string => {
  try {
    translatePostgres(sql, ctx);
    return 'ok';
  } catch (e) {
    return e instanceof PgSqlError ? e.sqlstate : String(e);
  }
};

const types = (sql: string): (string | undefined)[] | undefined => translatePostgres(sql, CTX).columnTypes?.map((t) => t?.name);

describe('postgres front-end: temporary tables', () => {
  it('translates the session’s temporary-table statements and marks reads of them', () => {
    const create = translatePostgres('CREATE LOCAL TEMPORARY TABLE "#x" ("COL" INTEGER, s varchar(10), n numeric(18,2) NOT NULL, a int[]) ON COMMIT PRESERVE ROWS', CTX);
    assert.equal(create.kind, 'create_temp_table');
    assert.deepEqual(create.columns, ['COL', 's', 'n', 'a']);
    assert.equal(create.selectSql, 'SELECT CAST(NULL AS INTEGER) AS "COL", CAST(NULL AS varchar(10)) AS "s", CAST(NULL AS numeric(18,2)) AS "n", CAST(NULL AS int[]) AS "a" LIMIT 0');
    const into = translatePostgres('SELECT * INTO TEMP TABLE "#y" FROM (SELECT 1 AS COL) AS c', CTX);
    assert.deepEqual([into.kind, into.selectSql], ['create_temp_table', 'SELECT *   FROM (SELECT 1 AS "col") AS c']);
    const ins = translatePostgres('INSERT INTO "#t" ("COL") VALUES (1), (2)', CTX);
    assert.deepEqual([ins.kind, ins.columns, ins.selectSql], ['insert_temp_table', ['COL'], 'VALUES (1), (2)']);
    const insSelect = translatePostgres('insert into pg_temp.picked select process_id from processes', CTX);
    assert.deepEqual([insSelect.kind, insSelect.selectSql], ['insert_temp_table', 'select process_id from "processes"']);
    assert.equal(translatePostgres('DROP TABLE "#t"', CTX).kind, 'drop_temp_table');
    assert.equal(translatePostgres('DROP TABLE IF EXISTS pg_temp.nosuch', CTX).ifExists, true);
    assert.equal(translatePostgres('SELECT * FROM picked JOIN processes USING (process_id)', CTX).temp, true);
    assert.equal(translatePostgres('SELECT * FROM processes', CTX).temp, undefined);
    // A CTE of the same name is not the temporary table.
    assert.equal(translatePostgres('WITH picked AS (SELECT 1) SELECT * FROM picked', CTX).temp, undefined);
  });

  it('remembers a translation only for the same text in the same context', () => {
    const sql = 'SELECT * FROM picked';
    const read = translatePostgres(sql, CTX);
    assert.equal(translatePostgres(sql, CTX), read, 'the same text and context: the remembered translation');
    assert.ok(Object.isFrozen(read), 'shared, so read-only');
    // Once the session drops its temporary table, the same text reads a relation of the database.
    assert.equal(translatePostgres(sql, { ...CTX, tempTables: new Set(['#t']) }).temp, undefined);
    assert.equal(translatePostgres(sql, { ...CTX, tempTables: new Set(['#t', 'picked']) }).temp, true);
    assert.match(translatePostgres('SELECT current_user', { ...CTX, user: 'OTHER' }).sql, /OTHER/);
    assert.match(translatePostgres('SELECT current_user', CTX).sql, /AKID/);
  });

  it('refuses what PostgreSQL refuses, and what would outlive the session', () => {
    assert.equal(stateOf('CREATE TEMP TABLE public.x (a int)'), '42P16');
    assert.equal(stateOf('CREATE TEMP TABLE looker_scratch.x AS SELECT 1'), '42P16');
    assert.equal(stateOf('CREATE TEMP TABLE x (a int) ON COMMIT DROP'), '0A000');
    assert.equal(stateOf('UPDATE picked SET process_id = 1'), '0A000');
    assert.equal(stateOf('CREATE TABLE looker_scratch.x AS SELECT * FROM picked'), '0A000');
    assert.equal(stateOf('CREATE VIEW looker_scratch.v AS SELECT * FROM picked'), '0A000');
    assert.equal(stateOf('SELECT * FROM pg_temp.nosuch'), '42P01');
    assert.equal(stateOf('INSERT INTO processes VALUES (1)'), '25006');
    assert.equal(translatePostgres('DROP TABLE processes', CTX).kind, 'drop_table', 'not a temporary table: refused as a write by the service');
    assert.equal(translatePostgres('DROP TABLE pg_class', CTX).kind, 'drop_table', 'a catalog relation: refused as a write by the service');
    assert.equal(translatePostgres('DROP TABLE IF EXISTS nosuch', CTX).kind, 'drop_temp_table', 'no such relation: only a temporary table could be meant');
  });
});

describe('postgres front-end: GROUP BY / ORDER BY positions', () => {
  it('a position outside the select list is 42P10 at the number, as PostgreSQL', () => {
    const sql = 'SELECT "SUBCOL" AS "COL" FROM (SELECT 1 AS "SUBCOL") "SUBQUERY" GROUP BY 2';
    assert.throws(() => translatePostgres(sql, CTX), (e: PgSqlError) => e.sqlstate === '42P10' && e.message === 'GROUP BY position 2 is not in select list' && e.position === 74);
    assert.equal(stateOf('select 1 group by 0'), '42P10');
    assert.equal(stateOf('select 1 union select 2 order by 2'), '42P10');
    assert.equal(stateOf('select (select a from t group by 3) from t'), '42P10');
    assert.equal(stateOf('select a, b from t group by 2 order by 1'), 'ok');
    assert.equal(stateOf('select * from t group by 5'), 'ok', 'the width of * is the engine’s to check');
    assert.equal(stateOf('select a from t group by 1 + 1'), 'ok', 'an expression, not a position');
  });
});

describe('postgres front-end: result column types', () => {
  it('catalog columns, session functions and literals get PostgreSQL 15’s types', () => {
    assert.deepEqual(types('SELECT c.oid, c.relname, c.relkind, n.nspname FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace'), ['oid', 'name', 'char', 'name']);
    assert.deepEqual(types('SELECT current_user, current_schema(), NULL AS x, \'lit\' AS y, 1 AS z'), ['name', 'name', 'text', 'text', 'int4']);
    assert.deepEqual(types('SELECT table_name, is_nullable, ordinal_position FROM information_schema.columns'), ['name', 'varchar', 'int4']);
    assert.deepEqual(types("SELECT typinput = 'array_in'::regproc AS a, typreceive FROM pg_type"), ['bool', 'regproc']);
    assert.deepEqual(types('SELECT generate_series(1, 5)'), ['int4']);
    assert.deepEqual(types('SELECT pos.n FROM generate_series(1, 32) pos(n)'), ['int4']);
    assert.equal(translatePostgres('SELECT NULL AS x', CTX).columnTypes?.[0]?.alwaysNull, true);
  });

  it('CASE weighs its ELSE first, COALESCE its first argument (select_common_type)', () => {
    assert.deepEqual(types("SELECT CASE WHEN true THEN data_type || ' x' ELSE data_type END FROM information_schema.columns"), ['varchar']);
    assert.deepEqual(types("SELECT CASE WHEN true THEN 'a' ELSE t.typtype END, CASE WHEN true THEN t.typelem ELSE 0 END FROM pg_type t"), ['char', 'oid']);
    assert.deepEqual(types("SELECT coalesce(n.nspname, 'x'), coalesce('x'::text, n.nspname) FROM pg_namespace n"), ['name', 'text']);
  });

  it('expands * over known relations, subqueries and CTEs; leaves the rest to the engine', () => {
    assert.deepEqual(types('SELECT n.*, 1 FROM pg_namespace n'), ['oid', 'name', 'oid', '_text', 'int4']);
    assert.deepEqual(types('SELECT * FROM (SELECT nspname AS s FROM pg_namespace) q'), ['name']);
    assert.deepEqual(types('WITH x(a) AS (SELECT relname FROM pg_class) SELECT a FROM x'), ['name']);
    assert.equal(types('SELECT * FROM processes'), undefined);
    assert.deepEqual(types('SELECT process_id, 1 FROM processes'), [undefined, 'int4']);
  });
});
