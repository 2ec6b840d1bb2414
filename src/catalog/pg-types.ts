/**
 * PostgreSQL's types as Runlake presents them: the standard OIDs it uses, each type's pg_type facts
 * (name, typlen, array type) and the one map from engine types to PostgreSQL types. The emulated
 * catalog (pg_type, pg_attribute, information_schema.columns) and the wire protocol's
 * RowDescription both read this module, so what a client introspects is what it receives.
 *
 * Invariants: only standard PostgreSQL OIDs (no client ever has to look a type up); the engine map
 * is exhaustive (`Record<EngineTypeKind, …>`), so a new engine type is a compile error here until
 * it is mapped; lists of scalars are arrays of the element's type, structs, maps and nested lists
 * are json.
 */
import type { EngineType, EngineTypeKind } from '../engine/engine.ts';

/** PostgreSQL type OIDs (pg_type.oid) Runlake speaks. */
export const OID = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int2vector: 22, int4: 23, regproc: 24, text: 25,
  oid: 26, oidvector: 30, json: 114, float4: 700, float8: 701, unknown: 705, bpchar: 1042, varchar: 1043,
  date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, interval: 1186, timetz: 1266, numeric: 1700,
  regclass: 2205, regtype: 2206, uuid: 2950, jsonb: 3802, regnamespace: 4089,
} as const;

export type PgScalarTypeName = keyof typeof OID;

/** One pg_type row's identity: what RowDescription, pg_type and pg_attribute must agree on. */
export interface PgTypeInfo {
  oid: number;
  /** pg_type.typname (arrays: `_` + the element's name). */
  name: string;
  /** pg_type.typlen: bytes, or -1 (varlena) / -2 (cstring). */
  typlen: number;
  /** The array type's OID (0 for arrays and types without one). */
  arrayOid: number;
  /** For array types (and int2vector/oidvector): the element's OID, else 0. */
  elementOid: number;
}

/** typlen and array OID of every scalar type (PostgreSQL 15's pg_type). */
const SCALARS: Record<PgScalarTypeName, { typlen: number; arrayOid: number; elementOid?: number }> = {
  bool: { typlen: 1, arrayOid: 1000 },
  bytea: { typlen: -1, arrayOid: 1001 },
  char: { typlen: 1, arrayOid: 1002 },
  name: { typlen: 64, arrayOid: 1003 },
  int8: { typlen: 8, arrayOid: 1016 },
  int2: { typlen: 2, arrayOid: 1005 },
  int2vector: { typlen: -1, arrayOid: 1006, elementOid: OID.int2 },
  int4: { typlen: 4, arrayOid: 1007 },
  regproc: { typlen: 4, arrayOid: 1008 },
  text: { typlen: -1, arrayOid: 1009 },
  oid: { typlen: 4, arrayOid: 1028 },
  oidvector: { typlen: -1, arrayOid: 1013, elementOid: OID.oid },
  json: { typlen: -1, arrayOid: 199 },
  float4: { typlen: 4, arrayOid: 1021 },
  float8: { typlen: 8, arrayOid: 1022 },
  unknown: { typlen: -2, arrayOid: 0 },
  bpchar: { typlen: -1, arrayOid: 1014 },
  varchar: { typlen: -1, arrayOid: 1015 },
  date: { typlen: 4, arrayOid: 1182 },
  time: { typlen: 8, arrayOid: 1183 },
  timestamp: { typlen: 8, arrayOid: 1115 },
  timestamptz: { typlen: 8, arrayOid: 1185 },
  interval: { typlen: 16, arrayOid: 1187 },
  timetz: { typlen: 12, arrayOid: 1270 },
  numeric: { typlen: -1, arrayOid: 1231 },
  regclass: { typlen: 4, arrayOid: 2210 },
  regtype: { typlen: 4, arrayOid: 2211 },
  uuid: { typlen: 16, arrayOid: 2951 },
  jsonb: { typlen: -1, arrayOid: 3807 },
  regnamespace: { typlen: 4, arrayOid: 4090 },
};

const BY_OID = new Map<number, PgTypeInfo>();
const BY_NAME = new Map<string, PgTypeInfo>();
for (const [name, s] of Object.entries(SCALARS) as [PgScalarTypeName, (typeof SCALARS)[PgScalarTypeName]][]) {
  const info: PgTypeInfo = { oid: OID[name], name, typlen: s.typlen, arrayOid: s.arrayOid, elementOid: s.elementOid ?? 0 };
  BY_OID.set(info.oid, info);
  BY_NAME.set(name, info);
  if (s.arrayOid !== 0) {
    const arr: PgTypeInfo = { oid: s.arrayOid, name: `_${name}`, typlen: -1, arrayOid: 0, elementOid: info.oid };
    BY_OID.set(arr.oid, arr);
    BY_NAME.set(arr.name, arr);
  }
}

/** The scalar types (in OID map order). */
export const PG_SCALAR_TYPES: readonly PgTypeInfo[] = (Object.keys(OID) as PgScalarTypeName[]).map((n) => BY_NAME.get(n)!);

/** A type Runlake speaks (a scalar or the array of one), by OID. */
export function pgTypeInfo(oid: number): PgTypeInfo | undefined {
  return BY_OID.get(oid);
}

/** A type Runlake speaks, by pg_type.typname (`int4`, `_text`, `name`…). */
export function pgTypeByName(typname: string): PgTypeInfo | undefined {
  return BY_NAME.get(typname);
}

/**
 * Every engine type kind's PostgreSQL type. `list` becomes the element's array type when the
 * element is a scalar, else json; struct and map are json.
 */
export const ENGINE_KIND_TO_PG: Record<EngineTypeKind, number | 'array'> = {
  boolean: OID.bool,
  tinyint: OID.int2,
  smallint: OID.int2,
  utinyint: OID.int2,
  integer: OID.int4,
  usmallint: OID.int4,
  bigint: OID.int8,
  uinteger: OID.int8,
  ubigint: OID.numeric,
  hugeint: OID.numeric,
  decimal: OID.numeric,
  real: OID.float4,
  double: OID.float8,
  varchar: OID.text,
  json: OID.json,
  blob: OID.bytea,
  uuid: OID.uuid,
  date: OID.date,
  time: OID.time,
  timestamp: OID.timestamp,
  timestamptz: OID.timestamptz,
  interval: OID.interval,
  list: 'array',
  struct: OID.json,
  map: OID.json,
  // An untyped NULL (`SELECT NULL`): PostgreSQL resolves it to text.
  null: OID.text,
};

/** An engine type as PostgreSQL sees it: OID, typlen and typmod (RowDescription, pg_attribute). */
export interface PgTypeRef {
  oid: number;
  typlen: number;
  /** -1, or numeric's `((precision << 16) | scale) + 4`. */
  typmod: number;
}

/** The PostgreSQL type of an engine type. */
export function pgTypeOf(type: EngineType): PgTypeRef {
  const target = ENGINE_KIND_TO_PG[type.kind];
  if (target === 'array') {
    const el = type.element;
    const elTarget = el === undefined ? OID.text : ENGINE_KIND_TO_PG[el.kind];
    // A list of lists, structs or maps: json.
    if (el === undefined || typeof elTarget !== 'number' || (elTarget === OID.json && el.kind !== 'json')) return { oid: OID.json, typlen: -1, typmod: -1 };
    return { oid: BY_OID.get(elTarget)!.arrayOid, typlen: -1, typmod: -1 };
  }
  let typmod = -1;
  if (type.kind === 'decimal' && type.precision !== undefined && type.scale !== undefined && type.precision <= 1000) {
    typmod = ((type.precision << 16) | type.scale) + 4;
  }
  return { oid: target, typlen: BY_OID.get(target)!.typlen, typmod };
}
