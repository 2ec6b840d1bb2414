/**
 * The query engine interface: what the query service needs from an engine, and nothing of any
 * vendor's types. `engine/duckdb` implements it with one sandboxed DuckDB per organization; a
 * Trino implementation can follow over the same lake.
 *
 * Invariants every implementation keeps:
 * - a query sees exactly one snapshot of one organization, the live one when it started;
 * - a query runs exactly one statement, and only read statements (the service calls the scratch
 *   methods for the writes it allows);
 * - an aborted signal stops the query and frees its resources; the engine stays usable.
 */
import type { QueryHistoryRow } from '../catalog/query-history.ts';

export const ENGINE_TYPE_KINDS = [
  'boolean', 'tinyint', 'smallint', 'integer', 'bigint', 'hugeint', 'utinyint', 'usmallint', 'uinteger', 'ubigint',
  'real', 'double', 'decimal', 'varchar', 'blob', 'uuid', 'date', 'time', 'timestamp', 'timestamptz', 'interval',
  'list', 'struct', 'map', 'json', 'null',
] as const;
export type EngineTypeKind = (typeof ENGINE_TYPE_KINDS)[number];

export interface EngineType {
  kind: EngineTypeKind;
  /** decimal */
  precision?: number;
  scale?: number;
  /** list: the element type; map: the value type */
  element?: EngineType;
  /** map: the key type */
  key?: EngineType;
  /** struct */
  fields?: { name: string; type: EngineType }[];
}

export interface EngineColumn {
  name: string;
  type: EngineType;
}

/** A date: days since 1970-01-01. */
export class EngineDate {
  constructor(readonly days: number) {}
}
/** A timestamp: microseconds since 1970-01-01 00:00:00 (UTC for timestamptz). */
export class EngineTimestamp {
  constructor(readonly micros: bigint, readonly withTimeZone: boolean) {}
}
/** A time of day: microseconds since midnight. */
export class EngineTime {
  constructor(readonly micros: bigint) {}
}
export class EngineInterval {
  constructor(readonly months: number, readonly days: number, readonly micros: bigint) {}
}

/**
 * One value of a row. Integers up to 32 bits and floats are numbers; 64-bit and wider integers
 * bigints; decimals and UUIDs their exact text; lists arrays; structs and maps plain objects
 * (maps: `{ key: value }` entries as `[key, value][]` under `entries`).
 */
export type EngineValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | EngineDate
  | EngineTimestamp
  | EngineTime
  | EngineInterval
  | EngineValue[]
  | { [field: string]: EngineValue }
  | { entries: [EngineValue, EngineValue][] };

export type EngineRow = EngineValue[];

/** A running query's result: columns first, rows in chunks as they come (backpressure: pull). */
export interface QueryCursor {
  readonly columns: readonly EngineColumn[];
  /** The snapshot the query runs on. */
  readonly snapshotVersion: number;
  /** The next chunk of rows, or undefined at the end. */
  next(): Promise<EngineRow[] | undefined>;
  /** Bytes of data files the query's snapshot holds for the tables it reads (an upper bound of bytes scanned). */
  bytesScanned(): number;
  /** Stops the query (if running) and releases it. Idempotent. */
  close(): Promise<void>;
}

export interface EngineQuery {
  org: string;
  /** One statement in the engine's dialect (the service translated it). */
  sql: string;
  signal?: AbortSignal;
  /** Run in this client session's context: it reads the session's temporary tables (TempTableOps). */
  session?: string;
}

/** The scratch schema's writes (Looker PDTs), materialized by the engine as files of the organization. */
export interface ScratchOps {
  createTableAs(org: string, name: string, selectSql: string, signal?: AbortSignal): Promise<{ rows: number; bytes: number }>;
  dropTable(org: string, name: string, ifExists: boolean): Promise<void>;
  renameTable(org: string, from: string, to: string): Promise<void>;
  createView(org: string, name: string, selectSql: string, orReplace: boolean): Promise<void>;
  dropView(org: string, name: string, ifExists: boolean): Promise<void>;
  /** Bytes the organization's scratch tables hold (for its quota). */
  scratchBytes(org: string): Promise<number>;
  /** The scratch schema's tables and views by name, sorted (catalog APIs tell them apart). */
  scratchObjects(org: string): Promise<{ tables: string[]; views: string[] }>;
}

/**
 * Temporary tables (PostgreSQL's CREATE TEMP TABLE, Tableau's probes): private to one client
 * session, gone when it ends. `session` is the protocol's opaque session id. No other session or
 * organization can see or read them; their size is bounded per session (`quota_exceeded`).
 */
export interface TempTableOps {
  /** Creates a temporary table from a read statement (`… LIMIT 0` for an empty one with the select's columns). */
  createTempTable(org: string, session: string, name: string, selectSql: string, signal?: AbortSignal): Promise<{ rows: number }>;
  /** Appends a read statement's rows (`VALUES …` or a SELECT), into `columns` when given. */
  insertIntoTempTable(org: string, session: string, name: string, columns: readonly string[] | null, selectSql: string, signal?: AbortSignal): Promise<{ rows: number }>;
  dropTempTable(org: string, session: string, name: string, ifExists: boolean): Promise<void>;
  /** The session ended: its temporary tables are dropped. Idempotent. */
  endSession(org: string, session: string): Promise<void>;
}

export interface QueryEngine extends ScratchOps, TempTableOps {
  /** Replaces what the organization's `query_history` view shows (the service owns history). */
  setQueryHistory(org: string, rows: readonly QueryHistoryRow[]): Promise<void>;
  query(q: EngineQuery): Promise<QueryCursor>;
  /** The live snapshot version the engine serves for an organization (undefined before its first publish). */
  snapshotVersion(org: string): Promise<number | undefined>;
  /** A new snapshot was published: switch new queries to it (running ones keep theirs). */
  refresh(org: string): Promise<void>;
  close(): Promise<void>;
}
