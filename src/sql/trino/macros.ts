/**
 * DuckDB macros that give Trino semantics to translated SQL. The engine runs every statement once
 * per DuckDB connection (tests too), after `SET TimeZone='UTC'`. Pure SQL plus icu; idempotent
 * (CREATE OR REPLACE).
 *
 * Type dispatch: DuckDB (>= 1.5) picks a macro overload by its typed parameters, which is how
 * `trino_date_add` returns a DATE for a DATE. DuckDB cannot pick an overload when an argument
 * contains an aggregate or window call (its type is not known yet), so the translator only uses
 * typed macros for arguments without one, and otherwise renders the statically known type's form
 * or refuses. Untyped macros (and typeof() dispatch with a fixed result type) work everywhere.
 *
 * Errors: Trino raises where DuckDB would return NULL (division by zero, bad units). `error()` is
 * volatile, which DuckDB's TRY refuses, so errors that Trino's `try` turns into NULL are raised by
 * a failing cast of the message instead: the engine sees
 * `Conversion Error: Could not convert string 'runlake raised: <message>' to INT32`. The prefix
 * tells these apart from a user's own failing cast (`'abc'::int`), whose message stays DuckDB's.
 * Refusals that `try` must not swallow use `error('not supported: ...')`.
 */

/** The prefix of a macro's raised message (engine/duckdb/errors.ts unwraps it). */
export const RAISED = 'runlake raised: ';

/** SQL that raises `message` (a SQL string expression) as a conversion error TRY can catch. */
const raise = (message: string): string => `CAST('${RAISED}' || ${message} AS INTEGER)`;

const UNIT_INTERVAL = `CASE lower(u)
    WHEN 'millisecond' THEN to_milliseconds(n)
    WHEN 'second' THEN to_seconds(n)
    WHEN 'minute' THEN to_minutes(n)
    WHEN 'hour' THEN to_hours(n)
    WHEN 'day' THEN to_days(n)
    WHEN 'week' THEN to_days(7 * n)
    WHEN 'month' THEN to_months(n)
    WHEN 'quarter' THEN to_months(3 * n)
    WHEN 'year' THEN to_years(n)
    ELSE CAST('Invalid unit: ' || u AS INTERVAL) END`;

const DATE_UNITS = `('day', 'week', 'month', 'quarter', 'year')`;

export const TRINO_MACROS: string[] = [
  // `a / b` → `a // trino_divisor(b)`: DuckDB's `//` truncates integers toward zero and divides
  // floating-point values exactly like `/`; Trino fails on a zero divisor.
  `CREATE OR REPLACE MACRO trino_divisor(b) AS CASE WHEN b = 0 THEN ${raise("'Division by zero'")} ELSE b END`,

  `CREATE OR REPLACE MACRO trino_interval(u, n) AS ${UNIT_INTERVAL}`,

  // date_trunc keeps the input type.
  `CREATE OR REPLACE MACRO trino_date_trunc
  (u, x DATE) AS CASE WHEN lower(u) IN ${DATE_UNITS} THEN CAST(date_trunc(u, x) AS DATE)
    ELSE CAST('''' || u || ''' is not a valid DATE field' AS DATE) END,
  (u, x TIMESTAMP) AS date_trunc(u, x),
  (u, x TIMESTAMPTZ) AS date_trunc(u, x)`,

  // date_add keeps the input type; months clamp to the end of the month.
  `CREATE OR REPLACE MACRO trino_date_add
  (u, n, x DATE) AS CASE WHEN lower(u) IN ${DATE_UNITS} THEN CAST(x + trino_interval(u, n) AS DATE)
    ELSE CAST('''' || u || ''' is not a valid DATE field' AS DATE) END,
  (u, n, x TIMESTAMP) AS x + trino_interval(u, n),
  (u, n, x TIMESTAMPTZ) AS x + trino_interval(u, n)`,

  // `timestamp ± interval` and `date ± interval` keep the left type.
  `CREATE OR REPLACE MACRO trino_plus_interval
  (x DATE, i INTERVAL) AS CAST(x + i AS DATE),
  (x, i) AS x + i`,
  `CREATE OR REPLACE MACRO trino_minus_interval
  (x DATE, i INTERVAL) AS CAST(x - i AS DATE),
  (x, i) AS x - i`,

  // Java Double.toString / Float.toString from DuckDB's shortest round-trip digits.
  `CREATE OR REPLACE MACRO trino_fs_sig(sd, e10) AS CASE
    WHEN sd = '' THEN '0.0'
    WHEN e10 >= -3 AND e10 < 7 THEN CASE
      WHEN e10 >= 0 THEN rpad(left(sd, CAST(e10 + 1 AS INTEGER)), CAST(e10 + 1 AS INTEGER), '0') || '.' || coalesce(nullif(substr(sd, e10 + 2), ''), '0')
      ELSE '0.' || repeat('0', CAST(-e10 - 1 AS INTEGER)) || sd END
    ELSE left(sd, 1) || '.' || coalesce(nullif(substr(sd, 2), ''), '0') || 'E' || CAST(e10 AS VARCHAR) END`,
  `CREATE OR REPLACE MACRO trino_fs_digits(ip, fp, ex) AS
    trino_fs_sig(rtrim(ltrim(ip || fp, '0'), '0'), ex + length(ip) - (length(ip || fp) - length(ltrim(ip || fp, '0'))) - 1)`,
  `CREATE OR REPLACE MACRO trino_fs_abs(a) AS trino_fs_digits(
    split_part(split_part(a, 'e', 1), '.', 1),
    split_part(split_part(a, 'e', 1), '.', 2),
    coalesce(TRY_CAST(nullif(split_part(a, 'e', 2), '') AS INTEGER), 0))`,
  `CREATE OR REPLACE MACRO trino_float_str(s) AS CASE
    WHEN lower(s) IN ('nan', '-nan') THEN 'NaN'
    WHEN lower(s) IN ('inf', 'infinity') THEN 'Infinity'
    WHEN lower(s) IN ('-inf', '-infinity') THEN '-Infinity'
    WHEN starts_with(s, '-') THEN '-' || trino_fs_abs(lower(ltrim(s, '-')))
    ELSE trino_fs_abs(lower(s)) END`,
  // 'YYYY-MM-DD HH:MM:SS[.ffffff]' → exactly 3 fractional digits (Trino timestamp(3)).
  `CREATE OR REPLACE MACRO trino_ts_str(s) AS
    split_part(s, '.', 1) || '.' || rpad(left(split_part(s, '.', 2), 3), 3, '0')`,

  // CAST(x AS VARCHAR) as Trino renders it. Every branch goes through DuckDB's VARCHAR so it binds
  // for any input type; typeof() is constant, so only one branch runs.
  `CREATE OR REPLACE MACRO trino_varchar(x) AS CASE
    WHEN typeof(x) IN ('DOUBLE', 'FLOAT') THEN trino_float_str(CAST(x AS VARCHAR))
    WHEN typeof(x) = 'TIMESTAMP' OR typeof(x) LIKE 'TIMESTAMP(%' THEN trino_ts_str(CAST(x AS VARCHAR))
    WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE'
      THEN trino_ts_str(regexp_replace(CAST(x AS VARCHAR), '[+-][0-9]{2}(:[0-9]{2})?$', '')) || ' UTC'
    WHEN typeof(x) LIKE '%[]' OR typeof(x) LIKE 'MAP(%' OR typeof(x) LIKE 'STRUCT(%' OR typeof(x) = 'JSON'
      THEN CAST(${raise("'Cannot cast ' || typeof(x) || ' to varchar'")} AS VARCHAR)
    ELSE CAST(x AS VARCHAR) END`,

  // substr is 1-based; 0 or a start outside the string gives ''.
  `CREATE OR REPLACE MACRO trino_substr
  (s, st) AS CASE WHEN s IS NULL OR st IS NULL THEN NULL
    WHEN st = 0 THEN ''
    WHEN st > 0 THEN substr(s, st)
    WHEN length(s) + st < 0 THEN ''
    ELSE substr(s, length(s) + st + 1) END,
  (s, st, n) AS CASE WHEN s IS NULL OR st IS NULL OR n IS NULL THEN NULL
    WHEN st = 0 OR n <= 0 THEN ''
    WHEN st > 0 THEN substr(s, st, n)
    WHEN length(s) + st < 0 THEN ''
    ELSE substr(s, length(s) + st + 1, n) END`,

  // split_part: NULL past the last field; the index must be positive.
  `CREATE OR REPLACE MACRO trino_split_part(s, d, i) AS CASE
    WHEN i <= 0 THEN CAST(${raise("'Index must be greater than zero'")} AS VARCHAR)
    WHEN i > length(string_split(s, d)) THEN NULL
    ELSE split_part(s, d, i) END`,

  // regexp_extract: NULL when there is no match (DuckDB returns '').
  `CREATE OR REPLACE MACRO trino_regexp_extract
  (s, p) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p) END,
  (s, p, g) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) END`,

  // greatest/least: NULL if any argument is NULL (DuckDB skips NULLs).
  ...(['greatest', 'least'] as const).map(
    (f) => `CREATE OR REPLACE MACRO trino_${f}
  ${[2, 3, 4, 5, 6, 7, 8]
    .map((n) => {
      const ps = Array.from({ length: n }, (_, i) => `a${i}`);
      return `(${ps.join(', ')}) AS CASE WHEN ${ps.map((p) => `${p} IS NULL`).join(' OR ')} THEN NULL ELSE ${f}(${ps.join(', ')}) END`;
    })
    .join(',\n  ')}`,
  ),

  // contains: NULL when not found but the array has a NULL element.
  `CREATE OR REPLACE MACRO trino_contains(a, x) AS CASE
    WHEN a IS NULL OR x IS NULL THEN NULL
    WHEN list_contains(a, x) THEN true
    WHEN list_count(a) < length(a) THEN NULL
    ELSE false END`,
  `CREATE OR REPLACE MACRO trino_array_max(a) AS CASE WHEN list_count(a) < length(a) THEN NULL ELSE list_max(a) END`,
  `CREATE OR REPLACE MACRO trino_array_min(a) AS CASE WHEN list_count(a) < length(a) THEN NULL ELSE list_min(a) END`,
  `CREATE OR REPLACE MACRO trino_array_position(a, x) AS CASE
    WHEN a IS NULL OR x IS NULL THEN NULL ELSE coalesce(list_position(a, x), 0) END`,
  `CREATE OR REPLACE MACRO trino_array_join
  (a, d) AS array_to_string(list_transform(a, trino_e -> trino_varchar(trino_e)), d),
  (a, d, r) AS array_to_string(list_transform(a, trino_e -> coalesce(trino_varchar(trino_e), r)), d)`,
  `CREATE OR REPLACE MACRO trino_concat_ws2
  (sep VARCHAR, x VARCHAR[]) AS CASE WHEN x IS NULL THEN NULL WHEN list_count(x) = 0 THEN ''
    ELSE list_reduce(list_filter(x, trino_e -> trino_e IS NOT NULL), (trino_acc, trino_e) -> trino_acc || sep || trino_e) END,
  (sep, x) AS concat_ws(sep, x)`,

  // from_iso8601_timestamp keeps the string's offset as the value's zone in Trino; Runlake's
  // timestamp-with-time-zone values are UTC instants, so a non-UTC offset is refused.
  `CREATE OR REPLACE MACRO trino_from_iso8601_timestamp(s) AS CASE
    WHEN regexp_extract(s, 'T[0-9:.,]*([+-][0-9]{2}(:?[0-9]{2})?)$', 1)
      NOT IN ('', '+00', '+0000', '+00:00', '-00', '-0000', '-00:00')
      THEN error('not supported: from_iso8601_timestamp with a non-UTC offset')
    ELSE CAST(s AS TIMESTAMPTZ) END`,
  `CREATE OR REPLACE MACRO trino_to_iso8601
  (x DATE) AS CAST(x AS VARCHAR),
  (x TIMESTAMP) AS strftime(x, '%Y-%m-%dT%H:%M:%S.%g'),
  (x TIMESTAMPTZ) AS strftime(x, '%Y-%m-%dT%H:%M:%S.%gZ')`,
  // Trino keeps milliseconds: round(x * 1000) ms since the epoch, as an instant.
  `CREATE OR REPLACE MACRO trino_from_unixtime(x) AS CAST(epoch_ms(CAST(round(CAST(x AS DOUBLE) * 1000) AS BIGINT)) AS TIMESTAMPTZ)`,
  // json_extract_scalar: NULL for objects and arrays.
  `CREATE OR REPLACE MACRO trino_json_extract_scalar(j, p) AS CASE
    WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END`,
];
