/**
 * The relations every organization database has, as engine (DuckDB) SQL over one snapshot:
 * a view per table over exactly the snapshot's files (so a reader sees one snapshot, whatever
 * else the directory holds), the analytic views on top, `users`, `query_history`, and
 * `lake_snapshot` (the version of the snapshot the table views read).
 *
 * Invariants: every relation's columns are those of src/schema (or the view's definition), in
 * order, also when a table has no file yet; views reference only the organization's own files.
 */
import { DUCKDB_TYPE, PARTITION_COLUMN, TABLES, type TableDef, type TableName } from '../schema/index.ts';
import { analyticViews, type ViewDef } from './analytic-views.ts';
import { QUERY_HISTORY_COLUMNS } from './query-history.ts';
import { LAKE_SNAPSHOT_VIEW } from './lake-snapshot.ts';
import { sqlString as q, quoteIdent as ident } from '../util/sql-quote.ts';


/** `CREATE OR REPLACE VIEW` of one table over the given Parquet files (local paths or URLs), in `schema`. */
export function tableViewSql(t: TableDef, files: readonly string[], schema = 'main'): string {
  const cols = t.columns.map((c) => ident(c.name)).join(', ');
  if (files.length === 0) {
    const nulls = t.columns.map((c) => `CAST(NULL AS ${DUCKDB_TYPE[c.type]}) AS ${ident(c.name)}`).join(', ');
    return `CREATE OR REPLACE VIEW ${ident(schema)}.${ident(t.name)} AS SELECT ${nulls} WHERE false`;
  }
  const list = `[${files.map(q).join(', ')}]`;
  const opts = t.scope === 'process' ? `, hive_partitioning = true, hive_types = {'${PARTITION_COLUMN}': VARCHAR}` : '';
  return `CREATE OR REPLACE VIEW ${ident(schema)}.${ident(t.name)} AS SELECT ${cols} FROM read_parquet(${list}${opts})`;
}

export function tableViewsSql(filesOf: (table: TableName) => readonly string[]): string[] {
  return TABLES.map((t) => tableViewSql(t, filesOf(t.name as TableName)));
}

/** The analytic views (and `users`), created once per engine instance: they read the table views by name. */
export function analyticViewsSql(timezone: string): { defs: ViewDef[]; sql: string[] } {
  const defs = analyticViews({ timezone });
  return { defs, sql: defs.map((v) => `CREATE OR REPLACE VIEW main.${ident(v.name)} AS ${v.sql}`) };
}

/** `query_history` as a table filled from a newline-delimited JSON file (or empty). */
export function queryHistorySql(ndjsonPath: string | null): string {
  const cols = QUERY_HISTORY_COLUMNS.map((c) => `${ident(c.name)} ${DUCKDB_TYPE[c.type]}`).join(', ');
  if (ndjsonPath === null) return `CREATE OR REPLACE TABLE main.query_history (${cols})`;
  const struct = `{${QUERY_HISTORY_COLUMNS.map((c) => `${q(c.name)}: ${q(DUCKDB_TYPE[c.type])}`).join(', ')}}`;
  return `CREATE OR REPLACE TABLE main.query_history AS SELECT * FROM read_json(${q(ndjsonPath)}, format = 'newline_delimited', columns = ${struct})`;
}

/** Names of every relation an organization sees in its database, in catalog order. */
export function relationNames(timezone = 'UTC'): string[] {
  return [...TABLES.map((t) => t.name), ...analyticViews({ timezone }).map((v) => v.name), 'query_history', LAKE_SNAPSHOT_VIEW];
}
