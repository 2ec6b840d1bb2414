/**
 * A failed query as Athena reports it: `Status.StateChangeReason` (`TRINO_ERROR_NAME: message`)
 * and `Status.AthenaError` (ErrorCategory 1 system / 2 user, ErrorType from Athena's error
 * reference, Retryable). Input is what the query service records: a RunlakeError code and message.
 *
 * Invariant: a user's mistake is category 2 and not retryable; only server-side conditions
 * (internal, unavailable, out of resources) are category 1, and only transient ones retryable.
 */
import type { ErrorCode } from '../../util/errors.ts';

export interface AthenaFailure {
  stateChangeReason: string;
  athenaError: { ErrorCategory: number; ErrorType: number; Retryable: boolean; ErrorMessage: string };
}

interface Kind {
  name: string;
  category: 1 | 2;
  type: number;
  retryable: boolean;
}

const USER = (name: string, type: number): Kind => ({ name, category: 2, type, retryable: false });
const SYSTEM = (name: string, type: number, retryable: boolean): Kind => ({ name, category: 1, type, retryable });

/** Finer kinds recognised from the message, tried in order before the code's default. */
const BY_MESSAGE: [RegExp, Kind][] = [
  [/Database .* is not available|Schema .* does not exist|Catalog .* is not available/i, USER('SCHEMA_NOT_FOUND', 1301)],
  [/Table .*(does not exist|not found)|Table with name .* does not exist|relation .* does not exist/i, USER('TABLE_NOT_FOUND', 1301)],
  [/Referenced column .* not found|column .* (not found|cannot be resolved|does not exist)/i, USER('COLUMN_NOT_FOUND', 1006)],
  [/Function .*(does not exist|not registered)|No function matches/i, USER('FUNCTION_NOT_FOUND', 1303)],
  [/not supported/i, USER('NOT_SUPPORTED', 1200)],
  [/division by zero|divide by zero/i, USER('DIVISION_BY_ZERO', 1001)],
  [/Could not convert|Conversion Error|cannot be cast|Invalid (cast|input)/i, USER('INVALID_CAST_ARGUMENT', 1100)],
];

/** The default kind of each service error code (exhaustive). */
const BY_CODE: Record<ErrorCode, Kind> = {
  bad_request: USER('GENERIC_USER_ERROR', 1000),
  syntax_error: USER('SYNTAX_ERROR', 1006),
  unauthenticated: USER('PERMISSION_DENIED', 1000),
  forbidden: USER('PERMISSION_DENIED', 1000),
  analytics_disabled: USER('PERMISSION_DENIED', 1000),
  statement_not_allowed: USER('PERMISSION_DENIED', 1000),
  quota_exceeded: USER('EXCEEDED_QUOTA', 1000),
  not_found: USER('NOT_FOUND', 1301),
  conflict: USER('ALREADY_EXISTS', 1000),
  payload_too_large: USER('QUERY_TEXT_TOO_LARGE', 1000),
  unsupported_media_type: USER('GENERIC_USER_ERROR', 1000),
  invalid_document: USER('GENERIC_USER_ERROR', 1000),
  too_many_requests: SYSTEM('QUERY_QUEUE_FULL', 200, true),
  cancelled: USER('USER_CANCELED', 1000),
  internal: SYSTEM('GENERIC_INTERNAL_ERROR', 100, true),
  unavailable: SYSTEM('SERVER_SHUTTING_DOWN', 200, true),
  resource_exhausted: SYSTEM('EXCEEDED_LOCAL_MEMORY_LIMIT', 200, false),
  query_timeout: SYSTEM('EXCEEDED_TIME_LIMIT', 206, false),
};

export function athenaFailure(code: string, message: string): AthenaFailure {
  const byCode = (BY_CODE as Record<string, Kind | undefined>)[code] ?? BY_CODE.internal;
  const refine = byCode.category === 2 && code !== 'syntax_error' && code !== 'statement_not_allowed' && code !== 'quota_exceeded';
  const kind = (refine ? BY_MESSAGE.find(([re]) => re.test(message))?.[1] : undefined) ?? byCode;
  // Messages that already start with an error name (`NAME: …`) keep it.
  const reason = /^[A-Z][A-Z_]+: /.test(message) ? message : `${kind.name}: ${message}`;
  return {
    stateChangeReason: reason,
    athenaError: { ErrorCategory: kind.category, ErrorType: kind.type, Retryable: kind.retryable, ErrorMessage: reason },
  };
}
