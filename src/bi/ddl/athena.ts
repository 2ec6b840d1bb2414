/**
 * Amazon Athena: Hive DDL for the external tables (backticked names, Hive types), Trino SQL for
 * the views. Each table is `<table>_files`, a Parquet external table over the table's directory
 * (process tables partitioned by `started_month`, each partition of the snapshot registered
 * explicitly), and a view `<table>` that keeps only the snapshot's files (`"$path"`).
 */
import { HIVE_TYPE, PARTITION_COLUMN, TABLES, type TableDef } from '../../schema/index.ts';
import { LAKE_SNAPSHOT_VIEW, lakeSnapshotSelect } from '../../catalog/lake-snapshot.ts';
import type { DdlInput } from './ddl.ts';
import { sqlString, tableDirectory, tableFiles, tablePartitions, urlOf } from './lake-files.ts';

const tick = (s: string): string => `\`${s}\``;
const dq = (s: string): string => `"${s.replaceAll('"', '""')}"`;

function externalTable(i: DdlInput, t: TableDef): string[] {
  const db = tick(i.database);
  const files = `${db}.${tick(`${t.name}_files`)}`;
  const cols = t.columns.filter((c) => c.name !== PARTITION_COLUMN || t.scope !== 'process');
  const out = [
    [
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${files} (`,
      cols.map((c) => `  ${tick(c.name)} ${HIVE_TYPE[c.type]}`).join(',\n'),
      ')',
      ...(t.scope === 'process' ? [`PARTITIONED BY (${tick(PARTITION_COLUMN)} string)`] : []),
      'STORED AS PARQUET',
      `LOCATION ${sqlString(tableDirectory(i.lakeRoot, i.org, t))}`,
      "TBLPROPERTIES ('parquet.compression' = 'SNAPPY')",
    ].join('\n'),
  ];
  const parts = t.scope === 'process' ? tablePartitions(i.manifest, t) : [];
  if (parts.length > 0) {
    out.push([
      `ALTER TABLE ${files} ADD IF NOT EXISTS`,
      ...parts.map((p) => `  PARTITION (${tick(PARTITION_COLUMN)} = ${sqlString(p)}) LOCATION ${sqlString(urlOf(tableDirectory(i.lakeRoot, i.org, t), `${PARTITION_COLUMN}=${p}/`))}`),
    ].join('\n'));
  }
  const paths = tableFiles(i.manifest, t, i.lakeRoot);
  out.push([
    `CREATE OR REPLACE VIEW ${dq(i.database)}.${dq(t.name)} AS`,
    `SELECT ${t.columns.map((c) => dq(c.name)).join(', ')}`,
    `FROM ${dq(i.database)}.${dq(`${t.name}_files`)}`,
    paths.length ? `WHERE "$path" IN (\n  ${paths.map(sqlString).join(',\n  ')}\n)` : 'WHERE false',
  ].join('\n'));
  return out;
}

export function athenaDdl(i: DdlInput): string[] {
  const members = TABLES.find((t) => t.name === 'members')!;
  return [
    `CREATE DATABASE IF NOT EXISTS ${tick(i.database)}`,
    ...TABLES.flatMap((t) => externalTable(i, t)),
    `CREATE OR REPLACE VIEW ${dq(i.database)}.${dq('users')} AS SELECT ${members.columns.map((c) => dq(c.name)).join(', ')} FROM ${dq(i.database)}.${dq('members')}`,
    `CREATE OR REPLACE VIEW ${dq(i.database)}.${dq(LAKE_SNAPSHOT_VIEW)} AS ${lakeSnapshotSelect(i.org, i.manifest)}`,
  ];
}
