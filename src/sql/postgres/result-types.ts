/**
 * PostgreSQL's types of a SELECT's result columns, where they differ from what the engine's own
 * types map to: catalog columns of type name, oid, "char", regproc (the engine holds VARCHAR and
 * INTEGER), information_schema's varchar domains, session functions returning name
 * (current_user, current_schema()…), NULL and string literals (text), int4 set-returning
 * functions (the engine's are BIGINT), casts to those types. Clients read RowDescription's type
 * OIDs (pgJDBC's ResultSetMetaData, Npgsql's readers), so catalog queries should announce what
 * PostgreSQL 15 announces.
 *
 * Inference is best effort and conservative: a column whose type is not known here is undefined
 * (the engine's type stands). The select list is expanded through `*` only over relations whose
 * columns are known (the emulated catalog, subqueries, CTEs); otherwise the whole list is unknown.
 * Types are PostgreSQL type names (`name`, `int4`, `_name` for name[]).
 */
import { PG_CATALOG_RELATIONS, catalogColumnTypes } from '../../catalog/pg-catalog.ts';

type Fields = Record<string, unknown>;

/** A result column's PostgreSQL type; `alwaysNull`: it is the NULL constant (any engine type may carry it). */
export interface PgResultType {
  name: string;
  alwaysNull?: boolean;
}

interface Col {
  name: string;
  type: PgResultType | undefined;
}

/** A FROM item: its name in scope and its columns (null: not known, e.g. a dataset). */
interface Item {
  alias: string;
  cols: Col[] | null;
}

interface Scope {
  items: Item[];
  parent: Scope | undefined;
  ctes: Map<string, Col[] | null>;
}

const CATALOG = new Set(PG_CATALOG_RELATIONS);

function inner(n: unknown): [string, Fields] | undefined {
  if (typeof n !== 'object' || n === null || Array.isArray(n)) return undefined;
  const keys = Object.keys(n);
  if (keys.length !== 1 || !/^[A-Z]/.test(keys[0]!)) return undefined;
  const v = (n as Fields)[keys[0]!];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? [keys[0]!, v as Fields] : undefined;
}

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((x) => {
    const i = inner(x);
    if (i?.[0] === 'String') return String(i[1].sval ?? '');
    if (i?.[0] === 'A_Star') return '*';
    return '';
  });
}

const t = (name: string): PgResultType => ({ name });
const TEXT = t('text');
const NAME = t('name');
const BOOL = t('bool');
const INT4 = t('int4');
const INT8 = t('int8');

/** The parser's type names (pg_catalog.int4, varchar, bpchar…) → pg_type.typname. */
function typeNameOf(tn: Fields | undefined): PgResultType | undefined {
  if (!tn) return undefined;
  const names = strings(tn.names);
  const base = (names[names.length - 1] ?? '').toLowerCase();
  const aliases: Record<string, string> = {
    int: 'int4', integer: 'int4', smallint: 'int2', bigint: 'int8', boolean: 'bool', real: 'float4', float: 'float8',
    'double precision': 'float8', decimal: 'numeric', 'character varying': 'varchar', character: 'bpchar',
  };
  const name = aliases[base] ?? base;
  const arrays = Array.isArray(tn.arrayBounds) ? tn.arrayBounds.length : 0;
  return t(arrays > 0 ? `_${name}` : name);
}

/** Return types of the functions catalog queries call, where the engine's would differ. */
const FUNCTION_TYPES: Record<string, PgResultType> = {
  current_schema: NAME, current_database: NAME, pg_get_userbyid: NAME, pg_encoding_to_char: NAME, session_user: NAME,
  current_user: NAME, format_type: TEXT, version: TEXT, current_setting: TEXT, quote_ident: TEXT, quote_literal: TEXT,
  pg_get_expr: TEXT, pg_get_indexdef: TEXT, pg_get_constraintdef: TEXT, pg_get_viewdef: TEXT, pg_get_serial_sequence: TEXT,
  pg_get_partkeydef: TEXT, obj_description: TEXT, col_description: TEXT, shobj_description: TEXT, array_to_string: TEXT,
  pg_get_function_result: TEXT, pg_get_function_arguments: TEXT, pg_get_triggerdef: TEXT, pg_get_ruledef: TEXT,
  pg_size_pretty: TEXT, current_schemas: t('_name'), pg_backend_pid: INT4, array_upper: INT4, array_lower: INT4,
  array_length: INT4, to_regclass: t('regclass'), to_regtype: t('regtype'), pg_typeof: t('regtype'), pg_table_is_visible: BOOL,
  pg_type_is_visible: BOOL, pg_function_is_visible: BOOL, pg_is_in_recovery: BOOL, has_table_privilege: BOOL,
  has_schema_privilege: BOOL, has_database_privilege: BOOL, has_any_column_privilege: BOOL, has_column_privilege: BOOL,
  has_function_privilege: BOOL, has_sequence_privilege: BOOL, pg_has_role: BOOL, count: INT8, row_number: INT8, rank: INT8,
  dense_rank: INT8, txid_current: INT8, pg_relation_size: INT8, pg_total_relation_size: INT8, pg_table_size: INT8,
  pg_indexes_size: INT8, string_agg: TEXT, concat: TEXT, concat_ws: TEXT, lower: TEXT, upper: TEXT, replace: TEXT,
  substring: TEXT, substr: TEXT, trim: TEXT, btrim: TEXT, ltrim: TEXT, rtrim: TEXT, format: TEXT, json_build_object: t('json'),
};

/** pg_type.typcategory of the types common-type resolution meets (`*`: typispreferred), from PostgreSQL 15. */
const CATEGORY: Record<string, string> = {
  bool: 'B*', float4: 'N', float8: 'N*', int2: 'N', int4: 'N', int8: 'N', numeric: 'N', oid: 'N*', regclass: 'N', regproc: 'N',
  regtype: 'N', regnamespace: 'N', bpchar: 'S', name: 'S', text: 'S*', varchar: 'S', json: 'U', char: 'Z',
};

/** Implicit casts among those types (pg_cast, castcontext 'i'), as `source>target`. */
const IMPLICIT = new Set(
  ('bpchar>name bpchar>text bpchar>varchar char>text float4>float8 int2>float4 int2>float8 int2>int4 int2>int8 int2>numeric ' +
    'int2>oid int2>regclass int2>regproc int2>regtype int4>float4 int4>float8 int4>int8 int4>numeric int4>oid int4>regclass ' +
    'int4>regproc int4>regtype int8>float4 int8>float8 int8>numeric int8>oid int8>regclass int8>regproc int8>regtype ' +
    'name>text numeric>float4 numeric>float8 oid>regclass oid>regproc oid>regtype regclass>oid regproc>oid regtype>oid ' +
    'text>bpchar text>name text>varchar varchar>bpchar varchar>name varchar>text').split(' '),
);

/**
 * PostgreSQL's select_common_type over CASE / COALESCE / UNION inputs, in the order PostgreSQL
 * considers them (CASE: the ELSE first): unknown literals adopt the others' type; a later input
 * wins only when the current one is not its category's preferred type and casts to it implicitly
 * but not back. Mixed categories: undefined (the engine's type stands).
 */
function common(types: (PgResultType | undefined | 'unknown')[]): PgResultType | undefined {
  const known = types.filter((x): x is PgResultType | undefined => x !== 'unknown');
  if (known.length === 0) return TEXT;
  if (known.some((x) => x === undefined)) return undefined;
  let p = known[0]!.name;
  for (const x of known.slice(1)) {
    const n = x!.name;
    if (n === p) continue;
    const pc = CATEGORY[p];
    const nc = CATEGORY[n];
    if (pc === undefined || nc === undefined || pc[0] !== nc[0]) return undefined;
    if (!pc.endsWith('*') && IMPLICIT.has(`${p}>${n}`) && !IMPLICIT.has(`${n}>${p}`)) p = n;
  }
  return t(p);
}

export class ResultTypes {
  /** The PostgreSQL types of a SELECT's result, or undefined when its width is not known. */
  static of(select: Fields): (PgResultType | undefined)[] | undefined {
    const cols = new ResultTypes().output(select, undefined, new Map());
    return cols?.map((c) => c.type);
  }

  /** Output columns of a SELECT (set operations: the left arm's names, the common types). */
  private output(s: Fields, outer: Scope | undefined, ctes: Map<string, Col[] | null>): Col[] | null {
    const own = new Map(ctes);
    const w = inner({ WithClause: s.withClause })?.[1] ?? (s.withClause as Fields | undefined);
    for (const c of ((w?.ctes as unknown[] | undefined) ?? [])) {
      const cte = inner(c)?.[1];
      if (!cte) continue;
      const q = inner(cte.ctequery);
      let cols = q?.[0] === 'SelectStmt' ? this.output(q[1], outer, own) : null;
      const aliases = strings(cte.aliascolnames);
      if (cols && aliases.length > 0) cols = cols.map((col, i) => ({ ...col, name: aliases[i] ?? col.name }));
      own.set(String(cte.ctename), cols);
    }
    if (s.op !== undefined && s.op !== 'SETOP_NONE') {
      const l = this.output(s.larg as Fields, outer, own);
      const r = this.output(s.rarg as Fields, outer, own);
      if (!l || !r || l.length !== r.length) return l;
      return l.map((c, i) => ({ name: c.name, type: common([c.type, r[i]!.type]) }));
    }
    const values = s.valuesLists as unknown[] | undefined;
    if (values && values.length > 0) {
      const scope: Scope = { items: [], parent: outer, ctes: own };
      const first = (inner(values[0])?.[1].items as unknown[] | undefined) ?? [];
      return first.map((e, i) => ({ name: `column${i + 1}`, type: this.valueType(e, scope) }));
    }
    const scope: Scope = { items: [], parent: outer, ctes: own };
    for (const f of (s.fromClause as unknown[] | undefined) ?? []) this.fromItem(f, scope);
    const out: Col[] = [];
    for (const target of (s.targetList as unknown[] | undefined) ?? []) {
      const rt = inner(target)?.[1];
      if (!rt) return null;
      const ref = inner(rt.val);
      if (ref?.[0] === 'ColumnRef') {
        const fields = strings(ref[1].fields);
        if (fields[fields.length - 1] === '*') {
          const expanded = this.star(fields.slice(0, -1), scope);
          if (!expanded) return null;
          out.push(...expanded);
          continue;
        }
      }
      out.push({ name: typeof rt.name === 'string' ? rt.name : figureName(rt.val), type: this.valueType(rt.val, scope) });
    }
    return out;
  }

  /** A target's type: an unknown literal (string, NULL) becomes text, as PostgreSQL resolves it in a select list. */
  private valueType(n: unknown, scope: Scope): PgResultType | undefined {
    const ty = this.type(n, scope);
    if (ty !== 'unknown') return ty;
    return isNull(n) ? { name: 'text', alwaysNull: true } : TEXT;
  }

  private star(qualifier: string[], scope: Scope): Col[] | null {
    const items = qualifier.length === 0 ? scope.items : scope.items.filter((i) => i.alias === qualifier[qualifier.length - 1]);
    if (items.length === 0) return null;
    const out: Col[] = [];
    for (const i of items) {
      if (!i.cols) return null;
      out.push(...i.cols);
    }
    return out;
  }

  private fromItem(n: unknown, scope: Scope): void {
    const i = inner(n);
    if (!i) return;
    const [type, f] = i;
    const alias = inner({ Alias: f.alias })?.[1] ?? (f.alias as Fields | undefined);
    const rename = (cols: Col[] | null): Col[] | null => {
      const names = strings(alias?.colnames);
      return cols && names.length > 0 ? cols.map((c, k) => ({ ...c, name: names[k] ?? c.name })) : cols;
    };
    switch (type) {
      case 'RangeVar': {
        const name = String(f.relname);
        const schema = typeof f.schemaname === 'string' ? f.schemaname : undefined;
        let cols: Col[] | null = null;
        if (schema === undefined && scope.ctes.has(name)) cols = scope.ctes.get(name) ?? null;
        else if (schema === 'pg_catalog' || (schema === undefined && CATALOG.has(name))) cols = catalogCols('pg_catalog', name);
        else if (schema === 'information_schema') cols = catalogCols('information_schema', name);
        scope.items.push({ alias: typeof alias?.aliasname === 'string' ? alias.aliasname : name, cols: rename(cols) });
        return;
      }
      case 'RangeSubselect': {
        const q = inner(f.subquery);
        const cols = q?.[0] === 'SelectStmt' ? this.output(q[1], f.lateral ? scope : scope.parent, scope.ctes) : null;
        scope.items.push({ alias: typeof alias?.aliasname === 'string' ? alias.aliasname : '', cols: rename(cols) });
        return;
      }
      case 'JoinExpr':
        this.fromItem(f.larg, scope);
        this.fromItem(f.rarg, scope);
        return;
      case 'RangeFunction': {
        const fn = inner((inner((f.functions as unknown[] | undefined)?.[0])?.[1].items as unknown[] | undefined)?.[0]);
        const name = fn?.[0] === 'FuncCall' ? strings(fn[1].funcname).pop()?.toLowerCase() : undefined;
        const args = fn?.[0] === 'FuncCall' ? ((fn[1].args as unknown[] | undefined) ?? []) : [];
        let cols: Col[] | null = null;
        const label = typeof alias?.aliasname === 'string' ? alias.aliasname : (name ?? '');
        if (name === 'generate_series' && args.length >= 2) {
          const el = common(args.slice(0, 2).map((a) => this.type(a, scope)));
          cols = [{ name: label, type: el?.name === 'int4' ? INT4 : el?.name === 'int8' ? INT8 : undefined }];
        } else if (name === '_pg_expandarray') {
          cols = [{ name: 'x', type: undefined }, { name: 'n', type: INT4 }];
        }
        scope.items.push({ alias: label, cols: rename(cols) });
        return;
      }
      default:
        scope.items.push({ alias: '', cols: null });
    }
  }

  private column(fields: string[], scope: Scope | undefined): PgResultType | undefined {
    const col = fields[fields.length - 1]!;
    const rel = fields.length >= 2 ? fields[fields.length - 2] : undefined;
    for (let s = scope; s; s = s.parent) {
      let unknownItem = false;
      for (const item of s.items) {
        if (rel !== undefined && item.alias !== rel) continue;
        if (!item.cols) {
          unknownItem = true;
          continue;
        }
        const c = item.cols.find((x) => x.name === col);
        if (c) return c.type;
      }
      // A column of a relation whose columns are not known here: the engine's type stands.
      if (unknownItem) return undefined;
    }
    return undefined;
  }

  /** An expression's type; 'unknown' for an untyped literal (a string or NULL), which takes its context's type. */
  private type(n: unknown, scope: Scope): PgResultType | undefined | 'unknown' {
    const i = inner(n);
    if (!i) return undefined;
    const [type, f] = i;
    switch (type) {
      case 'A_Const':
        if (f.isnull || f.sval !== undefined) return 'unknown';
        if (f.ival !== undefined) return INT4;
        if (f.boolval !== undefined) return BOOL;
        return undefined;
      case 'ColumnRef':
        return this.column(strings(f.fields), scope);
      case 'TypeCast': {
        const to = typeNameOf(f.typeName as Fields | undefined);
        return to;
      }
      case 'FuncCall': {
        const names = strings(f.funcname);
        const name = (names[names.length - 1] ?? '').toLowerCase();
        if (name === 'generate_series') {
          const args = (f.args as unknown[] | undefined) ?? [];
          const el = common(args.slice(0, 2).map((a) => this.type(a, scope)));
          return el?.name === 'int4' ? INT4 : undefined;
        }
        if (name === 'array_agg') {
          const el = this.type(((f.args as unknown[] | undefined) ?? [])[0], scope);
          const base = el === 'unknown' ? TEXT : el;
          return base && !base.name.startsWith('_') ? t(`_${base.name}`) : undefined;
        }
        if (name === 'nullif' || name === 'coalesce' || name === 'greatest' || name === 'least' || name === 'min' || name === 'max') {
          const args = (f.args as unknown[] | undefined) ?? [];
          return common((name === 'nullif' || name === 'min' || name === 'max' ? args.slice(0, 1) : args).map((a) => this.type(a, scope)));
        }
        return FUNCTION_TYPES[name];
      }
      case 'SQLValueFunction': {
        const op = String(f.op);
        if (/^SVFOP_(CURRENT_USER|SESSION_USER|USER|CURRENT_ROLE|CURRENT_CATALOG|CURRENT_SCHEMA)$/.test(op)) return NAME;
        return undefined;
      }
      case 'CaseExpr': {
        // PostgreSQL weighs the ELSE first.
        const results: (PgResultType | undefined | 'unknown')[] = [f.defresult === undefined ? 'unknown' : this.type(f.defresult, scope)];
        for (const w of (f.args as unknown[] | undefined) ?? []) results.push(this.type(inner(w)?.[1].result, scope));
        return common(results);
      }
      case 'CoalesceExpr':
      case 'MinMaxExpr':
        return common(((f.args as unknown[] | undefined) ?? []).map((a) => this.type(a, scope)));
      case 'A_Expr': {
        if (f.kind === 'AEXPR_NULLIF') return common([this.type(f.lexpr, scope)]);
        const op = strings(f.name).pop();
        if (f.kind === 'AEXPR_OP' && op === '||') return TEXT;
        if (f.kind === 'AEXPR_OP' && ['=', '<>', '!=', '<', '>', '<=', '>=', '~', '!~', '~*', '!~*', '~~', '!~~'].includes(op ?? '')) return BOOL;
        if (f.kind === 'AEXPR_LIKE' || f.kind === 'AEXPR_ILIKE' || f.kind === 'AEXPR_IN' || f.kind === 'AEXPR_OP_ANY' || f.kind === 'AEXPR_OP_ALL' || f.kind === 'AEXPR_BETWEEN' || f.kind === 'AEXPR_NOT_BETWEEN' || f.kind === 'AEXPR_DISTINCT' || f.kind === 'AEXPR_NOT_DISTINCT') return BOOL;
        return undefined;
      }
      case 'BoolExpr':
      case 'NullTest':
      case 'BooleanTest':
        return BOOL;
      case 'SubLink': {
        const kind = String(f.subLinkType);
        if (kind !== 'EXPR_SUBLINK' && kind !== 'ARRAY_SUBLINK') return BOOL;
        const q = inner(f.subselect);
        const cols = q?.[0] === 'SelectStmt' ? this.output(q[1], scope, scope.ctes) : null;
        const first = cols?.[0]?.type;
        if (kind === 'ARRAY_SUBLINK') return first && !first.name.startsWith('_') ? t(`_${first.name}`) : undefined;
        return first;
      }
      case 'A_Indirection': {
        const ind = (f.indirection as unknown[] | undefined) ?? [];
        const last = inner(ind[ind.length - 1]);
        const arg = inner(f.arg);
        if (last?.[0] === 'String' && arg?.[0] === 'FuncCall' && strings(arg[1].funcname).pop() === '_pg_expandarray') {
          return last[1].sval === 'n' ? INT4 : undefined;
        }
        if (last?.[0] === 'A_Indices' && !last[1].is_slice) {
          const base = this.type(f.arg, scope);
          return base && base !== 'unknown' && base.name.startsWith('_') ? t(base.name.slice(1)) : undefined;
        }
        return undefined;
      }
      case 'CollateClause':
        return this.type(f.arg, scope);
      default:
        return undefined;
    }
  }
}

function isNull(n: unknown): boolean {
  const i = inner(n);
  return i?.[0] === 'A_Const' && i[1].isnull === true;
}

function catalogCols(schema: 'pg_catalog' | 'information_schema', relation: string): Col[] | null {
  const cols = catalogColumnTypes(schema, relation);
  return cols ? cols.map(([name, type]) => ({ name, type: t(type) })) : null;
}

/** The column name PostgreSQL gives an expression without an alias, as far as scope lookups need it. */
function figureName(n: unknown): string {
  const i = inner(n);
  if (!i) return '?column?';
  const [type, f] = i;
  if (type === 'ColumnRef') return strings(f.fields).pop() ?? '?column?';
  if (type === 'FuncCall') return strings(f.funcname).pop() ?? '?column?';
  if (type === 'TypeCast') {
    const inside = figureName(f.arg);
    return inside !== '?column?' ? inside : (strings((f.typeName as Fields | undefined)?.names).pop() ?? '?column?');
  }
  return '?column?';
}
