/**
 * Physical spellings of the logical column types. Exhaustive records: adding a ColumnType is a
 * compile error here until every representation is decided.
 */
import type { ColumnType, TableDef } from './types.ts';

/** DuckDB SQL type (also the Parquet logical type DuckDB writes for it). */
export const DUCKDB_TYPE: Record<ColumnType, string> = {
  varchar: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  // UTC instants, stored without a zone (Parquet TIMESTAMP(MICROS)); Athena/Trino read `timestamp`.
  timestamp: 'TIMESTAMP',
  'varchar[]': 'VARCHAR[]',
};

/** Hive/Athena DDL spelling (GetTableMetadata, generated external-table DDL). */
export const HIVE_TYPE: Record<ColumnType, string> = {
  varchar: 'string',
  integer: 'int',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  'varchar[]': 'array<string>',
};

/** Trino SQL spelling (Trino's Hive connector, external-table DDL; Athena views use it too). */
export const TRINO_TYPE: Record<ColumnType, string> = {
  varchar: 'varchar',
  integer: 'integer',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  'varchar[]': 'array(varchar)',
};

/** Snowflake spelling (generated external tables; lists are semi-structured ARRAYs). */
export const SNOWFLAKE_TYPE: Record<ColumnType, string> = {
  varchar: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP_NTZ',
  'varchar[]': 'ARRAY',
};

/** `name TYPE, ...` for a DuckDB CREATE TABLE or a read_json columns struct. */
export function duckdbColumnList(table: TableDef): string {
  return table.columns.map((c) => `${c.name} ${DUCKDB_TYPE[c.type]}`).join(', ');
}
