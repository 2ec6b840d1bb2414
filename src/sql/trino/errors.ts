/**
 * The one error type of the Trino front-end. Every message is safe to show the client: it names
 * only what the client wrote (never whether another database exists).
 */
export type SqlErrorCode = 'syntax_error' | 'not_supported' | 'multiple_statements' | 'unknown_database' | 'unknown_table';

export class SqlError extends Error {
  override readonly name = 'SqlError';

  constructor(
    readonly code: SqlErrorCode,
    message: string,
    /** 1-based position of the offending token, when there is one. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** `not supported: <what>`: the statement uses something with no faithful DuckDB equivalent. */
export function notSupported(what: string): SqlError {
  return new SqlError('not_supported', `not supported: ${what}`);
}
