/**
 * Temporary tables of client sessions (PostgreSQL's CREATE TEMP TABLE: Tableau's connect probes
 * and its filter tables). A session that creates one gets its own DuckDB connection of the
 * organization's instance, and its tables are DuckDB TEMP tables of that connection. DuckDB keeps
 * those private to the connection (no other connection's query, information_schema or
 * duckdb_tables() sees them, whatever the name) and drops them when it closes: at the session's
 * end, or as soon as the session has dropped its last one.
 *
 * Invariants
 * - Writes are built here from parts. Client SQL arrives only as a read statement, which must pass
 *   the sandbox guard on the session's connection (so it may read the session's own temporary
 *   tables and the organization's relations, nothing else). Nothing here writes outside the
 *   connection's temp catalog: every target is `temp.main."<name>"`.
 * - A session's temporary tables hold at most `maxRows` rows and `maxBytes` bytes (their text
 *   size) in all; a write that would pass either limit is rolled back (SQLSTATE 53400).
 * - One statement at a time per session connection. A statement that needs it while a result of
 *   an earlier one is still open (a suspended portal or cursor reading a temporary table) is
 *   refused (55006) rather than silently ending that result (DuckDB has one result per connection).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { RunlakeError } from '../../util/errors.ts';
import { quoteIdent as ident } from '../../util/sql-quote.ts';

export interface TempTableLimits {
  /** Rows in all of one session's temporary tables. */
  maxRows: number;
  /** Bytes (the rows' text size) in all of one session's temporary tables. */
  maxBytes: number;
}

export const DEFAULT_TEMP_TABLE_LIMITS: TempTableLimits = Object.freeze({ maxRows: 1_000_000, maxBytes: 64 * 1024 * 1024 });

interface Size {
  rows: number;
  bytes: number;
}

interface Session {
  c: DuckDBConnection;
  busy: boolean;
  tables: Map<string, Size>;
}

export interface TempTableHost {
  /** A new connection of the organization's instance. */
  connect(): Promise<DuckDBConnection>;
  /** Throws unless `selectSql` is one read statement the sandbox allows, bound on `c`. */
  guard(c: DuckDBConnection, selectSql: string): Promise<void>;
  /** DuckDB's error as the engine's (paths removed, kinds classified). */
  classify(e: unknown): Error;
}

const target = (name: string): string => `temp.main.${ident(name)}`;

export class TempSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly host: TempTableHost, private readonly limits: TempTableLimits = DEFAULT_TEMP_TABLE_LIMITS) {}

  /** Sessions holding temporary tables (the instance must stay open while there are any). */
  get count(): number {
    return this.sessions.size;
  }

  /**
   * The session's connection for a query that reads its temporary tables, marked busy until
   * `release`; undefined when the session has none (the query then runs anywhere).
   */
  acquire(session: string): { c: DuckDBConnection; release: () => void } | undefined {
    const s = this.sessions.get(session);
    if (!s) return undefined;
    this.claim(s);
    let released = false;
    return {
      c: s.c,
      release: () => {
        if (released) return;
        released = true;
        s.busy = false;
      },
    };
  }

  async create(session: string, name: string, selectSql: string, signal?: AbortSignal): Promise<{ rows: number }> {
    return this.write(session, name, signal, async (s) => {
      if (s.tables.has(name)) throw new RunlakeError('conflict', `relation "${name}" already exists`, { sqlstate: '42P07' });
      await s.c.run(`CREATE TEMP TABLE ${ident(name)} AS SELECT * FROM (${selectSql}) AS _rl_src LIMIT ${this.room(s, name) + 1}`);
    }, selectSql);
  }

  async insert(session: string, name: string, columns: readonly string[] | null, selectSql: string, signal?: AbortSignal): Promise<{ rows: number }> {
    return this.write(session, name, signal, async (s) => {
      if (!s.tables.has(name)) throw missing(name);
      const cols = columns ? ` (${columns.map(ident).join(', ')})` : '';
      await s.c.run(`INSERT INTO ${target(name)}${cols} SELECT * FROM (${selectSql}) AS _rl_src LIMIT ${this.room(s, name) + 1}`);
    }, selectSql);
  }

  async drop(session: string, name: string, ifExists: boolean): Promise<void> {
    const s = this.sessions.get(session);
    if (!s || !s.tables.has(name)) {
      if (ifExists) return;
      throw missing(name);
    }
    this.claim(s);
    try {
      await s.c.run(`DROP TABLE ${target(name)}`);
      s.tables.delete(name);
    } catch (e) {
      throw this.host.classify(e);
    } finally {
      s.busy = false;
      this.closeIfEmpty(session, s);
    }
  }

  /** Drops the session's temporary tables (closes its connection). Idempotent. */
  end(session: string): void {
    const s = this.sessions.get(session);
    if (!s) return;
    this.sessions.delete(session);
    if (s.busy) s.c.interrupt();
    s.c.closeSync();
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.end(id);
  }

  // ------------------------------------------------------------------------------------------

  private claim(s: Session): void {
    if (s.busy) {
      throw new RunlakeError(
        'conflict',
        'another statement of this session is still reading its temporary tables (an unfinished portal or cursor); fetch its rows to the end or close it first',
        { sqlstate: '55006' },
      );
    }
    s.busy = true;
  }

  /** Rows the session may still add to `name` (its current rows are replaced by the count after the write). */
  private room(s: Session, name: string): number {
    let used = 0;
    for (const [n, size] of s.tables) if (n !== name) used += size.rows;
    return Math.max(0, this.limits.maxRows - used - (s.tables.get(name)?.rows ?? 0));
  }

  /**
   * Runs one write in a transaction on the session's connection (opened on first use), measures
   * the table, and keeps the write only within the session's limits.
   */
  private async write(session: string, name: string, signal: AbortSignal | undefined, run: (s: Session) => Promise<void>, readSql: string): Promise<{ rows: number }> {
    let s = this.sessions.get(session);
    if (!s) {
      s = { c: await this.host.connect(), busy: false, tables: new Map() };
      this.sessions.set(session, s);
    }
    const sess = s;
    this.claim(sess);
    // An interrupt between statements is forgotten by DuckDB: repeat it until the write ends.
    let reinterrupt: NodeJS.Timeout | undefined;
    const onAbort = () => {
      sess.c.interrupt();
      reinterrupt ??= setInterval(() => sess.c.interrupt(), 50);
      reinterrupt.unref();
    };
    signal?.addEventListener('abort', onAbort);
    let began = false;
    try {
      if (signal?.aborted) throw new RunlakeError('cancelled', 'the query was cancelled');
      await this.host.guard(sess.c, readSql);
      if (signal?.aborted) throw new RunlakeError('cancelled', 'the query was cancelled');
      const before = sess.tables.get(name);
      await sess.c.run('BEGIN TRANSACTION');
      began = true;
      await run(sess);
      const size = await this.measure(sess.c, name);
      this.check(sess, name, size);
      await sess.c.run('COMMIT');
      began = false;
      sess.tables.set(name, size);
      return { rows: size.rows - (before?.rows ?? 0) };
    } catch (e) {
      clearInterval(reinterrupt);
      signal?.removeEventListener('abort', onAbort);
      if (began) await sess.c.run('ROLLBACK').catch(() => undefined);
      throw e instanceof RunlakeError ? e : this.host.classify(e);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      clearInterval(reinterrupt);
      sess.busy = false;
      this.closeIfEmpty(session, sess);
    }
  }

  private async measure(c: DuckDBConnection, name: string): Promise<Size> {
    const r = await c.runAndReadAll(`SELECT count(*)::BIGINT, coalesce(sum(strlen(CAST(_rl_row AS VARCHAR))), 0)::BIGINT FROM ${target(name)} AS _rl_row`);
    const [rows, bytes] = r.getRows()[0]!;
    return { rows: Number(rows), bytes: Number(bytes) };
  }

  private check(s: Session, name: string, size: Size): void {
    let rows = size.rows;
    let bytes = size.bytes;
    for (const [n, t] of s.tables) {
      if (n === name) continue;
      rows += t.rows;
      bytes += t.bytes;
    }
    if (rows > this.limits.maxRows || bytes > this.limits.maxBytes) {
      throw new RunlakeError(
        'quota_exceeded',
        `temporary tables are limited to ${this.limits.maxRows} rows and ${Math.round(this.limits.maxBytes / (1024 * 1024))} MiB per session; ` +
          `this statement would bring them over (${rows > this.limits.maxRows ? `more than ${this.limits.maxRows} rows` : `${bytes} bytes`}), so it was not applied. ` +
          'Filter the rows, or write large intermediate results to the scratch schema with CREATE TABLE … AS',
        { sqlstate: '53400' },
      );
    }
  }

  private closeIfEmpty(session: string, s: Session): void {
    if (s.tables.size > 0 || s.busy || this.sessions.get(session) !== s) return;
    this.sessions.delete(session);
    s.c.closeSync();
  }
}

function missing(name: string): RunlakeError {
  return new RunlakeError('not_found', `table "${name}" does not exist`, { sqlstate: '42P01' });
}
