/**
 * Query history: every query's row in the control plane (durable), written in order per query,
 * purged after the retention period, and mirrored into each organization's `query_history` view
 * through `engine.setQueryHistory` — at most once per `syncIntervalMs` per organization, always
 * with that organization's retained rows only, as a loader the engine calls when a query reads
 * the view (reading every retained row back after each query cost a busy server ~10% of its
 * event loop).
 */
import type { QueryHistoryRow } from '../catalog/query-history.ts';
import type { ControlStore, QueryRecord, QueryRecordPatch } from '../control/control-store.ts';
import type { QueryEngine } from '../engine/engine.ts';
import type { Logger } from '../util/logger.ts';

export interface HistoryOptions {
  /** Rows older than this many days are deleted (default 400). */
  retentionDays: number;
  /** Minimum time between two `setQueryHistory` calls for one organization (default 1 s). */
  syncIntervalMs: number;
  /** How often expired rows are purged (default 1 h). */
  purgeIntervalMs: number;
  now: () => Date;
}

interface SyncState {
  timer: NodeJS.Timeout | undefined;
  lastStart: number;
  running: Promise<void> | undefined;
  again: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class QueryHistory {
  /** Per query: the tail of its write chain, and whether its row exists. */
  private readonly chains = new Map<string, { tail: Promise<void>; recorded: Promise<boolean> }>();
  private readonly syncs = new Map<string, SyncState>();
  private purgeTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: ControlStore,
    private readonly engine: Pick<QueryEngine, 'setQueryHistory'>,
    private readonly log: Logger,
    private readonly opts: HistoryOptions,
  ) {}

  /** Fails what a previous process left QUEUED or RUNNING, purges expired rows, starts the purge timer. */
  async start(): Promise<void> {
    const at = this.opts.now().toISOString();
    const n = await this.store.failUnfinishedQueries(at, 'unavailable', 'the server stopped while the query was queued or running; run it again');
    if (n > 0) this.log.warn('marked queries left unfinished by a previous run as failed', { queries: n });
    await this.purge();
    this.purgeTimer = setInterval(() => {
      this.purge().catch((e: unknown) => this.log.warn('query history purge failed', { error: String(e) }));
    }, this.opts.purgeIntervalMs);
    this.purgeTimer.unref();
  }

  /** The oldest submission time still retained. */
  cutoff(): string {
    return new Date(this.opts.now().getTime() - this.opts.retentionDays * DAY_MS).toISOString();
  }

  /** Inserts a query's row; false when the id is taken. Later updates of the query wait for it. */
  record(q: QueryRecord): Promise<boolean> {
    // Inserted after the current turn of the event loop: a read started in this turn overlaps
    // the insert with the engine's own work (query-service.ts, recordAndGo).
    const recorded = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.store.recordQuery(q));
    const tail = recorded.then(
      (ok) => {
        if (ok) this.changed(q.org);
      },
      () => undefined,
    );
    this.chains.set(q.queryId, { tail, recorded });
    return recorded;
  }

  /** Applies a change after the query's earlier writes; resolves when written (never rejects). */
  update(queryId: string, org: string, patch: QueryRecordPatch): Promise<void> {
    const chain = this.chains.get(queryId);
    if (!chain) return Promise.resolve();
    const tail = chain.tail.then(async () => {
      if (!(await chain.recorded.catch(() => false))) return;
      // After the current turn of the event loop: the reply to a query that just finished goes
      // out before its row is written (readers of the history wait for the chain, not the turn).
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await this.store.updateQuery(queryId, patch);
        this.changed(org);
      } catch (e) {
        this.log.error('could not write query history', { queryId, error: String(e) });
      }
    });
    chain.tail = tail;
    return tail;
  }

  /** The query will not be written again: forget its chain once its writes are done. */
  forget(queryId: string): void {
    const chain = this.chains.get(queryId);
    if (!chain) return;
    void chain.tail.then(() => {
      if (this.chains.get(queryId) === chain) this.chains.delete(queryId);
    });
  }

  /**
   * Refreshes the organization's view now (before a query that reads it), not waiting for the
   * interval, after the writes already issued (so a running query reading it sees itself RUNNING).
   */
  async syncNow(org: string): Promise<void> {
    await Promise.all([...this.chains.values()].map((c) => c.tail));
    const s = this.state(org);
    if (s.timer) {
      clearTimeout(s.timer);
      s.timer = undefined;
    }
    if (s.running) await s.running;
    if (!s.running) this.runSync(org);
    await s.running;
  }

  /** The organization's retained history as the view's rows (for an engine loading it on its own). */
  async rows(org: string): Promise<QueryHistoryRow[]> {
    return (await this.store.listQueries(org, { since: this.cutoff() })).map(historyRow);
  }

  /** The organization's history changed: refresh its view within the sync interval. */
  changed(org: string): void {
    if (this.closed) return;
    const s = this.state(org);
    if (s.timer) return;
    if (s.running) {
      s.again = true;
      return;
    }
    const delay = Math.max(0, s.lastStart + this.opts.syncIntervalMs - Date.now());
    s.timer = setTimeout(() => this.runSync(org), delay);
    s.timer.unref();
  }

  /** Deletes rows past the retention period; how many. */
  async purge(): Promise<number> {
    const n = await this.store.deleteQueriesBefore(this.cutoff());
    if (n > 0) {
      this.log.info('purged expired query history', { rows: n, before: this.cutoff() });
      for (const org of this.syncs.keys()) this.changed(org);
    }
    return n;
  }

  /** Waits for every pending write and runs pending view refreshes now. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()].map((c) => c.tail));
    for (const [org, s] of this.syncs) {
      if (s.timer) {
        clearTimeout(s.timer);
        s.timer = undefined;
        this.runSync(org);
      }
    }
    await Promise.all([...this.syncs.values()].map((s) => s.running));
  }

  async close(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.flush();
    this.closed = true;
  }

  private state(org: string): SyncState {
    let s = this.syncs.get(org);
    if (!s) {
      s = { timer: undefined, lastStart: 0, running: undefined, again: false };
      this.syncs.set(org, s);
    }
    return s;
  }

  private runSync(org: string): void {
    const s = this.state(org);
    s.timer = undefined;
    s.lastStart = Date.now();
    s.running = this.sync(org).finally(() => {
      s.running = undefined;
      if (s.again) {
        s.again = false;
        this.changed(org);
      }
    });
  }

  private async sync(org: string): Promise<void> {
    try {
      // A loader, not the rows: the engine reads them back only when a query reads the view.
      await this.engine.setQueryHistory(org, () => this.rows(org));
    } catch (e) {
      this.log.warn('could not refresh the query_history view', { org, error: String(e) });
    }
  }
}

/** A control-plane record as the `query_history` view's row. */
export function historyRow(r: QueryRecord): QueryHistoryRow {
  return {
    query_id: r.queryId,
    organization_id: r.org,
    principal: r.principal,
    protocol: r.protocol,
    dialect: r.dialect,
    sql: r.sql,
    state: r.state,
    error: r.error,
    submitted_at: r.submittedAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    queue_ms: r.queueMs,
    exec_ms: r.execMs,
    rows: r.rows,
    bytes_scanned: r.bytesScanned,
    snapshot_version: r.snapshotVersion,
    cached: r.cached,
  };
}
