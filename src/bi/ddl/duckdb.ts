/**
 * DuckDB: a schema per organization with a view per table over exactly the snapshot's Parquet
 * files (the same SQL Runlake's own engine uses), the analytic views (DuckDB SQL, business hours
 * in the organization's time zone) and `lake_snapshot`. Local paths work in any DuckDB; s3://
 * URLs need DuckDB's httpfs extension and an S3 secret.
 */
import { TABLES } from '../../schema/index.ts';
import { analyticViews } from '../../catalog/analytic-views.ts';
import { LAKE_SNAPSHOT_VIEW, lakeSnapshotSelect } from '../../catalog/lake-snapshot.ts';
import { tableViewSql } from '../../catalog/snapshot-views.ts';
import type { DdlInput } from './ddl.ts';
import { tableFiles } from './lake-files.ts';

const dq = (s: string): string => `"${s.replaceAll('"', '""')}"`;

export function duckdbDdl(i: DdlInput): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${dq(i.database)}`,
    ...TABLES.map((t) => tableViewSql(t, tableFiles(i.manifest, t, i.lakeRoot), i.database)),
    ...analyticViews({ timezone: i.timezone }).map((v) => `CREATE OR REPLACE VIEW ${dq(i.database)}.${dq(v.name)} AS\n${v.sql}`),
    `CREATE OR REPLACE VIEW ${dq(i.database)}.${dq(LAKE_SNAPSHOT_VIEW)} AS ${lakeSnapshotSelect(i.org, i.manifest)}`,
  ];
}
