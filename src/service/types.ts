/**
 * The query service's public types: what a protocol sends (QueryRequest), what it gets back
 * (RunningQuery), and what status and history look like (QueryInfo).
 */
import type { QueryState } from '../control/control-store.ts';
import type { EngineChunk, EngineColumn, EngineRow } from '../engine/engine.ts';
import type { ErrorCode } from '../util/errors.ts';

export type { QueryState } from '../control/control-store.ts';

export const PROTOCOLS = ['http', 'pgwire', 'athena', 'console'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** SQL dialects the service has a front-end for: Trino (Athena clients, HTTP) and PostgreSQL (pgwire). */
export const DIALECTS = ['trino', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** Who runs a query: already authenticated by the protocol to exactly one organization. */
export interface Principal {
  org: string;
  /** An access key id, or a console user name. */
  name: string;
}

export interface QueryRequest {
  principal: Principal;
  protocol: Protocol;
  dialect: Dialect;
  sql: string;
  /** A person waiting at the console: the result is capped (rows and bytes) and marked truncated. */
  interactive?: boolean;
  /** With `interactive`: a lower row cap than the service's (the console's row-limit choice); never raises it. */
  maxRows?: number;
  /** Aborting it cancels the query (e.g. the client disconnected). */
  signal?: AbortSignal;
  /** The id to use (e.g. a pgwire session's statement id); a fresh UUID when absent. Must be unique. */
  queryId?: string;
  /** The client session the statement belongs to (pgwire): it may create and read temporary tables. */
  session?: QuerySession;
}

/** A client session (one pgwire connection) as the query service sees it. */
export interface QuerySession {
  /** Opaque and unique while the session lives; `QueryService.endSession` ends it. */
  id: string;
  /** The temporary tables the session has created (and not dropped), by name. */
  tempTables: ReadonlySet<string>;
}

/** A query's status and statistics, as `GET /api/v1/queries/:id`, the console and Athena see it. */
export interface QueryInfo {
  queryId: string;
  org: string;
  principal: string;
  protocol: string;
  dialect: string;
  sql: string;
  state: QueryState;
  /** Why a query failed or was cancelled. */
  error: { code: ErrorCode | string; message: string } | null;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Waiting for a slot (from admission to start; planning is not counted). */
  queueMs: number | null;
  /** From start to the final state (streaming the result included). */
  execMs: number | null;
  /** Rows delivered so far (final once the query finished); rows written for CREATE TABLE AS. */
  rows: number | null;
  bytesScanned: number | null;
  snapshotVersion: number | null;
  /** The result came from the result cache. */
  cached: boolean;
  /** The result was cut at the interactive row or byte cap. */
  truncated: boolean;
}

/**
 * A submitted query. Rows are pulled: the engine produces the next chunk only when the protocol
 * asks for it, so a slow socket slows the query instead of filling memory.
 */
export interface RunningQuery {
  readonly id: string;
  readonly org: string;
  /** QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. */
  readonly state: QueryState;
  /**
   * Waits until the query leaves the queue and its columns are known. Rejects with the query's
   * RunlakeError when it fails, times out or is cancelled before that.
   */
  columns(): Promise<readonly EngineColumn[]>;
  /**
   * The rows, chunk by chunk; iterate once. Throws the query's RunlakeError when it fails, times
   * out or is cancelled. Stopping early (break / return()) cancels the query.
   */
  rows(): AsyncIterableIterator<EngineRow[]>;
  /**
   * The same rows as EngineChunks (a protocol may encode them from the engine's vectors); iterate
   * once, and either this or `rows()`. Caps cut and cached rows are plain-row chunks.
   */
  chunks(): AsyncIterableIterator<EngineChunk>;
  /** Cancels the query (no-op once finished); its slot is free at once. `reason` becomes its error message. */
  cancel(reason?: string): void;
  /** Status and statistics now. */
  info(): QueryInfo;
  /** Resolves (never rejects) once the query has finished and its history row is written. */
  finished(): Promise<QueryInfo>;
}
