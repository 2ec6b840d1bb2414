/**
 * The PgBackend that serves Runlake over the wire protocol: the user name is an access key id,
 * the password its secret (checked by SCRAM against the stored verifier), the database the
 * organization's. Statements go through the query service in the PostgreSQL dialect, so they get
 * the same policy, limits, history and sandbox as every other protocol.
 *
 * Bind parameters are substituted into the statement as SQL literals (the engine takes one
 * statement text); the tokenizer finds `$n` outside strings, identifiers and comments.
 */
import { randomUUID } from 'node:crypto';
import type { ControlStore } from '../../control/control-store.ts';
import type { CredentialResolver } from '../../control/admin.ts';
import type { QueryService } from '../../service/query-service.ts';
import type { RunningQuery } from '../../service/types.ts';
import { PgSqlError, splitPostgres, translatePostgres, type PgTranslation } from '../../sql/postgres/translate.ts';
import { EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineValue } from '../../engine/engine.ts';
import { RunlakeError, analyticsDisabled } from '../../util/errors.ts';
import { parseSessionCommand, tokenize } from './commands.ts';
import type {
  PgBackend, PgBackendSession, PgColumn, PgDescription, PgParam, PgQuery, PgQueryContext, PgResult, PgStartupRequest, PgStatement,
} from './pg-backend.ts';
import { OID, codecForOid } from './types.ts';
import { pgTypeByName } from '../../catalog/pg-types.ts';
import type { PgResultType } from '../../sql/postgres/result-types.ts';

export interface RunlakeBackendOptions {
  service: QueryService;
  credentials: CredentialResolver;
  control: ControlStore;
  scratchSchema: string;
}

export function runlakeBackend(o: RunlakeBackendOptions): PgBackend {
  return {
    async credentials(user) {
      const key = await o.credentials.resolveAccessKey(user);
      return key ? { scramVerifier: key.scramVerifier } : undefined;
    },
    async connect(req: PgStartupRequest): Promise<PgBackendSession> {
      const key = await o.credentials.resolveAccessKey(req.user);
      if (!key) throw new RunlakeError('unauthenticated', 'the access key is not valid');
      // Another organization's database, or one that does not exist: the same answer.
      if (req.database !== key.org) throw new RunlakeError('not_found', `database "${req.database}" does not exist`);
      const org = await o.control.getOrg(key.org);
      if (!org) throw new RunlakeError('not_found', `database "${req.database}" does not exist`);
      if (!org.analyticsEnabled) throw analyticsDisabled(key.org);
      void o.credentials.touchAccessKey(key.accessKeyId);
      return new RunlakeSession(o, key.org, key.accessKeyId);
    },
  };
}

class RunlakeSession implements PgBackendSession {
  /** The session as the query service knows it: its temporary tables live as long as it does. */
  private readonly session = { id: randomUUID(), tempTables: new Set<string>() };

  constructor(private readonly o: RunlakeBackendOptions, private readonly org: string, private readonly keyId: string) {}

  parse(sql: string): PgStatement[] {
    let parts: string[];
    try {
      parts = splitPostgres(sql);
    } catch (e) {
      throw asRunlakeError(e);
    }
    if (parts.length === 0) return [{ kind: 'empty' }];
    return parts.map((text): PgStatement => {
      if (text.trim() === '') return { kind: 'empty' };
      const command = parseSessionCommand(text);
      return command ? { kind: 'command', command, sql: text } : { kind: 'query', sql: text };
    });
  }

  async describe(query: PgQuery, paramTypes: readonly number[], ctx: PgQueryContext): Promise<PgDescription> {
    const count = paramCount(query.sql);
    const types = Array.from({ length: count }, (_, i) => paramTypes[i] || OID.text);
    const kind = this.kindOf(query.sql);
    if (kind !== 'select' && kind !== 'explain') return { paramTypes: types, columns: null };
    // The columns of a read: run it with every parameter a NULL of its type (so `$1 AS x` has the
    // parameter's type, as in PostgreSQL, and matches what execute() returns) and no rows wanted;
    // where typed NULLs do not bind (`timestamp_col > $1::varchar`), with untyped NULLs.
    const columnsOf = async (params: PgParam[], typedNulls: boolean) => {
      const run = await this.submit(`SELECT * FROM (${bind(query.sql, params, { typedNulls })}) AS described LIMIT 0`, ctx.signal);
      try {
        return await run.columns();
      } finally {
        run.cancel();
      }
    };
    let columns: readonly PgColumn[];
    try {
      columns = await columnsOf(types.map((type) => ({ type, value: null })), true);
    } catch (e) {
      if (count === 0 || ctx.signal.aborted) throw e;
      columns = await columnsOf(types.map(() => ({ type: 0, value: null })), false);
    }
    return { paramTypes: types, columns: this.named(query.sql, columns) };
  }

  async execute(query: PgQuery, params: readonly PgParam[], ctx: PgQueryContext): Promise<PgResult> {
    const sql = params.length > 0 ? bind(query.sql, params) : query.sql;
    const t = this.translate(sql);
    const kind = t.kind;
    const run = await this.submit(sql, ctx.signal);
    const columns = await run.columns();
    if (kind !== 'select' && kind !== 'explain') {
      for await (const chunk of run.rows()) void chunk; // a write's summary row: drained so the query can finish
      const info = await run.finished();
      if (info.error) throw new RunlakeError((info.error.code as 'bad_request') ?? 'bad_request', info.error.message);
      if (kind === 'create_temp_table' && t.target) this.session.tempTables.add(t.target.name);
      if (kind === 'drop_temp_table' && t.target) this.session.tempTables.delete(t.target.name);
      // CREATE TEMP TABLE t (…) answers CREATE TABLE; its AS / SELECT INTO forms SELECT n.
      const tag = kind === 'create_temp_table' && t.columns ? 'CREATE TABLE' : commandTag(kind, info.rows ?? 0);
      return { kind: 'command', tag };
    }
    const rows = run.chunks();
    return {
      kind: 'rows',
      columns: this.named(sql, columns, t),
      next: async () => {
        const r = await rows.next();
        return r.done ? undefined : r.value;
      },
      close: async () => {
        await rows.return?.();
      },
    };
  }

  /** The connection ended: its temporary tables go with it. */
  async close(): Promise<void> {
    this.session.tempTables.clear();
    await this.o.service.endSession(this.org, this.session.id);
  }

  private submit(sql: string, signal: AbortSignal): Promise<RunningQuery> {
    return this.o.service.submit({ principal: { org: this.org, name: this.keyId }, protocol: 'pgwire', dialect: 'postgres', sql, signal, session: this.session });
  }

  private translate(sql: string) {
    try {
      return translatePostgres(sql, { database: this.org, scratchSchema: this.o.scratchSchema, user: this.keyId, tempTables: this.session.tempTables });
    } catch (e) {
      throw asRunlakeError(e);
    }
  }

  private kindOf(sql: string) {
    return this.translate(sql).kind;
  }

  /**
   * PostgreSQL's names (`count`, `?column?`) and types (name, oid, "char"…) for the result
   * columns, where the front-end knows them.
   */
  private named(sql: string, columns: readonly PgColumn[], translated?: PgTranslation): PgColumn[] {
    const t = translated ?? this.translate(sql);
    const names = t.columnNames && t.columnNames.length === columns.length ? t.columnNames : undefined;
    const types = t.columnTypes && t.columnTypes.length === columns.length ? t.columnTypes : undefined;
    return columns.map((c, i) => {
      const oid = pinnedType(c, types?.[i]);
      return { ...c, name: names ? names[i]! : c.name, ...(oid !== undefined ? { typeOid: oid } : {}) };
    });
  }
}

const STRING_OIDS = new Set<number>([OID.name, OID.text, OID.varchar, OID.bpchar, OID.char]);
const OID_OIDS = new Set<number>([OID.oid, OID.regproc, OID.regclass, OID.regtype, OID.regnamespace]);
const INT_KINDS = new Set(['tinyint', 'smallint', 'integer', 'bigint', 'utinyint', 'usmallint', 'uinteger']);

/**
 * The OID to announce for an engine column the front-end typed, when the engine's values travel
 * in that type's formats (text of a VARCHAR as name; an integer as oid/int4); else undefined.
 */
function pinnedType(c: PgColumn, pg: PgResultType | undefined): number | undefined {
  if (!pg || c.typeOid !== undefined) return undefined;
  const info = pgTypeByName(pg.name);
  if (!info || !codecForOid(info.oid)) return undefined;
  if (pg.alwaysNull) return info.oid;
  const kind = c.type.kind;
  if (STRING_OIDS.has(info.oid)) return kind === 'varchar' || kind === 'null' ? info.oid : undefined;
  // reg* cast in a select list: the engine computed the name (PostgreSQL's text output of the type).
  if (OID_OIDS.has(info.oid)) return INT_KINDS.has(kind) || (info.oid !== OID.oid && kind === 'varchar') ? info.oid : undefined;
  if (info.oid === OID.int4 || info.oid === OID.int2) return INT_KINDS.has(kind) ? info.oid : undefined;
  if (info.oid === OID.int8) return INT_KINDS.has(kind) || kind === 'hugeint' ? info.oid : undefined;
  if (info.oid === OID.bool) return kind === 'boolean' ? info.oid : undefined;
  if (info.oid === OID.json) return kind === 'varchar' || kind === 'json' ? info.oid : undefined;
  if (info.elementOid !== 0 && kind === 'list') {
    const el = c.type.element?.kind;
    if (info.oid === 1003) return el === 'varchar' ? info.oid : undefined;
    return undefined;
  }
  return undefined;
}

function asRunlakeError(e: unknown): unknown {
  if (!(e instanceof PgSqlError)) return e;
  const details = { sqlstate: e.sqlstate, ...(e.position !== undefined ? { position: e.position } : {}) };
  return new RunlakeError(e.sqlstate === '42601' ? 'syntax_error' : e.sqlstate === '25006' ? 'statement_not_allowed' : 'bad_request', e.message, details);
}

function commandTag(kind: string, rows: number): string {
  switch (kind) {
    case 'create_table_as':
    case 'create_temp_table':
      return `SELECT ${rows}`;
    case 'insert_temp_table':
      return `INSERT 0 ${rows}`;
    case 'drop_temp_table':
      return 'DROP TABLE';
    case 'drop_table':
      return 'DROP TABLE';
    case 'alter_table_rename':
      return 'ALTER TABLE';
    case 'create_view':
      return 'CREATE VIEW';
    case 'drop_view':
      return 'DROP VIEW';
    default:
      return kind.toUpperCase();
  }
}

function paramCount(sql: string): number {
  let max = 0;
  for (const t of safeTokens(sql)) if (t.kind === 'param') max = Math.max(max, Number(t.value.slice(1)));
  return max;
}

function safeTokens(sql: string) {
  try {
    return tokenize(sql);
  } catch {
    return [];
  }
}

/**
 * Substitutes `$n` with the n-th parameter as a SQL literal. A parameter of a declared non-text
 * type (pgJDBC declares int4, int8, float8, numeric, timestamp, date, bool…) becomes a literal of
 * that type, NULL included, so the result column of `$1 AS x` has the same type at describe and
 * at execute (a client that switched to binary results decodes it by the described type).
 * Text-typed and untyped values stay plain literals, which the engine coerces where they are used;
 * a text-typed NULL is typed only with `typedNulls` (describe's first attempt).
 */
export function bind(sql: string, params: readonly PgParam[], opts: { typedNulls?: boolean } = {}): string {
  let out = '';
  let at = 0;
  for (const t of safeTokens(sql)) {
    if (t.kind !== 'param') continue;
    const p = params[Number(t.value.slice(1)) - 1];
    if (!p) throw new RunlakeError('bad_request', `there is no parameter ${t.value}`, { sqlstate: '42P02' });
    out += sql.slice(at, t.start) + paramLiteral(p, opts.typedNulls ?? false);
    at = t.end;
  }
  return out + sql.slice(at);
}

/** PostgreSQL spellings of the declared parameter types whose literals are cast (see bind). */
const PARAM_CASTS: ReadonlyMap<number, string> = new Map([
  [OID.bool, 'boolean'], [OID.int2, 'smallint'], [OID.int4, 'integer'], [OID.int8, 'bigint'], [OID.oid, 'bigint'],
  [OID.float4, 'real'], [OID.float8, 'double precision'], [OID.date, 'date'], [OID.time, 'time'], [OID.timetz, 'timetz'],
  [OID.timestamp, 'timestamp'], [OID.timestamptz, 'timestamptz'], [OID.interval, 'interval'], [OID.bytea, 'bytea'],
  [OID.uuid, 'uuid'], [OID.json, 'json'], [OID.jsonb, 'jsonb'],
  [1000, 'boolean[]'], [1005, 'smallint[]'], [1007, 'integer[]'], [1016, 'bigint[]'], [1021, 'real[]'],
  [1022, 'double precision[]'], [1182, 'date[]'], [1115, 'timestamp[]'], [1185, 'timestamptz[]'], [1009, 'text[]'], [1015, 'text[]'],
]);
const TEXT_TYPES: ReadonlySet<number> = new Set([OID.text, OID.varchar, OID.bpchar, OID.name, OID.unknown]);

function paramLiteral(p: PgParam, typedNulls: boolean): string {
  if (p.type === OID.numeric) return numericLiteral(p.value);
  const cast = PARAM_CASTS.get(p.type);
  if (cast) return `CAST(${literal(p.value)} AS ${cast})`;
  if (p.value === null && typedNulls && TEXT_TYPES.has(p.type)) return 'CAST(NULL AS text)';
  return literal(p.value);
}

/**
 * numeric: a decimal of the value's own scale (the engine's bare DECIMAL would round it to 3
 * places); beyond the engine's 38 digits, or NaN/Infinity, a double precision.
 */
function numericLiteral(v: EngineValue): string {
  if (v === null) return 'CAST(NULL AS numeric(38,10))';
  const text = typeof v === 'string' ? v.trim() : String(v);
  const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(text);
  const intDigits = m ? m[1]!.replace(/^0+/, '').length : 0;
  const scale = m ? (m[2] ?? '').length : 0;
  if (m && intDigits + scale <= 38 && (m[1] !== '' || scale > 0)) return `CAST(${quote(text)} AS numeric(38,${scale}))`;
  return `CAST(${quote(text)} AS double precision)`;
}

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function literal(v: EngineValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `'${v}'::DOUBLE PRECISION`;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return quote(v);
  if (v instanceof Uint8Array) return `'\\x${Buffer.from(v).toString('hex')}'::BYTEA`;
  if (v instanceof EngineDate) return `DATE ${quote(new Date(v.days * 86_400_000).toISOString().slice(0, 10))}`;
  if (v instanceof EngineTimestamp) {
    const ms = Number(v.micros / 1000n);
    const micros = Number(((v.micros % 1_000_000n) + 1_000_000n) % 1_000_000n);
    const d = new Date(ms);
    const text = `${d.toISOString().slice(0, 10)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
    return `${v.withTimeZone ? 'TIMESTAMPTZ' : 'TIMESTAMP'} ${quote(v.withTimeZone ? `${text}+00` : text)}`;
  }
  if (v instanceof EngineTime) {
    const us = Number(v.micros);
    return `TIME ${quote(`${pad(Math.floor(us / 3_600_000_000))}:${pad(Math.floor(us / 60_000_000) % 60)}:${pad(Math.floor(us / 1_000_000) % 60)}.${pad(us % 1_000_000, 6)}`)}`;
  }
  if (v instanceof EngineInterval) return `INTERVAL ${quote(`${v.months} months ${v.days} days ${v.micros} microseconds`)}`;
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  return quote(JSON.stringify(v));
}
