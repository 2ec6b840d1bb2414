/**
 * DuckDB types and values → the engine's own (src/engine/engine.ts). Exhaustive over
 * DuckDBTypeId: a new DuckDB type is a compile error here until it is mapped or refused.
 */
import {
  DuckDBTypeId, type DuckDBType, type DuckDBValue,
  DuckDBDateValue, DuckDBTimestampValue, DuckDBTimestampTZValue, DuckDBTimestampMillisecondsValue,
  DuckDBTimestampSecondsValue, DuckDBTimestampNanosecondsValue, DuckDBTimeValue, DuckDBTimeTZValue, DuckDBTimeNSValue,
  DuckDBIntervalValue, DuckDBDecimalValue, DuckDBUUIDValue, DuckDBBlobValue, DuckDBListValue, DuckDBArrayValue,
  DuckDBStructValue, DuckDBMapValue, DuckDBBitValue, DuckDBUnionValue,
  DuckDBDecimalType, DuckDBListType, DuckDBArrayType, DuckDBStructType, DuckDBMapType,
} from '@duckdb/node-api';
import {
  EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineType, type EngineTypeKind, type EngineValue,
} from '../engine.ts';

/** How each DuckDB type id maps to an engine type kind; `null` = not supported in results. */
const KIND: Record<DuckDBTypeId, EngineTypeKind | null> = {
  [DuckDBTypeId.INVALID]: null,
  [DuckDBTypeId.BOOLEAN]: 'boolean',
  [DuckDBTypeId.TINYINT]: 'tinyint',
  [DuckDBTypeId.SMALLINT]: 'smallint',
  [DuckDBTypeId.INTEGER]: 'integer',
  [DuckDBTypeId.BIGINT]: 'bigint',
  [DuckDBTypeId.UTINYINT]: 'utinyint',
  [DuckDBTypeId.USMALLINT]: 'usmallint',
  [DuckDBTypeId.UINTEGER]: 'uinteger',
  [DuckDBTypeId.UBIGINT]: 'ubigint',
  [DuckDBTypeId.FLOAT]: 'real',
  [DuckDBTypeId.DOUBLE]: 'double',
  [DuckDBTypeId.TIMESTAMP]: 'timestamp',
  [DuckDBTypeId.DATE]: 'date',
  [DuckDBTypeId.TIME]: 'time',
  [DuckDBTypeId.INTERVAL]: 'interval',
  [DuckDBTypeId.HUGEINT]: 'hugeint',
  [DuckDBTypeId.UHUGEINT]: 'hugeint',
  [DuckDBTypeId.VARCHAR]: 'varchar',
  [DuckDBTypeId.BLOB]: 'blob',
  [DuckDBTypeId.DECIMAL]: 'decimal',
  [DuckDBTypeId.TIMESTAMP_S]: 'timestamp',
  [DuckDBTypeId.TIMESTAMP_MS]: 'timestamp',
  [DuckDBTypeId.TIMESTAMP_NS]: 'timestamp',
  [DuckDBTypeId.ENUM]: 'varchar',
  [DuckDBTypeId.LIST]: 'list',
  [DuckDBTypeId.STRUCT]: 'struct',
  [DuckDBTypeId.MAP]: 'map',
  [DuckDBTypeId.ARRAY]: 'list',
  [DuckDBTypeId.UUID]: 'uuid',
  [DuckDBTypeId.UNION]: null,
  [DuckDBTypeId.BIT]: 'varchar',
  [DuckDBTypeId.TIME_TZ]: 'time',
  [DuckDBTypeId.TIMESTAMP_TZ]: 'timestamptz',
  [DuckDBTypeId.ANY]: null,
  [DuckDBTypeId.BIGNUM]: 'decimal',
  [DuckDBTypeId.SQLNULL]: 'null',
  [DuckDBTypeId.STRING_LITERAL]: 'varchar',
  [DuckDBTypeId.INTEGER_LITERAL]: 'bigint',
  [DuckDBTypeId.TIME_NS]: 'time',
  [DuckDBTypeId.GEOMETRY]: null,
  [DuckDBTypeId.VARIANT]: null,
};

export class UnsupportedTypeError extends Error {}

export function engineType(t: DuckDBType): EngineType {
  const kind = KIND[t.typeId];
  if (kind === null) throw new UnsupportedTypeError(`results of type ${t.toString()} are not supported; cast the column to VARCHAR`);
  if (t instanceof DuckDBDecimalType) return { kind, precision: t.width, scale: t.scale };
  if (t instanceof DuckDBListType || t instanceof DuckDBArrayType) return { kind, element: engineType(t.valueType) };
  if (t instanceof DuckDBMapType) return { kind, key: engineType(t.keyType), element: engineType(t.valueType) };
  if (t instanceof DuckDBStructType) return { kind, fields: t.entryNames.map((name, i) => ({ name, type: engineType(t.entryTypes[i]!) })) };
  if (t.typeId === DuckDBTypeId.BIGNUM) return { kind, precision: 38, scale: 0 };
  return { kind };
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function engineValue(v: DuckDBValue): EngineValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v;
  if (v instanceof DuckDBDateValue) return new EngineDate(v.days);
  if (v instanceof DuckDBTimestampValue) return new EngineTimestamp(v.micros, false);
  if (v instanceof DuckDBTimestampTZValue) return new EngineTimestamp(v.micros, true);
  if (v instanceof DuckDBTimestampMillisecondsValue) return new EngineTimestamp(v.millis * 1000n, false);
  if (v instanceof DuckDBTimestampSecondsValue) return new EngineTimestamp(v.seconds * 1_000_000n, false);
  if (v instanceof DuckDBTimestampNanosecondsValue) return new EngineTimestamp(v.nanos / 1000n, false);
  if (v instanceof DuckDBTimeValue) return new EngineTime(v.micros);
  if (v instanceof DuckDBTimeNSValue) return new EngineTime(v.nanos / 1000n);
  if (v instanceof DuckDBTimeTZValue) return new EngineTime(v.micros);
  if (v instanceof DuckDBIntervalValue) return new EngineInterval(v.months, v.days, v.micros);
  if (v instanceof DuckDBDecimalValue) return v.toString();
  if (v instanceof DuckDBUUIDValue) return v.toString();
  if (v instanceof DuckDBBlobValue) return v.bytes;
  if (v instanceof DuckDBBitValue) return v.toString();
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(engineValue);
  if (v instanceof DuckDBStructValue) {
    const o: { [k: string]: EngineValue } = {};
    for (const [k, x] of Object.entries(v.entries)) o[k] = engineValue(x);
    return o;
  }
  if (v instanceof DuckDBMapValue) return { entries: v.entries.map((e) => [engineValue(e.key), engineValue(e.value)] as [EngineValue, EngineValue]) };
  if (v instanceof DuckDBUnionValue) return engineValue(v.value);
  return String(v);
}

/** Narrows 64-bit integers that fit into plain numbers (callers that prefer numbers). */
export function safeNumber(v: bigint): number | bigint {
  return v <= SAFE && v >= -SAFE ? Number(v) : v;
}
