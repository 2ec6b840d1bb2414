/** Shared set-up of the PostgreSQL front-end tests: an in-memory DuckDB with Runlake-shaped tables and the emulated catalog. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { TABLES } from '../../src/schema/tables.ts';
import type { ColumnType } from '../../src/schema/types.ts';
import type { EngineType } from '../../src/engine/engine.ts';
import { pgCatalogSql, relationOid, type PgCatalogRelation } from '../../src/catalog/pg-catalog.ts';
import type { PgTranslateContext } from '../../src/sql/postgres/translate.ts';

/**
 * The recorded client statements (research/pg-client-queries in the team's shared folder, beside
 * the project): RUNLAKE_PG_CORPUS when set, else ../shared beside this checkout, else the team
 * machine's /work/shared. A checkout without any of them fails here, saying where it looked.
 */
export function corpusDir(): string {
  const tail = join('research', 'pg-client-queries');
  const chosen = process.env.RUNLAKE_PG_CORPUS;
  const candidates = chosen ? [chosen] : [resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'shared', tail), join('/work/shared', tail)];
  const found = candidates.find((d) => existsSync(d));
  if (found === undefined) throw new Error(`the recorded BI statements are not here (looked in ${candidates.join(', ')}); set RUNLAKE_PG_CORPUS to research/pg-client-queries of the shared folder`);
  return found;
}

const DUCK: Record<ColumnType, string> = {
  varchar: 'VARCHAR', integer: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', 'varchar[]': 'VARCHAR[]',
};
const ENGINE: Record<ColumnType, EngineType> = {
  varchar: { kind: 'varchar' }, integer: { kind: 'integer' }, bigint: { kind: 'bigint' }, double: { kind: 'double' },
  boolean: { kind: 'boolean' }, timestamp: { kind: 'timestamp' }, 'varchar[]': { kind: 'list', element: { kind: 'varchar' } },
};

export const CTX: PgTranslateContext = {
  database: 'acme',
  scratchSchema: 'scratch',
  user: 'AKIDEXAMPLE',
  settings: new Map([['server_version', '15.18'], ['server_version_num', '150018'], ['search_path', '"$user", public'], ['timezone', 'UTC'], ['max_index_keys', '32']]),
  backendPid: 4242,
};

/** The relations of the test organization: Runlake's datasets, plus `events` (the captures' table) and a view. */
export function testRelations(): PgCatalogRelation[] {
  const rels: PgCatalogRelation[] = TABLES.map((t) => ({
    schema: 'main', name: t.name, kind: 'table', doc: t.doc, rowCount: 2, primaryKey: t.primaryKey,
    columns: t.columns.map((c) => ({ name: c.name, type: ENGINE[c.type], doc: c.doc })),
  }));
  rels.push({
    schema: 'main', name: 'events', kind: 'table', rowCount: 2,
    columns: [{ name: 'id', type: { kind: 'bigint' } }, { name: 'org', type: { kind: 'varchar' } }, { name: 'amount', type: { kind: 'decimal', precision: 18, scale: 2 } }],
  });
  rels.push({ schema: 'main', name: 'v_events', kind: 'view', columns: [{ name: 'id', type: { kind: 'bigint' } }] });
  return rels;
}

export const EVENTS_OID = relationOid('public', 'events');

export async function openTestDb(): Promise<{ db: DuckDBInstance; c: DuckDBConnection }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  for (const t of TABLES) {
    await c.run(`CREATE TABLE "${t.name}" (${t.columns.map((col) => `"${col.name}" ${DUCK[col.type]}`).join(', ')})`);
  }
  await c.run(`CREATE TABLE events (id BIGINT, org VARCHAR, amount DECIMAL(18,2))`);
  await c.run(`INSERT INTO events VALUES (1, 'acme', 10.5), (2, 'acme', 20)`);
  await c.run(`CREATE VIEW v_events AS SELECT id FROM events`);
  await c.run(`CREATE SCHEMA scratch`);
  for (const s of pgCatalogSql({ database: CTX.database, user: CTX.user, relations: testRelations() })) await c.run(s);
  return { db, c };
}

export interface CorpusEntry {
  file: string;
  index: number;
  sql: string;
  params: string[];
  source: string;
}

/** The captured statements, with the capture's schema `acme` read as `public` and OID 16386 as `events`. */
export function corpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const dir = corpusDir();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const entries = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { sql: string; params?: string; source?: string }[];
    entries.forEach((e, index) => {
      const sql = e.sql
        .replaceAll("'acme'", "'public'")
        .replaceAll("'^(acme)$'", () => "'^(public)$'")
        .replaceAll('acme.events', 'public.events')
        .replaceAll("'acme.events'", "'public.events'")
        .replaceAll('16386', String(EVENTS_OID));
      const params = e.params ? [...e.params.matchAll(/\$\d+ = '([^']*)'/g)].map((m) => m[1]!) : [];
      out.push({ file, index, sql, params, source: e.source ?? '' });
    });
  }
  return out;
}
