/**
 * PostgreSQL → DuckDB rewriting of one statement's text, driven by the real parser's tree: only
 * the nodes a rule changes are rewritten (by token ranges of the original text); everything else
 * passes through verbatim. See CONTEXT.md for the rules.
 */
import {
  INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_FUNCTIONS, PG_CATALOG_RELATIONS, PG_CATALOG_SCHEMA, PG_INFO_SCHEMA,
} from '../../catalog/pg-catalog.ts';
import { Edits } from './edits.ts';
import { PgSqlError } from './errors.ts';
import { toCharExpression, ToCharUnsupported } from './to-char.ts';
import { byteToChar, type Token } from './parse.ts';

export interface RewriteContext {
  database: string;
  scratchSchema: string;
  user: string;
  searchPath: string[];
  settings: ReadonlyMap<string, string>;
  backendPid: number;
  /** The session's temporary tables: unqualified (or `pg_temp.`) names that resolve to them first. */
  tempTables?: ReadonlySet<string>;
}

const PGC_RELATIONS = new Set<string>(PG_CATALOG_RELATIONS);
const INFO_RELATIONS = new Set<string>(INFORMATION_SCHEMA_RELATIONS);
const PGC_FUNCTIONS = new Set<string>(PG_CATALOG_FUNCTIONS);

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Fields of a node `{ Type: fields }`. */
function inner(n: unknown): [string, Record<string, unknown>] | undefined {
  if (typeof n !== 'object' || n === null || Array.isArray(n)) return undefined;
  const keys = Object.keys(n);
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  if (!/^[A-Z]/.test(k)) return undefined;
  const v = (n as Record<string, unknown>)[k];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return [k, v as Record<string, unknown>];
}

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((x) => {
    const i = inner(x);
    if (i && i[0] === 'String') return String(i[1].sval ?? '');
    if (i && i[0] === 'A_Star') return '*';
    return '';
  });
}

const INT_TYPES = new Set(['int2', 'int4', 'int8', 'smallint', 'integer', 'bigint', 'int']);
const INT_FUNCTIONS = new Set(['count', 'length', 'char_length', 'character_length', 'octet_length', 'array_length', 'strpos', 'ascii', 'cardinality', 'array_upper', 'array_lower', 'pg_backend_pid']);

/** DuckDB spelling of PostgreSQL type names that differ (by the parser's canonical name). */
const DUCK_TYPES: Record<string, string> = {
  name: 'VARCHAR', char: 'VARCHAR', bpchar: 'VARCHAR', text: 'VARCHAR', varchar: 'VARCHAR',
  oid: 'BIGINT', xid: 'BIGINT', cid: 'BIGINT', xid8: 'BIGINT', regclass: 'BIGINT',
  int2: 'SMALLINT', int4: 'INTEGER', int8: 'BIGINT', float4: 'REAL', float8: 'DOUBLE', bool: 'BOOLEAN',
  numeric: 'DECIMAL', jsonb: 'JSON', json: 'JSON', bytea: 'BLOB', int2vector: 'SMALLINT[]', oidvector: 'BIGINT[]',
  timestamptz: 'TIMESTAMPTZ', timestamp: 'TIMESTAMP', date: 'DATE', time: 'TIME', timetz: 'TIMETZ', interval: 'INTERVAL',
  uuid: 'UUID',
};
/** Types whose written spelling DuckDB does not know: always rewritten. */
const FOREIGN_TYPES = new Set(['name', 'char', 'bpchar', 'oid', 'xid', 'cid', 'xid8', 'jsonb', 'bytea', 'int2vector', 'oidvector']);
const REG_TYPES = new Set(['regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'regrole', 'regoper', 'regoperator', 'regconfig', 'regdictionary', 'regcollation']);
const TEXT_TYPES = new Set(['text', 'varchar', 'name', 'bpchar', 'char']);

const SET_RETURNING = new Set(['generate_series', 'unnest', 'generate_subscripts', 'regexp_matches', 'regexp_split_to_table', 'json_each', 'json_each_text', 'jsonb_each', 'json_array_elements', '_pg_expandarray', 'range']);

/** Clause keywords that end a select-list item or expression at paren depth 0. */
const TYPE_CONTINUATION = new Set(['precision', 'varying', 'with', 'without', 'time', 'zone']);

export class Rewriter {
  readonly edits: Edits;
  private readonly b2c: (b: number) => number;
  private readonly cteNames = new Set<string>();
  /** Whether the statement reads one of the session's temporary tables (set while rewriting). */
  readsTemp = false;

  constructor(
    readonly sql: string,
    readonly tokens: Token[],
    readonly ctx: RewriteContext,
  ) {
    this.edits = new Edits(sql);
    this.b2c = byteToChar(sql);
  }

  // ---------------------------------------------------------------- tokens

  loc(n: Record<string, unknown>): number {
    const l = n.location;
    return typeof l === 'number' && l >= 0 ? this.b2c(l) : -1;
  }

  /** Index of the first token starting at or after `pos`. */
  tokAt(pos: number): number {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid]!.start < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private t(i: number): Token | undefined {
    return this.tokens[i];
  }

  private is(i: number, text: string): boolean {
    const t = this.tokens[i];
    return t !== undefined && t.text.toLowerCase() === text;
  }

  private isNamePart(i: number): boolean {
    const t = this.tokens[i];
    return t !== undefined && (t.name === 'IDENT' || t.keyword !== 'NO_KEYWORD');
  }

  /** After a dotted name starting at token i. */
  nameChainEnd(i: number): number {
    let j = i + 1;
    while (this.is(j, '.') && (this.isNamePart(j + 1) || this.is(j + 1, '*'))) j += 2;
    return j;
  }

  /** Token i opens `(` or `[`: the index after its match. */
  balancedEnd(i: number): number {
    let depth = 0;
    for (let j = i; j < this.tokens.length; j++) {
      const x = this.tokens[j]!.text;
      if (x === '(' || x === '[') depth++;
      else if (x === ')' || x === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return this.tokens.length;
  }

  /** After postfix operators: subscripts, field selection, `::type` casts. */
  private postfixEnd(j: number): number {
    for (;;) {
      if (this.is(j, '[')) j = this.balancedEnd(j);
      else if (this.is(j, '.') && (this.isNamePart(j + 1) || this.is(j + 1, '*'))) j += 2;
      else return j;
    }
  }

  /** After a type name starting at token i. */
  typeEnd(i: number): number {
    let j = this.nameChainEnd(i);
    while (this.t(j) && TYPE_CONTINUATION.has(this.tokens[j]!.text.toLowerCase()) && this.t(j)!.name !== 'IDENT') j++;
    if (this.is(j, '(')) j = this.balancedEnd(j);
    while (this.t(j) && TYPE_CONTINUATION.has(this.tokens[j]!.text.toLowerCase()) && this.t(j)!.name !== 'IDENT') j++;
    while (this.is(j, '[')) j = this.balancedEnd(j);
    return j;
  }

  /** After a function call whose name starts at token i. */
  private callEnd(i: number): number {
    let j = this.nameChainEnd(i);
    if (this.is(j, '(')) j = this.balancedEnd(j);
    if (this.is(j, 'within') && this.is(j + 1, 'group') && this.is(j + 2, '(')) j = this.balancedEnd(j + 2);
    if (this.is(j, 'filter') && this.is(j + 1, '(')) j = this.balancedEnd(j + 1);
    if (this.is(j, 'over')) j = this.is(j + 1, '(') ? this.balancedEnd(j + 1) : j + 2;
    return j;
  }

  /** Smallest location in a subtree (character offset), or -1. */
  minLoc(n: unknown): number {
    let best = -1;
    const visit = (x: unknown): void => {
      if (Array.isArray(x)) {
        for (const y of x) visit(y);
        return;
      }
      if (typeof x !== 'object' || x === null) return;
      const o = x as Record<string, unknown>;
      if (typeof o.location === 'number' && o.location >= 0) {
        const c = this.b2c(o.location);
        if (best < 0 || c < best) best = c;
      }
      for (const [k, v] of Object.entries(o)) if (k !== 'location' && typeof v === 'object') visit(v);
    };
    visit(n);
    return best;
  }

  /** Token index range [start, end) of an expression node, parentheses balanced. */
  nodeTokens(node: unknown): [number, number] {
    const s = this.minLoc(node);
    if (s < 0) throw new PgSqlError('0A000', 'not supported: an expression without a position');
    let start = this.tokAt(s);
    let end = this.exprEnd(node, start);
    // Balance parentheses: a parenthesised operand's `(` is not part of its tree.
    let depth = 0;
    let minDepth = 0;
    for (let j = start; j < end; j++) {
      const x = this.tokens[j]!.text;
      if (x === '(' || x === '[') depth++;
      else if (x === ')' || x === ']') depth--;
      minDepth = Math.min(minDepth, depth);
    }
    while (minDepth < 0 && start > 0 && this.is(start - 1, '(')) {
      start--;
      minDepth++;
      depth++;
    }
    while (depth > 0 && (this.is(end, ')') || this.is(end, ']'))) {
      end++;
      depth--;
    }
    return [start, end];
  }

  /** Character range of an expression node. */
  nodeRange(node: unknown): [number, number] {
    const [s, e] = this.nodeTokens(node);
    return [this.tokens[s]!.start, this.tokens[e - 1]!.end];
  }

  private exprEnd(node: unknown, start: number): number {
    const i = inner(node);
    if (!i) return start + 1;
    const [type, f] = i;
    const at = this.loc(f) >= 0 ? this.tokAt(this.loc(f)) : start;
    switch (type) {
      case 'ColumnRef':
        return this.nameChainEnd(at);
      case 'A_Const':
        return this.is(at, '-') || this.is(at, '+') ? at + 2 : at + 1;
      case 'ParamRef':
        return at + 1;
      case 'FuncCall':
        if (this.isEscapeSyntax(f, at)) {
          const args = (f.args as unknown[]) ?? [];
          const last = args[args.length - 1];
          return last === undefined ? at + 1 : this.exprEnd(last, this.tokAt(this.minLoc(last)));
        }
        return this.callEnd(at);
      case 'CoalesceExpr':
      case 'MinMaxExpr':
      case 'XmlExpr':
      case 'GroupingFunc':
        return this.callEnd(at);
      case 'SQLValueFunction':
        return this.is(at + 1, '(') ? this.balancedEnd(at + 1) : at + 1;
      case 'TypeCast': {
        if (this.is(at, 'cast')) return this.balancedEnd(at + 1);
        const tn = f.typeName as Record<string, unknown> | undefined;
        const tl = tn ? this.loc(tn) : -1;
        if (tl >= 0 && this.is(at, '::')) return this.typeEnd(this.tokAt(tl));
        // `type 'literal'` (e.g. interval '1 day'): the literal follows the type name.
        return this.exprEnd(f.arg, start);
      }
      case 'A_Expr': {
        const kind = String(f.kind ?? '');
        if (kind === 'AEXPR_NULLIF') return this.callEnd(at);
        const r = f.rexpr;
        if (Array.isArray(r)) {
          const last = r[r.length - 1];
          let j = this.exprEnd(last, this.tokAt(this.minLoc(last)));
          while (this.is(j, ')')) j++;
          return j;
        }
        if (r !== undefined) {
          const j = this.exprEnd(r, this.tokAt(this.minLoc(r)));
          return kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_OP_ALL' ? this.skipClose(j) : j;
        }
        return at + 1;
      }
      case 'BoolExpr': {
        const args = (f.args as unknown[]) ?? [];
        const last = args[args.length - 1];
        return last === undefined ? at + 1 : this.exprEnd(last, this.tokAt(this.minLoc(last)));
      }
      case 'NullTest':
      case 'BooleanTest': {
        let j = this.exprEnd(f.arg, this.tokAt(this.minLoc(f.arg)));
        while (this.t(j) && ['is', 'not', 'null', 'true', 'false', 'unknown', ')'].includes(this.tokens[j]!.text.toLowerCase())) {
          if (this.is(j, ')')) break;
          j++;
        }
        return j;
      }
      case 'CaseExpr': {
        let depth = 0;
        for (let j = at; j < this.tokens.length; j++) {
          if (this.is(j, 'case')) depth++;
          else if (this.is(j, 'end')) {
            depth--;
            if (depth === 0) return j + 1;
          }
        }
        return this.tokens.length;
      }
      case 'SubLink': {
        let j = at;
        while (j < this.tokens.length && !this.is(j, '(')) j++;
        return this.balancedEnd(j);
      }
      case 'A_ArrayExpr': {
        let j = at;
        while (j < this.tokens.length && !this.is(j, '[')) j++;
        return this.balancedEnd(j);
      }
      case 'RowExpr': {
        let j = at;
        while (j < this.tokens.length && !this.is(j, '(')) j++;
        return this.balancedEnd(j);
      }
      case 'A_Indirection': {
        let j = this.exprEnd(f.arg, this.tokAt(this.minLoc(f.arg)));
        while (this.is(j, ')')) j++;
        return this.postfixEnd(j);
      }
      case 'CollateClause': {
        const j = this.exprEnd(f.arg, this.tokAt(this.minLoc(f.arg)));
        return this.is(j, 'collate') ? this.nameChainEnd(j + 1) : j;
      }
      default:
        return at + 1;
    }
  }

  private skipClose(j: number): number {
    return this.is(j, ')') ? j + 1 : j;
  }

  /** Character range [start, end) of tokens [i, j). */
  span(i: number, j: number): [number, number] {
    return [this.tokens[i]!.start, this.tokens[j - 1]!.end];
  }

  // ---------------------------------------------------------------- walking

  rewrite(root: unknown): void {
    this.collectCtes(root);
    this.walk(root, []);
  }

  private collectCtes(n: unknown): void {
    if (Array.isArray(n)) {
      for (const x of n) this.collectCtes(x);
      return;
    }
    if (typeof n !== 'object' || n === null) return;
    const i = inner(n);
    if (i && i[0] === 'CommonTableExpr' && typeof i[1].ctename === 'string') this.cteNames.add(i[1].ctename);
    for (const v of Object.values(n)) if (typeof v === 'object') this.collectCtes(v);
  }

  /** `parents`: the chain of [type, fields, key] above the node. */
  private walk(n: unknown, parents: [string, Record<string, unknown>, string][]): void {
    if (Array.isArray(n)) {
      for (const x of n) this.walk(x, parents);
      return;
    }
    if (typeof n !== 'object' || n === null) return;
    const i = inner(n);
    if (!i) {
      for (const v of Object.values(n)) if (typeof v === 'object') this.walk(v, parents);
      return;
    }
    const [type, f] = i;
    this.visit(type, f, parents);
    for (const [k, v] of Object.entries(f)) {
      if (typeof v === 'object' && v !== null) this.walk(v, [...parents, [type, f, k]]);
    }
  }

  private visit(type: string, f: Record<string, unknown>, parents: [string, Record<string, unknown>, string][]): void {
    switch (type) {
      case 'RangeVar':
        return this.rangeVar(f);
      case 'ColumnRef':
        return this.columnRef(f);
      case 'FuncCall':
        return this.funcCall(f, parents);
      case 'TypeCast':
        return this.typeCast(f, parents);
      case 'A_Expr':
        return this.aExpr(f);
      case 'CollateClause':
        return this.collate(f);
      case 'SQLValueFunction':
        return this.sqlValueFunction(f);
      case 'RangeFunction':
        return this.rangeFunction(f);
      case 'ResTarget':
        return this.resTarget(f, parents);
      default:
        return;
    }
  }

  /**
   * `expr AS Name` in a select list: PostgreSQL folds the unquoted alias to lower case (`name`),
   * DuckDB keeps its case; quoted as folded, the engine's column has PostgreSQL's name (which shows
   * through `SELECT *`, temporary and scratch tables).
   */
  private resTarget(f: Record<string, unknown>, parents: [string, Record<string, unknown>, string][]): void {
    const parent = parents[parents.length - 1];
    if (!parent || parent[0] !== 'SelectStmt' || parent[2] !== 'targetList') return;
    const name = f.name;
    if (typeof name !== 'string' || f.val === undefined) return;
    let i: number;
    try {
      i = this.nodeTokens(f.val)[1];
    } catch {
      return;
    }
    if (this.is(i, 'as')) i++;
    const t = this.t(i);
    // An unquoted word (identifier or keyword) spelled with capitals.
    if (!t || !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(t.text) || t.text === name || t.text.toLowerCase() !== name) return;
    this.edits.replace(t.start, t.end, quoteIdent(name));
  }

  // ---------------------------------------------------------------- names

  /** The DuckDB name of a relation reference, or throws 42P01 / 3D000. */
  relationName(catalog: string | undefined, schema: string | undefined, name: string, position: number): string {
    if (catalog !== undefined && catalog !== this.ctx.database) {
      throw new PgSqlError('3D000', `cross-database references are not implemented: ${catalog}.${schema ?? ''}.${name}`, position + 1);
    }
    // The session's temporary tables come first (PostgreSQL searches pg_temp before anything else).
    const tempSchema = schema !== undefined && /^pg_temp(_\d+)?$/.test(schema);
    if ((schema === undefined || tempSchema) && this.ctx.tempTables?.has(name) && !this.cteNames.has(name)) {
      this.readsTemp = true;
      return quoteIdent(name);
    }
    if (tempSchema && this.ctx.tempTables) throw new PgSqlError('42P01', `relation "${schema}.${name}" does not exist`, position + 1);
    if (schema === 'pg_catalog' || (schema === undefined && PGC_RELATIONS.has(name) && !this.cteNames.has(name))) {
      if (!PGC_RELATIONS.has(name)) throw new PgSqlError('42P01', `relation "${schema ?? 'pg_catalog'}.${name}" does not exist`, position + 1);
      return `${PG_CATALOG_SCHEMA}.${quoteIdent(name)}`;
    }
    if (schema === 'information_schema') {
      if (!INFO_RELATIONS.has(name)) throw new PgSqlError('42P01', `relation "information_schema.${name}" does not exist`, position + 1);
      return `${PG_INFO_SCHEMA}.${quoteIdent(name)}`;
    }
    if (schema === undefined || schema === 'public') return quoteIdent(name);
    if (schema === this.ctx.scratchSchema) return `${quoteIdent(schema)}.${quoteIdent(name)}`;
    if (schema.startsWith('pg_temp')) return quoteIdent(name);
    throw new PgSqlError('42P01', `relation "${schema}.${name}" does not exist`, position + 1);
  }

  private rangeVar(f: Record<string, unknown>): void {
    const pos = this.loc(f);
    if (pos < 0) return;
    const i = this.tokAt(pos);
    const end = this.nameChainEnd(i);
    const name = this.relationName(
      f.catalogname as string | undefined,
      f.schemaname as string | undefined,
      String(f.relname),
      pos,
    );
    const [s, e] = this.span(i, end);
    this.edits.replace(s, e, name);
  }

  private columnRef(f: Record<string, unknown>): void {
    const fields = strings(f.fields);
    if (fields.length < 3) return;
    const pos = this.loc(f);
    const i = this.tokAt(pos);
    // Keep `table.column`: drop [database.]schema.
    const drop = fields.length - 2;
    const keepFrom = i + drop * 2;
    if (!this.t(keepFrom)) return;
    this.edits.replace(this.tokens[i]!.start, this.tokens[keepFrom]!.start, '');
  }

  // ---------------------------------------------------------------- functions

  private renderNode(n: unknown): string {
    const [s, e] = this.nodeRange(n);
    return this.edits.render(s, e);
  }

  private funcCall(f: Record<string, unknown>, parents: [string, Record<string, unknown>, string][]): void {
    const names = strings(f.funcname);
    const pos = this.loc(f);
    if (pos < 0) return;
    const nameTok = this.tokAt(pos);
    const name = names[names.length - 1]!.toLowerCase();
    const qualifier = names.length > 1 ? names[0]!.toLowerCase() : undefined;
    const format = String(f.funcformat ?? '');
    const callEnd = this.callEnd(nameTok);
    const [cs, ce] = this.span(nameTok, callEnd);
    const args = (f.args as unknown[] | undefined) ?? [];
    const parent = parents[parents.length - 1];

    // `x [NOT] LIKE p ESCAPE e`: the parser's like_escape(p, e) is SQL syntax DuckDB reads as written.
    if (this.isEscapeSyntax(f, nameTok)) return;
    if (format === 'COERCE_SQL_SYNTAX') {
      if (name === 'btrim' || name === 'ltrim' || name === 'rtrim') {
        const fn = name === 'btrim' ? 'trim' : name;
        this.edits.replace(cs, ce, () => `${fn}(${args.map((a) => this.renderNode(a)).join(', ')})`);
      }
      return;
    }
    if (qualifier !== undefined && qualifier !== 'pg_catalog' && qualifier !== 'information_schema' && qualifier !== 'public') {
      throw new PgSqlError('42883', `function ${names.join('.')} does not exist` as string, pos + 1);
    }
    const nameEnd = this.nameChainEnd(nameTok);
    const [ns, ne] = this.span(nameTok, nameEnd);
    const renameTo = (to: string): void => this.edits.replace(ns, ne, to);
    const literalArg = (k: number): string | undefined => {
      const a = inner(args[k]);
      if (a && a[0] === 'A_Const' && a[1].sval) return String((a[1].sval as Record<string, unknown>).sval ?? '');
      return undefined;
    };
    const settings = this.ctx.settings;

    switch (name) {
      case 'version':
        this.edits.replace(cs, ce, sqlString(pgVersionString(settings)));
        return;
      case 'current_database':
        this.edits.replace(cs, ce, sqlString(this.ctx.database));
        return;
      case 'current_schema':
        this.edits.replace(cs, ce, sqlString(this.currentSchema()));
        return;
      case 'current_user':
      case 'session_user':
      case 'getpgusername':
        this.edits.replace(cs, ce, sqlString(this.ctx.user));
        return;
      case 'pg_backend_pid':
        this.edits.replace(cs, ce, `CAST(${this.ctx.backendPid} AS INTEGER)`);
        return;
      case 'current_schemas': {
        const explicit = this.ctx.searchPath.filter((s) => s === 'public' || s === this.ctx.scratchSchema || s === 'pg_catalog' || s === 'information_schema');
        const implicit = explicit.includes('pg_catalog') ? explicit : ['pg_catalog', ...explicit];
        const list = (l: string[]): string => `CAST([${l.map(sqlString).join(', ')}] AS VARCHAR[])`;
        this.edits.replace(cs, ce, () => `(CASE WHEN ${args[0] ? this.renderNode(args[0]) : 'false'} THEN ${list(implicit)} ELSE ${list(explicit)} END)`);
        return;
      }
      case 'current_setting': {
        const lit = literalArg(0);
        if (lit !== undefined) {
          const v = settings.get(lit.toLowerCase());
          this.edits.replace(cs, ce, v === undefined ? 'CAST(NULL AS VARCHAR)' : sqlString(v));
          return;
        }
        const rows = [...settings].map(([k, v]) => `(${sqlString(k)}, ${sqlString(v)})`);
        this.edits.replace(cs, ce, () =>
          rows.length === 0
            ? 'CAST(NULL AS VARCHAR)'
            : `(SELECT "_v" FROM (VALUES ${rows.join(', ')}) AS "_s"("_k", "_v") WHERE "_k" = lower(CAST(${this.renderNode(args[0])} AS VARCHAR)))`,
        );
        return;
      }
      case 'set_config':
        this.edits.replace(cs, ce, () => `CAST(${args[1] ? this.renderNode(args[1]) : 'NULL'} AS VARCHAR)`);
        return;
      case 'json_build_object':
        renameTo('json_object');
        return;
      case 'to_char': {
        const template = literalArg(1);
        if (args.length !== 2 || template === undefined) throw new PgSqlError('0A000', 'not supported: to_char() needs a value and a literal template', pos + 1);
        try {
          toCharExpression('x', template);
        } catch (e) {
          if (e instanceof ToCharUnsupported) throw new PgSqlError('0A000', `not supported: ${e.message}`, pos + 1);
          throw e;
        }
        this.edits.replace(cs, ce, () => toCharExpression(this.renderNode(args[0]), template));
        return;
      }
      case 'format': {
        const fmt = literalArg(0);
        if (fmt === undefined) throw new PgSqlError('0A000', 'not supported: format() with a non-literal format string', pos + 1);
        this.edits.replace(cs, ce, () => {
          const rest = args.slice(1).map((a) => this.renderNode(a));
          let k = 0;
          let outFmt = '';
          const outArgs: string[] = [];
          for (let p = 0; p < fmt.length; p++) {
            const ch = fmt[p]!;
            if (ch !== '%') {
              outFmt += ch;
              continue;
            }
            const spec = fmt[++p];
            if (spec === '%') outFmt += '%%';
            else if (spec === 's' || spec === 'I' || spec === 'L') {
              const a = rest[k++] ?? 'NULL';
              outFmt += '%s';
              if (spec === 's') outArgs.push(`coalesce(CAST(${a} AS VARCHAR), '')`);
              else if (spec === 'I') outArgs.push(`${PG_CATALOG_SCHEMA}.quote_ident(CAST(${a} AS VARCHAR))`);
              else outArgs.push(`${PG_CATALOG_SCHEMA}.quote_nullable(CAST(${a} AS VARCHAR))`);
            } else throw new PgSqlError('0A000', `not supported: format() specifier %${spec ?? ''}`, pos + 1);
          }
          return `printf(${[sqlString(outFmt), ...outArgs].join(', ')})`;
        });
        return;
      }
      case 'generate_series':
        if (qualifier !== undefined) renameTo('generate_series');
        if (parent && parent[0] === 'ResTarget') this.edits.wrap(cs, ce, 'unnest(', ')');
        return;
      case '_pg_expandarray':
        renameTo(`${PG_CATALOG_SCHEMA}._pg_expandarray`);
        this.edits.wrap(cs, ce, 'unnest(', ')');
        return;
      default:
        if (PGC_FUNCTIONS.has(name)) {
          renameTo(`${PG_CATALOG_SCHEMA}.${name}`);
          return;
        }
        if (qualifier !== undefined) renameTo(quoteIdentIfNeeded(names[names.length - 1]!));
    }
  }

  /** A like_escape call the parser made from `x [NOT] [I]LIKE p ESCAPE e` (its location is the operator, not a name). */
  private isEscapeSyntax(f: Record<string, unknown>, at: number): boolean {
    const names = strings(f.funcname);
    return names[names.length - 1]?.toLowerCase() === 'like_escape' && !this.is(at, 'like_escape') && !this.is(at, names[0]!.toLowerCase());
  }

  currentSchema(): string {
    for (const s of this.ctx.searchPath) {
      if (s === 'public' || s === this.ctx.scratchSchema || s === 'pg_catalog' || s === 'information_schema') return s;
    }
    return 'public';
  }

  private sqlValueFunction(f: Record<string, unknown>): void {
    const pos = this.loc(f);
    if (pos < 0) return;
    const i = this.tokAt(pos);
    const end = this.is(i + 1, '(') ? this.balancedEnd(i + 1) : i + 1;
    const [s, e] = this.span(i, end);
    switch (String(f.op)) {
      case 'SVFOP_CURRENT_USER':
      case 'SVFOP_SESSION_USER':
      case 'SVFOP_USER':
      case 'SVFOP_CURRENT_ROLE':
        this.edits.replace(s, e, sqlString(this.ctx.user));
        return;
      case 'SVFOP_CURRENT_CATALOG':
        this.edits.replace(s, e, sqlString(this.ctx.database));
        return;
      case 'SVFOP_CURRENT_SCHEMA':
        this.edits.replace(s, e, sqlString(this.currentSchema()));
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- casts

  private typeCast(f: Record<string, unknown>, parents: [string, Record<string, unknown>, string][]): void {
    const tn = f.typeName as Record<string, unknown> | undefined;
    if (!tn) return;
    const names = strings(tn.names);
    const base = names[names.length - 1]!.toLowerCase();
    const tpos = this.loc(tn);
    const pos = this.loc(f);
    if (tpos < 0 || pos < 0) return;
    const typeTok = this.tokAt(tpos);
    const typeEndTok = this.typeEnd(typeTok);
    const castTok = this.tokAt(pos);
    const isCastCall = this.is(castTok, 'cast');
    const arrayDims = Array.isArray(tn.arrayBounds) ? tn.arrayBounds.length : 0;

    if (REG_TYPES.has(base) && arrayDims === 0) {
      const parent = parents[parents.length - 1];
      let nameMode = false;
      if (parent && parent[0] === 'ResTarget') nameMode = true;
      if (parent && parent[0] === 'TypeCast') {
        const pn = strings((parent[1].typeName as Record<string, unknown> | undefined)?.names);
        if (TEXT_TYPES.has((pn[pn.length - 1] ?? '').toLowerCase())) nameMode = true;
      }
      const fn = `${PG_CATALOG_SCHEMA}.${base}_${nameMode ? 'out' : 'in'}`;
      const [as, ae] = this.nodeRange(f.arg);
      if (isCastCall) {
        const end = this.balancedEnd(castTok + 1);
        const [s, e] = this.span(castTok, end);
        this.edits.replace(s, e, () => `${fn}(${this.edits.render(as, ae)})`);
      } else {
        const [, e] = this.span(typeTok, typeEndTok);
        this.edits.replace(as, e, () => `${fn}(${this.edits.render(as, ae)})`);
      }
      return;
    }
    // Plain types: rewrite the spelling when DuckDB would not know it.
    const [ts, te] = this.span(typeTok, typeEndTok);
    const written = this.sql.slice(ts, te);
    const qualified = names.length > 1 && written.includes('.');
    const foreign = FOREIGN_TYPES.has(base) && !/^\s*char(acter)?\s*\(/i.test(written) && !(base === 'bpchar' && /^char/i.test(written));
    if (!qualified && !foreign && !(base === 'char' && written.startsWith('"'))) return;
    if (REG_TYPES.has(base)) {
      this.edits.replace(ts, te, `BIGINT${'[]'.repeat(arrayDims)}`);
      return;
    }
    let typmods = '';
    const paren = written.indexOf('(');
    if (paren >= 0 && !FOREIGN_TYPES.has(base)) typmods = written.slice(paren, written.indexOf(')', paren) + 1);
    this.edits.replace(ts, te, `${DUCK_TYPES[base] ?? base.toUpperCase()}${typmods}${'[]'.repeat(arrayDims)}`);
  }

  // ---------------------------------------------------------------- operators

  private aExpr(f: Record<string, unknown>): void {
    const names = strings(f.name);
    const op = names[names.length - 1] ?? '';
    const pos = this.loc(f);
    if (pos < 0) return;
    const kind = String(f.kind);
    const opTok = this.tokAt(pos);
    // OPERATOR(schema.op) → op
    let opEnd = opTok + 1;
    if (this.is(opTok, 'operator') && this.is(opTok + 1, '(')) opEnd = this.balancedEnd(opTok + 1);
    const [os, oe] = this.span(opTok, opEnd);
    if (kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_OP_ALL') {
      if (this.anyArray(f, op, kind)) return;
    }
    if (kind !== 'AEXPR_OP') {
      if (opEnd !== opTok + 1) this.edits.replace(os, oe, op);
      return;
    }
    if (op === '=' || op === '<>' || op === '!=') {
      this.arrayLiteral(f.lexpr);
      this.arrayLiteral(f.rexpr);
    }
    if (op === '~' || op === '~*' || op === '!~' || op === '!~*') {
      const negate = op.startsWith('!');
      const flags = op.endsWith('*') ? '(?si)' : '(?s)';
      this.edits.replace(os, oe, negate ? '!~' : '~');
      let r = f.rexpr;
      const ri = inner(r);
      if (ri && ri[0] === 'CollateClause') r = ri[1].arg;
      const rc = inner(r);
      if (rc && rc[0] === 'A_Const' && rc[1].sval) {
        const pattern = String((rc[1].sval as Record<string, unknown>).sval ?? '');
        const lt = this.tokAt(this.loc(rc[1]));
        const [ls, le] = this.span(lt, lt + 1);
        this.edits.replace(ls, le, sqlString(`${flags}.*(?:${pattern}).*`));
      } else if (r !== undefined) {
        const [rs, re] = this.nodeRange(r);
        this.edits.wrap(rs, re, `('${flags}.*(?:' || (`, `) || ').*')`);
      }
      return;
    }
    if (op === '/' && isIntExpr(f.lexpr) && isIntExpr(f.rexpr)) {
      this.edits.replace(os, oe, '//');
      return;
    }
    if (opEnd !== opTok + 1) this.edits.replace(os, oe, op);
  }

  /** `x = ANY(array)` → list_contains (DuckDB plans ANY over a list as a correlated subquery). */
  private anyArray(f: Record<string, unknown>, op: string, kind: string): boolean {
    const ri = inner(f.rexpr);
    if (!ri || ri[0] === 'SubLink') return false;
    const negate = kind === 'AEXPR_OP_ALL' && (op === '<>' || op === '!=');
    if (!(kind === 'AEXPR_OP_ANY' && op === '=') && !negate) return false;
    const [s, e] = this.nodeRange({ A_Expr: f });
    this.edits.replace(s, e, () => `(${negate ? 'NOT ' : ''}list_contains(${this.renderNode(f.rexpr)}, ${this.renderNode(f.lexpr)}))`);
    return true;
  }

  /** `'{a,b}'` compared with `=`/`<>`: PostgreSQL's array literal → DuckDB's `'[a,b]'`. */
  private arrayLiteral(n: unknown): void {
    const i = inner(n);
    if (!i || i[0] !== 'A_Const' || !i[1].sval) return;
    const v = String((i[1].sval as Record<string, unknown>).sval ?? '');
    if (!/^\{[^{}":]*\}$/.test(v)) return;
    const t = this.tokAt(this.loc(i[1]));
    const [s, e] = this.span(t, t + 1);
    this.edits.replace(s, e, sqlString(`[${v.slice(1, -1)}]`));
  }

  private rangeFunction(f: Record<string, unknown>): void {
    const fns = f.functions as unknown[] | undefined;
    if (!fns || fns.length !== 1 || f.ordinality || f.is_rowsfrom) return;
    const li = inner(fns[0]);
    const items = li && li[0] === 'List' ? (li[1].items as unknown[]) : (fns[0] as unknown[]);
    const call = inner(items?.[0]);
    if (!call || call[0] !== 'FuncCall') return;
    const names = strings(call[1].funcname);
    const name = names[names.length - 1]!.toLowerCase();
    const alias = f.alias as Record<string, unknown> | undefined;
    const [cs, ce] = this.nodeRange(items![0]);
    if (SET_RETURNING.has(name)) {
      if (alias && !alias.colnames && typeof alias.aliasname === 'string') {
        // PostgreSQL names a scalar function's single column after the alias.
        let j = this.tokAt(ce);
        if (this.is(j, 'as')) j++;
        const [, ae] = this.span(j, j + 1);
        this.edits.wrap(ae, ae, `(${quoteIdent(alias.aliasname)})`, '');
      }
      return;
    }
    const col = alias && typeof alias.aliasname === 'string' && !alias.colnames ? alias.aliasname : name;
    this.edits.wrap(cs, ce, '(SELECT ', ` AS ${quoteIdent(col)})`);
  }

  private collate(f: Record<string, unknown>): void {
    const pos = this.loc(f);
    if (pos < 0) return;
    const i = this.tokAt(pos);
    if (!this.is(i, 'collate')) return;
    const end = this.nameChainEnd(i + 1);
    const [s, e] = this.span(i, end);
    this.edits.replace(s, e, ' ');
  }
}

function quoteIdentIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

export function pgVersionString(settings: ReadonlyMap<string, string>): string {
  const v = settings.get('server_version') ?? '15.18';
  return `PostgreSQL ${v} on x86_64-pc-linux-gnu, compiled by Runlake (DuckDB), 64-bit`;
}

/** True when the expression is an integer by its form (literal, cast, integer function, arithmetic of those). */
export function isIntExpr(n: unknown): boolean {
  const i = inner(n);
  if (!i) return false;
  const [type, f] = i;
  switch (type) {
    case 'A_Const':
      return f.ival !== undefined || (f.sval === undefined && f.fval === undefined && f.boolval === undefined && f.bsval === undefined && f.isnull !== true);
    case 'TypeCast': {
      const tn = f.typeName as Record<string, unknown> | undefined;
      const names = strings(tn?.names);
      return !Array.isArray(tn?.arrayBounds) && INT_TYPES.has((names[names.length - 1] ?? '').toLowerCase());
    }
    case 'FuncCall': {
      const names = strings(f.funcname);
      return INT_FUNCTIONS.has((names[names.length - 1] ?? '').toLowerCase()) && f.over === undefined;
    }
    case 'A_Expr': {
      const names = strings(f.name);
      const op = names[names.length - 1];
      if (f.kind !== 'AEXPR_OP' || !['+', '-', '*', '%', '/'].includes(op ?? '')) return false;
      return (f.lexpr === undefined || isIntExpr(f.lexpr)) && isIntExpr(f.rexpr);
    }
    default:
      return false;
  }
}
