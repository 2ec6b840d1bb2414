/**
 * DuckDBEngine: the QueryEngine over one sandboxed DuckDB instance per organization, pooled.
 *
 * Invariants: an instance serves exactly one organization and is never shared; at most
 * `maxInstances` are open (least recently used idle ones are closed first); an instance idle for
 * `idleMs` is closed (never while client sessions hold temporary tables in it); opening one for an
 * organization is done once even under concurrent queries.
 */
import { join } from 'node:path';
import type { ObjectStore } from '../../lake/object-store.ts';
import type { QueryHistoryRow } from '../../catalog/query-history.ts';
import type { Logger } from '../../util/logger.ts';
import type { EngineQuery, HistorySource, QueryCursor, QueryEngine } from '../engine.ts';
import { OrgSandbox } from './sandbox.ts';
import { readCurrentVersion } from '../../lake/manifest-store.ts';
import { RunlakeError } from '../../util/errors.ts';

export interface DuckDBEngineOptions {
  store: ObjectStore;
  dataDir: string;
  scratchSchema: string;
  log: Logger;
  /** The organization's IANA time zone (business-hours views). */
  timezoneOf: (org: string) => Promise<string>;
  /** The organization's query history, loaded into `query_history` when its instance opens. */
  historyOf?: (org: string) => Promise<readonly QueryHistoryRow[]>;
  threadsPerInstance?: number;
  memoryLimitPerInstance?: string;
  maxInstances?: number;
  idleMs?: number;
}

export class DuckDBEngine implements QueryEngine {
  private readonly sandboxes = new Map<string, Promise<OrgSandbox>>();
  private readonly idleTimer: NodeJS.Timeout;

  constructor(private readonly o: DuckDBEngineOptions) {
    this.idleTimer = setInterval(() => void this.evictIdle(), Math.min(60_000, o.idleMs ?? 600_000));
    this.idleTimer.unref();
  }

  private sandbox(org: string): Promise<OrgSandbox> {
    let p = this.sandboxes.get(org);
    if (!p) {
      p = (async () => {
        await this.makeRoom();
        const sb = await OrgSandbox.create({
          org,
          timezone: await this.o.timezoneOf(org),
          scratchSchema: this.o.scratchSchema,
          store: this.o.store,
          engineDir: join(this.o.dataDir, 'engine'),
          threads: this.o.threadsPerInstance ?? 2,
          memoryLimit: this.o.memoryLimitPerInstance ?? '2GB',
          log: this.o.log,
        });
        if (this.o.historyOf) await sb.setQueryHistory(() => this.o.historyOf!(org));
        return sb;
      })();
      this.sandboxes.set(org, p);
      p.catch(() => this.sandboxes.delete(org));
    }
    return p;
  }

  async query(q: EngineQuery): Promise<QueryCursor> {
    return (await this.sandbox(q.org)).query(q.sql, q.signal, q.session);
  }

  async snapshotVersion(org: string): Promise<number | undefined> {
    const open = this.sandboxes.get(org);
    if (open) return (await open).version;
    return readCurrentVersion(this.o.store, org);
  }

  async refresh(org: string): Promise<void> {
    const open = this.sandboxes.get(org);
    if (open) await (await open).refresh();
  }

  async setQueryHistory(org: string, rows: HistorySource): Promise<void> {
    const open = this.sandboxes.get(org);
    if (open) await (await open).setQueryHistory(rows);
  }

  async createTableAs(org: string, name: string, selectSql: string, signal?: AbortSignal) {
    return (await this.sandbox(org)).createTableAs(name, selectSql, signal);
  }
  async dropTable(org: string, name: string, ifExists: boolean) {
    return (await this.sandbox(org)).dropTable(name, ifExists);
  }
  async renameTable(org: string, from: string, to: string) {
    return (await this.sandbox(org)).renameTable(from, to);
  }
  async createView(org: string, name: string, selectSql: string, orReplace: boolean) {
    return (await this.sandbox(org)).createView(name, selectSql, orReplace);
  }
  async dropView(org: string, name: string, ifExists: boolean) {
    return (await this.sandbox(org)).dropView(name, ifExists);
  }
  async createTempTable(org: string, session: string, name: string, selectSql: string, signal?: AbortSignal) {
    return (await this.sandbox(org)).createTempTable(session, name, selectSql, signal);
  }
  async insertIntoTempTable(org: string, session: string, name: string, columns: readonly string[] | null, selectSql: string, signal?: AbortSignal) {
    return (await this.sandbox(org)).insertIntoTempTable(session, name, columns, selectSql, signal);
  }
  async dropTempTable(org: string, session: string, name: string, ifExists: boolean): Promise<void> {
    const open = this.sandboxes.get(org);
    // No instance: the session has no temporary tables (they live as long as their instance).
    if (open) return (await open).dropTempTable(session, name, ifExists);
    if (!ifExists) throw new RunlakeError('not_found', `table "${name}" does not exist`, { sqlstate: '42P01' });
  }
  async endSession(org: string, session: string): Promise<void> {
    const open = this.sandboxes.get(org);
    if (open) (await open.catch(() => undefined))?.endSession(session);
  }
  async scratchBytes(org: string): Promise<number> {
    return (await this.sandbox(org)).scratchBytes();
  }
  async scratchObjects(org: string): Promise<{ tables: string[]; views: string[] }> {
    return (await this.sandbox(org)).scratchObjects();
  }

  /** Closes least recently used idle instances until there is room for one more. */
  private async makeRoom(): Promise<void> {
    const max = this.o.maxInstances ?? 16;
    if (this.sandboxes.size < max) return;
    const open = await Promise.all([...this.sandboxes].map(async ([org, p]) => ({ org, sb: await p.catch(() => undefined) })));
    const idle = open.filter((x) => x.sb && x.sb.running === 0 && !x.sb.hasSessions).sort((a, b) => a.sb!.lastUsed - b.sb!.lastUsed);
    for (const { org, sb } of idle.slice(0, this.sandboxes.size - max + 1)) {
      this.sandboxes.delete(org);
      sb!.close();
    }
  }

  private async evictIdle(): Promise<void> {
    const idleMs = this.o.idleMs ?? 600_000;
    for (const [org, p] of [...this.sandboxes]) {
      const sb = await p.catch(() => undefined);
      // An instance holding sessions' temporary tables stays open until those sessions end.
      if (sb && sb.running === 0 && !sb.hasSessions && Date.now() - sb.lastUsed > idleMs) {
        this.sandboxes.delete(org);
        sb.close();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    for (const p of this.sandboxes.values()) (await p.catch(() => undefined))?.close();
    this.sandboxes.clear();
  }
}
