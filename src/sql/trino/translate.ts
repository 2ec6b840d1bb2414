/**
 * Public API of the Trino front-end: parse one Trino statement, classify it, and translate it to
 * DuckDB SQL with Trino's semantics (after TRINO_MACROS are installed on the connection).
 * Anything without a faithful translation is refused (`not supported: <name>`), never guessed.
 */
import * as P from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import { classifyStatement, leadingKeyword, nameParts, recogniseHiveUtility } from './classify.ts';
import type { HiveUtility, StatementKind } from './classify.ts';
import { Emitter, identifierValue, quoteIdent, sqlString, stringValue } from './emit.ts';
import type { QualifiedName } from './emit.ts';
import { SqlError, notSupported } from './errors.ts';
import { FUNCTIONS } from './functions.ts';
import { lexTrino, parseTrino } from './parse.ts';

export { SqlError } from './errors.ts';
export type { SqlErrorCode } from './errors.ts';
export type { StatementKind } from './classify.ts';

export interface TranslateContext {
  /** The organization's database (Glue database name); names qualified with it resolve to the current schema. */
  database: string;
  /** Names of catalogs accepted, case-insensitive. Default: ['AwsDataCatalog']. */
  catalogs?: string[];
  /** A schema clients may create tables in and read them from (Looker's PDT "temp database"). */
  scratchSchema?: string;
}

export interface Translation {
  kind: StatementKind;
  /** DuckDB SQL. Empty for kind 'other', which has no DuckDB equivalent. */
  sql: string;
  /** The statement's leading keyword, upper-case (e.g. 'SELECT', 'WITH', 'USE'). */
  keyword: string;
  /** The written table (create_table_as, drop_table, alter_table_rename, create_view, drop_view, insert). Schema null = the organization's database. */
  target?: { schema: string | null; name: string };
  /** The new name (alter_table_rename). */
  newName?: { schema: string | null; name: string };
  /** CTAS / CREATE VIEW `WITH (...)` properties: key lower-case, value the literal's value or the expression's text. */
  properties?: Record<string, string>;
}

/**
 * Translations remembered by (context, SQL text): translation is a pure function of both, and
 * dashboards and BI tools send the same statements again and again.
 */
const remembered = new Map<string, Translation>();
const REMEMBER_MAX = 1000;

export function translateTrino(sql: string, ctx: TranslateContext): Translation {
  const key = `${ctx.database}\u0000${ctx.scratchSchema ?? ''}\u0000${(ctx.catalogs ?? []).join(',')}\u0000${sql}`;
  const hit = remembered.get(key);
  if (hit) {
    remembered.delete(key);
    remembered.set(key, hit);
    return structuredClone(hit);
  }
  const t = translateUncached(sql, ctx);
  remembered.set(key, structuredClone(t));
  if (remembered.size > REMEMBER_MAX) remembered.delete(remembered.keys().next().value!);
  return t;
}

function translateUncached(sql: string, ctx: TranslateContext): Translation {
  const emitCtx = {
    database: ctx.database,
    catalogs: (ctx.catalogs ?? ['AwsDataCatalog']).map((c) => c.toLowerCase()),
    scratchSchema: ctx.scratchSchema,
  };
  let parsed;
  try {
    parsed = parseTrino(sql);
  } catch (e) {
    if (e instanceof SqlError && e.code === 'syntax_error') {
      const tokens = lexTrino(sql);
      const hive = recogniseHiveUtility(tokens);
      if (hive) return hiveUtility(hive, new Emitter(tokens, emitCtx), ctx, leadingKeyword(tokens));
    }
    throw e;
  }
  const emitter = new Emitter(parsed.tokens, emitCtx);
  const keyword = leadingKeyword(parsed.tokens);
  return statement(parsed.statement, emitter, ctx, keyword);
}

function statement(s: P.StatementContext, em: Emitter, ctx: TranslateContext, keyword: string): Translation {
  const kind = classifyStatement(s);
  switch (kind) {
    case 'select':
      return { kind, keyword, sql: em.render((s as P.StatementDefaultContext).rootQuery()) };
    case 'explain': {
      const inner = s instanceof P.ExplainContext ? s.statement() : (s as P.ExplainAnalyzeContext).statement();
      const innerKind = classifyStatement(inner);
      if (innerKind !== 'select') throw notSupported(`EXPLAIN of ${leadingWord(inner)}`);
      const analyze = s instanceof P.ExplainAnalyzeContext ? 'ANALYZE ' : '';
      return { kind, keyword, sql: `EXPLAIN ${analyze}${em.render((inner as P.StatementDefaultContext).rootQuery())}` };
    }
    case 'show':
    case 'describe':
      return show(s, em, ctx, kind, keyword);
    case 'create_table_as': {
      const c = s as P.CreateTableAsSelectContext;
      const target = em.resolveName(c.tableNameCreate());
      const properties = c.properties() ? propertiesOf(c.properties()!, em) : {};
      let query = em.render(c.rootQuery()!);
      if (c.columnListCreate()) {
        const cols = c.columnListCreate()!.columnNameCreate().map((x) => quoteIdent(identifierValue(x.identifier())));
        query = `SELECT * FROM (${query}) AS "_ctas"(${cols.join(', ')})`;
      }
      if (c.KW_NO()) query = `SELECT * FROM (${query}) AS "_ctas" LIMIT 0`;
      const replace = c.KW_REPLACE() ? 'OR REPLACE ' : '';
      const ifNotExists = c.KW_EXISTS() ? 'IF NOT EXISTS ' : '';
      return {
        kind,
        keyword,
        sql: `CREATE ${replace}TABLE ${ifNotExists}${qualified(target)} AS ${query}`,
        target,
        properties,
      };
    }
    case 'drop_table': {
      const c = s as P.DropTableContext;
      const target = em.resolveName(c.tableRef());
      return { kind, keyword, sql: `DROP TABLE ${c.KW_EXISTS() ? 'IF EXISTS ' : ''}${qualified(target)}`, target };
    }
    case 'alter_table_rename': {
      const c = s as P.RenameTableContext;
      const target = em.resolveName(c._from_!);
      const newName = em.resolveName(c._to!);
      if (newName.schema !== target.schema) throw notSupported('renaming a table into another database');
      return {
        kind,
        keyword,
        sql: `ALTER TABLE ${c.KW_EXISTS() ? 'IF EXISTS ' : ''}${qualified(target)} RENAME TO ${quoteIdent(newName.name)}`,
        target,
        newName,
      };
    }
    case 'create_view': {
      const c = s as P.CreateViewContext;
      const target = em.resolveName(c.viewNameCreate());
      const properties = c.properties() ? propertiesOf(c.properties()!, em) : {};
      return {
        kind,
        keyword,
        sql: `CREATE ${c.KW_REPLACE() ? 'OR REPLACE ' : ''}VIEW ${qualified(target)} AS ${em.render(c.rootQuery())}`,
        target,
        properties,
      };
    }
    case 'drop_view': {
      const c = s as P.DropViewContext;
      const target = em.resolveName(c.viewRef());
      return { kind, keyword, sql: `DROP VIEW ${c.KW_EXISTS() ? 'IF EXISTS ' : ''}${qualified(target)}`, target };
    }
    case 'insert': {
      const c = s as P.InsertIntoContext;
      const target = em.resolveName(c.tableRef());
      const cols = c.columnList() ? ` (${c.columnList()!.columnRef().map((r) => quoteIdent(r.getText().replace(/^"|"$/g, ''))).join(', ')})` : '';
      return { kind, keyword, sql: `INSERT INTO ${qualified(target)}${cols} ${em.render(c.rootQuery())}`, target };
    }
    case 'other':
      return { kind, keyword, sql: '' };
  }
}

function leadingWord(s: P.StatementContext): string {
  return (s.start?.text ?? '').toUpperCase();
}

function qualified(q: QualifiedName): string {
  return q.schema === null ? quoteIdent(q.name) : `${quoteIdent(q.schema)}.${quoteIdent(q.name)}`;
}

function propertiesOf(p: P.PropertiesContext, em: Emitter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const prop of p.propertyAssignments().property()) {
    const key = identifierValue(prop.identifier()).toLowerCase();
    const value = prop.propertyValue();
    let text = value.getText();
    if (value instanceof P.NonDefaultPropertyValueContext) {
      const lit = literalString(value.expression());
      text = lit ?? em.rawText(value.expression());
    }
    out[key] = text;
  }
  return out;
}

function literalString(e: P.ExpressionContext): string | null {
  let n: unknown = e;
  for (;;) {
    if (n instanceof P.StringLiteralContext) return stringValue(n.string());
    if (n instanceof P.ExpressionContext || n instanceof P.ValueExpressionDefaultContext) n = n.getChild(0);
    else if (n instanceof P.PredicatedContext && !n.predicate()) n = n.valueExpression();
    else return null;
  }
}

// ---------------------------------------------------------------------- SHOW / DESCRIBE

/** Schema predicate for information_schema queries (org database = current schema). */
function schemaPredicate(schema: string | null): string {
  return schema === null ? 'table_schema = current_schema()' : `table_schema = ${sqlString(schema)}`;
}

/** Hive pattern ('*' any, '|' alternatives), case-insensitive, as a DuckDB predicate on `col`. */
function hivePattern(col: string, pattern: string | null): string {
  if (pattern === null) return 'true';
  const alternatives = pattern.split('|').map((alt) => alt.trim().replace(/[.+?^${}()[\]\\]/g, '\\$&').replaceAll('*', '.*'));
  return `regexp_full_match(lower(${col}), ${sqlString(`(${alternatives.join('|').toLowerCase()})`)})`;
}

function likePattern(col: string, pattern: string | null): string {
  return pattern === null ? 'true' : `${col} LIKE ${sqlString(pattern)}`;
}

function tablesSql(schema: string | null, predicate: string, type: 'BASE TABLE' | 'VIEW' | null): string {
  const typeFilter = type ? ` AND table_type = ${sqlString(type)}` : '';
  return `SELECT table_name AS tab_name FROM information_schema.tables WHERE ${schemaPredicate(schema)}${typeFilter} AND ${predicate} ORDER BY 1`;
}

function columnsSql(target: QualifiedName): string {
  return (
    `SELECT column_name AS col_name, data_type, '' AS comment FROM information_schema.columns ` +
    `WHERE ${schemaPredicate(target.schema)} AND lower(table_name) = lower(${sqlString(target.name)}) ORDER BY ordinal_position`
  );
}

function showColumnsSql(target: QualifiedName): string {
  return (
    `SELECT column_name AS field FROM information_schema.columns ` +
    `WHERE ${schemaPredicate(target.schema)} AND lower(table_name) = lower(${sqlString(target.name)}) ORDER BY ordinal_position`
  );
}

/** SHOW DATABASES / SHOW SCHEMAS: the organization's database and its scratch schema, as the Glue catalog lists them. */
function databasesSql(ctx: TranslateContext, predicate: (col: string) => string): string {
  const names = [ctx.database, ...(ctx.scratchSchema ? [ctx.scratchSchema] : [])].map((n) => `(${sqlString(n)})`).join(', ');
  return `SELECT database_name FROM (VALUES ${names}) AS "_d"(database_name) WHERE ${predicate('database_name')} ORDER BY database_name`;
}

function resolveParts(parts: string[], em: Emitter): QualifiedName {
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) return { schema: null, name };
  if (parts.length === 3) em.checkCatalog(parts[0]!);
  return { schema: em.schemaFor(parts[parts.length - 2]!), name };
}

function hiveUtility(h: HiveUtility, em: Emitter, ctx: TranslateContext, keyword: string): Translation {
  switch (h.kind) {
    case 'show_databases':
      return { kind: 'show', keyword, sql: databasesSql(ctx, (c) => hivePattern(c, h.pattern)) };
    case 'show_tables':
    case 'show_views': {
      const schema = h.database === null ? null : em.schemaFor(h.database);
      return { kind: 'show', keyword, sql: tablesSql(schema, hivePattern('table_name', h.pattern), h.kind === 'show_views' ? 'VIEW' : null) };
    }
    case 'show_columns': {
      const target = resolveParts(h.table, em);
      return { kind: 'show', keyword, sql: showColumnsSql(target), target };
    }
    case 'show_partitions': {
      const target = resolveParts(h.table, em);
      return { kind: 'show', keyword, sql: `SELECT CAST(NULL AS VARCHAR) AS partition WHERE false`, target };
    }
    case 'show_tblproperties': {
      const target = resolveParts(h.table, em);
      return { kind: 'show', keyword, sql: `SELECT CAST(NULL AS VARCHAR) AS prpt_name, CAST(NULL AS VARCHAR) AS prpt_value WHERE false`, target };
    }
    case 'show_create_table': {
      const target = resolveParts(h.table, em);
      return { kind: 'show', keyword, sql: showCreateSql(target), target };
    }
    case 'describe': {
      const target = resolveParts(h.table, em);
      return { kind: 'describe', keyword, sql: columnsSql(target), target };
    }
  }
}

function showCreateSql(target: QualifiedName): string {
  const schema = target.schema === null ? 'current_schema()' : sqlString(target.schema);
  return (
    `SELECT sql AS createtab_stmt FROM (SELECT schema_name, table_name AS name, sql FROM duckdb_tables() ` +
    `UNION ALL SELECT schema_name, view_name, sql FROM duckdb_views()) WHERE schema_name = ${schema} AND lower(name) = lower(${sqlString(target.name)})`
  );
}

function show(s: P.StatementContext, em: Emitter, ctx: TranslateContext, kind: 'show' | 'describe', keyword: string): Translation {
  const pattern = (p: P.StringContext | undefined): string | null => (p ? stringValue(p) : null);
  if (s instanceof P.ShowTablesContext) {
    if (s._escape) throw notSupported('SHOW TABLES LIKE ... ESCAPE');
    const ref = s.schemaRef();
    const schema = ref ? schemaOfRef(ref, em) : null;
    return { kind, keyword, sql: tablesSql(schema, likePattern('table_name', pattern(s._pattern)), null) };
  }
  if (s instanceof P.ShowSchemasContext) {
    if (s._escape) throw notSupported('SHOW SCHEMAS LIKE ... ESCAPE');
    const catalog = s.catalogRef();
    if (catalog) {
      const name = identifierValue(nameParts(catalog)[0]!);
      if (!(ctx.catalogs ?? ['AwsDataCatalog']).some((c) => c.toLowerCase() === name.toLowerCase())) {
        throw new SqlError('unknown_database', `Catalog '${name}' is not available: this connection can only query the catalog AwsDataCatalog`);
      }
    }
    return { kind, keyword, sql: databasesSql(ctx, (c) => likePattern(c, pattern(s._pattern))) };
  }
  if (s instanceof P.ShowCatalogsContext) {
    return { kind, keyword, sql: `SELECT 'AwsDataCatalog' AS "Catalog"` };
  }
  if (s instanceof P.ShowColumnsContext) {
    const target = em.resolveName(s.tableOrViewName());
    return { kind, keyword, sql: kind === 'describe' ? columnsSql(target) : showColumnsSql(target), target };
  }
  if (s instanceof P.ShowCreateTableContext) {
    const target = em.resolveName(s.tableRef());
    return { kind, keyword, sql: showCreateSql(target), target };
  }
  if (s instanceof P.ShowCreateViewContext) {
    const target = em.resolveName(s.viewRef());
    return { kind, keyword, sql: showCreateSql(target), target };
  }
  if (s instanceof P.ShowFunctionsContext) {
    const names = Object.entries(FUNCTIONS)
      .filter(([, rule]) => rule.kind !== 'unsupported')
      .map(([name]) => name)
      .sort();
    const rows = names.map((n) => `(${sqlString(n)})`).join(', ');
    return {
      kind,
      keyword,
      sql: `SELECT "Function" FROM (VALUES ${rows}) AS "_f"("Function") WHERE ${likePattern('"Function"', pattern(s._pattern))} ORDER BY 1`,
    };
  }
  throw notSupported(em.rawText(s).split(/\s+/).slice(0, 2).join(' ').toUpperCase());
}

function schemaOfRef(ref: P.SchemaRefContext, em: Emitter): string | null {
  const parts = nameParts(ref).map(identifierValue);
  if (parts.length === 2) em.checkCatalog(parts[0]!);
  return em.schemaFor(parts[parts.length - 1]!);
}

/**
 * Build the parser's prediction caches (the first parse of a new query shape costs up to ~1 s;
 * afterwards a 2 KB query takes a few ms). Call once at server start-up.
 */
export function warmUpTrino(): void {
  const ctx: TranslateContext = { database: 'warmup' };
  for (const sql of WARM_UP_QUERIES) translateTrino(sql, ctx);
}

const WARM_UP_QUERIES = [
  `WITH r AS (SELECT p.id, date_trunc('week', p.created_at) AS w, date_diff('day', p.created_at, coalesce(p.completed_at, current_timestamp)) AS d,
     CASE WHEN p.status = 'x' THEN 1 ELSE 0 END AS done FROM "AwsDataCatalog"."warmup"."t" AS p LEFT JOIN warmup.u ON u.id = p.id AND u.x IS NOT NULL
     WHERE p.created_at >= date_add('month', -6, date_trunc('month', current_date)) AND (p.name LIKE '%a%' OR regexp_like(p.name, 'b|c')))
   SELECT w, COUNT(DISTINCT id) AS "n", approx_percentile(d, 0.5), SUM(done) * 1.0 / NULLIF(COUNT(*), 0), ROW_NUMBER() OVER (PARTITION BY w ORDER BY w DESC),
     format_datetime(max(w), 'yyyy-MM-dd'), date_format(min(w), '%Y-%m-%d'), count_if(d > 30), CAST(SUM(d) AS DOUBLE) / 7, CAST(max(w) AS VARCHAR)
   FROM r WHERE w BETWEEN TIMESTAMP '2020-01-01 00:00:00' AND TIMESTAMP '2030-01-01 00:00:00' AND w IN (SELECT w FROM r)
   GROUP BY 1 HAVING COUNT(*) > 0 ORDER BY 1 DESC, 3 DESC OFFSET 0 LIMIT 500`,
  `SELECT x, t.n FROM warmup.t CROSS JOIN UNNEST(t.tags) WITH ORDINALITY AS u(x, n) WHERE element_at(t.tags, 1) = 'a' UNION ALL SELECT 'b', 2`,
  'SELECT 1',
];
