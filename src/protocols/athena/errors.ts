/**
 * The Athena API's errors: one class, `AthenaApiError`, carrying the `__type` the AWS SDKs turn
 * into a typed exception, its HTTP status and the members of its shape (AthenaErrorCode, Reason,
 * ResourceName…). `fromRunlakeError` is the one translation of the query service's catalogue
 * (RunlakeError codes) to Athena's; anything that is not a RunlakeError is an internal error the
 * client sees without details.
 *
 * Invariants: every response error has `__type` and a message (`Message` for Athena's modelled
 * errors, `message` for the AWS-wide ones, as the real service sends them); 5xx only for
 * InternalServerException.
 */
import { isRunlakeError, type ErrorCode, type RunlakeError } from '../../util/errors.ts';

export const ATHENA_ERROR_TYPES = [
  // Modelled by Athena (service-2.json)
  'InvalidRequestException',
  'TooManyRequestsException',
  'ResourceNotFoundException',
  'MetadataException',
  'InternalServerException',
  // AWS-wide errors of JSON services
  'ThrottlingException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'UnknownOperationException',
  'SerializationException',
] as const;
export type AthenaErrorType = (typeof ATHENA_ERROR_TYPES)[number];

const STATUS: Record<AthenaErrorType, number> = {
  InvalidRequestException: 400,
  TooManyRequestsException: 400,
  ResourceNotFoundException: 400,
  MetadataException: 400,
  InternalServerException: 500,
  ThrottlingException: 400,
  AccessDeniedException: 400,
  UnrecognizedClientException: 400,
  InvalidSignatureException: 400,
  IncompleteSignatureException: 400,
  MissingAuthenticationTokenException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
};

/** Errors Athena models itself carry `Message`; the AWS-wide ones `message`. */
const MODELLED: ReadonlySet<AthenaErrorType> = new Set([
  'InvalidRequestException', 'TooManyRequestsException', 'ResourceNotFoundException', 'MetadataException', 'InternalServerException',
]);

/** `AthenaErrorCode` values of InvalidRequestException used here. */
export type AthenaErrorCode =
  | 'INVALID_INPUT'
  | 'MALFORMED_QUERY'
  | 'IDEMPOTENT_PARAMETER_MISMATCH'
  | 'INVALID_QUERY_EXECUTION_STATE'
  | 'QUERY_EXECUTION_NOT_FOUND'
  | 'RESULT_NOT_FOUND'
  | 'STAGING_DIRECTORY_ACCESS_DENIED';

export class AthenaApiError extends Error {
  constructor(
    readonly type: AthenaErrorType,
    message: string,
    /** Members of the error shape besides the message (AthenaErrorCode, Reason, ResourceName). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AthenaApiError';
  }

  get status(): number {
    return STATUS[this.type];
  }

  /** The JSON body (awsJson1_1). */
  body(): Record<string, string> {
    return { __type: this.type, [MODELLED.has(this.type) ? 'Message' : 'message']: this.message, ...this.fields };
  }
}

export function invalidRequest(message: string, code: AthenaErrorCode = 'INVALID_INPUT'): AthenaApiError {
  // Real Athena sends the code twice (AthenaErrorCode and ErrorCode).
  return new AthenaApiError('InvalidRequestException', message, { AthenaErrorCode: code, ErrorCode: code });
}

export function metadataError(message: string): AthenaApiError {
  return new AthenaApiError('MetadataException', message);
}

export function tooManyRequests(message: string): AthenaApiError {
  return new AthenaApiError('TooManyRequestsException', message, { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
}

export function internalError(): AthenaApiError {
  return new AthenaApiError('InternalServerException', 'An internal error occurred; the server log has the details. Retry the request.');
}

/** RunlakeError codes → the Athena error a request answers with (exhaustive). */
const FROM_CODE: Record<ErrorCode, (e: RunlakeError) => AthenaApiError> = {
  bad_request: (e) => invalidRequest(e.message),
  syntax_error: (e) => invalidRequest(e.message, 'MALFORMED_QUERY'),
  unauthenticated: (e) => new AthenaApiError('UnrecognizedClientException', e.message),
  forbidden: (e) => new AthenaApiError('AccessDeniedException', e.message),
  analytics_disabled: (e) => new AthenaApiError('AccessDeniedException', e.message),
  statement_not_allowed: (e) => invalidRequest(e.message),
  quota_exceeded: (e) => invalidRequest(e.message),
  not_found: (e) => invalidRequest(e.message),
  conflict: (e) => invalidRequest(e.message),
  payload_too_large: (e) => invalidRequest(e.message),
  unsupported_media_type: (e) => new AthenaApiError('SerializationException', e.message),
  invalid_document: (e) => invalidRequest(e.message),
  too_many_requests: (e) => tooManyRequests(e.message),
  cancelled: (e) => invalidRequest(e.message),
  internal: () => internalError(),
  unavailable: (e) => new AthenaApiError('InternalServerException', e.message),
  resource_exhausted: (e) => new AthenaApiError('InternalServerException', e.message),
  query_timeout: (e) => invalidRequest(e.message),
};

/** Any error thrown while handling a request, as the Athena error to answer with. */
export function toAthenaError(e: unknown): AthenaApiError {
  if (e instanceof AthenaApiError) return e;
  if (isRunlakeError(e)) return FROM_CODE[e.code](e);
  return internalError();
}
