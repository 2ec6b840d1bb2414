/**
 * The PgBackend that serves Runlake over the wire protocol: the user name is an access key id,
 * the password its secret (checked by SCRAM against the stored verifier), the database the
 * organization's. Statements go through the query service in the PostgreSQL dialect, so they get
 * the same policy, limits, history and sandbox as every other protocol.
 *
 * Bind parameters are substituted into the statement as SQL literals (the engine takes one
 * statement text); the tokenizer finds `$n` outside strings, identifiers and comments.
 */
import type { ControlStore } from '../../control/control-store.ts';
import type { CredentialResolver } from '../../control/admin.ts';
import type { QueryService } from '../../service/query-service.ts';
import type { RunningQuery } from '../../service/types.ts';
import { PgSqlError, splitPostgres, translatePostgres } from '../../sql/postgres/translate.ts';
import { EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineValue } from '../../engine/engine.ts';
import { RunlakeError, analyticsDisabled } from '../../util/errors.ts';
import { parseSessionCommand, tokenize } from './commands.ts';
import type {
  PgBackend, PgBackendSession, PgColumn, PgDescription, PgParam, PgQuery, PgQueryContext, PgResult, PgStartupRequest, PgStatement,
} from './pg-backend.ts';
import { OID } from './types.ts';

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
    // The columns of a read: run it with every parameter NULL and no rows wanted.
    const sql = `SELECT * FROM (${bind(query.sql, types.map((type) => ({ type, value: null })))}) AS described LIMIT 0`;
    const run = await this.submit(sql, ctx.signal);
    const columns = await run.columns();
    run.cancel();
    return { paramTypes: types, columns: this.named(query.sql, columns) };
  }

  async execute(query: PgQuery, params: readonly PgParam[], ctx: PgQueryContext): Promise<PgResult> {
    const sql = params.length > 0 ? bind(query.sql, params) : query.sql;
    const kind = this.kindOf(sql);
    const run = await this.submit(sql, ctx.signal);
    const columns = await run.columns();
    if (kind !== 'select' && kind !== 'explain') {
      for await (const chunk of run.rows()) void chunk; // a write's summary row: drained so the query can finish
      const info = await run.finished();
      if (info.error) throw new RunlakeError((info.error.code as 'bad_request') ?? 'bad_request', info.error.message);
      return { kind: 'command', tag: commandTag(kind, info.rows ?? 0) };
    }
    const rows = run.rows();
    return {
      kind: 'rows',
      columns: this.named(sql, columns),
      next: async () => {
        const r = await rows.next();
        return r.done ? undefined : r.value;
      },
      close: async () => {
        await rows.return?.();
      },
    };
  }

  async close(): Promise<void> {}

  private submit(sql: string, signal: AbortSignal): Promise<RunningQuery> {
    return this.o.service.submit({ principal: { org: this.org, name: this.keyId }, protocol: 'pgwire', dialect: 'postgres', sql, signal });
  }

  private translate(sql: string) {
    try {
      return translatePostgres(sql, { database: this.org, scratchSchema: this.o.scratchSchema, user: this.keyId });
    } catch (e) {
      throw asRunlakeError(e);
    }
  }

  private kindOf(sql: string) {
    return this.translate(sql).kind;
  }

  /** PostgreSQL's names for the result columns (`count`, `?column?`), where the front-end knows them. */
  private named(sql: string, columns: readonly PgColumn[]): PgColumn[] {
    const names = this.translate(sql).columnNames;
    return columns.map((c, i) => ({ ...c, name: names && names.length === columns.length ? names[i]! : c.name }));
  }
}

function asRunlakeError(e: unknown): unknown {
  if (!(e instanceof PgSqlError)) return e;
  const details = { sqlstate: e.sqlstate, ...(e.position !== undefined ? { position: e.position } : {}) };
  return new RunlakeError(e.sqlstate === '42601' ? 'syntax_error' : e.sqlstate === '25006' ? 'statement_not_allowed' : 'bad_request', e.message, details);
}

function commandTag(kind: string, rows: number): string {
  switch (kind) {
    case 'create_table_as':
      return `SELECT ${rows}`;
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

/** Substitutes `$n` with the n-th parameter as a SQL literal. */
export function bind(sql: string, params: readonly PgParam[]): string {
  let out = '';
  let at = 0;
  for (const t of safeTokens(sql)) {
    if (t.kind !== 'param') continue;
    const p = params[Number(t.value.slice(1)) - 1];
    if (!p) throw new RunlakeError('bad_request', `there is no parameter ${t.value}`, { sqlstate: '42P02' });
    out += sql.slice(at, t.start) + literal(p.value);
    at = t.end;
  }
  return out + sql.slice(at);
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
