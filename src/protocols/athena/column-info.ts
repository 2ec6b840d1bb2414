/**
 * Engine column types as Athena's `ColumnInfo` (GetQueryResults' ResultSetMetadata and the
 * `.metadata` file): the Trino base type name in lower case with the Precision, Scale and
 * CaseSensitive live Athena reports for it (research §3). One exhaustive map, so a new engine
 * type does not compile until it has an Athena type.
 *
 * Constant members: CatalogName `hive`, SchemaName and TableName empty, Nullable `UNKNOWN`,
 * Label = Name. SHOW/DESCRIBE results (Hive statements) use `stringColumn`.
 */
import type { EngineColumn, EngineType, EngineTypeKind } from '../../engine/engine.ts';

export interface ColumnInfo {
  CatalogName: string;
  SchemaName: string;
  TableName: string;
  Name: string;
  Label: string;
  Type: string;
  Precision: number;
  Scale: number;
  Nullable: 'NOT_NULL' | 'NULLABLE' | 'UNKNOWN';
  CaseSensitive: boolean;
}

const VARCHAR_PRECISION = 2147483647;
const VARBINARY_PRECISION = 1073741824;

interface AthenaType {
  type: string;
  precision: number;
  scale: number;
  caseSensitive: boolean;
}

const plain = (type: string, precision = 0): AthenaType => ({ type, precision, scale: 0, caseSensitive: false });

const ATHENA_TYPE: Record<EngineTypeKind, (t: EngineType) => AthenaType> = {
  boolean: () => plain('boolean'),
  tinyint: () => plain('tinyint', 3),
  smallint: () => plain('smallint', 5),
  integer: () => plain('integer', 10),
  bigint: () => plain('bigint', 19),
  // sum() of integers: the same values Trino types as bigint.
  hugeint: () => plain('bigint', 19),
  utinyint: () => plain('smallint', 5),
  usmallint: () => plain('integer', 10),
  uinteger: () => plain('bigint', 19),
  ubigint: () => ({ type: 'decimal', precision: 20, scale: 0, caseSensitive: false }),
  real: () => plain('float', 17),
  double: () => plain('double', 17),
  decimal: (t) => ({ type: 'decimal', precision: t.precision ?? 38, scale: t.scale ?? 0, caseSensitive: false }),
  varchar: () => ({ type: 'varchar', precision: VARCHAR_PRECISION, scale: 0, caseSensitive: true }),
  blob: () => plain('varbinary', VARBINARY_PRECISION),
  uuid: () => plain('uuid'),
  date: () => plain('date'),
  time: () => plain('time', 3),
  timestamp: () => plain('timestamp', 3),
  timestamptz: () => plain('timestamp with time zone', 3),
  interval: () => plain('interval day to second'),
  list: () => plain('array'),
  struct: () => plain('row'),
  map: () => plain('map'),
  json: () => plain('json'),
  // A bare NULL literal: Trino's `unknown` type.
  null: () => plain('unknown'),
};

export function columnInfo(c: EngineColumn): ColumnInfo {
  const a = ATHENA_TYPE[c.type.kind](c.type);
  return info(c.name, a);
}

/** A column of a Hive utility statement's result (SHOW, DESCRIBE): type `string`. */
export function stringColumn(name: string): ColumnInfo {
  return info(name, plain('string'));
}

function info(name: string, a: AthenaType): ColumnInfo {
  return {
    CatalogName: 'hive', SchemaName: '', TableName: '', Name: name, Label: name,
    Type: a.type, Precision: a.precision, Scale: a.scale, Nullable: 'UNKNOWN', CaseSensitive: a.caseSensitive,
  };
}
