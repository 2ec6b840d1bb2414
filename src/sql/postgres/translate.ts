/**
 * Public API of the PostgreSQL front-end: split a query string into statements with the real
 * PostgreSQL parser, classify one statement, and translate it to DuckDB SQL over the emulated
 * pg_catalog / information_schema (src/catalog/pg-catalog.ts). See CONTEXT.md.
 */
import { PgSqlError, pgNotSupported } from './errors.ts';
import { checkPositions } from './ordinals.ts';
import { parsePg, scanPg, type PgNode } from './parse.ts';
import { ResultTypes, type PgResultType } from './result-types.ts';
import { Rewriter, quoteIdent, type RewriteContext } from './rewrite.ts';
import { Lru } from '../../util/lru.ts';
import { relationNames } from '../../catalog/snapshot-views.ts';
import { PG_CATALOG_RELATIONS } from '../../catalog/pg-catalog.ts';

export { PgSqlError } from './errors.ts';
export type { PgSqlState } from './errors.ts';

export interface PgTranslateContext {
  /** The organization's database (the startup `database`). */
  database: string;
  /** The schema clients may create tables in (Looker PDTs); everything else is read-only. */
  scratchSchema: string;
  user: string;
  /** The session's search_path, parsed (default `"$user", public`). */
  searchPath?: string[];
  /** The session's settings by lower-case name (for current_setting, version()). */
  settings?: ReadonlyMap<string, string>;
  /** The BackendKeyData process id (pg_backend_pid()). */
  backendPid?: number;
  /**
   * The session's temporary tables. With it, temporary-table statements translate to
   * create/insert/drop_temp_table and reads of them are marked `temp`; without it (no session),
   * CREATE TEMP TABLE is still create_temp_table but nothing resolves to a temporary table.
   */
  tempTables?: ReadonlySet<string>;
}

export type PgStatementKind =
  | 'select'
  | 'explain'
  | 'show'
  | 'create_table_as'
  | 'drop_table'
  | 'alter_table_rename'
  | 'create_view'
  | 'drop_view'
  | 'create_temp_table'
  | 'insert_temp_table'
  | 'drop_temp_table'
  | 'write'
  | 'session'
  | 'other';

export interface PgTarget {
  /** null: unqualified (the default schema, or a temporary table). */
  schema: string | null;
  name: string;
}

export interface PgTranslation {
  kind: PgStatementKind;
  /** DuckDB SQL. For 'session' the statement's own text (for parseSessionCommand); '' for 'other'. */
  sql: string;
  /** The statement's leading keyword, upper-case (SELECT, WITH, SET…). */
  keyword: string;
  /** The written relation (create_table_as, drop_*, alter_table_rename, create_view, create_temp_table, write). */
  target?: PgTarget;
  /** alter_table_rename: the new name. */
  newName?: PgTarget;
  /** The PostgreSQL names of the result columns (select/explain), when every one is known (no `*`). */
  columnNames?: string[];
  /**
   * select: PostgreSQL's type of each result column where the front-end knows it (catalog columns
   * of type name/oid/"char", session functions, literals); undefined entries and an undefined list
   * leave the engine's types.
   */
  columnTypes?: (PgResultType | undefined)[];
  /** select/explain: it reads the session's temporary tables. */
  temp?: boolean;
  /** create_temp_table, insert_temp_table: the read statement (DuckDB SQL) whose rows go in. */
  selectSql?: string;
  /** insert_temp_table: the target columns, when listed; create_temp_table: the defined columns (`CREATE TEMP TABLE t (…)`). */
  columns?: string[];
  /** drop_temp_table: IF EXISTS; create_temp_table: IF NOT EXISTS. */
  ifExists?: boolean;
  ifNotExists?: boolean;
}

/** The statements of a query string, each as its own text (without the `;`). Throws 42601. */
export function splitPostgres(sql: string): string[] {
  return parsePg(sql)
    .map((s) => sql.slice(s.start, s.end).trim())
    .filter((s) => s !== '');
}

let databaseRelations: ReadonlySet<string> | undefined;

/** A relation every organization database has (its tables and views, pg_catalog's). */
function databaseRelation(name: string): boolean {
  databaseRelations ??= new Set([...relationNames(), ...PG_CATALOG_RELATIONS]);
  return databaseRelations.has(name);
}

function inner(n: unknown): [string, Record<string, unknown>] {
  const k = Object.keys(n as object)[0]!;
  return [k, (n as Record<string, Record<string, unknown>>)[k]!];
}

/**
 * The last translations, by statement text and the context they depend on: a query is translated
 * by the PostgreSQL backend (result naming) and by the service (policy, the engine's SQL), and
 * dashboards repeat the same texts. Only contexts without session settings are remembered.
 */
const translations = new Lru<string, PgTranslation>(256);

function memoKey(sql: string, ctx: PgTranslateContext): string | undefined {
  if (ctx.settings !== undefined || ctx.searchPath !== undefined || ctx.backendPid !== undefined) return undefined;
  const temp = ctx.tempTables && ctx.tempTables.size > 0 ? [...ctx.tempTables].sort().join('\u0001') : '';
  return [ctx.database, ctx.scratchSchema, ctx.user, temp, sql].join('\u0000');
}

/** Translates exactly one statement. Throws PgSqlError. The result is shared: treat it as read-only. */
export function translatePostgres(sql: string, ctx: PgTranslateContext): PgTranslation {
  const key = memoKey(sql, ctx);
  if (key === undefined) return translateUncached(sql, ctx);
  return translations.getOrMake(key, () => deepFreeze(translateUncached(sql, ctx)));
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function translateUncached(sql: string, ctx: PgTranslateContext): PgTranslation {
  const stmts = parsePg(sql);
  if (stmts.length !== 1) {
    if (stmts.length === 0) return { kind: 'other', sql: '', keyword: '' };
    throw new PgSqlError('42601', 'cannot insert multiple commands into a prepared statement');
  }
  const tokens = scanPg(sql);
  const keyword = (tokens[0]?.text ?? '').toUpperCase();
  const rctx: RewriteContext = {
    database: ctx.database,
    scratchSchema: ctx.scratchSchema,
    user: ctx.user,
    searchPath: resolveSearchPath(ctx),
    settings: ctx.settings ?? new Map(),
    backendPid: ctx.backendPid ?? 0,
    ...(ctx.tempTables ? { tempTables: ctx.tempTables } : {}),
  };
  const s = stmts[0]!;
  const [type, f] = inner(s.stmt);
  checkPositions(s.stmt, sql);
  const rw = new Rewriter(sql, tokens, rctx);
  const body = (): string => rw.edits.render(s.start, s.end).trim();

  switch (type) {
    case 'SelectStmt': {
      const into = f.intoClause as Record<string, unknown> | undefined;
      if (into) return selectInto(sql, f, into, rw, ctx, keyword);
      rw.rewrite(s.stmt);
      return withNames({ kind: 'select', sql: body(), keyword, ...(rw.readsTemp ? { temp: true } : {}) }, f);
    }
    case 'ExplainStmt': {
      const q = f.query as PgNode;
      const [qt, qf] = inner(q);
      if (qt !== 'SelectStmt' || qf.intoClause) throw pgNotSupported(`EXPLAIN of ${qt.replace(/Stmt$/, '').toUpperCase()}`);
      const analyze = strings((f.options as unknown[] | undefined) ?? []).includes('analyze');
      rw.rewrite(q);
      let qi = rw.tokAt(s.start) + 1;
      if (rw.tokens[qi]?.text === '(') qi = rw.balancedEnd(qi);
      while (qi < rw.tokens.length && ['analyze', 'analyse', 'verbose'].includes(rw.tokens[qi]!.text.toLowerCase())) qi++;
      const text = rw.edits.render(rw.tokens[qi]?.start ?? s.end, s.end).trim();
      return { kind: 'explain', sql: `EXPLAIN ${analyze ? 'ANALYZE ' : ''}${text}`, keyword, ...(rw.readsTemp ? { temp: true } : {}) };
    }
    case 'VariableSetStmt':
    case 'VariableShowStmt':
    case 'TransactionStmt':
    case 'DiscardStmt':
    case 'DeallocateStmt':
    case 'DeclareCursorStmt':
    case 'FetchStmt':
    case 'ClosePortalStmt':
    case 'ListenStmt':
    case 'UnlistenStmt':
    case 'NotifyStmt':
    case 'CheckPointStmt':
      return { kind: 'session', sql: sql.slice(s.start, s.end).trim(), keyword };
    case 'CopyStmt': {
      if (f.is_from) throw readOnly();
      return { kind: 'session', sql: sql.slice(s.start, s.end).trim(), keyword };
    }
    case 'CreateTableAsStmt': {
      const into = f.into as Record<string, unknown>;
      const rel = into.rel as Record<string, unknown>;
      const target = targetOf(rel, ctx);
      const temp = rel.relpersistence === 't';
      if (temp) tempTarget(target, rel);
      else requireScratch(target, ctx);
      rw.rewrite(f.query);
      if (!temp) refuseTempSource(rw);
      const query = rw.edits.render(queryAfterAs(rw, rw.loc(rel)), s.end).trim();
      const withNoData = f.into && (into.skipData === true);
      const full = withNoData ? `SELECT * FROM (${query}) AS "_ctas" LIMIT 0` : query;
      return temp
        ? { kind: 'create_temp_table', sql: `CREATE TEMP TABLE ${quoteIdent(target.name)} AS ${full}`, keyword, target, selectSql: full, ...(f.if_not_exists ? { ifNotExists: true } : {}) }
        : { kind: 'create_table_as', sql: `CREATE TABLE ${qualified(target)} AS ${full}`, keyword, target };
    }
    case 'CreateStmt': {
      const rel = f.relation as Record<string, unknown>;
      const target = targetOf(rel, ctx);
      if (rel.relpersistence !== 't') {
        requireScratch(target, ctx);
        throw pgNotSupported('CREATE TABLE with column definitions (use CREATE TABLE … AS SELECT)');
      }
      tempTarget(target, rel);
      if (f.oncommit === 'ONCOMMIT_DROP' || f.oncommit === 'ONCOMMIT_DELETE_ROWS') {
        throw pgNotSupported('ON COMMIT DROP / DELETE ROWS (temporary tables keep their rows until dropped or the session ends)');
      }
      const elts = (f.tableElts as unknown[] | undefined) ?? [];
      const cols = elts.map((e) => {
        const [et, ef] = inner(e);
        if (et !== 'ColumnDef') throw pgNotSupported('table constraints on a temporary table');
        const tn = ef.typeName as Record<string, unknown>;
        const [ts, te] = rw.nodeRange({ TypeName: tn });
        // With its modifiers and array bounds: numeric(18,2), varchar(10), int[].
        let end = rw.tokAt(te);
        while (rw.tokens[end]?.text === '(' || rw.tokens[end]?.text === '[') end = rw.balancedEnd(end);
        return { name: String(ef.colname), type: sql.slice(ts, Math.max(te, rw.tokens[end - 1]?.end ?? te)) };
      });
      if (cols.length === 0) throw pgNotSupported('a temporary table without columns');
      // The columns as a read with no rows, in PostgreSQL SQL, translated like any other (type spellings).
      const empty = translatePostgres(`SELECT ${cols.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ')} LIMIT 0`, ctx);
      return {
        kind: 'create_temp_table', sql: `CREATE TEMP TABLE ${quoteIdent(target.name)} (${cols.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`,
        keyword, target, selectSql: empty.sql, columns: cols.map((c) => c.name), ...(f.if_not_exists ? { ifNotExists: true } : {}),
      };
    }
    case 'DropStmt': {
      const removeType = String(f.removeType);
      const objects = (f.objects as unknown[] | undefined) ?? [];
      if ((removeType !== 'OBJECT_TABLE' && removeType !== 'OBJECT_VIEW') || objects.length !== 1) {
        if (removeType === 'OBJECT_TABLE' || removeType === 'OBJECT_VIEW') throw pgNotSupported('dropping several relations at once');
        throw readOnly();
      }
      const parts = (inner(objects[0]!)[0] === 'List' ? strings(inner(objects[0]!)[1].items) : strings(objects[0]));
      const name = parts[parts.length - 1]!;
      const schema = parts.length > 1 ? parts[parts.length - 2]! : null;
      if (schema === 'public') throw readOnly();
      const target: PgTarget = { schema, name };
      const tempSchema = schema !== null && /^pg_temp(_\d+)?$/.test(schema);
      // Unqualified and naming no relation of the database: only a temporary table could be
      // meant, so the session's own ones answer (42P01, or nothing to do with IF EXISTS).
      const onlyTemp = schema === null && !databaseRelation(name);
      if (removeType === 'OBJECT_TABLE' && ctx.tempTables && (schema === null || tempSchema) && (ctx.tempTables.has(name) || tempSchema || onlyTemp)) {
        return { kind: 'drop_temp_table', sql: `DROP TABLE ${f.missing_ok ? 'IF EXISTS ' : ''}${quoteIdent(name)}`, keyword, target: { schema: null, name }, ...(f.missing_ok ? { ifExists: true } : {}) };
      }
      // Unqualified: a temporary table (Tableau's probe) or a dataset; the backend knows its temp tables.
      if (target.schema !== null && !target.schema.startsWith('pg_temp')) requireScratch(target, ctx);
      if (target.schema?.startsWith('pg_temp')) target.schema = null;
      const ifExists = f.missing_ok ? 'IF EXISTS ' : '';
      return removeType === 'OBJECT_TABLE'
        ? { kind: 'drop_table', sql: `DROP TABLE ${ifExists}${qualified(target)}`, keyword, target }
        : { kind: 'drop_view', sql: `DROP VIEW ${ifExists}${qualified(target)}`, keyword, target };
    }
    case 'RenameStmt': {
      if (f.renameType !== 'OBJECT_TABLE' && f.renameType !== 'OBJECT_VIEW') throw readOnly();
      const target = targetOf(f.relation as Record<string, unknown>, ctx);
      requireScratch(target, ctx);
      const newName: PgTarget = { schema: target.schema, name: String(f.newname) };
      return {
        kind: 'alter_table_rename',
        sql: `ALTER ${f.renameType === 'OBJECT_VIEW' ? 'VIEW' : 'TABLE'} ${f.missing_ok ? 'IF EXISTS ' : ''}${qualified(target)} RENAME TO ${quoteIdent(newName.name)}`,
        keyword,
        target,
        newName,
      };
    }
    case 'ViewStmt': {
      const target = targetOf(f.view as Record<string, unknown>, ctx);
      requireScratch(target, ctx);
      rw.rewrite(f.query);
      refuseTempSource(rw);
      const query = rw.edits.render(queryAfterAs(rw, rw.loc(f.view as Record<string, unknown>)), s.end).trim();
      return { kind: 'create_view', sql: `CREATE ${f.replace ? 'OR REPLACE ' : ''}VIEW ${qualified(target)} AS ${query}`, keyword, target };
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      const rel = f.relation as Record<string, unknown>;
      const target = targetOf(rel, ctx);
      const relSchema = typeof rel.schemaname === 'string' ? rel.schemaname : null;
      if (ctx.tempTables?.has(target.name) && (relSchema === null || /^pg_temp(_\d+)?$/.test(relSchema))) {
        if (type !== 'InsertStmt') throw pgNotSupported(`${keyword} on a temporary table (only INSERT)`);
        return insertTemp(f, s.end, rw, { schema: null, name: target.name }, keyword);
      }
      requireScratch(target, ctx);
      rw.rewrite(s.stmt);
      refuseTempSource(rw);
      return { kind: 'write', sql: body(), keyword, target };
    }
    case 'TruncateStmt':
    case 'AlterTableStmt':
    case 'CreateSchemaStmt':
    case 'IndexStmt':
    case 'CreateSeqStmt':
    case 'AlterSeqStmt':
    case 'CreateFunctionStmt':
    case 'GrantStmt':
    case 'GrantRoleStmt':
    case 'CommentStmt':
    case 'CreateRoleStmt':
    case 'AlterRoleStmt':
    case 'DropRoleStmt':
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'VacuumStmt':
    case 'ReindexStmt':
    case 'ClusterStmt':
    case 'RefreshMatViewStmt':
    case 'CompositeTypeStmt':
    case 'CreateEnumStmt':
    case 'DefineStmt':
    case 'CreateExtensionStmt':
    case 'DoStmt':
    case 'CallStmt':
    case 'LockStmt':
      throw readOnly();
    default:
      return { kind: 'other', sql: '', keyword };
  }
}

function readOnly(): PgSqlError {
  return new PgSqlError('25006', 'cannot execute this statement in a read-only transaction');
}

function requireScratch(target: PgTarget, ctx: PgTranslateContext): void {
  if (target.schema !== ctx.scratchSchema) {
    throw new PgSqlError('25006', `cannot write to ${target.schema === null ? '' : `${target.schema}.`}${target.name}: only the scratch schema "${ctx.scratchSchema}" is writable`);
  }
}

function targetOf(rel: Record<string, unknown>, ctx: PgTranslateContext): PgTarget {
  if (typeof rel.catalogname === 'string' && rel.catalogname !== ctx.database) {
    throw new PgSqlError('3D000', `cross-database references are not implemented: ${rel.catalogname}.${String(rel.schemaname ?? '')}.${String(rel.relname)}`);
  }
  const schema = typeof rel.schemaname === 'string' && rel.schemaname !== 'public' ? rel.schemaname : null;
  return { schema, name: String(rel.relname) };
}

function qualified(t: PgTarget): string {
  return t.schema === null ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((x) => {
    const [k, f] = inner(x);
    if (k === 'String') return String(f.sval ?? '');
    if (k === 'DefElem') return String(f.defname ?? '');
    return '';
  });
}

function resolveSearchPath(ctx: PgTranslateContext): string[] {
  const raw = ctx.searchPath ?? parseSearchPath(ctx.settings?.get('search_path') ?? '"$user", public');
  return raw.map((s) => (s === '$user' ? ctx.user : s));
}

/** `"$user", public` → ['$user', 'public']. */
export function parseSearchPath(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s.toLowerCase()));
}

/** Where the query of `CREATE … name [(cols)] [WITH (…)] … AS query` starts: after the first depth-0 AS. */
function queryAfterAs(rw: Rewriter, namePos: number): number {
  let i = rw.nameChainEnd(rw.tokAt(namePos));
  while (i < rw.tokens.length) {
    const x = rw.tokens[i]!.text.toLowerCase();
    if (x === '(') i = rw.balancedEnd(i);
    else if (x === 'as') return rw.tokens[i + 1]?.start ?? rw.sql.length;
    else i++;
  }
  return rw.sql.length;
}

function selectInto(
  sql: string,
  f: Record<string, unknown>,
  into: Record<string, unknown>,
  rw: Rewriter,
  ctx: PgTranslateContext,
  keyword: string,
): PgTranslation {
  const rel = into.rel as Record<string, unknown>;
  const target = targetOf(rel, ctx);
  const temp = rel.relpersistence === 't';
  if (temp) tempTarget(target, rel);
  else requireScratch(target, ctx);
  const relTok = rw.tokAt(rw.loc(rel));
  let intoTok = relTok;
  while (intoTok > 0 && rw.tokens[intoTok]!.text.toLowerCase() !== 'into') intoTok--;
  const relEnd = rw.nameChainEnd(relTok);
  rw.rewrite({ SelectStmt: { ...f, intoClause: undefined } });
  rw.edits.replace(rw.tokens[intoTok]!.start, rw.tokens[relEnd - 1]!.end, ' ');
  if (!temp) refuseTempSource(rw);
  const query = rw.edits.render(0, sql.length).trim().replace(/;\s*$/, '');
  return temp
    ? { kind: 'create_temp_table', sql: `CREATE TEMP TABLE ${quoteIdent(target.name)} AS ${query}`, keyword, target, selectSql: query }
    : { kind: 'create_table_as', sql: `CREATE TABLE ${qualified(target)} AS ${query}`, keyword, target };
}

/** A temporary table is created in no schema, or in pg_temp (PostgreSQL: 42P16 for any other). */
function tempTarget(target: PgTarget, rel: Record<string, unknown>): void {
  const schema = typeof rel.schemaname === 'string' ? rel.schemaname : null;
  if (schema !== null && !/^pg_temp(_\d+)?$/.test(schema)) {
    throw new PgSqlError('42P16', 'cannot create temporary relation in non-temporary schema');
  }
  target.schema = null;
}

/** Scratch tables and views outlive the session: they cannot be made from its temporary tables. */
function refuseTempSource(rw: Rewriter): void {
  if (rw.readsTemp) throw pgNotSupported('a scratch table, view or write that reads a temporary table (temporary tables end with the session)');
}

/** `INSERT INTO <temporary table> [(cols)] VALUES … | SELECT …`: the columns and the read statement. */
function insertTemp(f: Record<string, unknown>, end: number, rw: Rewriter, target: PgTarget, keyword: string): PgTranslation {
  if (f.withClause || f.onConflictClause || f.returningList || (f.override && f.override !== 'OVERRIDING_NOT_SET')) {
    throw pgNotSupported('WITH, ON CONFLICT, RETURNING or OVERRIDING in an INSERT into a temporary table');
  }
  if (!f.selectStmt) throw pgNotSupported('INSERT … DEFAULT VALUES into a temporary table');
  const columns = ((f.cols as unknown[] | undefined) ?? []).map((c) => String(inner(c)[1].name));
  const rel = f.relation as Record<string, unknown>;
  let i = rw.nameChainEnd(rw.tokAt(rw.loc(rel)));
  if (rw.tokens[i]?.text.toLowerCase() === 'as') i += 2;
  if (columns.length > 0 && rw.tokens[i]?.text === '(') i = rw.balancedEnd(i);
  rw.rewrite(f.selectStmt);
  const selectSql = rw.edits.render(rw.tokens[i]?.start ?? end, end).trim();
  return {
    kind: 'insert_temp_table', sql: `INSERT INTO ${quoteIdent(target.name)} ${selectSql}`, keyword, target, selectSql,
    ...(columns.length > 0 ? { columns } : {}),
  };
}

// ---------------------------------------------------------------------- result column names

function withNames(t: PgTranslation, select: Record<string, unknown>): PgTranslation {
  const names = columnNamesOf(select);
  if (names) t.columnNames = names;
  const types = ResultTypes.of(select);
  if (types && types.some((x) => x !== undefined)) t.columnTypes = types;
  return t;
}

/** PostgreSQL's result column names (FigureColname), or undefined when a `*` makes them unknown. */
export function columnNamesOf(select: Record<string, unknown>): string[] | undefined {
  let s = select;
  while (s.op && s.op !== 'SETOP_NONE' && s.larg) s = s.larg as Record<string, unknown>;
  const targets = s.targetList as unknown[] | undefined;
  if (!targets) {
    const values = s.valuesLists as unknown[] | undefined;
    if (values && values.length > 0) {
      const first = inner(values[0]!)[1].items as unknown[];
      return first.map((_, i) => `column${i + 1}`);
    }
    return undefined;
  }
  const out: string[] = [];
  for (const t of targets) {
    const [, rt] = inner(t);
    if (typeof rt.name === 'string') {
      out.push(rt.name);
      continue;
    }
    const val = rt.val;
    const [vt, vf] = inner(val);
    if (vt === 'ColumnRef' && strings(vf.fields).some((x) => x === '') && (vf.fields as unknown[]).some((x) => inner(x)[0] === 'A_Star')) return undefined;
    out.push(figureColname(val) ?? '?column?');
  }
  return out;
}

function figureColname(n: unknown): string | undefined {
  if (n === undefined || n === null) return undefined;
  const [type, f] = inner(n);
  switch (type) {
    case 'ColumnRef': {
      const fields = f.fields as unknown[];
      const last = fields[fields.length - 1];
      const [lt, lf] = inner(last);
      return lt === 'String' ? String(lf.sval) : undefined;
    }
    case 'A_Indirection': {
      const ind = f.indirection as unknown[];
      for (let i = ind.length - 1; i >= 0; i--) {
        const [it, itf] = inner(ind[i]);
        if (it === 'String') return String(itf.sval);
        if (it === 'A_Star') return undefined;
      }
      return figureColname(f.arg);
    }
    case 'FuncCall': {
      const names = strings(f.funcname);
      return names[names.length - 1];
    }
    case 'A_Expr':
      return f.kind === 'AEXPR_NULLIF' ? 'nullif' : undefined;
    case 'TypeCast': {
      const inside = figureColname(f.arg);
      if (inside !== undefined) return inside;
      const names = strings((f.typeName as Record<string, unknown>).names);
      return names[names.length - 1];
    }
    case 'CollateClause':
      return figureColname(f.arg);
    case 'GroupingFunc':
      return 'grouping';
    case 'SubLink': {
      const kind = String(f.subLinkType);
      if (kind === 'EXISTS_SUBLINK') return 'exists';
      if (kind === 'ARRAY_SUBLINK') return 'array';
      if (kind === 'EXPR_SUBLINK') {
        const [, sf] = inner(f.subselect);
        const tl = sf.targetList as unknown[] | undefined;
        if (tl && tl.length > 0) {
          const [, rt] = inner(tl[0]);
          if (typeof rt.name === 'string') return rt.name;
          return figureColname(rt.val);
        }
      }
      return undefined;
    }
    case 'CaseExpr':
      return figureColname(f.defresult) ?? 'case';
    case 'A_ArrayExpr':
      return 'array';
    case 'RowExpr':
      return 'row';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return f.op === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'SQLValueFunction': {
      const op = String(f.op).replace(/^SVFOP_/, '').toLowerCase();
      return op.replace(/_n$/, '');
    }
    case 'XmlExpr':
      return 'xmlelement';
    default:
      return undefined;
  }
}
