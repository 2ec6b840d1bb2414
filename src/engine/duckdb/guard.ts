/**
 * The engine's own statement guard: defense in depth behind the dialect front-ends. Whatever SQL
 * reaches the sandbox must be exactly one SELECT (or EXPLAIN of one), reading only the
 * organization's own relations, and calling no function that touches files, settings, the
 * environment or the engine's catalog of internals. DuckDB's own parser decides (extractStatements,
 * the prepared statement's type, and json_serialize_sql's syntax tree), not a regular expression.
 */
import { StatementType, type DuckDBConnection } from '@duckdb/node-api';

export class GuardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardError';
  }
}

/** Table functions a query may call. */
const TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/**
 * Scalar functions a query may not call (files, settings, environment, internals, and state of
 * the connection: `setseed`, since a connection serves one statement after another of anyone in
 * the organization).
 */
const DENIED_FUNCTION = /^(read_|parquet_|duckdb_|pragma_|glob$|sniff_csv$|current_setting$|getenv$|query$|query_table$|which_secret$|load_extension|install_extension|icu_|enable_|disable_|set_|setseed$|checkpoint|force_checkpoint|export_|import_|json_execute_serialized_sql$|json_serialize_plan$|sql_auto_complete$|test_|system$)/i;

export interface GuardOptions {
  /** Schemas a query may name besides the default one (e.g. the scratch schema). */
  schemas: readonly string[];
  /** Schemas whose macros a query may call by qualified name (e.g. the emulated pg_catalog's). */
  functionSchemas?: readonly string[];
}

/**
 * Throws GuardError unless `sql` is one read-only statement within the sandbox's rules; returns
 * the names of the relations it reads (CTE names included: an upper bound).
 */
export async function guardStatement(c: DuckDBConnection, sql: string, opts: GuardOptions): Promise<string[]> {
  const extracted = await c.extractStatements(sql);
  if (extracted.count !== 1) throw new GuardError('only one statement per query is allowed');
  const prepared = await extracted.prepare(0);
  const type = prepared.statementType;
  prepared.destroySync();
  if (type !== StatementType.SELECT && type !== StatementType.EXPLAIN) {
    throw new GuardError(`only read statements are allowed here (got a ${StatementType[type] ?? 'different'} statement)`);
  }
  const selectSql = type === StatementType.EXPLAIN ? sql.replace(/^\s*explain(\s+analyze)?\b/i, '') : sql;
  const relations = new Set<string>();
  walk(await syntaxTree(c, selectSql), opts, relations);
  return [...relations];
}

/** The names of the relations a SELECT reads (for views: the relations of their definition). */
export async function relationsIn(c: DuckDBConnection, selectSql: string): Promise<string[]> {
  const relations = new Set<string>();
  walk(await syntaxTree(c, selectSql), { schemas: [] }, relations, false);
  return [...relations];
}

async function syntaxTree(c: DuckDBConnection, selectSql: string): Promise<unknown> {
  const r = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [selectSql]);
  const tree = JSON.parse(String(r.getRows()[0]![0])) as { error?: boolean; error_message?: string; statements?: unknown[] };
  if (tree.error) throw new GuardError('only SELECT, WITH, VALUES and EXPLAIN statements can run here');
  return tree.statements;
}

function walk(node: unknown, opts: GuardOptions, relations: Set<string>, enforce = true): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, opts, relations, enforce);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const n = node as Record<string, unknown>;
  if (n.type === 'BASE_TABLE') relations.add(String(n.table_name ?? ''));
  if (!enforce) {
    for (const v of Object.values(n)) if (typeof v === 'object' && v !== null) walk(v, opts, relations, enforce);
    return;
  }
  if (n.type === 'TABLE_FUNCTION' && typeof n.function === 'object' && n.function !== null) {
    const name = String((n.function as Record<string, unknown>).function_name ?? '').toLowerCase();
    if (!TABLE_FUNCTIONS.has(name)) throw new GuardError(`not supported: ${name}`);
  }
  if (n.class === 'FUNCTION' && typeof n.function_name === 'string') {
    const name = n.function_name.toLowerCase();
    if (DENIED_FUNCTION.test(name)) throw new GuardError(`not supported: ${name}`);
    if (typeof n.schema === 'string' && n.schema !== '' && n.schema !== 'main' && !(opts.functionSchemas ?? []).includes(n.schema)) {
      throw new GuardError(`not supported: ${n.schema}.${name}`);
    }
  }
  if (n.type === 'BASE_TABLE') {
    const catalog = String(n.catalog_name ?? '');
    const schema = String(n.schema_name ?? '').toLowerCase();
    if (catalog !== '' || (schema !== '' && schema !== 'main' && !opts.schemas.includes(schema))) {
      throw new GuardError(`relation ${[catalog, schema, n.table_name].filter(Boolean).join('.')} does not exist`);
    }
  }
  for (const v of Object.values(n)) if (typeof v === 'object' && v !== null) walk(v, opts, relations, enforce);
}
