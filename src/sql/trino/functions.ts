/**
 * The one table of Trino functions Runlake accepts, and how each becomes DuckDB SQL.
 * A function that is not in this table is refused with `not supported: <name>`: Runlake never
 * guesses that a DuckDB function of the same name has the same meaning.
 *
 * Rule kinds:
 *  - same:    same name and semantics in DuckDB (checked in test/sql/trino-semantics.test.ts);
 *  - rename:  a DuckDB function with the same arguments and semantics under another name;
 *  - custom:  a rewrite (often to a macro from macros.ts);
 *  - unsupported: listed so the refusal is deliberate and documented.
 */
import { notSupported } from './errors.ts';
import { jodaToStrftime, mysqlToStrftime } from './formats.ts';
import { sqlString } from '../../util/sql-quote.ts';

/** What a rewrite sees of one call. */
export interface Call {
  /** Lower-case Trino name. */
  readonly name: string;
  /** Rendered DuckDB arguments. */
  readonly args: readonly string[];
  /** The value of argument i if it is a plain string literal. */
  literal(i: number): string | null;
  /** Argument i rendered as a local wall-clock timestamp (applies a static AT TIME ZONE). */
  local(i: number): string;
  /** Argument i rendered as an instant (a static AT TIME ZONE is applied to a TIMESTAMPTZ). */
  instant(i: number): string;
  /** True when argument i contains an aggregate or window call (typed macros cannot bind it). */
  hasAggregate(i: number): boolean;
  /** The temporal type of argument i when evident from its syntax. */
  staticType(i: number): 'DATE' | 'TIMESTAMP' | 'TIMESTAMPTZ' | null;
  /** True when argument i is syntactically an ARRAY[...] or array-producing call. */
  isArray(i: number): boolean;
  /** True when argument i is syntactically a map-producing call. */
  isMap(i: number): boolean;
  readonly distinct: boolean;
  /** Rendered ` ORDER BY ...` inside the parentheses, or ''. */
  readonly orderBy: string;
  /** Rendered FILTER / OVER clauses that follow the call, or ''. */
  readonly tail: string;
}

export type FunctionRule =
  | { readonly kind: 'same'; readonly arity: readonly [number, number]; readonly aggregate?: boolean }
  | { readonly kind: 'rename'; readonly to: string; readonly arity: readonly [number, number]; readonly aggregate?: boolean }
  | { readonly kind: 'custom'; readonly arity: readonly [number, number]; readonly render: (c: Call) => string }
  | { readonly kind: 'unsupported'; readonly why?: string };

const INF = Number.POSITIVE_INFINITY;
const same = (min: number, max = min, aggregate = false): FunctionRule => ({ kind: 'same', arity: [min, max], aggregate });
const rename = (to: string, min: number, max = min, aggregate = false): FunctionRule => ({ kind: 'rename', to, arity: [min, max], aggregate });
const custom = (min: number, max: number, render: (c: Call) => string): FunctionRule => ({ kind: 'custom', arity: [min, max], render });
const unsupported = (why?: string): FunctionRule => (why ? { kind: 'unsupported', why } : { kind: 'unsupported' });

/** `f(args)` followed by the call's FILTER/OVER tail. */
const call = (f: string, c: Call, args: readonly string[] = c.args): string => `${f}(${args.join(', ')})${c.tail}`;

/** Plain scalar: refuse DISTINCT/ORDER BY/FILTER/OVER on it. */
function scalar(c: Call): void {
  if (c.distinct || c.orderBy || c.tail) throw notSupported(`${c.name} with DISTINCT, ORDER BY, FILTER or OVER`);
}

const DATE_UNITS = new Set(['millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']);

/** A unit argument: must be a literal naming a Trino unit (Trino would reject anything else). */
function unit(c: Call, i: number): string {
  const u = c.literal(i);
  if (u !== null) {
    if (!DATE_UNITS.has(u.toLowerCase())) throw notSupported(`${c.name} unit '${u}'`);
    return `'${u.toLowerCase()}'`;
  }
  return c.args[i]!;
}

function constantPattern(c: Call, i: number): string {
  const p = c.literal(i);
  if (p === null) throw notSupported(`${c.name} with a non-constant format`);
  return p;
}


/** Field functions evaluate on the local wall clock of their argument. */
const field = (duck: string): FunctionRule =>
  custom(1, 1, (c) => {
    scalar(c);
    return `${duck}(${c.local(0)})`;
  });

/** Java regex replacement (`$1`) → RE2 replacement (`\1`). */
function javaReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const ch = r[i]!;
    if (ch === '\\' && i + 1 < r.length) {
      const next = r[++i]!;
      out += next === '\\' ? '\\\\' : next;
    } else if (ch === '$') {
      const m = /^\d+/.exec(r.slice(i + 1));
      if (!m) throw notSupported('regexp_replace replacement with a named group');
      out += `\\${m[0]}`;
      i += m[0].length;
    } else {
      out += ch;
    }
  }
  return out;
}

export const FUNCTIONS: Readonly<Record<string, FunctionRule>> = {
  // ---- conditional
  if: custom(2, 3, (c) => {
    scalar(c);
    return `CASE WHEN ${c.args[0]} THEN ${c.args[1]}${c.args[2] !== undefined ? ` ELSE ${c.args[2]}` : ''} END`;
  }),
  coalesce: same(1, INF),
  nullif: same(2),
  try: custom(1, 1, (c) => {
    scalar(c);
    return `try(${c.args[0]})`;
  }),
  greatest: custom(2, 8, (c) => {
    scalar(c);
    return `trino_greatest(${c.args.join(', ')})`;
  }),
  least: custom(2, 8, (c) => {
    scalar(c);
    return `trino_least(${c.args.join(', ')})`;
  }),

  // ---- math
  abs: same(1),
  ceil: same(1),
  ceiling: same(1),
  floor: same(1),
  round: same(1, 2),
  truncate: rename('trunc', 1, 2),
  mod: custom(2, 2, (c) => {
    scalar(c);
    return `(${c.args[0]} % trino_divisor(${c.args[1]}))`;
  }),
  sqrt: same(1),
  cbrt: same(1),
  exp: same(1),
  ln: same(1),
  log2: same(1),
  log10: same(1),
  log: custom(2, 2, (c) => {
    scalar(c);
    return `log(${c.args.join(', ')})`;
  }),
  power: same(2),
  pow: same(2),
  sign: same(1),
  pi: same(0),
  e: custom(0, 0, () => 'exp(1)'),
  radians: same(1),
  degrees: same(1),
  sin: same(1),
  cos: same(1),
  tan: same(1),
  asin: same(1),
  acos: same(1),
  atan: same(1),
  atan2: same(2),
  cosh: same(1),
  tanh: same(1),
  random: custom(0, 0, () => 'random()'),
  rand: custom(0, 0, () => 'random()'),
  is_nan: rename('isnan', 1),
  is_finite: rename('isfinite', 1),
  is_infinite: rename('isinf', 1),
  nan: custom(0, 0, () => "CAST('NaN' AS DOUBLE)"),
  infinity: custom(0, 0, () => "CAST('Infinity' AS DOUBLE)"),
  width_bucket: unsupported(),
  to_base: unsupported(),
  from_base: unsupported(),

  // ---- string
  length: same(1),
  lower: same(1),
  upper: same(1),
  substr: custom(2, 3, (c) => {
    scalar(c);
    return `trino_substr(${c.args.join(', ')})`;
  }),
  substring: custom(2, 3, (c) => {
    scalar(c);
    return `trino_substr(${c.args.join(', ')})`;
  }),
  strpos: same(2),
  split_part: custom(3, 3, (c) => {
    scalar(c);
    return `trino_split_part(${c.args.join(', ')})`;
  }),
  split: rename('string_split', 2),
  concat: custom(1, INF, (c) => {
    scalar(c);
    return c.args.length === 1 ? `(${c.args[0]})` : `(${c.args.join(' || ')})`;
  }),
  concat_ws: custom(2, INF, (c) => {
    scalar(c);
    if (c.args.length > 2) return `concat_ws(${c.args.join(', ')})`;
    if (!c.hasAggregate(1)) return `trino_concat_ws2(${c.args.join(', ')})`;
    return c.isArray(1) ? `array_to_string(${c.args[1]}, ${c.args[0]})` : `concat_ws(${c.args.join(', ')})`;
  }),
  replace: custom(2, 3, (c) => {
    scalar(c);
    return `replace(${c.args[0]}, ${c.args[1]}, ${c.args[2] ?? "''"})`;
  }),
  reverse: same(1),
  trim: same(1),
  ltrim: same(1),
  rtrim: same(1),
  lpad: same(3),
  rpad: same(3),
  starts_with: same(2),
  chr: same(1),
  codepoint: rename('unicode', 1),
  levenshtein_distance: rename('levenshtein', 2),
  hamming_distance: rename('hamming', 2),
  translate: same(3),
  to_utf8: rename('encode', 1),
  from_utf8: custom(1, 1, (c) => {
    scalar(c);
    return `decode(${c.args[0]})`;
  }),
  format: unsupported('Java format strings'),
  soundex: unsupported(),
  word_stem: unsupported(),
  url_extract_host: unsupported(),
  url_extract_path: unsupported(),
  url_extract_parameter: unsupported(),
  url_extract_query: unsupported(),
  md5: unsupported('returns varbinary in Trino'),
  sha256: unsupported('returns varbinary in Trino'),

  // ---- regular expressions (Java regex in Trino, RE2 in DuckDB: RE2 rejects lookaround/backrefs)
  regexp_like: rename('regexp_matches', 2),
  regexp_extract: custom(2, 3, (c) => {
    scalar(c);
    return `trino_regexp_extract(${c.args.join(', ')})`;
  }),
  regexp_extract_all: same(2, 3),
  regexp_replace: custom(2, 3, (c) => {
    scalar(c);
    if (c.args.length === 2) return `regexp_replace(${c.args[0]}, ${c.args[1]}, '', 'g')`;
    const r = c.literal(2);
    if (r === null) throw notSupported('regexp_replace with a non-constant replacement');
    return `regexp_replace(${c.args[0]}, ${c.args[1]}, ${sqlString(javaReplacement(r))}, 'g')`;
  }),
  regexp_count: custom(2, 2, (c) => {
    scalar(c);
    return `length(regexp_extract_all(${c.args.join(', ')}))`;
  }),
  regexp_split: rename('regexp_split_to_array', 2),
  regexp_position: unsupported(),

  // ---- arrays and maps
  cardinality: custom(1, 1, (c) => {
    scalar(c);
    return c.isMap(0) ? `CAST(cardinality(${c.args[0]}) AS BIGINT)` : `length(${c.args[0]})`;
  }),
  element_at: custom(2, 2, (c) => {
    scalar(c);
    return `(${c.args[0]})[${c.args[1]}]`;
  }),
  contains: custom(2, 2, (c) => {
    scalar(c);
    return `trino_contains(${c.args.join(', ')})`;
  }),
  array_join: custom(2, 3, (c) => {
    scalar(c);
    return `trino_array_join(${c.args.join(', ')})`;
  }),
  array_max: custom(1, 1, (c) => {
    scalar(c);
    return `trino_array_max(${c.args[0]})`;
  }),
  array_min: custom(1, 1, (c) => {
    scalar(c);
    return `trino_array_min(${c.args[0]})`;
  }),
  array_position: custom(2, 2, (c) => {
    scalar(c);
    return `trino_array_position(${c.args.join(', ')})`;
  }),
  array_sort: rename('list_sort', 1),
  slice: custom(3, 3, (c) => {
    scalar(c);
    return `list_slice(${c.args[0]}, ${c.args[1]}, (${c.args[1]}) + (${c.args[2]}) - 1)`;
  }),
  sequence: custom(2, 3, (c) => {
    scalar(c);
    return `generate_series(${c.args.join(', ')})`;
  }),
  flatten: same(1),
  transform: rename('list_transform', 2),
  filter: rename('list_filter', 2),
  map: custom(2, 2, (c) => {
    scalar(c);
    return `map(${c.args.join(', ')})`;
  }),
  map_keys: same(1),
  map_values: same(1),
  map_from_entries: same(1),
  array_distinct: unsupported('order and NULL semantics differ'),
  array_union: unsupported(),
  array_intersect: unsupported(),
  array_except: unsupported(),
  array_remove: unsupported(),
  arrays_overlap: unsupported(),
  reduce: unsupported(),
  zip: unsupported(),
  zip_with: unsupported(),
  any_match: unsupported(),
  all_match: unsupported(),
  none_match: unsupported(),
  repeat: unsupported(),
  shuffle: unsupported(),

  // ---- JSON
  json_extract_scalar: custom(2, 2, (c) => {
    scalar(c);
    return `trino_json_extract_scalar(${c.args.join(', ')})`;
  }),
  json_extract: same(2),
  json_parse: custom(1, 1, (c) => {
    scalar(c);
    return `json(${c.args[0]})`;
  }),
  json_format: custom(1, 1, (c) => {
    scalar(c);
    return `CAST(${c.args[0]} AS VARCHAR)`;
  }),
  json_array_length: same(1),
  json_array_get: unsupported(),
  json_size: unsupported(),

  // ---- date and time (Runlake sessions are UTC, as Athena's are)
  now: custom(0, 0, () => 'current_timestamp'),
  current_timezone: custom(0, 0, () => "'UTC'"),
  date: custom(1, 1, (c) => {
    scalar(c);
    return `CAST(${c.local(0)} AS DATE)`;
  }),
  // date_trunc keeps the input type: time_bucket does (weeks start on Monday: its origin is a
  // Monday), for any argument, aggregates included.
  date_trunc: custom(2, 2, (c) => {
    scalar(c);
    const u = c.literal(0);
    if (u === null) return `trino_date_trunc(${c.args[0]}, ${c.args[1]})`;
    const lower = unit(c, 0).slice(1, -1);
    if (['millisecond', 'second', 'minute', 'hour'].includes(lower)) {
      if (c.staticType(1) === 'DATE') throw notSupported(`date_trunc('${lower}') of a date`);
      return `date_trunc('${lower}', ${c.args[1]})`;
    }
    const width = lower === 'week' ? '7 days' : lower === 'quarter' ? '3 months' : `1 ${lower}`;
    return `time_bucket(INTERVAL '${width}', ${c.args[1]})`;
  }),
  date_add: custom(3, 3, (c) => {
    scalar(c);
    const u = unit(c, 0);
    if (!c.hasAggregate(2)) return `trino_date_add(${u}, ${c.args[1]}, ${c.args[2]})`;
    const type = c.staticType(2);
    if (type === 'DATE') return `CAST(${c.args[2]} + trino_interval(${u}, ${c.args[1]}) AS DATE)`;
    if (type !== null) return `(${c.args[2]} + trino_interval(${u}, ${c.args[1]}))`;
    throw notSupported('date_add of an aggregate of unknown type (cast it to date or timestamp)');
  }),
  date_diff: custom(3, 3, (c) => {
    scalar(c);
    return `date_sub(${unit(c, 0)}, ${c.instant(1)}, ${c.instant(2)})`;
  }),
  date_format: custom(2, 2, (c) => {
    scalar(c);
    return `strftime(${c.local(0)}, ${sqlString(mysqlToStrftime(constantPattern(c, 1), 'format'))})`;
  }),
  date_parse: custom(2, 2, (c) => {
    scalar(c);
    return `strptime(${c.args[0]}, ${sqlString(mysqlToStrftime(constantPattern(c, 1), 'parse'))})`;
  }),
  format_datetime: custom(2, 2, (c) => {
    scalar(c);
    return `strftime(${c.local(0)}, ${sqlString(jodaToStrftime(constantPattern(c, 1), 'format'))})`;
  }),
  parse_datetime: custom(2, 2, (c) => {
    scalar(c);
    return `CAST(strptime(${c.args[0]}, ${sqlString(jodaToStrftime(constantPattern(c, 1), 'parse'))}) AS TIMESTAMPTZ)`;
  }),
  from_iso8601_timestamp: custom(1, 1, (c) => {
    scalar(c);
    return `trino_from_iso8601_timestamp(${c.args[0]})`;
  }),
  from_iso8601_date: custom(1, 1, (c) => {
    scalar(c);
    return `CAST(${c.args[0]} AS DATE)`;
  }),
  to_iso8601: custom(1, 1, (c) => {
    scalar(c);
    if (!c.hasAggregate(0)) return `trino_to_iso8601(${c.instant(0)})`;
    const type = c.staticType(0);
    if (type === 'DATE') return `CAST(${c.args[0]} AS VARCHAR)`;
    if (type === 'TIMESTAMP') return `strftime(${c.args[0]}, '%Y-%m-%dT%H:%M:%S.%g')`;
    if (type === 'TIMESTAMPTZ') return `strftime(${c.args[0]}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
    throw notSupported('to_iso8601 of an aggregate of unknown type');
  }),
  from_unixtime: custom(1, 2, (c) => {
    scalar(c);
    if (c.args.length === 2) {
      const z = c.literal(1);
      if (z === null || !isUtcZone(z)) throw notSupported('from_unixtime with a time zone');
    }
    return `trino_from_unixtime(${c.args[0]})`;
  }),
  to_unixtime: custom(1, 1, (c) => {
    scalar(c);
    return `epoch(${c.instant(0)})`;
  }),
  year: field('year'),
  quarter: field('quarter'),
  month: field('month'),
  week: field('week'),
  week_of_year: field('week'),
  day: field('day'),
  day_of_month: field('day'),
  day_of_week: field('isodow'),
  dow: field('isodow'),
  day_of_year: field('dayofyear'),
  doy: field('dayofyear'),
  year_of_week: field('isoyear'),
  yow: field('isoyear'),
  hour: field('hour'),
  minute: field('minute'),
  second: field('second'),
  millisecond: custom(1, 1, (c) => {
    scalar(c);
    return `(millisecond(${c.local(0)}) % 1000)`;
  }),
  last_day_of_month: custom(1, 1, (c) => {
    scalar(c);
    return `last_day(${c.local(0)})`;
  }),
  timezone_hour: unsupported(),
  timezone_minute: unsupported(),
  human_readable_seconds: unsupported(),
  parse_duration: unsupported(),
  to_milliseconds: unsupported(),

  // ---- aggregates
  count: same(0, 1, true),
  sum: same(1, 1, true),
  avg: same(1, 1, true),
  min: same(1, 1, true),
  max: same(1, 1, true),
  count_if: custom(1, 1, (c) => {
    if (c.distinct || c.orderBy) throw notSupported('count_if with DISTINCT or ORDER BY');
    // DuckDB's count_if over no rows is NULL; Trino's (a count) is 0.
    return `coalesce(CAST(${call('count_if', c)} AS BIGINT), 0)`;
  }),
  bool_and: same(1, 1, true),
  bool_or: same(1, 1, true),
  every: rename('bool_and', 1, 1, true),
  arbitrary: rename('any_value', 1, 1, true),
  any_value: same(1, 1, true),
  array_agg: same(1, 1, true),
  approx_distinct: custom(1, 2, (c) => {
    if (c.orderBy) throw notSupported('approx_distinct with ORDER BY');
    return `approx_count_distinct(${c.distinct ? 'DISTINCT ' : ''}${c.args[0]})${c.tail}`;
  }),
  // An exact percentile is always within the approximation Trino promises, and it is a value of x.
  approx_percentile: custom(2, 2, (c) => {
    if (c.distinct || c.orderBy) throw notSupported('approx_percentile with DISTINCT or ORDER BY');
    return call('quantile_disc', c);
  }),
  max_by: rename('arg_max', 2, 2, true),
  min_by: rename('arg_min', 2, 2, true),
  stddev: same(1, 1, true),
  stddev_samp: same(1, 1, true),
  stddev_pop: same(1, 1, true),
  variance: same(1, 1, true),
  var_samp: same(1, 1, true),
  var_pop: same(1, 1, true),
  corr: same(2, 2, true),
  covar_samp: same(2, 2, true),
  covar_pop: same(2, 2, true),
  histogram: same(1, 1, true),
  map_agg: custom(2, 2, (c) => {
    if (c.distinct || c.orderBy || c.tail) throw notSupported('map_agg with DISTINCT, ORDER BY, FILTER or OVER');
    return `map_from_entries(list(struct_pack(k := ${c.args[0]}, v := ${c.args[1]})) FILTER (WHERE (${c.args[0]}) IS NOT NULL))`;
  }),
  approx_set: unsupported('HyperLogLog sketches'),
  merge: unsupported('HyperLogLog sketches'),
  empty_approx_set: unsupported('HyperLogLog sketches'),
  approx_most_frequent: unsupported(),
  checksum: unsupported(),
  geometric_mean: unsupported(),
  numeric_histogram: unsupported(),
  multimap_agg: unsupported(),

  // ---- window functions
  row_number: same(0, 0, true),
  rank: same(0, 0, true),
  dense_rank: same(0, 0, true),
  percent_rank: same(0, 0, true),
  cume_dist: same(0, 0, true),
  ntile: same(1, 1, true),
  lag: same(1, 3, true),
  lead: same(1, 3, true),
  first_value: same(1, 1, true),
  last_value: same(1, 1, true),
  nth_value: same(2, 2, true),

  // ---- misc
  uuid: custom(0, 0, () => 'gen_random_uuid()'),
  typeof: unsupported('DuckDB type names differ'),
  ml_predict: unsupported(),
};

export function isUtcZone(zone: string): boolean {
  return /^(utc|z|gmt|etc\/utc|etc\/gmt|ut|zulu|universal|[+-]00(:?00)?|utc[+-]0|gmt[+-]0)$/i.test(zone.trim());
}

export type SupportedRule = Exclude<FunctionRule, { kind: 'unsupported' }>;

export function lookupFunction(name: string): SupportedRule {
  const rule = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!rule || rule.kind === 'unsupported') throw notSupported(name);
  return rule;
}
