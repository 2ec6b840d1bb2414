/**
 * Statement policy: one statement, translated by its dialect's front-end, allowed only if it is a
 * read (SELECT, WITH, VALUES, EXPLAIN, SHOW, DESCRIBE) or one of the scratch-schema writes Looker
 * PDTs need (CREATE TABLE AS, DROP TABLE, ALTER TABLE RENAME, CREATE VIEW, DROP VIEW), and then
 * only in the scratch schema. The result is a Plan: what the engine runs, never the client's text.
 *
 * The engine sandbox enforces the same boundaries again (DESIGN.md: isolation is not trusted to
 * SQL); this module's job is a clear, early refusal that names what is allowed.
 */
import { SqlError, translateTrino } from '../sql/trino/translate.ts';
import { PgSqlError, translatePostgres, type PgTranslation } from '../sql/postgres/translate.ts';
import type { Translation } from '../sql/trino/translate.ts';
import { RunlakeError } from '../util/errors.ts';
import { fromSqlError, statementNotAllowed } from './errors.ts';
import type { Dialect } from './types.ts';

export type ReadKind = 'select' | 'explain' | 'show' | 'describe';

export type Plan =
  /** `temp`: it reads the session's temporary tables (runs in the session's context, never cached). */
  | { kind: 'read'; statement: ReadKind; sql: string; temp?: boolean }
  | { kind: 'create_table_as'; name: string; selectSql: string; orReplace: boolean; ifNotExists: boolean }
  | { kind: 'drop_table'; name: string; ifExists: boolean }
  | { kind: 'rename_table'; from: string; to: string; ifExists: boolean }
  | { kind: 'create_view'; name: string; selectSql: string; orReplace: boolean }
  | { kind: 'drop_view'; name: string; ifExists: boolean }
  | TempPlan;

/** Writes of a session's temporary tables (PostgreSQL only): `selectSql` is a read statement. */
export type TempPlan =
  | { kind: 'temp_create'; name: string; selectSql: string; ifNotExists: boolean }
  | { kind: 'temp_insert'; name: string; columns: string[] | null; selectSql: string }
  | { kind: 'temp_drop'; name: string; ifExists: boolean };

export interface PlanContext {
  dialect: Dialect;
  /** The organization's database. */
  database: string;
  scratchSchema: string;
  /** Who runs it (PostgreSQL's current_user). */
  user?: string;
  /** The session's temporary tables (PostgreSQL sessions); without it, temporary tables are refused. */
  tempTables?: ReadonlySet<string>;
}

/** One dialect's front-end: one statement in, a Translation (or a temporary-table plan) out, or a SqlError. */
type FrontEnd = (sql: string, ctx: PlanContext) => (Translation & { temp?: boolean }) | TempPlan;

const FRONT_ENDS: Record<Dialect, FrontEnd> = {
  trino: (sql, ctx) => translateTrino(sql, { database: ctx.database, scratchSchema: ctx.scratchSchema }),
  postgres: (sql, ctx) => fromPostgres(sql, ctx),
};

/** The PostgreSQL front-end's answer in the shape the policy reads; its errors as RunlakeErrors carrying their SQLSTATE. */
function fromPostgres(sql: string, ctx: PlanContext): (Translation & { temp?: boolean }) | TempPlan {
  let t: PgTranslation;
  try {
    t = translatePostgres(sql, {
      database: ctx.database, scratchSchema: ctx.scratchSchema, user: ctx.user ?? ctx.database,
      ...(ctx.tempTables ? { tempTables: ctx.tempTables } : {}),
    });
  } catch (e) {
    if (e instanceof PgSqlError) throw pgError(e);
    throw e;
  }
  if (ctx.tempTables) {
    const name = t.target?.name ?? '';
    if (t.kind === 'create_temp_table') return { kind: 'temp_create', name, selectSql: t.selectSql ?? '', ifNotExists: t.ifNotExists === true };
    if (t.kind === 'insert_temp_table') return { kind: 'temp_insert', name, columns: t.columns ?? null, selectSql: t.selectSql ?? '' };
    if (t.kind === 'drop_temp_table') return { kind: 'temp_drop', name, ifExists: t.ifExists === true };
  }
  const kind: Translation['kind'] =
    t.kind === 'create_temp_table' || t.kind === 'insert_temp_table' || t.kind === 'drop_temp_table' || t.kind === 'session'
      ? 'other'
      : t.kind === 'write' ? 'insert' : t.kind;
  return {
    kind, sql: t.sql, keyword: t.keyword,
    ...(t.target ? { target: t.target } : {}),
    ...(t.newName ? { newName: t.newName } : {}),
    ...(t.temp ? { temp: true } : {}),
  };
}

function pgError(e: PgSqlError): RunlakeError {
  const details = { sqlstate: e.sqlstate, ...(e.position !== undefined ? { position: e.position } : {}) };
  switch (e.sqlstate) {
    case '42601':
      return new RunlakeError('syntax_error', e.message, details);
    case '42P01':
    case '3D000':
    case '42883':
      return new RunlakeError('not_found', e.message, details);
    case '25006':
      return new RunlakeError('statement_not_allowed', e.message, details);
    case '0A000':
    case '42P10':
    case '42P16':
      return new RunlakeError('bad_request', e.message, details);
  }
}

/** Scratch table and view names: what Looker generates (`lr$abc123_name`), lower-case as Athena/Glue keep them. */
const SCRATCH_NAME = /^[a-z_][a-z0-9_$]{0,127}$/;

/**
 * Leading words of statements DuckDB or PostgreSQL know and Trino's grammar does not: refused by
 * policy (not as a syntax error) when the statement starts with one.
 */
const FOREIGN_STATEMENTS = new Set([
  'ATTACH', 'DETACH', 'COPY', 'PRAGMA', 'INSTALL', 'LOAD', 'EXPORT', 'IMPORT', 'CHECKPOINT', 'FORCE', 'VACUUM',
  'SUMMARIZE', 'BEGIN', 'END', 'ABORT', 'LISTEN', 'NOTIFY', 'UNLISTEN', 'DISCARD', 'LOCK', 'REINDEX', 'CLUSTER',
  'DO', 'SECURITY', 'REASSIGN',
]);

/** First words that name a statement only together with the second (`CREATE SCHEMA`, `SET SESSION`). */
const TWO_WORD_STATEMENTS = new Set(['CREATE', 'DROP', 'ALTER', 'SET', 'RESET', 'SHOW', 'START', 'COMMENT', 'REFRESH', 'TRUNCATE']);

export function planStatement(sql: string, ctx: PlanContext): Plan {
  let t: (Translation & { temp?: boolean }) | TempPlan;
  try {
    t = FRONT_ENDS[ctx.dialect](sql, ctx);
  } catch (e) {
    if (e instanceof SqlError) {
      if (e.code === 'syntax_error') {
        const first = leadingWords(sql);
        if (first && FOREIGN_STATEMENTS.has(first.words[0]!) && e.line === first.line && e.column === first.column) {
          throw statementNotAllowed(first.words[0]!, ctx.scratchSchema);
        }
      }
      throw fromSqlError(e);
    }
    throw e;
  }
  const scratch = ctx.scratchSchema;
  switch (t.kind) {
    case 'temp_create':
    case 'temp_insert':
    case 'temp_drop':
      return t;
    case 'select':
    case 'explain':
    case 'show':
    case 'describe':
      return { kind: 'read', statement: t.kind, sql: t.sql, ...(t.temp ? { temp: true } : {}) };
    case 'create_table_as': {
      const name = scratchName(t, 'CREATE TABLE AS', scratch);
      for (const orReplace of [false, true]) {
        for (const ifNotExists of [false, true]) {
          const prefix = `CREATE ${orReplace ? 'OR REPLACE ' : ''}TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${qualified(t.target!)} AS `;
          if (t.sql.startsWith(prefix)) return { kind: 'create_table_as', name, selectSql: t.sql.slice(prefix.length), orReplace, ifNotExists };
        }
      }
      throw unexpected(t);
    }
    case 'drop_table': {
      const name = scratchName(t, 'DROP TABLE', scratch);
      return { kind: 'drop_table', name, ifExists: t.sql.startsWith('DROP TABLE IF EXISTS ') };
    }
    case 'alter_table_rename': {
      const from = scratchName(t, 'ALTER TABLE RENAME', scratch);
      const to = checkScratchName(t.newName!.name, 'ALTER TABLE RENAME');
      return { kind: 'rename_table', from, to, ifExists: t.sql.startsWith('ALTER TABLE IF EXISTS ') };
    }
    case 'create_view': {
      const name = scratchName(t, 'CREATE VIEW', scratch);
      for (const orReplace of [false, true]) {
        const prefix = `CREATE ${orReplace ? 'OR REPLACE ' : ''}VIEW ${qualified(t.target!)} AS `;
        if (t.sql.startsWith(prefix)) return { kind: 'create_view', name, selectSql: t.sql.slice(prefix.length), orReplace };
      }
      throw unexpected(t);
    }
    case 'drop_view': {
      const name = scratchName(t, 'DROP VIEW', scratch);
      return { kind: 'drop_view', name, ifExists: t.sql.startsWith('DROP VIEW IF EXISTS ') };
    }
    case 'insert':
      throw statementNotAllowed('INSERT', scratch);
    case 'other': {
      const words = leadingWords(sql)?.words ?? [t.keyword];
      const label = TWO_WORD_STATEMENTS.has(words[0]!) && words[1] ? `${words[0]} ${words[1]}` : words[0]!;
      throw statementNotAllowed(label === 'CREATE TABLE' ? 'CREATE TABLE without AS SELECT' : label, scratch);
    }
  }
}

/** The target's name, when the target is in the scratch schema. */
function scratchName(t: Translation, what: string, scratch: string): string {
  const target = t.target!;
  if (target.schema !== scratch) throw statementNotAllowed(`${what} outside the ${scratch} schema`, scratch);
  return checkScratchName(target.name, what);
}

function checkScratchName(name: string, what: string): string {
  const lower = name.toLowerCase();
  if (!SCRATCH_NAME.test(lower)) {
    throw new RunlakeError(
      'bad_request',
      `${what}: the name ${JSON.stringify(name)} cannot be used in the scratch schema; use 1 to 128 letters, digits, _ and $, starting with a letter or _`,
    );
  }
  return lower;
}

function qualified(q: { schema: string | null; name: string }): string {
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return q.schema === null ? quote(q.name) : `${quote(q.schema)}.${quote(q.name)}`;
}

function unexpected(t: Translation): Error {
  return new Error(`statement policy: unexpected ${t.kind} translation shape`);
}

/**
 * The first two words of a statement (upper-case) and the 1-based position of the first, skipping
 * whitespace and comments (`--`, and `/* *\/` as Trino reads them, not nested).
 */
export function leadingWords(sql: string): { words: string[]; line: number; column: number } | undefined {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const skip = () => {
    for (;;) {
      const c = sql[i];
      if (c === undefined) return;
      if (c === '\n') {
        i++;
        line++;
        lineStart = i;
      } else if (/\s/.test(c)) {
        i++;
      } else if (sql.startsWith('--', i)) {
        while (i < sql.length && sql[i] !== '\n') i++;
      } else if (sql.startsWith('/*', i)) {
        const end = sql.indexOf('*/', i + 2);
        const stop = end < 0 ? sql.length : end + 2;
        for (; i < stop; i++) {
          if (sql[i] === '\n') {
            line++;
            lineStart = i + 1;
          }
        }
      } else {
        return;
      }
    }
  };
  skip();
  const at = { line, column: i - lineStart + 1 };
  const words: string[] = [];
  for (let n = 0; n < 2; n++) {
    const m = /^[A-Za-z_]+/.exec(sql.slice(i, i + 64));
    if (!m) break;
    words.push(m[0].toUpperCase());
    i += m[0].length;
    skip();
  }
  return words.length > 0 ? { words, ...at } : undefined;
}
