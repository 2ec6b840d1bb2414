/**
 * Snowflake: one external table per table over a stage whose URL is the lake root. Columns are
 * typed expressions over the Parquet `VALUE` (the file format honours Parquet's logical types,
 * so timestamps arrive as timestamps); `started_month` comes from the file path and partitions
 * the table; `PATTERN` lists exactly the snapshot's file names.
 */
import { PARTITION_COLUMN, SNOWFLAKE_TYPE, TABLES, type TableDef } from '../../schema/index.ts';
import { tablePrefix } from '../../lake/layout.ts';
import { LAKE_SNAPSHOT_VIEW, lakeSnapshotSelect } from '../../catalog/lake-snapshot.ts';
import type { DdlInput } from './ddl.ts';
import { sqlString, tableFileNames } from './lake-files.ts';

const FORMAT = 'runlake_parquet';
const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '.' ? '[.]' : `\\${c}`));

function externalTable(i: DdlInput, t: TableDef): string {
  const cols = t.columns.map((c) => {
    const expr = c.name === PARTITION_COLUMN && t.scope === 'process'
      ? `SPLIT_PART(SPLIT_PART(METADATA$FILENAME, '${PARTITION_COLUMN}=', 2), '/', 1)`
      : `VALUE:${c.name}::${SNOWFLAKE_TYPE[c.type]}`;
    return `  ${c.name} ${SNOWFLAKE_TYPE[c.type]} AS (${expr})`;
  });
  const names = tableFileNames(i.manifest, t);
  const pattern = names.length ? `.*/(${names.map(escapeRegex).join('|')})` : '.*/no-files-in-this-snapshot[.]parquet';
  return [
    `CREATE OR REPLACE EXTERNAL TABLE ${i.database}.${t.name} (`,
    cols.join(',\n'),
    ')',
    ...(t.scope === 'process' ? [`PARTITION BY (${PARTITION_COLUMN})`] : []),
    `LOCATION = @${i.stage}/${tablePrefix(i.org, t.name)}`,
    `PATTERN = ${sqlString(pattern)}`,
    `FILE_FORMAT = (FORMAT_NAME = '${i.database}.${FORMAT}')`,
    'REFRESH_ON_CREATE = TRUE',
    'AUTO_REFRESH = FALSE',
  ].join('\n');
}

export function snowflakeDdl(i: DdlInput): string[] {
  const members = TABLES.find((t) => t.name === 'members')!;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${i.database}`,
    `CREATE FILE FORMAT IF NOT EXISTS ${i.database}.${FORMAT} TYPE = PARQUET USE_LOGICAL_TYPE = TRUE`,
    ...TABLES.map((t) => externalTable(i, t)),
    `CREATE OR REPLACE VIEW ${i.database}.users AS SELECT ${members.columns.map((c) => c.name).join(', ')} FROM ${i.database}.members`,
    `CREATE OR REPLACE VIEW ${i.database}.${LAKE_SNAPSHOT_VIEW} AS ${lakeSnapshotSelect(i.org, i.manifest)}`,
  ];
}
