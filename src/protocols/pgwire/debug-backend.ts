/**
 * `runlake.debug`: per-connection debug logs for pgwire. `withDebugLog` wraps a PgBackend; while a
 * connection's `runlake.debug` setting is on — from the start (`options=-c runlake.debug=on` in
 * the connection string) or after `SET runlake.debug = on` — every query string it sends, every
 * statement it describes or runs, with its columns, row count, time or error, is appended to
 * `<data-dir>/logs/pgwire/<yyyy-mm-dd>-<database>-<connection>.log`. The client is told the file's
 * name (relative to the data dir) once, by a NOTICE.
 *
 * Invariants: nothing is written while the setting is off; passwords never reach this layer (it
 * sees only what follows authentication); a logging failure never fails the client's statement.
 */
import { randomBytes } from 'node:crypto';
import { DebugLog } from '../../util/debug-log.ts';
import type { PgBackend, PgBackendSession, PgQuery, PgQueryContext, PgStartupRequest } from './pg-backend.ts';

export const DEBUG_SETTING = 'runlake.debug';

const errorText = (e: unknown): string => {
  if (e instanceof Error) {
    const code = (e as { sqlstate?: string; code?: string }).sqlstate ?? (e as { code?: string }).code;
    return code ? `${code} ${e.message}` : e.message;
  }
  return String(e);
};

export function withDebugLog(backend: PgBackend, logsDir: string): PgBackend {
  return {
    credentials: (user, req) => backend.credentials(user, req),
    async connect(req: PgStartupRequest): Promise<PgBackendSession> {
      return new DebugSession(await backend.connect(req), req, logsDir);
    },
  };
}

class DebugSession implements PgBackendSession {
  private on: boolean;
  private log: DebugLog | undefined;
  private told = false;
  private readonly connection = randomBytes(4).toString('hex');

  constructor(private readonly inner: PgBackendSession, private readonly req: PgStartupRequest, private readonly logsDir: string) {
    this.on = false;
  }

  async applySetting(name: string, value: string | null): Promise<void> {
    await this.inner.applySetting?.(name, value);
    if (name === DEBUG_SETTING) this.turn(value === 'on', 'set');
  }

  private turn(on: boolean, how: string): void {
    if (on === this.on) return;
    if (on) this.write('debug on', { how });
    else this.write('debug off', { how });
    this.on = on;
  }

  /** Follows the session's setting (it is authoritative: ROLLBACK and RESET restore it). */
  private sync(ctx: PgQueryContext): void {
    this.turn(ctx.settings.get(DEBUG_SETTING) === 'on', 'setting');
    if (this.on && !this.told && this.log) {
      this.told = true;
      ctx.notice({ severity: 'NOTICE', code: '00000', message: `runlake.debug: this connection is logged to <data-dir>/logs/${this.log.name}` });
    }
  }

  private write(event: string, fields: Record<string, unknown>): void {
    try {
      if (!this.log) {
        this.log = DebugLog.open(this.logsDir, 'pgwire', `${this.req.database.replace(/[^A-Za-z0-9_]/g, '_')}-${this.connection}`);
        this.log.write('connection', {
          user: this.req.user, database: this.req.database, remote: this.req.remoteAddress, tls: this.req.tls,
          application_name: this.req.params.get('application_name'), client_encoding: this.req.params.get('client_encoding'),
        });
      }
      this.log.write(event, fields);
    } catch {
      // A debug log that cannot be written must not break the connection.
    }
  }

  parse(sql: string) {
    if (this.on) this.write('query', { sql });
    return this.inner.parse(sql);
  }

  async describe(query: PgQuery, paramTypes: readonly number[], ctx: PgQueryContext) {
    this.sync(ctx);
    if (!this.on) return this.inner.describe(query, paramTypes, ctx);
    const started = performance.now();
    try {
      const d = await this.inner.describe(query, paramTypes, ctx);
      this.write('describe', { sql: query.sql, params: d.paramTypes.join(','), columns: d.columns?.map((c) => c.name).join(',') ?? null, ms: Math.round(performance.now() - started) });
      return d;
    } catch (e) {
      this.write('describe failed', { sql: query.sql, error: errorText(e) });
      throw e;
    }
  }

  async execute(query: PgQuery, params: Parameters<PgBackendSession['execute']>[1], ctx: PgQueryContext) {
    this.sync(ctx);
    if (!this.on) return this.inner.execute(query, params, ctx);
    const started = performance.now();
    this.write('execute', { sql: query.sql, params: params.length });
    try {
      const r = await this.inner.execute(query, params, ctx);
      if (r.kind === 'command') {
        this.write('command', { tag: r.tag, ms: Math.round(performance.now() - started) });
        return r;
      }
      this.write('columns', { columns: r.columns.map((c) => `${c.name}:${c.type.kind}`).join(',') });
      let rows = 0;
      let done = false;
      const finish = (how: string) => {
        if (done) return;
        done = true;
        this.write(how, { rows, ms: Math.round(performance.now() - started) });
      };
      return {
        ...r,
        next: async () => {
          try {
            const chunk = await r.next();
            if (chunk === undefined) finish('finished');
            else rows += chunk.length;
            return chunk;
          } catch (e) {
            done = true;
            this.write('failed', { rows, error: errorText(e) });
            throw e;
          }
        },
        close: async () => {
          finish('closed');
          await r.close();
        },
      };
    } catch (e) {
      this.write('failed', { error: errorText(e), ms: Math.round(performance.now() - started) });
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.on) this.write('disconnect', {});
    await this.inner.close();
  }
}
