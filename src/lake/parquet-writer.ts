/**
 * Writes table rows as Snappy-compressed Parquet with DuckDB (with row-store.ts, the one place
 * besides engine/duckdb that imports @duckdb/node-api). Process-scoped tables are copied chunk by
 * chunk from the organization's row store (typed rows, see row-store.ts); the organization tables
 * (members, logins) are flattened from newline-delimited JSON. One file per table per chunk goes
 * into a local work directory, laid out as the lake is (`<table>/started_month=<m>/<name>.parquet`);
 * the publisher uploads them.
 *
 * It also owns the row stores: each is a DuckDB file attached to this writer's instance, at most
 * once per process. A row store that cannot be opened because another process holds it is
 * replaced by a temporary one (rebuilt from the staging store, deleted on close); one that cannot
 * be opened for any other reason (a damaged file) is deleted and rebuilt.
 *
 * Process-scoped files do not contain `started_month`: it is the Hive partition in the path.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, promises as fs, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PARTITION_COLUMN, TABLES, type TableDef, type TableName } from '../schema/index.ts';
import type { Logger } from '../util/logger.ts';
import type { DayRange } from './chunks.ts';
import { loadLoginsSql, loadMemberDocsSql, selectRows } from './flatten.ts';
import { RowStore, type ApplyFaultPoint } from './row-store.ts';
import { sqlString } from '../util/sql-quote.ts';

export interface WrittenFile {
  table: TableName;
  partition: string | null;
  path: string;
  rows: number;
  bytes: number;
}

export interface RowStoreRequest {
  org: string;
  /** The store's file (beside the staging store). */
  path: string;
  /** Work files of apply steps, and the temporary store when the file is held by another process. */
  workDir: string;
  log: Logger;
  /** Processes per apply step at most (default 10,000). */
  stepDocs?: number;
  fault?: (point: ApplyFaultPoint) => void | Promise<void>;
}

const PROCESS_TABLES: readonly TableDef[] = TABLES.filter((t) => t.scope === 'process');

/** Row store files attached in this process (DuckDB's file lock does not stop a second attach from the same process). */
const attachedFiles = new Set<string>();
let attachCount = 0;

export class ParquetWriter {
  private readonly rowStores = new Map<string, Promise<RowStore>>();
  private readonly opened: RowStore[] = [];
  private readonly owned: string[] = [];
  private readonly temporary: string[] = [];

  private constructor(private readonly instance: DuckDBInstance) {}

  static async create(opts: { threads?: number; memoryLimit?: string; tempDir?: string } = {}): Promise<ParquetWriter> {
    const config: Record<string, string> = {
      threads: String(opts.threads ?? 2),
      memory_limit: opts.memoryLimit ?? '4GB',
      preserve_insertion_order: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (opts.tempDir) config.temp_directory = opts.tempDir;
    const instance = await DuckDBInstance.create(':memory:', config);
    // Row stores are written often and read once per publish: DuckDB's string compressors (FSST and
    // zstd) cost more at each commit than they save (measured: ~2.3x the commit time, ~15% smaller
    // files). This is DuckDB storage only; the Parquet files are Snappy as always.
    const c = await instance.connect();
    await c.run("SET GLOBAL disabled_compression_methods = 'fsst,dict_fsst,zstd'");
    c.closeSync();
    return new ParquetWriter(instance);
  }

  close(): void {
    for (const r of this.opened) r.close();
    this.instance.closeSync();
    for (const f of this.owned) attachedFiles.delete(f);
    for (const f of this.temporary) void removeDatabaseFiles(f);
  }

  /** The row store of the file `req.path`, attached to this writer (once; later calls share it). */
  rowStore(req: RowStoreRequest): Promise<RowStore> {
    const path = resolve(req.path);
    let p = this.rowStores.get(path);
    if (!p) {
      p = this.attach({ ...req, path });
      this.rowStores.set(path, p);
      p.catch(() => this.rowStores.delete(path));
    }
    return p;
  }

  private async attach(req: RowStoreRequest): Promise<RowStore> {
    const c = await this.instance.connect();
    const schema = `rows_${++attachCount}`;
    const attachFile = (file: string) => c.run(`ATTACH ${sqlString(file)} AS ${schema}`);
    const temporary = async (why: string) => {
      const file = join(req.workDir, `rows-${req.org}-${randomUUID()}.duckdb`);
      req.log.warn('row store file in use elsewhere; using a temporary one rebuilt from the staging store', { org: req.org, file: req.path, why });
      await fs.mkdir(req.workDir, { recursive: true });
      this.temporary.push(file);
      await attachFile(file);
    };
    const own = async () => {
      await attachFile(req.path);
      attachedFiles.add(req.path);
      this.owned.push(req.path);
    };
    try {
      if (attachedFiles.has(req.path)) await temporary('attached by another writer of this process');
      else {
        await fs.mkdir(dirname(req.path), { recursive: true });
        try {
          await own();
        } catch (e) {
          const msg = (e as Error).message;
          if (/lock/i.test(msg)) await temporary(msg);
          else {
            req.log.warn('row store file unreadable; deleting it, it is rebuilt from the staging store', { org: req.org, file: req.path, error: msg });
            await removeDatabaseFiles(req.path);
            await own();
          }
        }
      }
    } catch (e) {
      c.closeSync();
      throw e;
    }
    const rows = new RowStore({
      org: req.org, connection: c, schema, workDir: req.workDir, log: req.log,
      ...(req.stepDocs ? { stepDocs: req.stepDocs } : {}), ...(req.fault ? { fault: req.fault } : {}),
    });
    this.opened.push(rows);
    return rows;
  }

  /**
   * Writes one chunk (a range of start days of a month) of every process-scoped table from the row
   * store, which must be brought up to date first (call inside `rows.exclusive`).
   */
  async writeChunk(rows: RowStore, month: string, days: DayRange, outDir: string, filePrefix: string): Promise<WrittenFile[]> {
    const out: WrittenFile[] = [];
    for (const t of PROCESS_TABLES) {
      const q = rows.chunkQuery(t.name as TableName, month, days);
      if (!q) continue;
      const f = await copy(rows.connection, t, month, q, outDir, filePrefix);
      if (f) out.push(f);
    }
    return out;
  }

  /** Writes `members` (or `member_logins`) from `ndjsonPath` as one unpartitioned file. */
  async writeOrgTable(org: string, table: 'members' | 'member_logins', ndjsonPath: string, outDir: string, filePrefix: string): Promise<WrittenFile[]> {
    return this.withConnection(async (c) => {
      for (const sql of table === 'members' ? loadMemberDocsSql(ndjsonPath) : loadLoginsSql(ndjsonPath)) await c.run(sql);
      const f = await copy(c, TABLES.find((t) => t.name === table)!, null, selectRows(org, table), outDir, filePrefix);
      return f ? [f] : [];
    });
  }

  private async withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.instance.connect();
    try {
      return await fn(c);
    } finally {
      c.closeSync();
    }
  }
}

/** COPY one query to one Snappy Parquet file; undefined (and no file) when it has no rows. */
async function copy(c: DuckDBConnection, t: TableDef, partition: string | null, query: string, outDir: string, filePrefix: string): Promise<WrittenFile | undefined> {
  const dir = partition === null ? join(outDir, t.name) : join(outDir, t.name, `${PARTITION_COLUMN}=${partition}`);
  mkdirSync(dir, { recursive: true }); // synchronous: no event-loop turn between the COPYs of a publish
  const path = join(dir, `${filePrefix}-${randomUUID()}.parquet`);
  const r = await c.run(`COPY (${query}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy)`);
  const rows = r.rowsChanged;
  if (rows === 0) {
    rmSync(path, { force: true });
    return undefined;
  }
  return { table: t.name as TableName, partition, path, rows, bytes: statSync(path).size };
}

async function removeDatabaseFiles(file: string): Promise<void> {
  for (const f of [file, `${file}.wal`]) await fs.rm(f, { force: true });
}
