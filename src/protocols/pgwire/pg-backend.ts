/**
 * What the pgwire session needs from the rest of Runlake, and nothing of the wire: credentials
 * for authentication, then per connection a backend session that splits and classifies SQL,
 * describes and runs queries, and streams rows as engine values. The session owns the protocol
 * (authentication, settings, transactions, portals, cursors, formats, cancel, timeouts); the
 * backend owns SQL (dialect translation, the catalog, the query service).
 */
import type { EngineChunk, EngineColumn, EngineRow, EngineValue } from '../../engine/engine.ts';
import type { ScramVerifier } from '../../control/crypto/scram.ts';
import type { SessionCommand } from './commands.ts';
import type { NoticeFields } from './messages/backend.ts';

export interface PgStartupRequest {
  user: string;
  /** The `database` startup parameter (defaults to the user name, as in PostgreSQL). */
  database: string;
  /** Every startup parameter the client sent, as sent (user, database, application_name, options…). */
  params: ReadonlyMap<string, string>;
  /** The connection is encrypted. */
  tls: boolean;
  remoteAddress: string | undefined;
}

export interface PgCredentials {
  /** The user's SCRAM-SHA-256 verifier (PostgreSQL's text form, or parsed). */
  scramVerifier: ScramVerifier | string;
}

/** Factory side: one per listener. */
export interface PgBackend {
  /**
   * The stored credentials of `user`, or undefined when there is no such user. An unknown user
   * is taken through a SCRAM exchange that fails exactly like a wrong password (no enumeration).
   */
  credentials(user: string, req: PgStartupRequest): Promise<PgCredentials | undefined>;
  /**
   * Called once the client has proved its password: opens the connection's backend side, or
   * refuses it by throwing (PgError for an exact SQLSTATE, e.g. 3D000 for an unknown database;
   * a RunlakeError is mapped, its not_found as 3D000). The error is sent as FATAL.
   */
  connect(req: PgStartupRequest): Promise<PgBackendSession>;
}

/** A query, as the backend's `parse` returned it; handed back as is to `describe` and `execute`. */
export interface PgQuery {
  kind: 'query';
  /** The statement's text (for logs and error positions). Backends may carry more fields. */
  sql: string;
}

export type PgStatement =
  /** Only white space and comments: EmptyQueryResponse. */
  | { kind: 'empty' }
  | PgQuery
  /** A utility statement the session answers itself. */
  | { kind: 'command'; command: SessionCommand; sql: string };

/** A result column: an engine column, optionally pinned to a PostgreSQL type (catalog emulation). */
export interface PgColumn extends EngineColumn {
  /**
   * Announce this OID instead of the engine type's (e.g. 19 name, 26 oid, 18 "char", 2205
   * regclass). Must be a type `codecForOid` knows; the values are encoded with its codec.
   */
  typeOid?: number;
  typeModifier?: number;
  /** RowDescription's table OID and attribute number (0 when not a table column). */
  tableOid?: number;
  columnAttr?: number;
}

export interface PgDescription {
  /** One OID per `$n` parameter (the client's types where it sent them, else the inferred ones). */
  paramTypes: number[];
  /** The result columns, or null when the statement returns no rows (NoData). */
  columns: PgColumn[] | null;
}

/** A Bind parameter, decoded by its type (a string when the type is unknown). */
export interface PgParam {
  /** The OID the value was decoded as (0 when unknown: then `value` is the text as sent). */
  type: number;
  value: EngineValue;
}

export type PgResult =
  | {
      kind: 'rows';
      columns: readonly PgColumn[];
      /**
       * The next chunk of rows (plain rows, or an EngineChunk whose vectors DataRows may be
       * written from), or undefined at the end. Pulled only after the socket drained.
       */
      next(): Promise<EngineChunk | EngineRow[] | undefined>;
      /** Stops the query and releases it; idempotent. */
      close(): Promise<void>;
      /** The command tag; `SELECT` (the default) gets the row count appended. */
      tag?: string;
    }
  /** A statement without rows, answered by its command tag (`CREATE TABLE`, `SELECT 5`…). */
  | { kind: 'command'; tag: string };

export interface PgQueryContext {
  /** Aborted on cancel request, statement timeout, disconnect, shutdown. */
  signal: AbortSignal;
  /** The session's settings by lower-case name (TimeZone → timezone, search_path…). */
  settings: ReadonlyMap<string, string>;
  inTransaction: boolean;
  /** Sends a NoticeResponse (e.g. a WARNING) before the statement's result. */
  notice(fields: Omit<NoticeFields, 'severityNonLocalized'>): void;
}

/** Backend side of one connection. */
export interface PgBackendSession {
  /**
   * Splits a query string into statements and classifies each (PgStatement). Throw PgError on
   * syntax errors (42601 with a position). `commands.ts` has helpers for backends without a
   * parser of their own. A Parse message's text must give at most one statement.
   */
  parse(sql: string): PgStatement[] | Promise<PgStatement[]>;
  /** Parameter types and result columns without running the query (Describe statement). */
  describe(query: PgQuery, paramTypes: readonly number[], ctx: PgQueryContext): Promise<PgDescription>;
  /** Starts the query; its rows are pulled chunk by chunk. */
  execute(query: PgQuery, params: readonly PgParam[], ctx: PgQueryContext): Promise<PgResult>;
  /**
   * A SET/RESET the session accepted (lower-case name, the new value; null when reset to the
   * default). Apply what the engine needs (TimeZone, search_path); throw PgError to refuse.
   */
  applySetting?(name: string, value: string | null): void | Promise<void>;
  /** The connection ended (after the last statement finished or was aborted). */
  close(): Promise<void>;
}
