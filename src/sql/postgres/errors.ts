/**
 * The one error type of the PostgreSQL front-end. `sqlstate` is PostgreSQL's code for the case;
 * `position` is PostgreSQL's 1-based character position in the statement text, when known.
 * Messages name only what the client wrote.
 */
export type PgSqlState =
  /** syntax_error */
  | '42601'
  /** feature_not_supported */
  | '0A000'
  /** undefined_table */
  | '42P01'
  /** invalid_catalog_name (another database) */
  | '3D000'
  /** read_only_sql_transaction (a write outside the scratch schema) */
  | '25006'
  /** undefined_function */
  | '42883'
  /** invalid_column_reference (GROUP BY / ORDER BY position outside the select list) */
  | '42P10'
  /** invalid_schema_definition (a temporary table in a non-temporary schema) */
  | '42P16';

export class PgSqlError extends Error {
  override readonly name = 'PgSqlError';

  constructor(
    readonly sqlstate: PgSqlState,
    message: string,
    /** 1-based character position of the offending token, when there is one. */
    readonly position?: number,
  ) {
    super(message);
  }
}

export function pgNotSupported(what: string, position?: number): PgSqlError {
  return new PgSqlError('0A000', `not supported: ${what}`, position);
}
