/**
 * The real PostgreSQL parser (libpg-query, PostgreSQL 18's parser compiled to WASM), loaded once
 * at module load (top-level await), then used synchronously. Offsets are converted from the
 * parser's UTF-8 byte offsets to JavaScript string indices.
 */
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { PgSqlError } from './errors.ts';
import { Lru } from '../../util/lru.ts';

await loadModule();

/** A node of the parse tree: `{ NodeType: { ...fields } }`, fields as the parser's JSON. */
export type PgNode = Record<string, unknown>;

export interface RawStatement {
  /** The statement node, e.g. `{ SelectStmt: {...} }`. */
  stmt: PgNode;
  /** Character offsets of the statement in the source text (without the terminating `;`). */
  start: number;
  end: number;
}

export interface Token {
  /** Character offsets into the source. */
  start: number;
  end: number;
  text: string;
  /** The scanner's token name (IDENT, SCONST, ICONST, ASCII_40, TYPECAST…). */
  name: string;
  /** NO_KEYWORD, UNRESERVED_KEYWORD, COL_NAME_KEYWORD, TYPE_FUNC_NAME_KEYWORD, RESERVED_KEYWORD. */
  keyword: string;
}

/** Byte offset → character index for `sql` (identity for ASCII text). */
export function byteToChar(sql: string): (byte: number) => number {
  if (Buffer.byteLength(sql) === sql.length) return (b) => b;
  const map: number[] = [];
  let byte = 0;
  for (let i = 0; i < sql.length; i++) {
    const cp = sql.codePointAt(i)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) map[byte + k] = i;
    byte += n;
    if (cp >= 0x10000) i++;
  }
  map[byte] = sql.length;
  return (b) => map[b] ?? sql.length;
}

interface LibPgError {
  message: string;
  sqlDetails?: { cursorPosition?: number };
}

/**
 * The last statements' parses and tokens by exact text: one query is parsed by the session (to
 * split it), the backend and the service, and dashboards repeat the same texts. Callers treat the
 * results as read-only.
 */
const parsed = new Lru<string, RawStatement[]>(256);
const scanned = new Lru<string, Token[]>(256);

/** Parses `sql` (any number of statements). Throws PgSqlError 42601 with PostgreSQL's message and position. */
export function parsePg(sql: string): RawStatement[] {
  return parsed.getOrMake(sql, parseUncached);
}

/** The scanner's tokens (comments excluded), with character offsets. */
export function scanPg(sql: string): Token[] {
  return scanned.getOrMake(sql, scanUncached);
}

function parseUncached(sql: string): RawStatement[] {
  let result: { stmts?: { stmt: PgNode; stmt_location?: number; stmt_len?: number }[] };
  // PostgreSQL answers an empty string with EmptyQueryResponse (pgJDBC's isValid() sends one);
  // libpg-query throws "Query cannot be empty" for it (but not for blanks or comments).
  if (sql === '') return [];
  try {
    result = parseSync(sql) as unknown as typeof result;
  } catch (e) {
    const err = e as LibPgError;
    const b2c = byteToChar(sql);
    const pos = err.sqlDetails?.cursorPosition;
    throw new PgSqlError('42601', String(err.message ?? e), pos === undefined ? undefined : b2c(pos) + 1);
  }
  const b2c = byteToChar(sql);
  const totalBytes = Buffer.byteLength(sql);
  return (result.stmts ?? []).map((s) => {
    const startB = s.stmt_location ?? 0;
    const endB = s.stmt_len ? startB + s.stmt_len : totalBytes;
    return { stmt: s.stmt, start: b2c(startB), end: b2c(endB) };
  });
}

function scanUncached(sql: string): Token[] {
  const b2c = byteToChar(sql);
  const out: Token[] = [];
  for (const t of scanSync(sql).tokens) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    const start = b2c(t.start);
    const end = b2c(t.end);
    out.push({ start, end, text: sql.slice(start, end), name: t.tokenName, keyword: t.keywordName });
  }
  return out;
}
