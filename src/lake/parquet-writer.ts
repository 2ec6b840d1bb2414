/**
 * Writes table rows as Snappy-compressed Parquet with DuckDB (the one place besides engine/duckdb
 * that imports @duckdb/node-api). It runs the flattening SQL of flatten.ts over newline-delimited
 * JSON documents and writes Hive-partitioned files into a local work directory; the publisher
 * uploads them.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PARTITION_COLUMN, TABLES, type TableName } from '../schema/index.ts';
import { loadLoginsSql, loadMemberDocsSql, loadProcessDocsSql, selectRows } from './flatten.ts';

export interface WrittenFile {
  table: TableName;
  partition: string | null;
  path: string;
  rows: number;
  bytes: number;
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

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

  /** Writes the process-scoped tables for the documents in `ndjsonPath`, partitioned by month. */
  async writeProcessTables(org: string, ndjsonPath: string, outDir: string, filePrefix: string): Promise<WrittenFile[]> {
    return this.withConnection(async (c) => {
      for (const sql of loadProcessDocsSql(ndjsonPath)) await c.run(sql);
      await fs.mkdir(outDir, { recursive: true });
      const out: WrittenFile[] = [];
      for (const t of TABLES.filter((x) => x.scope === 'process')) {
        const dir = join(outDir, t.name);
        await c.run(
          `COPY (${selectRows(org, t.name as TableName)}) TO ${sqlString(dir)}
           (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${PARTITION_COLUMN}), FILENAME_PATTERN ${sqlString(`${filePrefix}-{uuid}`)}, OVERWRITE_OR_IGNORE)`,
        );
        out.push(...(await this.describeFiles(c, t.name as TableName, dir)));
      }
      return out;
    });
  }

  /**
   * Rewrites one chunk's process-scoped tables by merging: the rows of the chunk's current files
   * (`oldFiles`, local paths, Hive-partitioned), minus every process in `changedIdsPath`, plus the
   * rows of the changed documents in `ndjsonPath`. Only the changed documents are parsed as JSON.
   */
  async mergeProcessTables(
    org: string,
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
      await fs.mkdir(outDir, { recursive: true });
      const out: WrittenFile[] = [];
      for (const t of TABLES.filter((x) => x.scope === 'process')) {
        const name = t.name as TableName;
        const old = input.oldFiles.get(name) ?? [];
        const kept = old.length === 0 ? '' : `SELECT ${t.columns.map((col) => col.name).join(', ')}
            FROM read_parquet([${old.map(sqlString).join(', ')}], hive_partitioning = true, hive_types = {'${PARTITION_COLUMN}': VARCHAR})
            WHERE process_id NOT IN (SELECT process_id FROM changed)
            UNION ALL `;
        const dir = join(outDir, name);
        await c.run(
          `COPY (${kept}${selectRows(org, name)}) TO ${sqlString(dir)}
           (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${PARTITION_COLUMN}), FILENAME_PATTERN ${sqlString(`${filePrefix}-{uuid}`)}, OVERWRITE_OR_IGNORE)`,
        );
        out.push(...(await this.describeFiles(c, name, dir)));
      }
      return out;
    });
  }

  /** Writes `members` (or `member_logins`) from `ndjsonPath` as one unpartitioned file. */
  async writeOrgTable(org: string, table: 'members' | 'member_logins', ndjsonPath: string, outDir: string, filePrefix: string): Promise<WrittenFile[]> {
    return this.withConnection(async (c) => {
      for (const sql of table === 'members' ? loadMemberDocsSql(ndjsonPath) : loadLoginsSql(ndjsonPath)) await c.run(sql);
      const dir = join(outDir, table);
      await fs.mkdir(dir, { recursive: true });
      const path = join(dir, `${filePrefix}-${randomUUID()}.parquet`);
      await c.run(`COPY (${selectRows(org, table)}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy)`);
      const [file] = await this.describeFiles(c, table, dir);
      return file && file.rows > 0 ? [file] : [];
    });
  }

  private async describeFiles(c: DuckDBConnection, table: TableName, dir: string): Promise<WrittenFile[]> {
    const files = await listParquet(dir);
    if (files.length === 0) return [];
    const list = `[${files.map(sqlString).join(', ')}]`;
    const r = await c.runAndReadAll(`SELECT file_name, num_rows FROM parquet_file_metadata(${list})`);
    const rows = new Map<string, number>();
    for (const [name, n] of r.getRows()) rows.set(String(name), Number(n));
    const out: WrittenFile[] = [];
    for (const path of files) {
      const part = /started_month=([^/]+)$/.exec(dirname(path));
      out.push({ table, partition: part ? part[1]! : null, path, rows: rows.get(path) ?? 0, bytes: (await fs.stat(path)).size });
    }
    return out;
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

async function listParquet(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.parquet')) out.push(p);
    }
  };
  await walk(dir);
  return out.sort((a, b) => basename(a).localeCompare(basename(b)));
}
