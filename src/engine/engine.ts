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

/**
 * One column of a chunk as the engine's memory holds it, for encoders that write values straight
 * from it (no per-value JavaScript objects). Row i is NULL when bit i of `valid` is clear
 * (`valid` null: no NULLs). `data` holds n little-endian values of the layout's width:
 * bool 1 byte (0/1), int16 2, int32 4 (integer; date: days since 1970-01-01), int64 8 (bigint;
 * timestamp/timestamptz: µs since 1970-01-01 UTC), float64 8; a decimal column is its scaled
 * integers (int16/int32/int64) with `scale`. varchar: row i's UTF-8 bytes are
 * `strings.sources[strings.ref[3i]]` from `ref[3i+1]` for `ref[3i+2]` bytes.
 * Invariant: the memory is valid only while the EngineChunk it came from is reachable; a consumer
 * must not keep a vector (or views of it) beyond the chunk.
 */
export interface EngineVector {
  layout: 'bool' | 'int16' | 'int32' | 'int64' | 'float64' | 'varchar';
  valid: Uint8Array | null;
  data: Uint8Array;
  /** decimal: digits after the point (the values are scaled integers). */
  scale?: number;
  strings?: { sources: readonly Uint8Array[]; ref: Int32Array };
}

/**
 * A chunk of a result. `rows()` gives its rows as values (built on first call; later calls return
 * the same array); `vector(i)` column i's memory when the engine has it in a layout above (else
 * undefined). Both describe the same rows: `rows()[r][i]` is the value of `vector(i)` at r.
 */
export interface EngineChunk {
  readonly length: number;
  rows(): EngineRow[];
  vector(column: number): EngineVector | undefined;
}

/** Rows already in memory as a chunk (no vectors). */
export function rowsChunk(rows: EngineRow[]): EngineChunk {
  return { length: rows.length, rows: () => rows, vector: () => undefined };
}

/** A running query's result: columns first, rows in chunks as they come (backpressure: pull). */
export interface QueryCursor {
  readonly columns: readonly EngineColumn[];
  /** The snapshot the query runs on. */
  readonly snapshotVersion: number;
  /**
   * The next chunk, or undefined at the end. An engine may fetch at most a bounded number of
   * chunks ahead of the caller (DuckDB: one), so a caller that stops asking still stops the query.
   */
  nextChunk(): Promise<EngineChunk | undefined>;
  /** The next chunk's rows, or undefined at the end (`nextChunk()` as values). */
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

/** The rows of an organization's `query_history` view, or a loader of them. */
export type HistorySource = readonly QueryHistoryRow[] | (() => Promise<readonly QueryHistoryRow[]>);

export interface QueryEngine extends ScratchOps, TempTableOps {
  /**
   * Replaces what the organization's `query_history` view shows (the service owns history): the
   * rows, or a loader the engine calls only when a query next reads the view (so a busy server
   * does not read its history back after every query).
   */
  setQueryHistory(org: string, rows: HistorySource): Promise<void>;
  query(q: EngineQuery): Promise<QueryCursor>;
  /** The live snapshot version the engine serves for an organization (undefined before its first publish). */
  snapshotVersion(org: string): Promise<number | undefined>;
  /** A new snapshot was published: switch new queries to it (running ones keep theirs). */
  refresh(org: string): Promise<void>;
  close(): Promise<void>;
}
