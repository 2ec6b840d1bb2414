/**
 * The vocabulary of the data contract: logical column types and the shape of a table definition.
 * Every physical representation (Parquet, DuckDB, JSON Schema, Postgres OIDs, Athena/Hive types)
 * is derived from these, through exhaustive maps, so a new type is a compile error until mapped.
 */

export const COLUMN_TYPES = ['varchar', 'integer', 'bigint', 'double', 'boolean', 'timestamp', 'varchar[]'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/**
 * Where a column's value comes from.
 * - `input`: sent by the source in the document (the JSON Schema of the input documents lists these);
 * - `context`: copied from the enclosing document (organization_id, process_id, started_month);
 * - `derived`: computed by the publisher from the document (counts, flags); documented by `doc`.
 */
export type ColumnOrigin = 'input' | 'context' | 'derived';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly doc: string;
  readonly origin: ColumnOrigin;
  /** Input columns only: the source must send a non-null value. */
  readonly required?: boolean;
  /** Allowed values of a varchar column (or of each element of a varchar[] column). */
  readonly enum?: readonly string[];
}

export interface TableDef {
  readonly name: string;
  readonly doc: string;
  /** `process`: rows belong to one process and live in its `started_month` partition. */
  readonly scope: 'process' | 'organization';
  readonly primaryKey: readonly string[];
  readonly columns: readonly ColumnDef[];
}

/** Partition column of every process-scoped table. */
export const PARTITION_COLUMN = 'started_month';
