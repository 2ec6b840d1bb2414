/**
 * The `lake_snapshot` view every organization database has: one row naming the lake snapshot the
 * database shows right now. Its value changes exactly when a new snapshot goes live, so BI tools
 * poll it to know when the data changed (a Looker datagroup's `sql_trigger`, a cache key, a
 * "data as of" tile).
 *
 * Invariants: exactly one row, also before the first publish (version 0, published_at NULL);
 * it is replaced together with the table views, in the same transaction, so a query sees the
 * version of the files it reads.
 */
import type { ColumnDef } from '../schema/types.ts';
import { sqlString as q } from '../util/sql-quote.ts';

export const LAKE_SNAPSHOT_VIEW = 'lake_snapshot';

const col = (name: string, type: ColumnDef['type'], doc: string): ColumnDef => ({ name, type, doc, origin: 'derived' });

export const LAKE_SNAPSHOT_COLUMNS: readonly ColumnDef[] = [
  col('organization_id', 'varchar', 'The organization.'),
  col('snapshot_version', 'bigint', 'Version of the live lake snapshot (grows by one with each publish); 0 before the first publish.'),
  col('published_at', 'timestamp', 'When that snapshot was published (UTC); NULL before the first publish.'),
];

export const LAKE_SNAPSHOT_DOC =
  'One row: the lake snapshot this database shows now. It changes exactly when new data is published, '
  + 'so `SELECT snapshot_version FROM lake_snapshot` is a cheap change detector (a Looker datagroup trigger, a cache key).';


/** The view's SELECT (valid DuckDB, Trino and Snowflake SQL) for the given live snapshot, or none yet. */
export function lakeSnapshotSelect(org: string, snapshot: { version: number; publishedAt: string } | undefined): string {
  const version = snapshot?.version ?? 0;
  if (!Number.isSafeInteger(version) || version < 0) throw new Error(`snapshot version ${String(version)} is not a whole number`);
  let published = 'NULL';
  if (snapshot) {
    const at = new Date(snapshot.publishedAt);
    if (Number.isNaN(at.getTime())) throw new Error(`snapshot ${version} has an invalid publishedAt ${JSON.stringify(snapshot.publishedAt)}`);
    published = q(at.toISOString().replace('T', ' ').replace('Z', ''));
  }
  return `SELECT CAST(${q(org)} AS VARCHAR) AS organization_id, `
    + `CAST(${version} AS BIGINT) AS snapshot_version, CAST(${published} AS TIMESTAMP) AS published_at`;
}

/** `CREATE OR REPLACE VIEW` of `lake_snapshot` (DuckDB) in the engine's main schema. */
export function lakeSnapshotViewSql(org: string, snapshot: { version: number; publishedAt: string } | undefined): string {
  return `CREATE OR REPLACE VIEW main."${LAKE_SNAPSHOT_VIEW}" AS ${lakeSnapshotSelect(org, snapshot)}`;
}
