/**
 * Writes table rows as Snappy-compressed Parquet with DuckDB (the one place besides engine/duckdb
 * that imports @duckdb/node-api). It runs the flattening SQL of flatten.ts over newline-delimited
 * JSON documents and writes one file per table per chunk into a local work directory, laid out
 * as the lake is (`<table>/started_month=<m>/<name>.parquet`); the publisher uploads them.
 *
 * Process-scoped files do not contain `started_month`: it is the Hive partition in the path.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PARTITION_COLUMN, TABLES, type TableDef, type TableName } from '../schema/index.ts';
import { loadLoginsSql, loadMemberDocsSql, loadProcessDocsSql, selectRows } from './flatten.ts';

export interface WrittenFile {
  table: TableName;
  partition: string | null;
  path: string;
  rows: number;
  bytes: number;
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const PROCESS_TABLES: readonly TableDef[] = TABLES.filter((t) => t.scope === 'process');

export class ParquetWriter {
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
    return new ParquetWriter(await DuckDBInstance.create(':memory:', config));
  }

  close(): void {
    this.instance.closeSync();
  }

  /** Writes one month chunk of the process-scoped tables from the documents in `ndjsonPath`. */
  async writeProcessTables(org: string, month: string, ndjsonPath: string, outDir: string, filePrefix: string): Promise<WrittenFile[]> {
    return this.withConnection(async (c) => {
      for (const sql of loadProcessDocsSql(ndjsonPath)) await c.run(sql);
      const out: WrittenFile[] = [];
      for (const t of PROCESS_TABLES) {
        const f = await this.copy(c, t, month, `SELECT * EXCLUDE (${PARTITION_COLUMN}) FROM (${selectRows(org, t.name as TableName)})`, outDir, filePrefix);
        if (f) out.push(f);
      }
      return out;
    });
  }

  /**
   * Rewrites one month chunk of the process-scoped tables by merging: the rows of the chunk's
   * current files (`oldFiles`, local paths), minus every process in `changedIdsPath`, plus the rows
   * of the changed documents in `ndjsonPath`. Only the changed documents are parsed as JSON.
   */
  async mergeProcessTables(
    org: string,
    month: string,
    input: { ndjsonPath: string; changedIdsPath: string; oldFiles: ReadonlyMap<TableName, readonly string[]> },
    outDir: string,
    filePrefix: string,
  ): Promise<WrittenFile[]> {
    return this.withConnection(async (c) => {
      for (const sql of loadProcessDocsSql(input.ndjsonPath)) await c.run(sql);
      await c.run(
        `CREATE OR REPLACE TEMP TABLE changed AS SELECT process_id FROM read_json(${sqlString(input.changedIdsPath)},
           format = 'newline_delimited', columns = {'process_id': 'VARCHAR'})`,
      );
      const out: WrittenFile[] = [];
      for (const t of PROCESS_TABLES) {
        const name = t.name as TableName;
        const cols = t.columns.filter((col) => col.name !== PARTITION_COLUMN).map((col) => col.name).join(', ');
        const old = input.oldFiles.get(name) ?? [];
        const kept = old.length === 0 ? '' : `SELECT ${cols} FROM read_parquet([${old.map(sqlString).join(', ')}])
            WHERE process_id NOT IN (SELECT process_id FROM changed)
            UNION ALL `;
        const f = await this.copy(c, t, month, `${kept}SELECT ${cols} FROM (${selectRows(org, name)})`, outDir, filePrefix);
        if (f) out.push(f);
      }
      return out;
    });
  }

  /** Writes `members` (or `member_logins`) from `ndjsonPath` as one unpartitioned file. */
  async writeOrgTable(org: string, table: 'members' | 'member_logins', ndjsonPath: string, outDir: string, filePrefix: string): Promise<WrittenFile[]> {
    return this.withConnection(async (c) => {
      for (const sql of table === 'members' ? loadMemberDocsSql(ndjsonPath) : loadLoginsSql(ndjsonPath)) await c.run(sql);
      const f = await this.copy(c, TABLES.find((t) => t.name === table)!, null, selectRows(org, table), outDir, filePrefix);
      return f ? [f] : [];
    });
  }

  /** COPY one query to one Snappy Parquet file; undefined (and no file) when it has no rows. */
  private async copy(c: DuckDBConnection, t: TableDef, partition: string | null, query: string, outDir: string, filePrefix: string): Promise<WrittenFile | undefined> {
    const dir = partition === null ? join(outDir, t.name) : join(outDir, t.name, `${PARTITION_COLUMN}=${partition}`);
    await fs.mkdir(dir, { recursive: true });
    const path = join(dir, `${filePrefix}-${randomUUID()}.parquet`);
    const r = await c.run(`COPY (${query}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy)`);
    const rows = r.rowsChanged;
    if (rows === 0) {
      await fs.rm(path, { force: true });
      return undefined;
    }
    return { table: t.name as TableName, partition, path, rows, bytes: (await fs.stat(path)).size };
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
