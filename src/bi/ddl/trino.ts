/**
 * Trino (Hive connector): a Parquet table `<table>_files` per table over its directory
 * (`external_location`, process tables partitioned by `started_month` and their partitions synced
 * from the directory), and a view `<table>` that keeps only the snapshot's files (`"$path"`).
 */
import { PARTITION_COLUMN, TABLES, TRINO_TYPE, type TableDef } from '../../schema/index.ts';
import { LAKE_SNAPSHOT_VIEW, lakeSnapshotSelect } from '../../catalog/lake-snapshot.ts';
import type { DdlInput } from './ddl.ts';
import { sqlString, tableDirectory, tableFiles } from './lake-files.ts';

const dq = (s: string): string => `"${s.replaceAll('"', '""')}"`;

function table(i: DdlInput, t: TableDef): string[] {
  const schema = `${dq(i.catalog)}.${dq(i.database)}`;
  const files = `${schema}.${dq(`${t.name}_files`)}`;
  const props = [
    "format = 'PARQUET'",
    `external_location = ${sqlString(tableDirectory(i.lakeRoot, i.org, t))}`,
    ...(t.scope === 'process' ? [`partitioned_by = ARRAY['${PARTITION_COLUMN}']`] : []),
  ];
  const out = [
    [
      `CREATE TABLE IF NOT EXISTS ${files} (`,
      t.columns.map((c) => `  ${dq(c.name)} ${TRINO_TYPE[c.type]}`).join(',\n'),
      ')',
      `WITH (${props.join(', ')})`,
    ].join('\n'),
  ];
  if (t.scope === 'process') out.push(`CALL ${dq(i.catalog)}.system.sync_partition_metadata(${sqlString(i.database)}, ${sqlString(`${t.name}_files`)}, 'FULL')`);
  const paths = tableFiles(i.manifest, t, i.lakeRoot);
  out.push([
    `CREATE OR REPLACE VIEW ${schema}.${dq(t.name)} AS`,
    `SELECT ${t.columns.map((c) => dq(c.name)).join(', ')}`,
    `FROM ${files}`,
    paths.length ? `WHERE "$path" IN (\n  ${paths.map(sqlString).join(',\n  ')}\n)` : 'WHERE false',
  ].join('\n'));
  return out;
}

export function trinoDdl(i: DdlInput): string[] {
  const schema = `${dq(i.catalog)}.${dq(i.database)}`;
  const members = TABLES.find((t) => t.name === 'members')!;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    ...TABLES.flatMap((t) => table(i, t)),
    `CREATE OR REPLACE VIEW ${schema}.${dq('users')} AS SELECT ${members.columns.map((c) => dq(c.name)).join(', ')} FROM ${schema}.${dq('members')}`,
    `CREATE OR REPLACE VIEW ${schema}.${dq(LAKE_SNAPSHOT_VIEW)} AS ${lakeSnapshotSelect(i.org, i.manifest)}`,
  ];
}
