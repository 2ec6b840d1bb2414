/**
 * Acceptance corpus: every statement real PostgreSQL clients sent (psql 15, pgJDBC 42.5.5,
 * SQLAlchemy 1.4/2.0 + psycopg2, Npgsql/Power BI, Metabase, Grafana, Tableau, DBeaver…) translates
 * and runs on DuckDB over the emulated catalog.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { parseSessionCommand } from '../../src/protocols/pgwire/commands.ts';
import { translatePostgres } from '../../src/sql/postgres/translate.ts';
import { CTX, corpus, openTestDb } from './postgres-helpers.ts';

/** Statements that must fail, as on PostgreSQL (Tableau's capability probe). */
const MUST_FAIL = new Set(['SELECT "SUBCOL" AS "COL" FROM (SELECT 1 AS "SUBCOL") "SUBQUERY" GROUP BY 2']);

describe('postgres front-end: client corpus', () => {
  let db: DuckDBInstance;
  let c: DuckDBConnection;
  before(async () => {
    ({ db, c } = await openTestDb());
  });
  after(() => {
    c.closeSync();
    db.closeSync();
  });

  const entries = corpus();
  it('holds the 163 captured statements', () => {
    assert.equal(entries.length, 163);
  });

  for (const e of entries) {
    it(`${e.file}#${e.index}: ${e.sql.replace(/\s+/g, ' ').slice(0, 90)}`, async () => {
      if (MUST_FAIL.has(e.sql)) {
        // As PostgreSQL: 42P10 "GROUP BY position 2 is not in select list", from the front-end.
        assert.throws(() => translatePostgres(e.sql, CTX), (err: { sqlstate?: string }) => err.sqlstate === '42P10');
        return;
      }
      const t = translatePostgres(e.sql, CTX);
      if (t.kind === 'session') {
        assert.ok(parseSessionCommand(t.sql), `the session handles: ${t.sql}`);
        return;
      }
      assert.ok(['select', 'create_temp_table', 'drop_table'].includes(t.kind), t.kind);
      const r = await c.runAndReadAll(t.sql, e.params.length > 0 ? e.params : undefined);
      if (t.columnNames) assert.equal(r.columnCount, t.columnNames.length, 'column count');
    });
  }
});
