/**
 * One catalogue of the errors a user can cause. Each code has an HTTP status here; the pgwire and
 * Athena edges map the same codes to a SQLSTATE and an Athena error type. Only a RunlakeError
 * reaches a client with its message; anything else is answered as a bare internal error.
 */
export const ERROR_CODES = {
  bad_request: 400,
  /** SQL that does not parse; the message names line:column (details `line`, `column`). */
  syntax_error: 400,
  unauthenticated: 401,
  forbidden: 403,
  analytics_disabled: 403,
  /** A statement kind the query service does not run (writes outside the scratch schema, SET, ATTACH…). */
  statement_not_allowed: 403,
  /** The organization's scratch schema is full (limits.scratchQuotaBytes). */
  quota_exceeded: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_document: 422,
  too_many_requests: 429,
  /** The query was cancelled (by its client, a cancel request, or shutdown); 499 as gRPC gateways map CANCELLED. */
  cancelled: 499,
  internal: 500,
  unavailable: 503,
  /** The query needed more memory or disk than the engine may use. */
  resource_exhausted: 503,
  /** The query ran longer than its organization's limits.queryTimeoutMs. */
  query_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class RunlakeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields safe to show the client (e.g. per-record errors). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RunlakeError';
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export function analyticsDisabled(org: string): RunlakeError {
  return new RunlakeError(
    'analytics_disabled',
    `analytics is not enabled for organization "${org}"; an operator can enable it with \`runlake org enable ${org}\``,
  );
}

export function isRunlakeError(e: unknown): e is RunlakeError {
  return e instanceof RunlakeError;
}
