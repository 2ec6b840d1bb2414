/**
 * The query service: the one place every protocol (HTTP API, pgwire, Athena, console) runs queries
 * through. For each query it
 *
 *   1. resolves the principal to its organization (refusing an unknown or analytics-disabled one),
 *   2. plans the statement (one statement; reads, or writes in the scratch schema only),
 *   3. answers from the result cache when it can,
 *   4. admits it under the organization's limits (maxConcurrentQueries running, then a FIFO queue
 *      of maxQueuedQueries, then `too_many_requests`),
 *   5. runs it on the engine with an AbortSignal (cancel, client gone, queryTimeoutMs),
 *   6. records it in the control plane's query history, and mirrors that into the organization's
 *      `query_history` view.
 *
 * See CONTEXT.md for the invariants.
 */
import { randomUUID } from 'node:crypto';
import type { ControlStore, OrgLimits, Organization, QueryListFilter, QueryRecord, QueryState } from '../control/control-store.ts';
import { QUERY_STATES } from '../control/control-store.ts';
import type { QueryHistoryRow } from '../catalog/query-history.ts';
import { rowsChunk, type EngineColumn, type EngineRow, type QueryEngine } from '../engine/engine.ts';
import { RunlakeError, analyticsDisabled } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { toRunlakeError } from './errors.ts';
import { QueryHistory } from './history.ts';
import { Query, type QueryHost, type RowSource, type Runner, type Started } from './query.ts';
import { ResultCache, cacheability, type CachedResult } from './result-cache.ts';
import { planStatement, type Plan, type TempPlan } from './statement-policy.ts';
import { warmUpTrino } from '../sql/trino/translate.ts';
import { DIALECTS, PROTOCOLS, type Principal, type QueryInfo, type QueryRequest, type QuerySession, type RunningQuery } from './types.ts';

export interface QueryServiceOptions {
  engine: QueryEngine;
  control: ControlStore;
  log: Logger;
  /** The schema clients may write scratch tables and views in (default `looker_scratch`). */
  scratchSchema?: string;
  /** Longest SQL text accepted, in UTF-8 bytes (default 256 KiB, Athena's limit). */
  maxSqlBytes?: number;
  /** Caps of interactive (console) results (default 10,000 rows, 64 MiB). */
  interactive?: { maxRows?: number; maxBytes?: number };
  /**
   * The result cache (default 256 MiB in all, results up to 8 MiB each); false turns it off. A
   * cacheable query keeps its rows while they stay under the entry limit, so that limit also bounds
   * the extra memory of each running query.
   */
  cache?: { maxBytes?: number; maxEntryBytes?: number } | false;
  history?: { retentionDays?: number; syncIntervalMs?: number; purgeIntervalMs?: number };
  /** The clock (tests). */
  now?: () => Date;
}

export const DEFAULT_MAX_SQL_BYTES = 256 * 1024;
export const DEFAULT_INTERACTIVE_CAPS = Object.freeze({ maxRows: 10_000, maxBytes: 64 * 1024 * 1024 });
export const DEFAULT_CACHE = Object.freeze({ maxBytes: 256 * 1024 * 1024, maxEntryBytes: 8 * 1024 * 1024 });
export const DEFAULT_HISTORY = Object.freeze({ retentionDays: 400, syncIntervalMs: 1000, purgeIntervalMs: 60 * 60 * 1000 });

/** Ids a protocol may choose (pgwire `session.statement`, Athena UUIDs). */
const QUERY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Rows per chunk when a result comes from memory (cache, scratch summaries). */
const MEMORY_CHUNK_ROWS = 2048;

/** A table or view of an organization's scratch schema (`QueryService.scratchRelations`). */
export interface ScratchRelation {
  name: string;
  kind: 'table' | 'view';
  columns: readonly EngineColumn[];
}

export interface ListQueriesFilter {
  state?: QueryState;
  /** At most this many (default 100, at most 1000). */
  limit?: number;
  /** Only queries older than this one (a page's last query id gives the next page). */
  before?: string;
}

interface OrgSlots {
  running: Set<Query>;
  queue: Query[];
  limits: OrgLimits;
}

export class QueryService {
  private readonly engine: QueryEngine;
  private readonly control: ControlStore;
  readonly log: Logger;
  readonly scratchSchema: string;
  /** Longest SQL accepted (UTF-8 bytes). */
  readonly maxSqlBytes: number;
  private readonly caps: { maxRows: number; maxBytes: number };
  private readonly cache: ResultCache | undefined;
  private readonly history: QueryHistory;
  private readonly clock: () => Date;
  private readonly slots = new Map<string, OrgSlots>();
  /** Queries not yet finished, and finished ones until their last history write is done. */
  private readonly live = new Map<string, Query>();
  private readonly scratchLocks = new Map<string, Promise<unknown>>();
  /** For cacheable queries: the cache key for the snapshot version the query ran on. */
  private readonly cacheKeys = new WeakMap<Query, (version: number) => string>();
  private readonly host: QueryHost;
  private closed = false;

  constructor(opts: QueryServiceOptions) {
    this.engine = opts.engine;
    this.control = opts.control;
    this.log = opts.log;
    this.scratchSchema = opts.scratchSchema ?? 'looker_scratch';
    this.maxSqlBytes = opts.maxSqlBytes ?? DEFAULT_MAX_SQL_BYTES;
    this.caps = { ...DEFAULT_INTERACTIVE_CAPS, ...opts.interactive };
    this.cache = opts.cache === false ? undefined : new ResultCache({ ...DEFAULT_CACHE, ...opts.cache });
    this.clock = opts.now ?? (() => new Date());
    this.history = new QueryHistory(this.control, this.engine, this.log, { ...DEFAULT_HISTORY, ...opts.history, now: this.clock });
    this.host = {
      log: this.log,
      now: this.clock,
      persist: (q, patch) => this.history.update(q.id, q.org, patch),
      onFinal: (q) => this.onFinal(q),
    };
  }

  /**
   * Fails queries a previous process left unfinished, purges expired history, starts the purge
   * timer, and warms up the SQL parser (its first parse of a query shape is slow).
   */
  async start(): Promise<void> {
    await this.history.start();
    warmUpTrino();
  }

  async submit(req: QueryRequest): Promise<RunningQuery> {
    if (this.closed) throw new RunlakeError('unavailable', 'the server is shutting down; retry on another node or after it restarts');
    if (!(PROTOCOLS as readonly string[]).includes(req.protocol)) throw new Error(`unknown protocol ${String(req.protocol)}`);
    if (!(DIALECTS as readonly string[]).includes(req.dialect)) {
      throw new RunlakeError('bad_request', `SQL dialect ${JSON.stringify(req.dialect)} is not supported; use one of ${DIALECTS.join(', ')}`);
    }
    if (typeof req.sql !== 'string' || req.sql.trim() === '') throw new RunlakeError('bad_request', 'the query is empty: send one SQL statement');
    const size = Buffer.byteLength(req.sql, 'utf8');
    if (size > this.maxSqlBytes) {
      throw new RunlakeError(
        'payload_too_large',
        `the SQL statement is ${size} bytes; the limit is ${this.maxSqlBytes} bytes (${Math.round(this.maxSqlBytes / 1024)} KiB). ` +
          'Move large literal lists into a table or a scratch table',
      );
    }
    const org = await this.resolveOrg(req.principal);
    const id = req.queryId ?? randomUUID();
    if (!QUERY_ID_PATTERN.test(id)) throw new RunlakeError('bad_request', `query id ${JSON.stringify(id)} is invalid: use 1 to 128 letters, digits, . _ : -`);
    if (this.live.has(id)) throw duplicateId(id);
    const submittedAt = this.clock();
    const interactive = req.interactive === true;

    let plan: Plan;
    try {
      plan = planStatement(req.sql, {
        dialect: req.dialect, database: org.database, scratchSchema: this.scratchSchema,
        ...(req.session ? { tempTables: req.session.tempTables } : {}),
      });
    } catch (e) {
      const err = toRunlakeError(e, this.log, { org: org.name, queryId: id });
      await this.recordRefused(req, org.name, id, submittedAt, err);
      throw withQueryId(err, id);
    }

    // The result cache: answered without a slot, recorded with cached = true.
    let keyFor: ((version: number) => string) | undefined;
    if (this.cache) {
      const c = cacheability(plan, req.sql, this.scratchSchema, submittedAt);
      if (c.cacheable) {
        keyFor = (version) => ResultCache.key(org.name, version, req.dialect, c.keyText);
        const version = await this.engine.snapshotVersion(org.name);
        const hit = version === undefined ? undefined : this.cache.get(keyFor(version), org.name, version);
        if (hit) return this.admitCached(req, org, id, submittedAt, hit, interactive);
      }
    }

    const slots = this.slotsFor(org);
    const runNow = slots.running.size < org.limits.maxConcurrentQueries;
    if (!runNow && slots.queue.length >= org.limits.maxQueuedQueries) {
      throw new RunlakeError(
        'too_many_requests',
        `organization "${org.name}" already has ${slots.running.size} queries running and ${slots.queue.length} queued ` +
          `(its limits are ${org.limits.maxConcurrentQueries} running and ${org.limits.maxQueuedQueries} queued); ` +
          'retry when some have finished',
        { reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' },
      );
    }
    const q = new Query(
      {
        id, org: org.name, principal: req.principal, protocol: req.protocol, dialect: req.dialect, sql: req.sql, submittedAt,
        timeoutMs: org.limits.queryTimeoutMs,
        runner: this.runnerFor(org, plan, req.session),
        ...(interactive ? { caps: this.capsFor(req) } : {}),
        ...(keyFor && this.cache ? { collectUpTo: this.cache.opts.maxEntryBytes } : {}),
      },
      this.host,
    );
    if (keyFor) this.cacheKeys.set(q, keyFor);
    if (runNow) slots.running.add(q);
    else slots.queue.push(q);
    await this.recordAndGo(q, runNow, req.signal, plan.kind === 'read');
    return q;
  }

  /** The query's status, when it belongs to the principal's organization. */
  async get(queryId: string, principal: Principal): Promise<QueryInfo> {
    await this.resolveOrg(principal);
    const q = this.live.get(queryId);
    if (q && q.org === principal.org) return q.info();
    const r = await this.control.getQuery(queryId);
    if (r && r.org === principal.org) return infoFromRecord(r);
    throw unknownQuery(queryId);
  }

  /** Waits until the query has finished; its final status. */
  async waitFor(queryId: string, principal: Principal): Promise<QueryInfo> {
    const q = this.live.get(queryId);
    if (q && q.org === principal.org) return q.finished();
    return this.get(queryId, principal);
  }

  /** Cancels a queued or running query of the principal's organization; its status afterwards. */
  async cancel(queryId: string, principal: Principal): Promise<QueryInfo> {
    const q = this.live.get(queryId);
    if (q && q.org === principal.org) {
      q.cancel(`the query was cancelled by ${principal.name}`);
      return q.finished();
    }
    const r = await this.control.getQuery(queryId);
    if (r && r.org === principal.org) return infoFromRecord(r);
    throw unknownQuery(queryId);
  }

  /** The organization's queries, newest first, within the retention period. */
  async list(principal: Principal, filter: ListQueriesFilter = {}): Promise<QueryInfo[]> {
    await this.resolveOrg(principal);
    if (filter.state !== undefined && !QUERY_STATES.includes(filter.state)) {
      throw new RunlakeError('bad_request', `state ${JSON.stringify(filter.state)} is not one of ${QUERY_STATES.join(', ')}`);
    }
    const limit = filter.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new RunlakeError('bad_request', 'limit must be an integer from 1 to 1000');
    const f: QueryListFilter = { limit, since: this.history.cutoff() };
    if (filter.state !== undefined) f.state = filter.state;
    if (filter.before !== undefined) {
      const b = this.live.get(filter.before)?.record() ?? (await this.control.getQuery(filter.before));
      if (!b || b.org !== principal.org) throw unknownQuery(filter.before);
      f.before = { submittedAt: b.submittedAt, queryId: b.queryId };
    }
    const rows = await this.control.listQueries(principal.org, f);
    return rows.map((r) => {
      const q = this.live.get(r.queryId);
      return q ? q.info() : infoFromRecord(r);
    });
  }

  /** Running and queued queries of an organization now (for the console and tests). */
  activity(org: string): { running: number; queued: number } {
    const s = this.slots.get(org);
    return { running: s?.running.size ?? 0, queued: s?.queue.length ?? 0 };
  }

  /** Deletes history past the retention period now (it also runs periodically). */
  purgeHistory(): Promise<number> {
    return this.history.purge();
  }

  /** The organization's retained history as `query_history` rows (an engine may load it when it opens the organization). */
  historyRows(org: string): Promise<QueryHistoryRow[]> {
    return this.history.rows(org);
  }

  /**
   * The tables and views of the organization's scratch schema with their columns, for catalog APIs
   * that describe relations without running a query (Athena's ListTableMetadata/GetTableMetadata):
   * no slot, no history. A view that no longer binds is listed without columns.
   */
  async scratchRelations(principal: Principal): Promise<ScratchRelation[]> {
    const org = await this.resolveOrg(principal);
    const { tables, views } = await this.engine.scratchObjects(org.name);
    const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const out: ScratchRelation[] = [];
    for (const [kind, names] of [['table', tables], ['view', views]] as const) {
      for (const name of names) {
        let columns: readonly EngineColumn[] = [];
        try {
          const cursor = await this.engine.query({ org: org.name, sql: `SELECT * FROM ${ident(this.scratchSchema)}.${ident(name)} LIMIT 0` });
          columns = cursor.columns;
          await cursor.close();
        } catch (e) {
          this.log.warn('a scratch relation could not be described', { org: org.name, name, error: String(e) });
        }
        out.push({ name, kind, columns });
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Waits for pending history writes and `query_history` refreshes (tests, shutdown). */
  flushHistory(): Promise<void> {
    return this.history.flush();
  }

  /** Cancels every query, waits for their history, stops timers. The engine is the caller's to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.live.values()];
    for (const q of all) q.cancel('the server is shutting down; run the query again');
    await Promise.all(all.map((q) => q.finished()));
    await this.history.close();
    this.cache?.clear();
  }

  // ------------------------------------------------------------------------------------------

  /** The interactive caps of a request: the service's, with a lower row cap when the request asks for one. */
  private capsFor(req: QueryRequest): { maxRows: number; maxBytes: number } {
    const m = req.maxRows;
    if (m === undefined) return this.caps;
    if (!Number.isSafeInteger(m) || m < 1) throw new RunlakeError('bad_request', `the row limit must be a positive whole number, got ${String(m)}`);
    return { maxRows: Math.min(m, this.caps.maxRows), maxBytes: this.caps.maxBytes };
  }

  private async resolveOrg(principal: Principal): Promise<Organization> {
    const org = await this.control.getOrg(principal.org);
    if (!org) throw new RunlakeError('not_found', `organization "${principal.org}" does not exist`);
    if (!org.analyticsEnabled) throw analyticsDisabled(org.name);
    return org;
  }

  private slotsFor(org: Organization): OrgSlots {
    let s = this.slots.get(org.name);
    if (!s) {
      s = { running: new Set(), queue: [], limits: org.limits };
      this.slots.set(org.name, s);
    }
    s.limits = org.limits;
    return s;
  }

  /** Records the query (QUEUED), then starts it if it holds a slot; the client's signal cancels it. */
  /**
   * Records the query, then runs it now or leaves it queued. A read (`startEarly`) that may run
   * now starts while its row is being inserted, and is stopped if that fails; anything that
   * writes starts only once it is on record.
   */
  private async recordAndGo(q: Query, runNow: boolean, signal: AbortSignal | undefined, startEarly: boolean): Promise<void> {
    this.live.set(q.id, q);
    const recorded = this.history.record(q.record());
    const early = runNow && startEarly;
    if (early) q.start();
    let ok: boolean;
    try {
      ok = await recorded;
    } catch (e) {
      this.log.error('could not record a query in the history', { queryId: q.id, error: String(e) });
      const err = new RunlakeError('unavailable', 'the query history is not writable right now, so the query was not run; retry shortly');
      q.discard(err);
      this.live.delete(q.id);
      this.history.forget(q.id);
      throw err;
    }
    if (!ok) {
      q.discard(duplicateId(q.id));
      this.live.delete(q.id);
      this.history.forget(q.id);
      throw duplicateId(q.id);
    }
    void q.finished().then(() => {
      this.history.forget(q.id);
      if (this.live.get(q.id) === q) this.live.delete(q.id);
    });
    if (signal) {
      const onAbort = () => q.cancel('the client cancelled the query or disconnected');
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        void q.finished().then(() => signal.removeEventListener('abort', onAbort));
      }
    }
    if (runNow && !early) q.start();
  }

  private async admitCached(req: QueryRequest, org: Organization, id: string, submittedAt: Date, hit: CachedResult, interactive: boolean): Promise<RunningQuery> {
    const q = new Query(
      {
        id, org: org.name, principal: req.principal, protocol: req.protocol, dialect: req.dialect, sql: req.sql, submittedAt,
        timeoutMs: org.limits.queryTimeoutMs, cached: true,
        runner: async () => ({ columns: hit.columns, source: memorySource(hit.rows, 0), snapshotVersion: hit.snapshotVersion }),
        ...(interactive ? { caps: this.capsFor(req) } : {}),
      },
      this.host,
    );
    await this.recordAndGo(q, true, req.signal, true);
    return q;
  }

  /** A query reached its final state: free its slot at once and start the next queued one. */
  private onFinal(q: Query): void {
    const s = this.slots.get(q.org);
    if (s) {
      if (!s.running.delete(q)) {
        const i = s.queue.indexOf(q);
        if (i >= 0) s.queue.splice(i, 1);
      }
      while (s.running.size < s.limits.maxConcurrentQueries && s.queue.length > 0) {
        const next = s.queue.shift()!;
        if (next.isFinal) continue;
        s.running.add(next);
        next.start();
      }
    }
    const keyFor = this.cacheKeys.get(q);
    const result = keyFor && this.cache ? q.completeResult() : undefined;
    if (result && keyFor && this.cache) this.cache.set(keyFor(result.snapshotVersion), q.org, result);
  }

  private async recordRefused(req: QueryRequest, org: string, id: string, submittedAt: Date, err: RunlakeError): Promise<void> {
    const at = submittedAt.toISOString();
    const rec: QueryRecord = {
      queryId: id, org, principal: req.principal.name, protocol: req.protocol, dialect: req.dialect, sql: req.sql,
      state: 'FAILED', errorCode: err.code, error: err.message, submittedAt: at, startedAt: null, finishedAt: at,
      queueMs: 0, execMs: null, rows: null, bytesScanned: null, snapshotVersion: null, cached: false, truncated: false,
    };
    try {
      await this.history.record(rec);
      this.history.forget(id);
    } catch (e) {
      this.log.error('could not record a refused query in the history', { queryId: id, error: String(e) });
    }
  }

  private runnerFor(org: Organization, plan: Plan, session: QuerySession | undefined): Runner {
    if (plan.kind === 'read') {
      const readsHistory = plan.sql.includes('"query_history"');
      return async (signal) => {
        // Queries of the query_history view see every query finished before they started.
        if (readsHistory) await this.history.syncNow(org.name);
        const cursor = await this.engine.query({ org: org.name, sql: plan.sql, signal, ...(plan.temp && session !== undefined ? { session: session.id } : {}) });
        return { columns: cursor.columns, source: cursor, snapshotVersion: cursor.snapshotVersion };
      };
    }
    if (plan.kind === 'temp_create' || plan.kind === 'temp_insert' || plan.kind === 'temp_drop') {
      if (session === undefined) throw new RunlakeError('bad_request', 'temporary tables need a PostgreSQL session: connect over the PostgreSQL wire protocol');
      return (signal) => this.runTemp(org, plan, session, signal);
    }
    return (signal) => this.withScratchLock(org.name, () => this.runScratch(org, plan, signal));
  }

  /** A write of the session's own temporary tables (no scratch lock: nothing outside the session changes). */
  private async runTemp(org: Organization, plan: TempPlan, session: QuerySession, signal: AbortSignal): Promise<Started> {
    if (signal.aborted) throw new RunlakeError('cancelled', 'the query was cancelled');
    switch (plan.kind) {
      case 'temp_create':
        if (plan.ifNotExists && session.tempTables.has(plan.name)) return summary(0);
        return summary((await this.engine.createTempTable(org.name, session.id, plan.name, plan.selectSql, signal)).rows);
      case 'temp_insert':
        return summary((await this.engine.insertIntoTempTable(org.name, session.id, plan.name, plan.columns, plan.selectSql, signal)).rows);
      case 'temp_drop':
        await this.engine.dropTempTable(org.name, session.id, plan.name, plan.ifExists);
        return { columns: [], source: memorySource([], 0), snapshotVersion: null };
    }
  }

  /**
   * A client session ended: its temporary tables are dropped. Idempotent; never throws (the
   * session is gone either way).
   */
  async endSession(org: string, session: string): Promise<void> {
    try {
      await this.engine.endSession(org, session);
    } catch (e) {
      this.log.warn('ending a session failed', { org, error: String(e) });
    }
  }

  /** Scratch writes of one organization run one at a time (quota accounting, rename races). */
  private withScratchLock<T>(org: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.scratchLocks.get(org) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.scratchLocks.set(org, tail);
    void tail.then(() => {
      if (this.scratchLocks.get(org) === tail) this.scratchLocks.delete(org);
    });
    return run;
  }

  private async runScratch(org: Organization, plan: Exclude<Plan, { kind: 'read' } | TempPlan>, signal: AbortSignal): Promise<Started> {
    // (A query that was cancelled or timed out while waiting for the lock is already final.)
    if (signal.aborted) throw new RunlakeError('cancelled', 'the query was cancelled');
    const e = this.engine;
    const name = org.name;
    const done: Started = { columns: [], source: memorySource([], 0), snapshotVersion: null };
    switch (plan.kind) {
      case 'create_table_as': {
        const snapshotVersion = (await e.snapshotVersion(name)) ?? null;
        if (plan.ifNotExists && (await this.scratchObjectExists(name, plan.name, signal))) {
          return { ...summary(0), snapshotVersion };
        }
        const quota = org.limits.scratchQuotaBytes;
        const used = await e.scratchBytes(name);
        if (used >= quota) throw this.quotaExceeded(org, used);
        // OR REPLACE writes a new table first, so a failure leaves the old one in place.
        const target = plan.orReplace ? `${plan.name.slice(0, 100)}$rl_${randomUUID().slice(0, 8)}` : plan.name;
        const r = await e.createTableAs(name, target, plan.selectSql, signal);
        if (used + r.bytes > quota) {
          await e.dropTable(name, target, true);
          throw this.quotaExceeded(org, used, r.bytes);
        }
        if (plan.orReplace) {
          await e.dropTable(name, plan.name, true);
          await e.renameTable(name, target, plan.name);
        }
        return { ...summary(r.rows), snapshotVersion };
      }
      case 'drop_table':
        await e.dropTable(name, plan.name, plan.ifExists);
        return done;
      case 'rename_table':
        if (plan.ifExists && !(await this.scratchObjectExists(name, plan.from, signal))) return done;
        await e.renameTable(name, plan.from, plan.to);
        return done;
      case 'create_view':
        await e.createView(name, plan.name, plan.selectSql, plan.orReplace);
        return done;
      case 'drop_view':
        await e.dropView(name, plan.name, plan.ifExists);
        return done;
    }
  }

  private async scratchObjectExists(org: string, name: string, signal: AbortSignal): Promise<boolean> {
    const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
    const cursor = await this.engine.query({
      org,
      sql: `SELECT 1 FROM information_schema.tables WHERE table_schema = ${quote(this.scratchSchema)} AND lower(table_name) = ${quote(name)}`,
      signal,
    });
    try {
      const chunk = await cursor.next();
      return chunk !== undefined && chunk.length > 0;
    } finally {
      await cursor.close();
    }
  }

  private quotaExceeded(org: Organization, used: number, adding?: number): RunlakeError {
    const quota = org.limits.scratchQuotaBytes;
    const what =
      adding === undefined
        ? `the ${this.scratchSchema} schema already holds ${formatBytes(used)} of its ${formatBytes(quota)} quota`
        : `the new table (${formatBytes(adding)}) would bring the ${this.scratchSchema} schema to ${formatBytes(used + adding)}, over its ${formatBytes(quota)} quota, so it was not kept`;
    return new RunlakeError(
      'quota_exceeded',
      `${what}; drop scratch tables that are no longer needed (DROP TABLE ${this.scratchSchema}.<name>) ` +
        `or ask an operator to raise organization "${org.name}"'s scratchQuotaBytes`,
    );
  }
}

/** The single-row result of CREATE TABLE AS: `rows` written, as Trino answers it. */
function summary(rows: number): Started {
  const columns: EngineColumn[] = [{ name: 'rows', type: { kind: 'bigint' } }];
  return { columns, source: memorySource([[BigInt(rows)]], 0), snapshotVersion: null, rowsWritten: rows };
}

function memorySource(rows: readonly EngineRow[], bytesScanned: number): RowSource {
  let i = 0;
  return {
    nextChunk: async () => {
      if (i >= rows.length) return undefined;
      const chunk = rows.slice(i, i + MEMORY_CHUNK_ROWS);
      i += chunk.length;
      return rowsChunk(chunk);
    },
    bytesScanned: () => bytesScanned,
    close: async () => {
      i = rows.length;
    },
  };
}

export function infoFromRecord(r: QueryRecord): QueryInfo {
  return {
    queryId: r.queryId, org: r.org, principal: r.principal, protocol: r.protocol, dialect: r.dialect, sql: r.sql,
    state: r.state, error: r.error === null ? null : { code: r.errorCode ?? 'internal', message: r.error },
    submittedAt: r.submittedAt, startedAt: r.startedAt, finishedAt: r.finishedAt, queueMs: r.queueMs, execMs: r.execMs,
    rows: r.rows, bytesScanned: r.bytesScanned, snapshotVersion: r.snapshotVersion, cached: r.cached, truncated: r.truncated,
  };
}

function withQueryId(e: RunlakeError, queryId: string): RunlakeError {
  return new RunlakeError(e.code, e.message, { ...e.details, queryId });
}

function unknownQuery(id: string): RunlakeError {
  return new RunlakeError('not_found', `query "${id}" does not exist in this organization (or is older than the history retention)`);
}

function duplicateId(id: string): RunlakeError {
  return new RunlakeError('conflict', `query id "${id}" is already used; use a new id for each query`);
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
