/**
 * Every failure of a query becomes a RunlakeError here, in one place: the front-end's SqlErrors,
 * the engine's errors (already RunlakeErrors when a user caused them; anything else is internal),
 * and the service's own refusals. Messages say what to do next and never reveal another
 * organization, a path or a stack.
 */
import { analyticViews } from '../catalog/analytic-views.ts';
import { orgRelations } from '../catalog/relations.ts';
import { EngineError, type EngineErrorKind } from '../engine/errors.ts';
import { SqlError } from '../sql/trino/translate.ts';
import { RunlakeError, isRunlakeError, type ErrorCode } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';

/** What a statement may be, for refusals. */
export function allowedStatements(scratchSchema: string): string {
  return (
    'only SELECT, WITH, VALUES, EXPLAIN, SHOW and DESCRIBE statements are allowed, and ' +
    `CREATE TABLE AS / DROP TABLE / ALTER TABLE RENAME / CREATE VIEW / DROP VIEW in the ${scratchSchema} schema`
  );
}

export function statementNotAllowed(what: string, scratchSchema: string): RunlakeError {
  return new RunlakeError('statement_not_allowed', `${what} is not allowed: ${allowedStatements(scratchSchema)}`);
}

/** The front-end's errors, as the client should see them. */
export function fromSqlError(e: SqlError): RunlakeError {
  switch (e.code) {
    case 'syntax_error': {
      const at = e.line !== undefined && e.column !== undefined ? { line: e.line, column: e.column } : undefined;
      // The front-end's message already starts with `line L:C:` (Trino's shape).
      const message = at && !/^line \d+:\d+/.test(e.message) ? `line ${at.line}:${at.column}: ${e.message}` : e.message;
      return new RunlakeError('syntax_error', message, at);
    }
    case 'not_supported':
      return new RunlakeError('bad_request', e.message);
    case 'multiple_statements':
      return new RunlakeError('bad_request', `${e.message}: send each statement as its own query`, lineColumn(e));
    case 'unknown_database':
      // Same message whether the database exists or not.
      return new RunlakeError('not_found', e.message);
    case 'unknown_table':
      return new RunlakeError('not_found', e.message, { sqlstate: '42P01' });
  }
}

function lineColumn(e: SqlError): Record<string, unknown> | undefined {
  return e.line !== undefined && e.column !== undefined ? { line: e.line, column: e.column } : undefined;
}

/** Why the service aborted a query's engine work. */
export type AbortReason = { kind: 'cancel'; message: string } | { kind: 'timeout'; timeoutMs: number };

export function abortError(reason: AbortReason): RunlakeError {
  if (reason.kind === 'cancel') return new RunlakeError('cancelled', reason.message);
  return new RunlakeError(
    'query_timeout',
    `the query ran longer than this organization's limit of ${formatDuration(reason.timeoutMs)} and was stopped; ` +
      'narrow it (filters, fewer columns, LIMIT) or ask an operator to raise the organization\'s queryTimeoutMs',
  );
}

/** Engine error kinds → catalogue codes (exhaustive: a new kind is a compile error here). */
const ENGINE_ERROR_CODES: Record<EngineErrorKind, ErrorCode> = {
  syntax: 'syntax_error',
  semantic: 'bad_request',
  not_supported: 'bad_request',
  data: 'bad_request',
  permission: 'statement_not_allowed',
  interrupted: 'cancelled',
  resource: 'resource_exhausted',
  internal: 'internal',
};

/** PostgreSQL's codes for the engine's semantic errors (clients such as pgJDBC act on them). */
const SEMANTIC_SQLSTATES: [RegExp, string][] = [
  [/Table with name .* does not exist|Table .* does not exist|relation .* does not exist|Referenced table .* not found/i, '42P01'],
  [/Referenced column .* not found|column .* not found|Column with name .* does not exist|does not have a column named/i, '42703'],
  [/(Scalar|Table|Aggregate) Function with name .* does not exist|No function matches/i, '42883'],
  [/GROUP BY|must appear in the GROUP BY clause|aggregate/i, '42803'],
  [/.*/, '42804'],
];

/**
 * One of the engine's own table functions (read_csv, read_parquet, …) called where a value is
 * expected, as PostgreSQL's `FROM f(…)` becomes (rewrite.ts): the engine says to call it in a
 * FROM clause, which the client did. Users have no such functions (the guard refuses them in
 * FROM too), so the answer is PostgreSQL's: the function does not exist (42883).
 */
const TABLE_FUNCTION_AS_SCALAR = /Function "([A-Za-z_][A-Za-z0-9_]*)" is a table function but it was used as a scalar function/;

/**
 * The engine's "Did you mean …?" after a missing table, view, schema or catalog names whatever
 * relation of the engine is closest: system catalogs (`pg_tables`), internal schemas, helper
 * views. For every protocol, the hint is kept only when it names one of the organization's own
 * relations (its tables and views, src/catalog/relations.ts; `main.` dropped); any other hint is
 * removed. The rest of the message (the missing name, the client's own SQL excerpt) stays.
 */
const RELATION_HINT = /((?:Table|View|Schema|Catalog) with name [^\n]*?)\s*\nDid you mean "([^"\n]*)"\??/g;

let orgRelationNames: ReadonlySet<string> | undefined;

export function withoutRelationHints(message: string): string {
  orgRelationNames ??= new Set(orgRelations(analyticViews({ timezone: 'UTC' })).map((r) => r.name));
  const own = orgRelationNames;
  return message.replace(RELATION_HINT, (_all, head: string, suggested: string) => {
    const name = suggested.replace(/^main\./, '');
    return own.has(name) ? `${head}\nDid you mean "${name}"?` : head;
  });
}

/** Any error from planning or running a query, as a RunlakeError (logging the ones users did not cause). */
export function toRunlakeError(e: unknown, log: Logger, context: Record<string, unknown>): RunlakeError {
  if (isRunlakeError(e)) return e;
  if (e instanceof SqlError) return fromSqlError(e);
  if (e instanceof EngineError) {
    const code = ENGINE_ERROR_CODES[e.kind];
    if (code === 'internal') log.error('the engine failed', { ...context, error: e.message });
    if (code === 'resource_exhausted') {
      return new RunlakeError(code, `${e.message}; the query needs more memory or disk than it may use: aggregate or filter more, or select fewer columns`);
    }
    // An engine's messages are safe to show (engine/errors.ts); internal ones are generic.
    const tableFunction = e.kind === 'semantic' ? TABLE_FUNCTION_AS_SCALAR.exec(e.message) : null;
    if (tableFunction) return new RunlakeError(code, `function ${tableFunction[1]} does not exist`, { sqlstate: '42883' });
    const sqlstate = SEMANTIC_SQLSTATES.find(([re]) => e.kind === 'semantic' && re.test(e.message))?.[1] ?? (e.kind === 'data' ? '22000' : undefined);
    const message = e.kind === 'semantic' ? withoutRelationHints(e.message) : e.message;
    return new RunlakeError(sqlstate === '42P01' ? 'not_found' : code, message, sqlstate ? { sqlstate } : undefined);
  }
  log.error('query failed with an internal error', { ...context, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  return new RunlakeError('internal', 'the query failed with an internal error; the server log has the details');
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return plural(ms / 3_600_000, 'hour');
  if (ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  if (ms % 1000 === 0) return plural(ms / 1000, 'second');
  return `${ms} ms`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
