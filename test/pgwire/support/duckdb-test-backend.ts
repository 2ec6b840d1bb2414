/**
 * A TEST BACKEND for the pgwire listener: runs each query on a real in-memory DuckDB and turns
 * results into engine columns and values with the engine's own converters
 * (src/engine/duckdb/convert.ts). It is not Runlake's backend: no dialect translation, no
 * catalog emulation, no query service; SQL goes to DuckDB as the client sent it (the tests only
 * send SQL both dialects read the same). It exists so the protocol layer can be driven by real
 * clients (pg, psql) against real rows.
 */
import {
  DuckDBInstance, DuckDBTypeId, dateValue, intervalValue, timeValue, timestampTZValue, timestampValue,
  type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBResult, type DuckDBValue,
} from '@duckdb/node-api';
import { createScramVerifier } from '../../../src/control/crypto/scram.ts';
import { EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineRow, type EngineValue } from '../../../src/engine/engine.ts';
import { engineType, engineValue } from '../../../src/engine/duckdb/convert.ts';
import { parseSessionCommand, splitStatements, LexError } from '../../../src/protocols/pgwire/commands.ts';
import { PgError, SQLSTATE } from '../../../src/protocols/pgwire/errors.ts';
import type {
  PgBackend, PgBackendSession, PgColumn, PgCredentials, PgDescription, PgParam, PgQuery, PgQueryContext, PgResult,
  PgStartupRequest, PgStatement,
} from '../../../src/protocols/pgwire/pg-backend.ts';
import { pgColumnType } from '../../../src/protocols/pgwire/types.ts';

export interface TestBackendOptions {
  /** user → password (SCRAM verifiers are made from them). */
  users: Record<string, string>;
  /** Databases that exist (others: 3D000). */
  databases: string[];
  /** SQL run once on the instance (tables for the tests). */
  setup?: string[];
  /** Iterations for the test verifiers (low keeps tests fast). */
  iterations?: number;
}

const WRITES = new Set(['insert', 'update', 'delete', 'create', 'drop', 'alter', 'truncate', 'merge', 'grant', 'revoke', 'vacuum', 'attach', 'detach', 'install', 'load', 'checkpoint', 'import', 'export', 'call', 'pragma']);

/** The test backend's record of what happened, for assertions. */
export interface TestBackendLog {
  /** Every statement `parse` returned, as text. */
  parsed: string[];
  executed: string[];
  settings: [string, string | null][];
  sessionsClosed: number;
  running: number;
}

export class DuckDBTestBackend implements PgBackend {
  readonly log: TestBackendLog = { parsed: [], executed: [], settings: [], sessionsClosed: 0, running: 0 };
  private readonly verifiers = new Map<string, string>();

  private constructor(private readonly instance: DuckDBInstance, private readonly opts: TestBackendOptions) {
    for (const [user, password] of Object.entries(opts.users)) {
      this.verifiers.set(user, createScramVerifier(password, { iterations: opts.iterations ?? 4096 }));
    }
  }

  static async create(opts: TestBackendOptions): Promise<DuckDBTestBackend> {
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    for (const sql of opts.setup ?? []) await c.run(sql);
    c.closeSync();
    return new DuckDBTestBackend(instance, opts);
  }

  async credentials(user: string): Promise<PgCredentials | undefined> {
    const v = this.verifiers.get(user);
    return v === undefined ? undefined : { scramVerifier: v };
  }

  async connect(req: PgStartupRequest): Promise<PgBackendSession> {
    if (!this.opts.databases.includes(req.database)) {
      throw new PgError(SQLSTATE.invalidCatalogName, `database "${req.database}" does not exist`);
    }
    return new DuckDBTestSession(this.instance, this.log);
  }

  close(): void {
    this.instance.closeSync();
  }
}

class DuckDBTestSession implements PgBackendSession {
  constructor(private readonly instance: DuckDBInstance, private readonly log: TestBackendLog) {}

  parse(sql: string): PgStatement[] {
    let parts;
    try {
      parts = splitStatements(sql);
    } catch (e) {
      if (e instanceof LexError) throw new PgError(SQLSTATE.syntaxError, e.message, { position: e.offset + 1 });
      throw e;
    }
    return parts.map((p): PgStatement => {
      this.log.parsed.push(p.sql);
      const command = parseSessionCommand(p.sql);
      if (command) return { kind: 'command', command, sql: p.sql };
      const first = /^\s*(?:\(\s*)*([A-Za-z]+)/.exec(p.sql)?.[1]?.toLowerCase();
      if (first !== undefined && WRITES.has(first)) {
        throw new PgError(SQLSTATE.readOnlySqlTransaction, `cannot execute ${first.toUpperCase()} in a read-only transaction`);
      }
      return { kind: 'query', sql: p.sql };
    });
  }

  async describe(query: PgQuery, paramTypes: readonly number[]): Promise<PgDescription> {
    const c = await this.instance.connect();
    try {
      const p = await this.prepare(c, query.sql);
      const types: number[] = [];
      let unresolved = false;
      for (let i = 1; i <= p.parameterCount; i++) {
        const t = p.parameterTypeId(i);
        if (paramTypes[i - 1]) types.push(paramTypes[i - 1]!);
        else if (t === DuckDBTypeId.INVALID || t === DuckDBTypeId.ANY) {
          types.push(25);
          unresolved = true;
        } else types.push(pgColumnType(engineType(p.parameterType(i))).oid);
      }
      if (p.statementType !== 1 /* SELECT */ && !/^\s*(show|describe|explain|pragma|values|with|from|table)\b/i.test(query.sql)) {
        return { paramTypes: types, columns: null };
      }
      if (!unresolved) {
        const columns: PgColumn[] = [];
        for (let i = 0; i < p.columnCount; i++) columns.push({ name: p.columnName(i), type: engineType(p.columnType(i)) });
        return { paramTypes: types, columns };
      }
      // Parameters DuckDB cannot type: learn the columns by running the query with NULLs, no rows.
      const probe = await this.prepare(c, `SELECT * FROM (${query.sql}) AS _describe LIMIT 0`);
      for (let i = 1; i <= probe.parameterCount; i++) probe.bindNull(i);
      const r = await probe.stream();
      const columns: PgColumn[] = r.columnNames().map((name, i) => ({ name, type: engineType(r.columnType(i)) }));
      return { paramTypes: types, columns };
    } finally {
      c.closeSync();
    }
  }

  async execute(query: PgQuery, params: readonly PgParam[], ctx: PgQueryContext): Promise<PgResult> {
    this.log.executed.push(query.sql);
    const c = await this.instance.connect();
    // DuckDB drops an interrupt that arrives before the query has begun executing, so keep
    // interrupting until the query is released (as the product's sandbox does).
    let reinterrupt: NodeJS.Timeout | undefined;
    const onAbort = () => {
      c.interrupt();
      reinterrupt ??= setInterval(() => c.interrupt(), 50);
      reinterrupt.unref();
    };
    ctx.signal.addEventListener('abort', onAbort);
    this.log.running++;
    let closed = false;
    const release = () => {
      if (closed) return;
      closed = true;
      this.log.running--;
      ctx.signal.removeEventListener('abort', onAbort);
      clearInterval(reinterrupt);
      c.closeSync();
    };
    try {
      let result: DuckDBResult;
      if (params.length === 0) result = await c.stream(query.sql).catch((e: unknown) => { throw classify(e, query.sql); });
      else {
        const p = await this.prepare(c, query.sql);
        params.forEach((param, i) => bind(p, i + 1, param.value));
        result = await p.stream().catch((e: unknown) => { throw classify(e, query.sql); });
      }
      if (ctx.signal.aborted) throw new PgError(SQLSTATE.queryCanceled, 'interrupted');
      const columns: PgColumn[] = result.columnNames().map((name, i) => ({ name, type: engineType(result.columnType(i)) }));
      return {
        kind: 'rows',
        columns,
        next: async (): Promise<EngineRow[] | undefined> => {
          if (closed) return undefined;
          try {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) {
              release();
              return undefined;
            }
            return chunk.getRows().map((row) => row.map(engineValue));
          } catch (e) {
            release();
            throw classify(e, query.sql);
          }
        },
        close: async () => {
          if (!closed) c.interrupt();
          release();
        },
      };
    } catch (e) {
      release();
      throw e;
    }
  }

  async applySetting(name: string, value: string | null): Promise<void> {
    this.log.settings.push([name, value]);
  }

  async close(): Promise<void> {
    this.log.sessionsClosed++;
  }

  private async prepare(c: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
    try {
      return await c.prepare(sql);
    } catch (e) {
      throw classify(e, sql);
    }
  }
}

function bind(p: DuckDBPreparedStatement, i: number, v: EngineValue): void {
  if (v === null) p.bindNull(i);
  else if (typeof v === 'boolean') p.bindBoolean(i, v);
  else if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= 2_147_483_647) p.bindInteger(i, v);
    else p.bindDouble(i, v);
  } else if (typeof v === 'bigint') p.bindBigInt(i, v);
  else if (typeof v === 'string') p.bindVarchar(i, v);
  else if (v instanceof Uint8Array) p.bindBlob(i, v);
  else if (v instanceof EngineDate) p.bindDate(i, dateValue(v.days));
  else if (v instanceof EngineTimestamp) {
    if (v.withTimeZone) p.bindTimestampTZ(i, timestampTZValue(v.micros));
    else p.bindTimestamp(i, timestampValue(v.micros));
  } else if (v instanceof EngineTime) p.bindTime(i, timeValue(v.micros));
  else if (v instanceof EngineInterval) p.bindInterval(i, intervalValue(v.months, v.days, v.micros));
  else if (Array.isArray(v)) p.bindList(i, v.map((x) => x as DuckDBValue));
  else p.bindVarchar(i, JSON.stringify(v));
}

/** DuckDB's message-only errors as SQLSTATEs (what Runlake's engine classifier does, for tests). */
function classify(e: unknown, sql: string): Error {
  if (e instanceof PgError) return e;
  const raw = (e instanceof Error ? e.message : String(e)).replace(/^Failed to extract statements: /, '');
  const message = raw.replace(/\n[\s\S]*$/, '').replace(/^[A-Za-z ]+ Error: /, '');
  const near = /at or near "([^"]*)"/.exec(raw)?.[1];
  const position = near !== undefined && sql.indexOf(near) >= 0 ? sql.indexOf(near) + 1 : undefined;
  if (/^Parser Error/.test(raw)) return new PgError(SQLSTATE.syntaxError, message, position === undefined ? {} : { position });
  if (/^Catalog Error: Table with name/.test(raw)) return new PgError(SQLSTATE.undefinedTable, message);
  if (/^Catalog Error: Scalar Function/.test(raw)) return new PgError(SQLSTATE.undefinedFunction, message);
  if (/^Binder Error: .*column/i.test(raw)) return new PgError(SQLSTATE.undefinedColumn, message);
  if (/^(Conversion|Invalid Input) Error/.test(raw)) return new PgError(SQLSTATE.invalidTextRepresentation, message);
  if (/^Out of Range Error/.test(raw)) return new PgError(SQLSTATE.numericValueOutOfRange, message);
  if (/^INTERRUPT Error|Interrupted/i.test(raw)) return new PgError(SQLSTATE.queryCanceled, 'interrupted');
  if (/^(Binder|Catalog) Error/.test(raw)) return new PgError('42000', message);
  return new PgError(SQLSTATE.internalError, message);
}
