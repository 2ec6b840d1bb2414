/** Reads a published snapshot back with a stock DuckDB, the way an external engine would. */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ObjectStore } from '../../src/lake/object-store.ts';
import { readCurrentManifest, readManifest } from '../../src/lake/manifest-store.ts';
import type { Manifest } from '../../src/lake/layout.ts';
import { TABLES, type TableName } from '../../src/schema/index.ts';

export type Row = Record<string, unknown>;

/** Rows of `table` in the live snapshot (or `version`), ordered by the table's primary key. */
export async function readTable(store: ObjectStore, org: string, table: TableName, version?: number): Promise<Row[]> {
  const m: Manifest | undefined = version === undefined ? await readCurrentManifest(store, org) : await readManifest(store, org, version);
  if (!m) return [];
  const files = m.tables[table];
  if (files.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'runlake-read-'));
  try {
    const paths: string[] = [];
    for (const f of files) {
      const local = store.localPath ? store.localPath(f.key) : join(dir, f.key);
      if (!store.localPath) await store.getFile(f.key, local);
      paths.push(local);
    }
    const def = TABLES.find((t) => t.name === table)!;
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const list = `[${paths.map((p) => `'${p}'`).join(',')}]`;
    const partitioned = def.scope === 'process';
    const r = await c.runAndReadAll(
      `SELECT ${def.columns.map((x) => x.name).join(', ')} FROM read_parquet(${list}${partitioned ? ", hive_partitioning = true, hive_types = {'started_month': VARCHAR}" : ''})
       ORDER BY ${def.primaryKey.join(', ')}`,
    );
    const rows = r.getRowObjectsJson() as Row[];
    c.closeSync();
    db.closeSync();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The compression codec of every column chunk of the given local Parquet files. */
export async function codecs(paths: string[]): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const r = await c.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata([${paths.map((p) => `'${p}'`).join(',')}])`);
  const out = r.getRows().map((x) => String(x[0]));
  c.closeSync();
  db.closeSync();
  return out;
}
