/**
 * Rewrites a Trino parse tree into DuckDB SQL. Every node is rendered from its own tokens, so
 * whatever no rule touches is passed through verbatim (whitespace included); comments are
 * replaced by a space, so no DuckDB/Trino difference in comment lexing can hide text.
 * Identifiers are always emitted double-quoted, so no DuckDB-only keyword can change a query's
 * meaning.
 */
import type { ParserRuleContext, ParseTree, TerminalNode, Token } from 'antlr4ng';
import * as P from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import { SqlError, notSupported } from './errors.ts';
import { isUtcZone, lookupFunction } from './functions.ts';
import type { Call } from './functions.ts';
import { TRINO_INFO_RELATIONS, TRINO_INFO_SCHEMA } from '../../catalog/trino-info.ts';

const T = P.TrinoSqlParser;
const HIDDEN_CHANNEL = 1;

export interface EmitContext {
  /** The organization's database: names qualified with it resolve to the current schema. */
  readonly database: string;
  /** Accepted catalog names, lower-case. */
  readonly catalogs: readonly string[];
  /** A schema the client may create and read tables in (Looker PDTs), or undefined. */
  readonly scratchSchema?: string | undefined;
}

export interface QualifiedName {
  schema: string | null;
  name: string;
}

function isTerminal(node: ParseTree): node is TerminalNode {
  return 'symbol' in node;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Text of an identifier rule as Trino sees it (unquoted, quotes removed). */
export function identifierValue(ctx: P.IdentifierContext): string {
  const text = ctx.getText();
  if (ctx instanceof P.QuotedIdentifierContext) return text.slice(1, -1).replaceAll('""', '"');
  if (ctx instanceof P.BackQuotedIdentifierContext) return text.slice(1, -1).replaceAll('``', '`');
  return text;
}

/** Value of a string rule (basic or Unicode literal). */
export function stringValue(ctx: P.StringContext): string {
  if (ctx instanceof P.BasicStringLiteralContext) return ctx.getText().slice(1, -1).replaceAll("''", "'");
  if (ctx instanceof P.UnicodeStringLiteralContext) {
    const tokens = ctx.STRING();
    const escape = tokens ? stringText(tokens.getText()) : '\\';
    const body = stringText(ctx.UNICODE_STRING().getText().slice(2));
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== escape) {
        out += ch;
        continue;
      }
      if (body[i + 1] === escape) {
        out += escape;
        i++;
      } else if (body[i + 1] === '+') {
        out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 8), 16));
        i += 7;
      } else {
        out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 5), 16));
        i += 4;
      }
    }
    return out;
  }
  throw notSupported('string literal');
}

function stringText(quoted: string): string {
  return quoted.slice(1, -1).replaceAll("''", "'");
}

/** Unwrap parentheses and the trivial single-child expression layers. */
function unwrap(node: ParseTree): ParseTree {
  let n = node;
  for (;;) {
    if (n instanceof P.ParenthesizedExpressionContext) n = n.expression();
    else if (n instanceof P.ExpressionContext || n instanceof P.ValueExpressionDefaultContext) n = n.getChild(0)!;
    else if (n instanceof P.PredicatedContext && !n.predicate()) n = n.valueExpression();
    else return n;
  }
}

/** Aggregate function names (an argument containing one has no type yet when macros bind). */
const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'count_if', 'bool_and', 'bool_or', 'every', 'arbitrary', 'any_value', 'array_agg',
  'approx_distinct', 'approx_percentile', 'max_by', 'min_by', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp',
  'var_pop', 'corr', 'covar_samp', 'covar_pop', 'histogram', 'map_agg', 'listagg',
]);

const TYPE_NAMES: Record<string, string> = {
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  int: 'INTEGER',
  bigint: 'BIGINT',
  real: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  varbinary: 'BLOB',
  json: 'JSON',
  uuid: 'UUID',
  varchar: 'VARCHAR',
  string: 'VARCHAR',
};

interface MappedType {
  sql: string;
  varchar: boolean;
  varcharLength: number | null;
  integer: boolean;
  timestamp: boolean;
  date: boolean;
}

export class Emitter {
  private readonly catalogs: Set<string>;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly ctx: EmitContext,
  ) {
    this.catalogs = new Set(ctx.catalogs.map((c) => c.toLowerCase()));
  }

  // ------------------------------------------------------------------ generic splicing

  /** Hidden-channel text between token indices [from, to): whitespace kept, comments → ' '. */
  private hidden(from: number, to: number): string {
    let out = '';
    for (let i = from; i < to; i++) {
      const t = this.tokens[i]!;
      if (t.channel !== HIDDEN_CHANNEL) continue;
      if (t.type === T.WHITE_SPACE) out += t.text ?? '';
      else out += t.type === T.LINE_COMMENT && /\n$/.test(t.text ?? '') ? '\n' : ' ';
    }
    return out;
  }

  /** Original text of a node, with comments blanked. */
  rawText(node: ParserRuleContext): string {
    if (!node.start || !node.stop || node.stop.tokenIndex < node.start.tokenIndex) return '';
    let out = '';
    for (let i = node.start.tokenIndex; i <= node.stop.tokenIndex; i++) {
      const t = this.tokens[i]!;
      out += t.channel === HIDDEN_CHANNEL ? this.hidden(i, i + 1) : (t.text ?? '');
    }
    return out;
  }

  /** Children spliced with the hidden text between them. */
  private splice(node: ParserRuleContext): string {
    let out = '';
    let pos = node.start?.tokenIndex ?? 0;
    for (const child of node.children ?? []) {
      const range = this.range(child);
      if (!range) continue;
      out += this.hidden(pos, range[0]);
      out += this.render(child);
      pos = range[1] + 1;
    }
    return out;
  }

  private range(node: ParseTree): [number, number] | null {
    if (isTerminal(node)) {
      const i = node.symbol.tokenIndex;
      return node.symbol.type === -1 ? null : [i, i];
    }
    const rule = node as ParserRuleContext;
    if (!rule.start || !rule.stop || rule.stop.tokenIndex < rule.start.tokenIndex) return null;
    return [rule.start.tokenIndex, rule.stop.tokenIndex];
  }

  render(node: ParseTree): string {
    if (isTerminal(node)) return node.symbol.type === -1 ? '' : (node.symbol.text ?? '');
    const special = this.special(node as ParserRuleContext);
    return special ?? this.splice(node as ParserRuleContext);
  }

  // ------------------------------------------------------------------ dispatch

  private special(n: ParserRuleContext): string | undefined {
    if (n instanceof P.IdentifierContext) return quoteIdent(identifierValue(n));
    if (n instanceof P.ColumnReferenceContext) return this.columnReference(n.columnName().qualifiedName(), 3);
    if (n instanceof P.JoinColumnReferenceContext && n.columnName() && !n.identifier()) {
      return this.columnReference(n.columnName()!.qualifiedName(), 3);
    }
    if (n instanceof P.TableAllColumnsContext) {
      const base = unwrap(n.primaryExpression());
      if (base instanceof P.ColumnReferenceContext) return `${this.columnReference(base.columnName().qualifiedName(), 2)}.*`;
      return undefined;
    }
    if (n instanceof P.NumericLiteralContext) return this.numeric(n.number());
    if (n instanceof P.StringLiteralContext) return sqlString(stringValue(n.string()));
    if (n instanceof P.BinaryLiteralContext) return `from_hex(${sqlString(n.getText().slice(2, -1).replace(/\s+/g, ''))})`;
    if (n instanceof P.TypeConstructorContext) return this.typeConstructor(n);
    if (n instanceof P.IntervalLiteralContext) return this.interval(n.interval());
    if (n instanceof P.FunctionCallContext) return this.functionCall(n);
    if (n instanceof P.CastContext) return this.cast(n);
    if (n instanceof P.ArithmeticBinaryContext) return this.arithmetic(n);
    if (n instanceof P.AtTimeZoneContext) return this.atTimeZoneAlone(n);
    if (n instanceof P.ExtractContext) return this.extract(n);
    if (n instanceof P.SubstringContext) {
      const [s, from, len] = n.valueExpression().map((v) => this.render(v));
      return `trino_substr(${s}, ${from}${len !== undefined ? `, ${len}` : ''})`;
    }
    if (n instanceof P.PositionContext) {
      const [sub, s] = n.valueExpression().map((v) => this.render(v));
      return `strpos(${s}, ${sub})`;
    }
    if (n instanceof P.TrimContext) return this.trim(n);
    if (n instanceof P.NormalizeContext) {
      if (n.normalForm() && n.normalForm()!.getText().toUpperCase() !== 'NFC') throw notSupported(`normalize(${n.normalForm()!.getText()})`);
      return `nfc_normalize(${this.render(n.valueExpression())})`;
    }
    if (n instanceof P.ListAggContext) return this.listagg(n);
    if (n instanceof P.CurrentTimestampContext) return 'current_timestamp';
    if (n instanceof P.LocalTimestampContext) return 'localtimestamp';
    if (n instanceof P.CurrentDateContext) return 'current_date';
    if (n instanceof P.CurrentTimeContext || n instanceof P.LocalTimeContext) throw notSupported(n.getText().toLowerCase());
    if (n instanceof P.CurrentCatalogContext) return sqlString('awsdatacatalog');
    if (n instanceof P.CurrentSchemaContext) return sqlString(this.ctx.database);
    if (n instanceof P.CurrentUserContext || n instanceof P.CurrentPathContext) throw notSupported(n.getText().toLowerCase());
    if (n instanceof P.SortItemContext) return this.sortItem(n);
    if (n instanceof P.QuerySpecificationContext) return this.querySpecification(n);
    if (n instanceof P.QueryNoWithContext) return this.queryNoWith(n);
    if (n instanceof P.InlineTableContext) return this.values(n);
    if (n instanceof P.TableContext) return `SELECT * FROM ${this.tableRef(n.tableRef())}`;
    if (n instanceof P.TableNameContext) {
      if (n.queryPeriod()) throw notSupported('FOR TIMESTAMP AS OF');
      return this.tableRef(n.tableOrViewName());
    }
    if (n instanceof P.UnnestContext) return this.unnest(n);
    if (n instanceof P.SampledRelationContext && n.KW_TABLESAMPLE()) throw notSupported('TABLESAMPLE');
    if (n instanceof P.PatternRecognitionContext && n.KW_MATCH_RECOGNIZE()) throw notSupported('MATCH_RECOGNIZE');
    if (n instanceof P.TableFunctionInvocationContext) throw notSupported('table functions');
    if (n instanceof P.JsonTableContext) throw notSupported('JSON_TABLE');
    if (
      n instanceof P.JsonExistsContext ||
      n instanceof P.JsonValueContext ||
      n instanceof P.JsonQueryContext ||
      n instanceof P.JsonObjectContext ||
      n instanceof P.JsonArrayContext
    )
      throw notSupported(n.start?.text?.toLowerCase() ?? 'json function');
    if (n instanceof P.MeasureContext) throw notSupported('window measures');
    if (n instanceof P.ParameterContext) return '?';
    if (n instanceof P.TypeContext) return this.type(n).sql;
    if (n instanceof P.ComparisonContext || n instanceof P.DistinctFromContext || n instanceof P.BetweenContext) return undefined;
    if (n instanceof P.WithFunctionContext) throw notSupported('WITH FUNCTION');
    if (n instanceof P.GroupByContext && n.setQuantifier()) throw notSupported('GROUP BY DISTINCT');
    if (n instanceof P.QueryPrimaryDefaultContext || n instanceof P.SubqueryContext) return undefined;
    if (n instanceof P.ProcessingModeContext) throw notSupported('RUNNING/FINAL');
    return undefined;
  }

  // ------------------------------------------------------------------ literals

  private numeric(n: P.NumberContext): string {
    const text = n.getText().replaceAll('_', '');
    const negative = text.startsWith('-');
    const body = negative ? text.slice(1) : text;
    const sign = negative ? '-' : '';
    if (n instanceof P.IntegerLiteralContext) {
      if (/^0[xob]/i.test(body)) return sign + BigInt(body.toLowerCase()).toString();
      return sign + body.replace(/^0+(?=\d)/, '');
    }
    if (n instanceof P.DecimalLiteralContext) {
      // Athena types a decimal literal as DOUBLE (see research/athena-api.md §7).
      const normalized = (body.startsWith('.') ? `0${body}` : body).replace(/\.$/, '.0');
      return `${sign}${normalized}e0`;
    }
    return sign + body;
  }

  private typeConstructor(n: P.TypeConstructorContext): string {
    const value = stringValue(n.string());
    const typeName = n.KW_DOUBLE() ? 'double' : identifierValue(n.identifier()!).toLowerCase();
    switch (typeName) {
      case 'date':
        return `DATE ${sqlString(value)}`;
      case 'time':
        return `TIME ${sqlString(value)}`;
      case 'timestamp': {
        const zone = timestampLiteralZone(value);
        if (zone === null) return `TIMESTAMP ${sqlString(value)}`;
        if (!isUtcZone(zone.zone)) throw notSupported('TIMESTAMP literal with a time zone');
        return `TIMESTAMPTZ ${sqlString(zone.local + '+00')}`;
      }
      case 'decimal': {
        const m = /^\s*[+-]?(\d*)(?:\.(\d*))?\s*$/.exec(value);
        if (!m) throw new SqlError('syntax_error', `Invalid decimal literal: ${value}`);
        const scale = (m[2] ?? '').length;
        const precision = Math.max(1, (m[1] ?? '').replace(/^0+/, '').length + scale);
        if (precision > 38) throw notSupported('decimal literal with more than 38 digits');
        return `CAST(${sqlString(value.trim())} AS DECIMAL(${precision}, ${scale}))`;
      }
      default: {
        const mapped = TYPE_NAMES[typeName];
        if (!mapped) throw notSupported(`type ${typeName}`);
        if (mapped === 'VARCHAR') return sqlString(value);
        return `CAST(${sqlString(value)} AS ${mapped})`;
      }
    }
  }

  private interval(n: P.IntervalContext): string {
    const value = stringValue(n.string()).trim();
    const negative = (n.MINUS() !== null) !== value.startsWith('-');
    const body = value.replace(/^[+-]/, '');
    const from = n.intervalField(0)!.getText().toLowerCase();
    const to = n.intervalField(1)?.getText().toLowerCase();
    const sign = negative ? '-' : '';
    let parts: string[];
    if (!to || to === from) {
      if (from === 'second' ? !/^\d+(\.\d+)?$/.test(body) : !/^\d+$/.test(body)) {
        throw new SqlError('syntax_error', `Invalid INTERVAL ${from.toUpperCase()} value: ${value}`);
      }
      parts = [`${sign}${body} ${from}`];
    } else if (from === 'year' && to === 'month') {
      const m = /^(\d+)-(\d+)$/.exec(body);
      if (!m) throw new SqlError('syntax_error', `Invalid INTERVAL YEAR TO MONTH value: ${value}`);
      parts = [`${sign}${m[1]} year`, `${sign}${m[2]} month`];
    } else if (from === 'day' && (to === 'hour' || to === 'minute' || to === 'second')) {
      const m = /^(\d+) (\d+)(?::(\d+))?(?::(\d+(?:\.\d+)?))?$/.exec(body);
      if (!m) throw new SqlError('syntax_error', `Invalid INTERVAL DAY TO ${to.toUpperCase()} value: ${value}`);
      parts = [`${sign}${m[1]} day`, `${sign}${m[2]} hour`];
      if (m[3]) parts.push(`${sign}${m[3]} minute`);
      if (m[4]) parts.push(`${sign}${m[4]} second`);
    } else {
      throw notSupported(`INTERVAL ${from.toUpperCase()} TO ${to.toUpperCase()}`);
    }
    return `(${parts.map((p) => `INTERVAL '${p}'`).join(' + ')})`;
  }

  // ------------------------------------------------------------------ types and casts

  type(n: P.TypeContext): MappedType {
    const base: MappedType = { sql: '', varchar: false, varcharLength: null, integer: false, timestamp: false, date: false };
    if (n instanceof P.DateTimeTypeContext) {
      const withZone = n.KW_WITH() !== null;
      if (n.KW_TIME() && withZone) return { ...base, sql: 'TIMESTAMPTZ', timestamp: true };
      return { ...base, sql: 'TIMESTAMP', timestamp: true };
    }
    if (n instanceof P.TimeTypeContext) {
      if (n.KW_WITH()) throw notSupported('time with time zone');
      return { ...base, sql: 'TIME' };
    }
    if (n instanceof P.DoublePrecisionTypeContext) return { ...base, sql: 'DOUBLE' };
    if (n instanceof P.IntervalTypeContext) return { ...base, sql: 'INTERVAL' };
    if (n instanceof P.ArrayTypeContext) {
      if (n.INTEGER_VALUE()) throw notSupported('array type with a size');
      return { ...base, sql: `${this.type(n.type()).sql}[]` };
    }
    if (n instanceof P.LegacyArrayTypeContext) return { ...base, sql: `${this.type(n.type()).sql}[]` };
    if (n instanceof P.LegacyMapTypeContext) return { ...base, sql: `MAP(${this.type(n._keyType!).sql}, ${this.type(n._valueType!).sql})` };
    if (n instanceof P.RowTypeContext) {
      const fields = n.rowField().map((f, i) => `${f.identifier() ? quoteIdent(identifierValue(f.identifier()!)) : quoteIdent(`field${i}`)} ${this.type(f.type()).sql}`);
      if (n.rowField().some((f) => !f.identifier())) throw notSupported('anonymous row fields');
      return { ...base, sql: `STRUCT(${fields.join(', ')})` };
    }
    if (n instanceof P.GenericTypeContext) {
      const name = identifierValue(n.identifier()).toLowerCase();
      const params = n.typeParameter();
      if (name === 'decimal' || name === 'numeric') {
        const nums = params.map((p) => p.INTEGER_VALUE()?.getText());
        if (nums.some((x) => x === undefined)) throw notSupported('decimal type parameters');
        const [p, s] = nums;
        return { ...base, sql: p ? `DECIMAL(${p}, ${s ?? '0'})` : 'DECIMAL(38, 0)' };
      }
      if (name === 'varchar' || name === 'string') {
        const len = params[0]?.INTEGER_VALUE()?.getText();
        return { ...base, sql: 'VARCHAR', varchar: true, varcharLength: len ? Number(len) : null };
      }
      if (name === 'char') throw notSupported('char');
      if (name === 'map') {
        if (params.length !== 2) throw notSupported('map type');
        return { ...base, sql: `MAP(${this.type(params[0]!.type()!).sql}, ${this.type(params[1]!.type()!).sql})` };
      }
      if (name === 'array') {
        if (params.length !== 1 || !params[0]!.type()) throw notSupported('array type');
        return { ...base, sql: `${this.type(params[0]!.type()!).sql}[]` };
      }
      const mapped = TYPE_NAMES[name];
      if (!mapped || params.length > 0) throw notSupported(`type ${n.getText().toLowerCase()}`);
      return {
        ...base,
        sql: mapped,
        integer: ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT'].includes(mapped),
        date: mapped === 'DATE',
      };
    }
    throw notSupported(`type ${n.getText().toLowerCase()}`);
  }

  private cast(n: P.CastContext): string {
    const tryCast = n.KW_TRY_CAST() !== null;
    const target = this.type(n.type());
    const source = n.expression();
    const zone = this.zoneOf(source);
    if (target.varchar) {
      const text = zone ? this.zonedVarchar(source, zone) : `trino_varchar(${this.render(source)})`;
      return target.varcharLength !== null ? `left(${text}, ${target.varcharLength})` : text;
    }
    if (zone) {
      const local = `timezone(${sqlString(zone)}, ${this.instant(source)})`;
      if (target.sql === 'TIMESTAMP') return local;
      if (target.sql === 'DATE') return `CAST(${local} AS DATE)`;
      if (target.sql === 'TIMESTAMPTZ') return this.instant(source);
      throw notSupported('AT TIME ZONE');
    }
    const op = tryCast ? 'TRY_CAST' : 'CAST';
    const value = this.render(source);
    if (target.integer) {
      // Trino rounds half away from zero (DuckDB rounds half to even); the DOUBLE branch re-reads
      // DuckDB's exact shortest text, so the CASE binds for every input type.
      return (
        `CASE WHEN typeof(${value}) IN ('DOUBLE', 'FLOAT') ` +
        `THEN ${op}(round(TRY_CAST(CAST(${value} AS VARCHAR) AS DOUBLE)) AS ${target.sql}) ELSE ${op}(${value} AS ${target.sql}) END`
      );
    }
    return `${op}(${value} AS ${target.sql})`;
  }

  // ------------------------------------------------------------------ time zones

  /**
   * The constant non-UTC zone of a timestamp-with-time-zone expression (AT TIME ZONE 'z',
   * with_timezone, date_trunc/date_add of one), or null. Runlake represents such values as UTC
   * instants, so only consumers that apply the zone themselves may use them.
   */
  private zoneOf(node: ParseTree): string | null {
    const n = unwrap(node);
    if (n instanceof P.AtTimeZoneContext) {
      const spec = n.timeZoneSpecifier();
      if (!(spec instanceof P.TimeZoneStringContext)) throw notSupported('AT TIME ZONE with an interval');
      const zone = stringValue(spec.string());
      return isUtcZone(zone) ? null : zone;
    }
    if (n instanceof P.FunctionCallContext) {
      const name = n.functionName().getText().toLowerCase();
      const args = n.expression();
      if ((name === 'with_timezone' || name === 'at_timezone') && args.length === 2) {
        const zone = this.literalOf(args[1]!);
        if (zone === null) throw notSupported(`${name} with a non-constant zone`);
        return isUtcZone(zone) ? null : zone;
      }
      if (name === 'date_trunc' && args.length === 2) return this.zoneOf(args[1]!);
      if (name === 'date_add' && args.length === 3) return this.zoneOf(args[2]!);
    }
    return null;
  }

  /** Render an expression as a UTC instant, applying a static zone where it has one. */
  instant(node: ParseTree): string {
    const n = unwrap(node);
    const zone = this.zoneOf(n);
    if (n instanceof P.AtTimeZoneContext) return `CAST(${this.render(n.valueExpression())} AS TIMESTAMPTZ)`;
    if (n instanceof P.FunctionCallContext) {
      const name = n.functionName().getText().toLowerCase();
      const args = n.expression();
      if (name === 'with_timezone' || name === 'at_timezone') {
        const value = this.render(args[0]!);
        if (name === 'at_timezone') return `CAST(${value} AS TIMESTAMPTZ)`;
        return zone ? `timezone(${sqlString(zone)}, CAST(${value} AS TIMESTAMP))` : `CAST(${value} AS TIMESTAMPTZ)`;
      }
      if (zone && name === 'date_trunc') {
        const unit = this.literalOf(args[0]!);
        if (unit === null) throw notSupported('date_trunc with a non-constant unit');
        return `timezone(${sqlString(zone)}, date_trunc(${sqlString(unit.toLowerCase())}, timezone(${sqlString(zone)}, ${this.instant(args[1]!)})))`;
      }
      if (zone && name === 'date_add') {
        const unit = this.literalOf(args[0]!);
        if (unit === null) throw notSupported('date_add with a non-constant unit');
        return `timezone(${sqlString(zone)}, timezone(${sqlString(zone)}, ${this.instant(args[2]!)}) + trino_interval(${sqlString(unit.toLowerCase())}, ${this.render(args[1]!)}))`;
      }
    }
    return this.render(node);
  }

  /** Render as local wall-clock time (a zoned value is converted to its zone's local time). */
  local(node: ParseTree): string {
    const zone = this.zoneOf(node);
    return zone ? `timezone(${sqlString(zone)}, ${this.instant(node)})` : this.render(node);
  }

  private zonedVarchar(node: ParseTree, zone: string): string {
    return `(trino_ts_str(CAST(timezone(${sqlString(zone)}, ${this.instant(node)}) AS VARCHAR)) || ${sqlString(' ' + zone)})`;
  }

  private atTimeZoneAlone(n: P.AtTimeZoneContext): string {
    // Reached only where no zone-aware consumer took the value.
    if (this.zoneOf(n) !== null) throw notSupported('AT TIME ZONE');
    return this.instant(n);
  }

  // ------------------------------------------------------------------ expressions

  private literalOf(node: ParseTree): string | null {
    const n = unwrap(node);
    if (n instanceof P.StringLiteralContext) return stringValue(n.string());
    return null;
  }

  private isIntervalLiteral(node: ParseTree): boolean {
    return unwrap(node) instanceof P.IntervalLiteralContext;
  }

  private isDecimalTyped(node: ParseTree): boolean {
    const n = unwrap(node);
    if (n instanceof P.CastContext) {
      const t = n.type();
      return t instanceof P.GenericTypeContext && ['decimal', 'numeric'].includes(identifierValue(t.identifier()).toLowerCase());
    }
    if (n instanceof P.TypeConstructorContext) return !n.KW_DOUBLE() && identifierValue(n.identifier()!).toLowerCase() === 'decimal';
    return false;
  }

  private arithmetic(n: P.ArithmeticBinaryContext): string {
    const [l, r] = n.valueExpression();
    const op = n._operator?.text ?? '';
    if (op === '/' || op === '%') {
      if (this.isDecimalTyped(l!) || this.isDecimalTyped(r!)) throw notSupported(`decimal ${op === '/' ? 'division' : 'modulus'}`);
      // DuckDB's `//` truncates integers toward zero and divides floating-point values like `/`.
      return `(${this.render(l!)} ${op === '/' ? '//' : '%'} trino_divisor(${this.render(r!)}))`;
    }
    if ((op === '+' || op === '-') && this.isIntervalLiteral(r!)) {
      return this.plusInterval(l!, r!, op);
    }
    if (op === '+' && this.isIntervalLiteral(l!)) {
      return this.plusInterval(r!, l!, '+');
    }
    return this.splice(n);
  }

  /** `x ± INTERVAL ...`: a DATE stays a DATE (DuckDB would return a TIMESTAMP). */
  private plusInterval(x: ParseTree, interval: ParseTree, op: string): string {
    if (this.zoneOf(x)) throw notSupported('AT TIME ZONE');
    const value = this.render(x);
    const i = this.render(interval);
    if (!this.hasAggregate(x)) return `${op === '+' ? 'trino_plus_interval' : 'trino_minus_interval'}(${value}, ${i})`;
    const type = this.staticType(x);
    if (type === 'DATE') return `CAST(${value} ${op} ${i} AS DATE)`;
    if (type !== null) return `(${value} ${op} ${i})`;
    throw notSupported('interval arithmetic on an aggregate of unknown type (cast it to date or timestamp)');
  }

  /** True when the expression has an aggregate or window call outside subqueries. */
  hasAggregate(node: ParseTree): boolean {
    if (node instanceof P.SubqueryExpressionContext || node instanceof P.ExistsContext || node instanceof P.InSubqueryContext) return false;
    if (node instanceof P.ListAggContext) return true;
    if (node instanceof P.FunctionCallContext) {
      if (node.over() || node.filter()) return true;
      const name = node.functionName().getText().toLowerCase();
      if (AGGREGATES.has(name)) return true;
    }
    if (isTerminal(node)) return false;
    return ((node as ParserRuleContext).children ?? []).some((c) => this.hasAggregate(c));
  }

  /** The temporal type of an expression when it is evident from its syntax, else null. */
  staticType(node: ParseTree): 'DATE' | 'TIMESTAMP' | 'TIMESTAMPTZ' | null {
    const n = unwrap(node);
    if (n instanceof P.TypeConstructorContext && !n.KW_DOUBLE()) {
      const t = identifierValue(n.identifier()!).toLowerCase();
      if (t === 'date') return 'DATE';
      if (t === 'timestamp') return timestampLiteralZone(stringValue(n.string())) ? 'TIMESTAMPTZ' : 'TIMESTAMP';
      return null;
    }
    if (n instanceof P.CastContext) {
      const sql = this.type(n.type()).sql;
      return sql === 'DATE' || sql === 'TIMESTAMP' || sql === 'TIMESTAMPTZ' ? sql : null;
    }
    if (n instanceof P.CurrentDateContext) return 'DATE';
    if (n instanceof P.CurrentTimestampContext) return 'TIMESTAMPTZ';
    if (n instanceof P.LocalTimestampContext) return 'TIMESTAMP';
    if (n instanceof P.ArithmeticBinaryContext && this.isIntervalLiteral(n.valueExpression(1)!)) return this.staticType(n.valueExpression(0)!);
    if (n instanceof P.FunctionCallContext) {
      const name = n.functionName().getText().toLowerCase();
      const args = n.expression();
      switch (name) {
        case 'min':
        case 'max':
        case 'arbitrary':
        case 'any_value':
        case 'first_value':
        case 'last_value':
        case 'lag':
        case 'lead':
          return args[0] ? this.staticType(args[0]) : null;
        case 'date_trunc':
          return args[1] ? this.staticType(args[1]) : null;
        case 'date_add':
          return args[2] ? this.staticType(args[2]) : null;
        case 'date':
        case 'from_iso8601_date':
        case 'last_day_of_month':
          return 'DATE';
        case 'date_parse':
          return 'TIMESTAMP';
        case 'now':
        case 'from_unixtime':
        case 'from_iso8601_timestamp':
        case 'parse_datetime':
          return 'TIMESTAMPTZ';
        default:
          return null;
      }
    }
    return null;
  }

  private extract(n: P.ExtractContext): string {
    const fieldName = identifierValue(n.identifier()).toLowerCase();
    const map: Record<string, string> = {
      year: 'year',
      quarter: 'quarter',
      month: 'month',
      week: 'week',
      day: 'day',
      day_of_month: 'day',
      day_of_week: 'isodow',
      dow: 'isodow',
      day_of_year: 'dayofyear',
      doy: 'dayofyear',
      year_of_week: 'isoyear',
      yow: 'isoyear',
      hour: 'hour',
      minute: 'minute',
      second: 'second',
    };
    const f = map[fieldName];
    if (!f) throw notSupported(`EXTRACT(${fieldName.toUpperCase()})`);
    return `${f}(${this.local(n.valueExpression())})`;
  }

  private trim(n: P.TrimContext): string {
    const spec = n.trimsSpecification()?.getText().toUpperCase() ?? 'BOTH';
    const fn = spec === 'LEADING' ? 'ltrim' : spec === 'TRAILING' ? 'rtrim' : 'trim';
    const source = this.render(n._trimSource!);
    return n._trimChar ? `${fn}(${source}, ${this.render(n._trimChar)})` : `${fn}(${source})`;
  }

  private listagg(n: P.ListAggContext): string {
    if (n.KW_OVERFLOW()) throw notSupported('LISTAGG ON OVERFLOW');
    const distinct = n.setQuantifier()?.getText().toUpperCase() === 'DISTINCT' ? 'DISTINCT ' : '';
    const sep = n.string() ? sqlString(stringValue(n.string()!)) : "''";
    const order = n.sortItem().map((s) => this.render(s)).join(', ');
    const filter = n.filter() ? ` ${this.render(n.filter()!)}` : '';
    return `string_agg(${distinct}${this.render(n.expression())}, ${sep} ORDER BY ${order})${filter}`;
  }

  private functionCall(n: P.FunctionCallContext): string {
    const qualified = n.functionName().qualifiedName().identifier();
    if (qualified.length !== 1) throw notSupported(n.functionName().getText().toLowerCase());
    const name = identifierValue(qualified[0]!).toLowerCase();
    if (name === 'with_timezone' || name === 'at_timezone') {
      if (this.zoneOf(n) !== null) throw notSupported('AT TIME ZONE');
      return this.instant(n);
    }
    if (n.processingMode()) throw notSupported('RUNNING/FINAL');
    const rule = lookupFunction(name);
    const args = n.expression();
    const star = n.ASTERISK() !== null;
    if (star && name !== 'count') throw notSupported(`${name}(*)`);
    const arity = star ? 0 : args.length;
    if (arity < rule.arity[0] || arity > rule.arity[1]) throw notSupported(`${name} with ${arity} argument${arity === 1 ? '' : 's'}`);

    const distinct = n.setQuantifier()?.getText().toUpperCase() === 'DISTINCT';
    const orderBy = n.KW_ORDER() ? ` ORDER BY ${n.sortItem().map((s) => this.render(s)).join(', ')}` : '';
    let tail = '';
    if (n.filter()) tail += ` ${this.render(n.filter()!)}`;
    if (n.over()) tail += ` ${this.render(n.over()!)}`;
    // DuckDB takes IGNORE NULLS inside the parentheses.
    const nulls = n.nullTreatment() ? (n.nullTreatment()!.getText().toUpperCase() === 'IGNORENULLS' ? ' IGNORE NULLS' : '') : '';

    if (rule.kind === 'same' || rule.kind === 'rename') {
      if ((distinct || orderBy || tail) && !rule.aggregate) throw notSupported(`${name} with DISTINCT, ORDER BY, FILTER or OVER`);
      const duck = rule.kind === 'rename' ? rule.to : name;
      const inner = star ? '*' : `${distinct ? 'DISTINCT ' : ''}${args.map((a) => this.render(a)).join(', ')}${orderBy}${nulls}`;
      return `${duck}(${inner})${tail}`;
    }
    let rendered: string[] | null = null;
    const renderArg = (a: ParseTree): string => this.render(a);
    const literalOf = (i: number): string | null => (args[i] ? this.literalOf(args[i]!) : null);
    const local = (i: number): string => this.local(args[i]!);
    const instant = (i: number): string => this.instant(args[i]!);
    const hasAggregate = (i: number): boolean => (args[i] ? this.hasAggregate(args[i]!) : false);
    const staticType = (i: number): 'DATE' | 'TIMESTAMP' | 'TIMESTAMPTZ' | null => (args[i] ? this.staticType(args[i]!) : null);
    const c: Call = {
      name,
      hasAggregate,
      staticType,
      // Rendered on first use: a zone-aware rule reads local()/instant() instead.
      get args(): readonly string[] {
        rendered ??= args.map(renderArg);
        return rendered;
      },
      literal: literalOf,
      local,
      instant,
      isArray: (i) => {
        const a = unwrap(args[i]!);
        return a instanceof P.ArrayConstructorContext || (a instanceof P.FunctionCallContext && ['array_agg', 'split', 'regexp_extract_all'].includes(a.functionName().getText().toLowerCase()));
      },
      isMap: (i) => {
        const a = unwrap(args[i]!);
        return a instanceof P.FunctionCallContext && ['map', 'map_agg', 'histogram', 'map_from_entries'].includes(a.functionName().getText().toLowerCase());
      },
      distinct,
      orderBy,
      tail,
    };
    if (nulls) throw notSupported(`${name} IGNORE NULLS`);
    return rule.render(c);
  }

  private sortItem(n: P.SortItemContext): string {
    const text = this.splice(n);
    // Trino sorts NULLs last in both directions unless told otherwise.
    return n.KW_NULLS() ? text : `${text} NULLS LAST`;
  }

  /**
   * `db.table.column` (Metabase writes these) → `table.column`: the organization's database is the
   * current schema. Only names of at least `minParts` parts are considered qualified that way.
   */
  private columnReference(q: P.QualifiedNameContext, minParts: number): string {
    let parts = q.identifier().map(identifierValue);
    const db = this.ctx.database.toLowerCase();
    if (parts.length >= minParts + 1 && this.catalogs.has(parts[0]!.toLowerCase()) && parts[1]!.toLowerCase() === db) parts = parts.slice(2);
    else if (parts.length >= minParts && parts[0]!.toLowerCase() === db) parts = parts.slice(1);
    return parts.map(quoteIdent).join('.');
  }

  // ------------------------------------------------------------------ queries and relations

  private querySpecification(n: P.QuerySpecificationContext): string {
    let out = '';
    let pos = n.start!.tokenIndex;
    let column = 0;
    let widthKnown = true;
    for (const child of n.children ?? []) {
      const range = this.range(child);
      if (!range) continue;
      out += this.hidden(pos, range[0]);
      if (child instanceof P.SelectListContext) {
        let inner = '';
        let ipos = range[0];
        for (const item of child.children ?? []) {
          const r = this.range(item);
          if (!r) continue;
          inner += this.hidden(ipos, r[0]);
          if (item instanceof P.SelectItemContext) {
            inner += this.render(item);
            if (item.selectAllWithoutTable() || item.tableAllColumns()) widthKnown = false;
            else if (!item.identifier() && this.dereferenceField(item) !== null) {
              // Trino names `expr.field` by the field name.
              inner += ` AS ${quoteIdent(this.dereferenceField(item)!)}`;
            } else if (!item.identifier() && !item.selectLiteralColumnName() && widthKnown && !this.isColumnLike(item)) {
              // Trino names unaliased expressions _col<position>.
              inner += ` AS ${quoteIdent(`_col${column}`)}`;
            }
            column++;
          } else {
            inner += this.render(item);
          }
          ipos = r[1] + 1;
        }
        out += inner;
      } else {
        out += this.render(child);
      }
      pos = range[1] + 1;
    }
    return out;
  }

  private dereferenceField(item: P.SelectItemContext): string | null {
    const expr = item.selectExpressionColumnName()?.expression();
    const n = expr ? unwrap(expr) : null;
    return n instanceof P.DereferenceContext ? identifierValue(n._fieldName!) : null;
  }

  /** `a.b` (a dereference) keeps the field name as its column name in Trino. */
  private isColumnLike(item: P.SelectItemContext): boolean {
    const expr = item.selectExpressionColumnName()?.expression();
    if (!expr) return false;
    const n = unwrap(expr);
    return n instanceof P.DereferenceContext || n instanceof P.ColumnReferenceContext;
  }

  private queryNoWith(n: P.QueryNoWithContext): string {
    if (n.KW_FETCH()) {
      if (n.KW_TIES()) throw notSupported('FETCH FIRST ... WITH TIES');
    }
    let out = this.render(n.queryTerm());
    if (n.KW_ORDER()) out += ` ORDER BY ${n.sortItem().map((s) => this.render(s)).join(', ')}`;
    const limit = n._limit ? (n._limit.KW_ALL() ? null : n._limit.getText()) : n.KW_FETCH() ? (n._fetchFirst?.getText() ?? '1') : null;
    if (limit !== null) out += ` LIMIT ${limit}`;
    if (n._offset) out += ` OFFSET ${n._offset.getText()}`;
    return out;
  }

  private values(n: P.InlineTableContext): string {
    const rows = n.expression().map((e) => {
      const u = unwrap(e);
      if (u instanceof P.RowConstructorContext) {
        const fields = u.expression().map((x) => this.render(x));
        return { sql: `(${fields.join(', ')})`, width: fields.length };
      }
      return { sql: `(${this.render(e)})`, width: 1 };
    });
    const width = rows[0]?.width ?? 1;
    const names = Array.from({ length: width }, (_, i) => quoteIdent(`_col${i}`)).join(', ');
    return `SELECT * FROM (VALUES ${rows.map((r) => r.sql).join(', ')}) AS "_values"(${names})`;
  }

  private unnest(n: P.UnnestContext): string {
    const args = n.expression().map((e) => this.render(e));
    const ordinality = n.KW_ORDINALITY() !== null;
    if (args.length === 1 && !ordinality) return `unnest(${args[0]})`;
    if (args.length === 1) return `unnest(${args[0]}) WITH ORDINALITY`;
    const cols = args.map((a, i) => `unnest(${a}) AS ${quoteIdent(`_u${i}`)}`);
    if (ordinality) {
      cols.push(`unnest(range(1, greatest(${args.map((a) => `coalesce(length(${a}), 0)`).join(', ')}) + 1)) AS "_ordinality"`);
    }
    return `LATERAL (SELECT ${cols.join(', ')})`;
  }

  // ------------------------------------------------------------------ names

  /** Resolve a table name to DuckDB SQL; throws unknown_database for another database. */
  tableRef(n: P.TableOrViewNameContext | P.TableRefContext | P.TableNameCreateContext | P.ViewRefContext | P.ViewNameCreateContext): string {
    const q = this.resolveName(n);
    if (q.schema === 'information_schema') return informationSchemaRef(q.name);
    return q.schema === null ? quoteIdent(q.name) : `${quoteIdent(q.schema)}.${quoteIdent(q.name)}`;
  }

  /** The (schema, name) a name refers to, schema null for the organization's database. */
  resolveName(n: ParserRuleContext): QualifiedName {
    const ids = collectIdentifiers(n).map(identifierValue);
    const name = ids[ids.length - 1]!;
    if (ids.length === 1) return { schema: null, name };
    if (ids.length === 3) this.checkCatalog(ids[0]!);
    const schema = ids[ids.length - 2]!;
    return { schema: this.schemaFor(schema), name };
  }

  checkCatalog(catalog: string): void {
    if (!this.catalogs.has(catalog.toLowerCase())) {
      throw new SqlError('unknown_database', `Catalog '${catalog}' is not available: this connection can only query the catalog AwsDataCatalog`);
    }
  }

  schemaFor(schema: string): string | null {
    const lower = schema.toLowerCase();
    if (lower === this.ctx.database.toLowerCase()) return null;
    if (this.ctx.scratchSchema && lower === this.ctx.scratchSchema.toLowerCase()) return this.ctx.scratchSchema;
    if (lower === 'information_schema') return 'information_schema';
    throw new SqlError('unknown_database', `Database '${schema}' is not available: this connection can only query the database '${this.ctx.database}'`);
  }
}

/**
 * `information_schema.X` → the emulated relation (src/catalog/trino-info.ts): the engine's own
 * information_schema would show its internal schemas and view SQL. Another X does not exist, in
 * Trino's words.
 */
function informationSchemaRef(name: string): string {
  const lower = name.toLowerCase();
  if (!(TRINO_INFO_RELATIONS as readonly string[]).includes(lower)) {
    throw new SqlError('unknown_table', `Table 'awsdatacatalog.information_schema.${lower}' does not exist`);
  }
  return `${quoteIdent(TRINO_INFO_SCHEMA)}.${quoteIdent(lower)}`;
}

function collectIdentifiers(n: ParserRuleContext): P.IdentifierContext[] {
  const out: P.IdentifierContext[] = [];
  const walk = (node: ParseTree): void => {
    if (node instanceof P.IdentifierContext) {
      out.push(node);
      return;
    }
    if (!isTerminal(node)) for (const c of (node as ParserRuleContext).children ?? []) walk(c);
  };
  walk(n);
  return out;
}

/** Split a TIMESTAMP literal into local part and zone, or null when it has no zone. */
function timestampLiteralZone(value: string): { local: string; zone: string } | null {
  const m = /^(\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?)\s*(.*)$/.exec(value.trim());
  if (!m || !m[2]) return null;
  return { local: m[1]!, zone: m[2] };
}
