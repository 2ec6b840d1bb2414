/**
 * Errors as PostgreSQL clients see them: a SQLSTATE, a message, and the optional fields of an
 * ErrorResponse. `toPgError` is the one place anything thrown below the session becomes one:
 * PgError passes through, a RunlakeError maps by its code, anything else is logged and answered
 * as a bare internal error (no message, path or stack reaches the client).
 */
import { isRunlakeError, type ErrorCode } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import type { NoticeFields } from './messages/backend.ts';
import { postgresWording } from './engine-wording.ts';
import { SQLSTATE } from './sqlstate.ts';

export { SQLSTATE } from './sqlstate.ts';

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface PgErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text. */
  position?: number;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  /** ERROR by default; FATAL ends the connection. */
  severity?: 'ERROR' | 'FATAL';
}

/** An error to send as an ErrorResponse. Backends throw these for exact SQLSTATEs. */
export class PgError extends Error {
  constructor(readonly sqlstate: string, message: string, readonly fields: PgErrorFields = {}) {
    super(message);
    this.name = 'PgError';
  }

  get severity(): 'ERROR' | 'FATAL' {
    return this.fields.severity ?? 'ERROR';
  }

  toNotice(): NoticeFields {
    return noticeFields(this.severity, this.sqlstate, this.message, this.fields);
  }
}

export function noticeFields(severity: Severity, code: string, message: string, f: PgErrorFields = {}): NoticeFields {
  const out: NoticeFields = { severity, severityNonLocalized: severity, code, message };
  if (f.detail !== undefined) out.detail = f.detail;
  if (f.hint !== undefined) out.hint = f.hint;
  if (f.position !== undefined) out.position = f.position;
  if (f.where !== undefined) out.where = f.where;
  if (f.schema !== undefined) out.schema = f.schema;
  if (f.table !== undefined) out.table = f.table;
  if (f.column !== undefined) out.column = f.column;
  if (f.dataType !== undefined) out.dataType = f.dataType;
  if (f.constraint !== undefined) out.constraint = f.constraint;
  return out;
}

export function fatal(sqlstate: string, message: string, fields: Omit<PgErrorFields, 'severity'> = {}): PgError {
  return new PgError(sqlstate, message, { ...fields, severity: 'FATAL' });
}

/** Runlake's error codes as SQLSTATEs (queries; `connect` overrides not_found as 3D000). */
export const RUNLAKE_SQLSTATE: Record<ErrorCode, string> = {
  bad_request: SQLSTATE.featureNotSupported,
  syntax_error: SQLSTATE.syntaxError,
  unauthenticated: SQLSTATE.invalidAuthorizationSpecification,
  forbidden: SQLSTATE.insufficientPrivilege,
  analytics_disabled: SQLSTATE.invalidAuthorizationSpecification,
  statement_not_allowed: SQLSTATE.readOnlySqlTransaction,
  quota_exceeded: SQLSTATE.diskFull,
  not_found: SQLSTATE.undefinedTable,
  conflict: SQLSTATE.duplicateTable,
  payload_too_large: SQLSTATE.programLimitExceeded,
  unsupported_media_type: SQLSTATE.featureNotSupported,
  invalid_document: SQLSTATE.dataException,
  too_many_requests: SQLSTATE.configurationLimitExceeded,
  cancelled: SQLSTATE.queryCanceled,
  internal: SQLSTATE.internalError,
  unavailable: SQLSTATE.cannotConnectNow,
  resource_exhausted: SQLSTATE.outOfMemory,
  query_timeout: SQLSTATE.queryCanceled,
};

/** A 1-based character position from a 1-based line and column of `sql`. */
export function positionOf(sql: string, line: number, column: number): number | undefined {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = sql.indexOf('\n', at);
    if (nl < 0) return undefined;
    at = nl + 1;
  }
  const pos = at + column;
  return pos >= 1 && pos <= sql.length + 1 ? [...sql.slice(0, pos - 1)].length + 1 : undefined;
}

/**
 * Anything thrown while serving a client, as a PgError. A RunlakeError's `details.sqlstate`
 * (five characters) overrides the code map; its `details.line`/`column` become a position in `sql`,
 * as does its `details.position` (1-based characters, from the PostgreSQL front-end).
 */
export function toPgError(e: unknown, log: Logger, context: Record<string, unknown> = {}, sql?: string): PgError {
  if (e instanceof PgError) return e;
  if (isRunlakeError(e)) {
    const d = e.details ?? {};
    const override = typeof d.sqlstate === 'string' && /^[0-9A-Z]{5}$/.test(d.sqlstate) ? d.sqlstate : undefined;
    const fields: PgErrorFields = {};
    if (sql !== undefined && typeof d.line === 'number' && typeof d.column === 'number') {
      const p = positionOf(sql, d.line, d.column);
      if (p !== undefined) fields.position = p;
    }
    // The PostgreSQL front-end's own 1-based character position (syntax errors, GROUP BY 2…).
    if (fields.position === undefined && typeof d.position === 'number' && Number.isSafeInteger(d.position) && d.position >= 1) fields.position = d.position;
    if (typeof d.hint === 'string') fields.hint = d.hint;
    // The engine's own messages, in PostgreSQL's words and with a position in the client's SQL.
    const worded = postgresWording(e.message, sql);
    if (worded) {
      if (worded.hint !== undefined) fields.hint = worded.hint;
      if (worded.position !== undefined) fields.position = worded.position;
      return new PgError(worded.sqlstate ?? override ?? RUNLAKE_SQLSTATE[e.code], worded.message, fields);
    }
    return new PgError(override ?? RUNLAKE_SQLSTATE[e.code], e.message, fields);
  }
  log.error('pgwire: internal error', { ...context, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  return new PgError(SQLSTATE.internalError, 'internal error; the server log has the details');
}
