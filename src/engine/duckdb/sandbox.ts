/**
 * One organization's sandboxed DuckDB instance.
 *
 * The policy, compiled into DuckDB settings at creation and then locked:
 * - external access off; file access only to the organization's own lake directory (its
 *   snapshot files and scratch tables) and its engine directory (history, spill files);
 * - no extension installs or loads; configuration locked (no SET, no PRAGMA changes);
 * - time zone UTC; memory limit and threads from configuration; Parquet metadata cached (lake
 *   and scratch files are immutable: a new version is a new file name).
 * Every query is checked by guard.ts first. Views over the live snapshot switch in one
 * transaction on refresh; a running query keeps the snapshot it bound to.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk, type DuckDBResult } from '@duckdb/node-api';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../../lake/object-store.ts';
import { readCurrentManifest } from '../../lake/manifest-store.ts';
import { orgPrefix, scratchPrefix, type Manifest } from '../../lake/layout.ts';
import { TABLES, type TableName } from '../../schema/index.ts';
import { analyticViewsSql, queryHistorySql, tableViewsSql } from '../../catalog/snapshot-views.ts';
import { orgRelations } from '../../catalog/relations.ts';
import { lakeSnapshotViewSql } from '../../catalog/lake-snapshot.ts';
import { PG_CATALOG_SCHEMA, PG_DATA_SCHEMA, PG_INFO_SCHEMA, pgCatalogSql, pgSchemaRelationsSql, type PgCatalogRelation } from '../../catalog/pg-catalog.ts';
import { TRINO_INFO_SCHEMA, trinoInfoSql } from '../../catalog/trino-info.ts';
import { TRINO_MACROS } from '../../sql/trino/macros.ts';
import type { Logger } from '../../util/logger.ts';
import type { EngineChunk, EngineColumn, EngineRow, HistorySource, QueryCursor } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { engineType } from './convert.ts';
import { chunkMaker } from './chunk-rows.ts';
import { classifyDuckDBError } from './errors.ts';
import { guardStatement, relationsIn } from './guard.ts';
import { ReadWriteLock } from './rw-lock.ts';
import { TempSessions, type TempTableLimits } from './temp-tables.ts';
import { sqlString as q } from '../../util/sql-quote.ts';
import { Lru } from '../../util/lru.ts';

export interface SandboxOptions {
  org: string;
  timezone: string;
  scratchSchema: string;
  store: ObjectStore;
  /** `<data-dir>/engine`: per-organization work directories, and the file cache of remote lakes. */
  engineDir: string;
  threads: number;
  memoryLimit: string;
  log: Logger;
  /** Per-session limits of temporary tables (default DEFAULT_TEMP_TABLE_LIMITS). */
  tempTableLimits?: TempTableLimits;
}

interface ScratchCatalog {
  tables: Record<string, { key: string; rows: number; bytes: number }>;
  views: Record<string, string>;
}

const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** Idle connections an instance keeps for its next queries. */
const MAX_IDLE_CONNECTIONS = 8;

export class OrgSandbox {
  version: number | undefined;
  running = 0;
  lastUsed = Date.now();
  private manifest: Manifest | undefined;
  /** Base tables each relation reads (views map to the tables under them). */
  private readonly dependsOn = new Map<string, TableName[]>();
  private readonly lock = new ReadWriteLock();
  private readonly admin: DuckDBConnection;
  private readonly workDir: string;
  private readonly localLakeRoot: string;

  /** Client sessions' temporary tables, each session on its own connection (temp-tables.ts). */
  private readonly temp: TempSessions;
  /**
   * Connections of queries read to their end, for the next queries (a new one costs 0.1–0.4 ms
   * of a query). They hold no state: the guard lets only reads through.
   */
  private readonly idle: DuckDBConnection[] = [];
  private closed = false;

  private constructor(private readonly o: SandboxOptions, private readonly instance: DuckDBInstance, admin: DuckDBConnection, workDir: string, localLakeRoot: string) {
    this.admin = admin;
    this.workDir = workDir;
    this.localLakeRoot = localLakeRoot;
    this.temp = new TempSessions(
      {
        connect: () => this.instance.connect(),
        guard: (c, sql) => this.lock.read(() => guardStatement(c, sql, this.guardOptions())).then(() => undefined),
        classify: (e) => classifyDuckDBError(e, [this.localLakeRoot, this.workDir]),
      },
      o.tempTableLimits,
    );
  }

  static async create(o: SandboxOptions): Promise<OrgSandbox> {
    const workDir = join(o.engineDir, 'orgs', o.org);
    await mkdir(join(workDir, 'tmp'), { recursive: true });
    // Where the organization's lake files are read from: in place for a local lake, else the cache.
    const localLakeRoot = o.store.localPath ? o.store.localPath('orgs').slice(0, -'orgs'.length) : join(o.engineDir, 'cache');
    const orgLakeDir = join(localLakeRoot, orgPrefix(o.org));
    await mkdir(orgLakeDir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(o.threads),
      memory_limit: o.memoryLimit,
      temp_directory: join(workDir, 'tmp'),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
    });
    const admin = await instance.connect();
    const sb = new OrgSandbox(o, instance, admin, workDir, localLakeRoot);
    try {
      await admin.run(`SET TimeZone = 'UTC'`);
      // Parquet footers are read once per file, not once per query (~2 ms of a small dashboard
      // query). Safe because no file the engine reads (lake, scratch, history) is ever rewritten
      // under the same name.
      await admin.run('SET GLOBAL parquet_metadata_cache = true');
      // For the same reason, the engine's cache of file blocks need not check each file's
      // modification time again on every query (~0.7 ms of a small query over 81 files).
      await admin.run(`SET GLOBAL validate_external_file_cache = 'NO_VALIDATION'`);
      for (const m of TRINO_MACROS) await admin.run(m);
      await admin.run(`CREATE SCHEMA IF NOT EXISTS ${ident(o.scratchSchema)}`);
      await sb.refresh();
      const analytic = analyticViewsSql(o.timezone);
      for (const sql of analytic.sql) await admin.run(sql);
      await admin.run(queryHistorySql(null));
      // The emulated pg_catalog and information_schema that PostgreSQL clients introspect.
      const relations = orgRelations(analytic.defs).map((r) => ({ ...r, schema: PG_DATA_SCHEMA }));
      for (const sql of pgCatalogSql({ database: o.org, user: o.org, relations, schemas: [o.scratchSchema] })) await admin.run(sql);
      // Trino's information_schema, as Athena clients see it.
      for (const sql of trinoInfoSql({ database: o.org, scratchSchema: o.scratchSchema, relations })) await admin.run(sql);
      for (const t of TABLES) sb.dependsOn.set(t.name, [t.name as TableName]);
      for (const v of analytic.defs) {
        sb.dependsOn.set(v.name, (await relationsIn(admin, v.sql)).filter((n): n is TableName => TABLES.some((t) => t.name === n)));
      }
      await sb.loadScratch();
      // Lock it down: from here on, only these directories, and no configuration changes.
      const allowed = [orgLakeDir, workDir].map((d) => (d.endsWith('/') ? d : `${d}/`));
      await admin.run(`SET allowed_directories = [${allowed.map(q).join(', ')}]`);
      await admin.run(`SET enable_external_access = false`);
      await admin.run(`SET lock_configuration = true`);
      return sb;
    } catch (e) {
      sb.close();
      throw e;
    }
  }

  close(): void {
    this.closed = true;
    try {
      for (const c of this.idle.splice(0)) c.closeSync();
      this.temp.closeAll();
      this.admin.closeSync();
    } finally {
      this.instance.closeSync();
    }
  }

  /** Switches the table views to the live snapshot, if it changed. Running queries keep theirs. */
  async refresh(): Promise<void> {
    const m = await readCurrentManifest(this.o.store, this.o.org);
    if (m && m.version === this.version) return;
    const files = new Map<TableName, string[]>();
    for (const t of TABLES) {
      const keys = (m?.tables[t.name as TableName] ?? []).map((f) => f.key);
      files.set(t.name as TableName, await this.localPaths(keys));
    }
    await this.lock.write(async () => {
      await this.admin.run('BEGIN TRANSACTION');
      try {
        for (const sql of tableViewsSql((t) => files.get(t) ?? [])) await this.admin.run(sql);
        await this.admin.run(lakeSnapshotViewSql(this.o.org, m && { version: m.version, publishedAt: m.publishedAt }));
        await this.admin.run('COMMIT');
      } catch (e) {
        await this.admin.run('ROLLBACK');
        throw e;
      }
      this.manifest = m;
      this.version = m?.version;
    });
  }

  /**
   * Runs one guarded read statement; the cursor streams its rows. With `session`, it runs on that
   * session's own connection when the session has temporary tables (it reads them).
   */
  async query(sql: string, signal?: AbortSignal, session?: string): Promise<QueryCursor> {
    this.lastUsed = Date.now();
    if (signal?.aborted) throw new EngineError('interrupted', 'the query was interrupted');
    const lease = session === undefined ? undefined : this.temp.acquire(session);
    const c = lease ? lease.c : (this.idle.pop() ?? (await this.instance.connect()));
    // DuckDB forgets an interrupt that arrives between statements (the guard's, and the query's
    // start): once aborted, the connection is interrupted again until the query is released.
    let reinterrupt: NodeJS.Timeout | undefined;
    const onAbort = () => {
      c.interrupt();
      reinterrupt ??= setInterval(() => c.interrupt(), 50);
      reinterrupt.unref();
    };
    signal?.addEventListener('abort', onAbort);
    this.running++;
    let closed = false;
    /** `finished`: the result was read to its end, never interrupted (the connection may serve another query). */
    const release = (finished = false) => {
      if (closed) return;
      closed = true;
      this.running--;
      this.lastUsed = Date.now();
      signal?.removeEventListener('abort', onAbort);
      clearInterval(reinterrupt);
      if (lease) lease.release();
      else if (finished && reinterrupt === undefined && !this.closed && this.idle.length < MAX_IDLE_CONNECTIONS) this.idle.push(c);
      else c.closeSync();
    };
    try {
      let result!: DuckDBResult;
      let version = 0;
      let bytes = 0;
      // On a session's connection the verdict also depends on its temporary tables: not remembered.
      const relations = lease ? await guardStatement(c, sql, this.guardOptions()) : await this.guarded(c, sql);
      if (relations.includes('query_history')) await this.loadPendingHistory();
      await this.lock.read(async () => {
        if (signal?.aborted) throw new EngineError('interrupted', 'the query was interrupted');
        version = this.version ?? 0;
        bytes = this.bytesOf(relations);
        // One statement (the guard saw to it): prepared directly, not split first as
        // `connection.stream` does (one parse and one round trip to DuckDB's threads fewer).
        const prepared = await c.prepare(sql);
        try {
          result = await prepared.stream();
        } finally {
          prepared.destroySync();
        }
      });
      const columns: EngineColumn[] = result.columnNames().map((name, i) => ({ name, type: engineType(result.columnType(i)) }));
      const paths = [this.localLakeRoot, this.workDir];
      const chunkOf = chunkMaker(result.columnTypes());
      // Read-ahead: while the caller works on chunk N, DuckDB's threads produce chunk N+1 (one
      // fetch in flight at most, so memory stays bounded and a caller that stops asking stops
      // the query after one more chunk). A failed fetch surfaces at the next call. Once closing,
      // no fetch starts, and the connection is released only after the one in flight returned.
      let ahead: Promise<DuckDBDataChunk | null> | undefined;
      let inFlight: Promise<unknown> | undefined;
      let closing = false;
      const fetchAhead = (): Promise<DuckDBDataChunk | null> => {
        const p = result.fetchChunk();
        const settled = p.then(() => undefined, () => undefined); // also: no unhandled rejection
        inFlight = settled;
        void settled.then(() => {
          if (inFlight === settled) inFlight = undefined;
        });
        return p;
      };
      const nextChunk = async (): Promise<EngineChunk | undefined> => {
        if (closed || closing) return undefined;
        try {
          const pending = ahead ?? fetchAhead();
          ahead = undefined;
          const chunk = await pending;
          if (closed || closing) return undefined;
          if (!chunk || chunk.rowCount === 0) {
            release(true);
            return undefined;
          }
          ahead = fetchAhead();
          return chunkOf(chunk);
        } catch (e) {
          release();
          throw classifyDuckDBError(e, paths);
        }
      };
      return {
        columns,
        snapshotVersion: version,
        bytesScanned: () => bytes,
        nextChunk,
        next: async (): Promise<EngineRow[] | undefined> => (await nextChunk())?.rows(),
        close: async () => {
          if (closed) return;
          closing = true;
          c.interrupt();
          ahead = undefined;
          if (inFlight) await inFlight;
          release();
        },
      };
    } catch (e) {
      release();
      throw classifyDuckDBError(e, [this.localLakeRoot, this.workDir]);
    }
  }

  /**
   * The guard's verdict for a statement (the relations it reads), remembered by SQL text: the
   * verdict depends on nothing else, and dashboards repeat the same statements.
   */
  private readonly verdicts = new Lru<string, string[]>(500);
  private async guarded(c: DuckDBConnection, sql: string): Promise<string[]> {
    const known = this.verdicts.get(sql);
    if (known) return known;
    const relations = await guardStatement(c, sql, this.guardOptions());
    this.verdicts.set(sql, relations);
    return relations;
  }

  /** What queries may name: the organization's schemas, and the emulated PostgreSQL and Trino catalogs (its own data only). */
  private guardOptions() {
    return { schemas: [this.o.scratchSchema, 'information_schema', PG_CATALOG_SCHEMA, PG_INFO_SCHEMA, TRINO_INFO_SCHEMA], functionSchemas: [PG_CATALOG_SCHEMA] };
  }

  /** Bytes of the snapshot's files under the named relations. */
  private bytesOf(relations: readonly string[]): number {
    const tables = new Set<TableName>();
    for (const r of relations) for (const t of this.dependsOn.get(r) ?? []) tables.add(t);
    let bytes = 0;
    for (const t of tables) for (const f of this.manifest?.tables[t] ?? []) bytes += f.bytes;
    return bytes;
  }

  // ---- query_history ---------------------------------------------------------------------

  /**
   * The history the service last handed over (rows, or a loader of them); loaded into the
   * `query_history` table only when a query reads it, so keeping it current costs nothing to
   * queries that do not.
   */
  private pendingHistory: HistorySource | undefined;

  async setQueryHistory(rows: HistorySource): Promise<void> {
    this.pendingHistory = rows;
  }

  private async loadPendingHistory(): Promise<void> {
    const pending = this.pendingHistory;
    if (!pending) return;
    this.pendingHistory = undefined;
    const rows = typeof pending === 'function' ? await pending() : pending;
    const path = join(this.workDir, `history-${randomUUID()}.ndjson`);
    await writeFile(path, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
    try {
      await this.lock.write(() => this.admin.run(queryHistorySql(rows.length ? path : null)).then(() => undefined));
    } finally {
      await rm(path, { force: true });
    }
  }

  // ---- scratch schema (Looker PDTs) --------------------------------------------------------

  private scratchCatalog: ScratchCatalog = { tables: {}, views: {} };
  private readonly scratchCatalogKey = (): string => `${scratchPrefix(this.o.org)}catalog.json`;

  private async loadScratch(): Promise<void> {
    const raw = await this.o.store.get(this.scratchCatalogKey());
    if (raw) this.scratchCatalog = JSON.parse(new TextDecoder().decode(raw)) as ScratchCatalog;
    for (const [name, t] of Object.entries(this.scratchCatalog.tables)) await this.admin.run(this.scratchTableViewSql(name, (await this.localPaths([t.key]))[0]!));
    for (const [name, sql] of Object.entries(this.scratchCatalog.views)) {
      try {
        await this.admin.run(`CREATE OR REPLACE VIEW ${this.scratchName(name)} AS ${sql}`);
      } catch (e) {
        this.o.log.warn('a scratch view no longer binds; skipped', { org: this.o.org, view: name, error: String(e) });
      }
    }
    await this.publishScratchToPgCatalog();
  }

  private scratchName(name: string): string {
    return `${ident(this.o.scratchSchema)}.${ident(name)}`;
  }

  private scratchTableViewSql(name: string, path: string): string {
    return `CREATE OR REPLACE VIEW ${this.scratchName(name)} AS SELECT * FROM read_parquet(${q(path)})`;
  }

  private async saveScratch(): Promise<void> {
    await this.o.store.put(this.scratchCatalogKey(), JSON.stringify(this.scratchCatalog));
    await this.publishScratchToPgCatalog();
  }

  /**
   * Lists the scratch schema's tables and views, with their columns, in the emulated pg_catalog
   * and information_schema (psql `\dt looker_scratch.*`, pgJDBC getTables, SQLAlchemy reflection):
   * replaced in one transaction after every scratch change. A view that no longer binds is listed
   * without columns.
   */
  private async publishScratchToPgCatalog(): Promise<void> {
    const describe = async (name: string): Promise<PgCatalogRelation['columns']> => {
      try {
        const r = await this.admin.run(`SELECT * FROM ${this.scratchName(name)} LIMIT 0`);
        return r.columnNames().map((n, i) => ({ name: n, type: engineType(r.columnType(i)) }));
      } catch {
        return [];
      }
    };
    try {
      await this.lock.write(async () => {
        const relations: PgCatalogRelation[] = [];
        for (const [name, t] of Object.entries(this.scratchCatalog.tables)) {
          relations.push({ schema: this.o.scratchSchema, name, kind: 'table', rowCount: t.rows, columns: await describe(name) });
        }
        for (const name of Object.keys(this.scratchCatalog.views)) {
          relations.push({ schema: this.o.scratchSchema, name, kind: 'view', columns: await describe(name) });
        }
        await this.admin.run('BEGIN TRANSACTION');
        try {
          for (const sql of pgSchemaRelationsSql({ database: this.o.org, user: this.o.org }, this.o.scratchSchema, relations)) await this.admin.run(sql);
          await this.admin.run('COMMIT');
        } catch (e) {
          await this.admin.run('ROLLBACK');
          throw e;
        }
      });
    } catch (e) {
      this.o.log.warn('the scratch schema could not be listed in pg_catalog', { org: this.o.org, error: String(e) });
    }
  }

  scratchBytes(): number {
    return Object.values(this.scratchCatalog.tables).reduce((s, t) => s + t.bytes, 0);
  }

  scratchObjects(): { tables: string[]; views: string[] } {
    return { tables: Object.keys(this.scratchCatalog.tables).sort(), views: Object.keys(this.scratchCatalog.views).sort() };
  }

  private exists(name: string): boolean {
    return name in this.scratchCatalog.tables || name in this.scratchCatalog.views;
  }

  async createTableAs(name: string, selectSql: string, signal?: AbortSignal): Promise<{ rows: number; bytes: number }> {
    if (this.exists(name)) throw new EngineError('semantic', `table ${this.o.scratchSchema}.${name} already exists`);
    const key = `${scratchPrefix(this.o.org)}tables/${name}-${randomUUID()}.parquet`;
    const local = this.o.store.localPath ? this.o.store.localPath(key) : join(this.localLakeRoot, key);
    await mkdir(join(local, '..'), { recursive: true });
    const c = await this.instance.connect();
    const onAbort = () => c.interrupt();
    signal?.addEventListener('abort', onAbort);
    try {
      await this.lock.read(() => guardStatement(c, selectSql, this.guardOptions()));
      const r = await c.run(`COPY (${selectSql}) TO ${q(local)} (FORMAT parquet, COMPRESSION snappy)`);
      const entry = { key, rows: r.rowsChanged, bytes: (await stat(local)).size };
      if (!this.o.store.localPath) await this.o.store.putFile(key, local);
      await this.lock.write(() => this.admin.run(this.scratchTableViewSql(name, local)).then(() => undefined));
      this.scratchCatalog.tables[name] = entry;
      await this.saveScratch();
      return { rows: entry.rows, bytes: entry.bytes };
    } catch (e) {
      await rm(local, { force: true });
      throw classifyDuckDBError(e, [this.localLakeRoot, this.workDir]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      c.closeSync();
    }
  }

  async dropTable(name: string, ifExists: boolean): Promise<void> {
    const t = this.scratchCatalog.tables[name];
    if (!t) {
      if (ifExists) return;
      throw new EngineError('semantic', `table ${this.o.scratchSchema}.${name} does not exist`);
    }
    await this.lock.write(() => this.admin.run(`DROP VIEW IF EXISTS ${this.scratchName(name)}`).then(() => undefined));
    delete this.scratchCatalog.tables[name];
    await this.saveScratch();
    await this.o.store.delete([t.key]);
    if (!this.o.store.localPath) await rm(join(this.localLakeRoot, t.key), { force: true });
  }

  async renameTable(from: string, to: string): Promise<void> {
    const t = this.scratchCatalog.tables[from];
    if (!t) throw new EngineError('semantic', `table ${this.o.scratchSchema}.${from} does not exist`);
    if (this.exists(to)) throw new EngineError('semantic', `table ${this.o.scratchSchema}.${to} already exists`);
    const path = (await this.localPaths([t.key]))[0]!;
    await this.lock.write(async () => {
      await this.admin.run(this.scratchTableViewSql(to, path));
      await this.admin.run(`DROP VIEW IF EXISTS ${this.scratchName(from)}`);
    });
    delete this.scratchCatalog.tables[from];
    this.scratchCatalog.tables[to] = t;
    await this.saveScratch();
  }

  async createView(name: string, selectSql: string, orReplace: boolean): Promise<void> {
    if (name in this.scratchCatalog.tables || (!orReplace && name in this.scratchCatalog.views)) {
      throw new EngineError('semantic', `relation ${this.o.scratchSchema}.${name} already exists`);
    }
    await this.lock.write(async () => {
      await guardStatement(this.admin, selectSql, this.guardOptions());
      await this.admin.run(`CREATE OR REPLACE VIEW ${this.scratchName(name)} AS ${selectSql}`);
    }).catch((e: unknown) => {
      throw classifyDuckDBError(e, [this.localLakeRoot, this.workDir]);
    });
    this.scratchCatalog.views[name] = selectSql;
    await this.saveScratch();
  }

  async dropView(name: string, ifExists: boolean): Promise<void> {
    if (!(name in this.scratchCatalog.views)) {
      if (ifExists) return;
      throw new EngineError('semantic', `view ${this.o.scratchSchema}.${name} does not exist`);
    }
    await this.lock.write(() => this.admin.run(`DROP VIEW IF EXISTS ${this.scratchName(name)}`).then(() => undefined));
    delete this.scratchCatalog.views[name];
    await this.saveScratch();
  }

  // ---- temporary tables of client sessions ------------------------------------------------------

  /** Whether client sessions hold temporary tables here (then the instance must stay open). */
  get hasSessions(): boolean {
    return this.temp.count > 0;
  }

  createTempTable(session: string, name: string, selectSql: string, signal?: AbortSignal): Promise<{ rows: number }> {
    this.lastUsed = Date.now();
    return this.temp.create(session, name, selectSql, signal);
  }

  insertIntoTempTable(session: string, name: string, columns: readonly string[] | null, selectSql: string, signal?: AbortSignal): Promise<{ rows: number }> {
    this.lastUsed = Date.now();
    return this.temp.insert(session, name, columns, selectSql, signal);
  }

  dropTempTable(session: string, name: string, ifExists: boolean): Promise<void> {
    this.lastUsed = Date.now();
    return this.temp.drop(session, name, ifExists);
  }

  endSession(session: string): void {
    this.temp.end(session);
  }

  // ---- files ---------------------------------------------------------------------------------

  /** Local paths of lake objects: in place for a local lake, downloaded once (immutable) otherwise. */
  private async localPaths(keys: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const key of keys) {
      if (this.o.store.localPath) {
        out.push(this.o.store.localPath(key));
        continue;
      }
      const local = join(this.localLakeRoot, key);
      if (!existsSync(local) && !(await this.o.store.getFile(key, local))) throw new Error(`lake object ${key} is missing`);
      out.push(local);
    }
    return out;
  }
}
