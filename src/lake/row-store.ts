/**
 * The row store: an organization's current process-scoped rows, typed and ready to write as
 * Parquet — so that a publish is a `COPY` per chunk and table, not a parse of JSON documents.
 *
 * It is a DuckDB database file beside the staging store, derived from it: one table per lake table
 * and month (`"steps 2025-03"`), holding every lake column except `organization_id` (a constant)
 * and `started_month` (the table's month), plus `started_day` (which chunk a row belongs to); a
 * `placement` table (process id → month) and a `meta` table (`applied_seq`, `staging_id`, `format`).
 *
 * Invariants:
 * - The staging store (SQLite) stays the source of truth; acknowledging a batch never waits for
 *   this store. Whatever happens to this file, it can be rebuilt from the staging store.
 * - `applied_seq` = s means: every process written at staging sequence number ≤ s is here exactly
 *   as the staging store had it (rows replaced, deleted for a tombstone, moved between months).
 *   An apply step changes the rows and `applied_seq` in one DuckDB transaction, so a crash at any
 *   point leaves the store at the old `applied_seq` or the new one, never between; catching up
 *   again from `applied_seq` is then always correct.
 * - Catching up stops exactly at the sequence number of the pinned staging read it is given, so a
 *   publish copies the state that read sees, not a newer one.
 * - A store that does not match its staging file (another `staging_id`, an `applied_seq` beyond the
 *   staging store's, another `format` — the columns or the formulas changed), or that cannot be
 *   opened, is emptied and rebuilt by catching up from 0.
 * - One operation at a time (`exclusive`): applying and copying never interleave.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StagingReader } from '../ingest/staging-store.ts';
import { DUCKDB_TYPE, PARTITION_COLUMN, TABLES, type ColumnType, type TableDef, type TableName } from '../schema/index.ts';
import type { Logger } from '../util/logger.ts';
import type { DayRange } from './chunks.ts';
import { DAY_COLUMN, loadProcessDocsSql, selectRows } from './flatten.ts';
import { sqlString, quoteIdent as ident } from '../util/sql-quote.ts';

/** Fault points of an apply step, for crash tests. */
export type ApplyFaultPoint = 'apply-before-commit';

export interface RowStoreOptions {
  org: string;
  /** A connection to the DuckDB instance the store is attached to (its own; temp tables are per connection). */
  connection: DuckDBConnection;
  /** The attached database's name in that instance. */
  schema: string;
  /** Where apply steps write their temporary document files. */
  workDir: string;
  log: Logger;
  /** Documents per apply step at most (memory bound). */
  stepDocs?: number;
  /** Bytes of JSON per apply step at most (memory bound). */
  stepBytes?: number;
  fault?: (point: ApplyFaultPoint) => void | Promise<void>;
}

export interface CatchUpResult {
  /** Processes applied (documents and tombstones). */
  applied: number;
  /** Why the store was emptied first, if it was. */
  rebuilt?: string;
}

const PROCESS_TABLES: readonly TableDef[] = TABLES.filter((t) => t.scope === 'process');
const STEP_DOCS = 10_000;
const STEP_BYTES = 128 * 1024 * 1024;
/** Bumped when the layout of this store changes in a way the fingerprint below would not see. */
const LAYOUT_VERSION = 2;


/** Columns kept per row: the lake columns minus the constant and the partition, plus the day. */
const storedColumns = (t: TableDef) => t.columns.filter((c) => c.name !== 'organization_id' && c.name !== PARTITION_COLUMN);

/**
 * The DuckDB storage compression of each column type, fixed rather than chosen per segment: the
 * choice costs more at every commit than it saves (measured on steps rows: ~30% less commit CPU,
 * the same file size). Lists keep DuckDB's choice (they cannot be given one).
 */
const COMPRESSION: Record<ColumnType, string | null> = {
  varchar: 'dictionary',
  integer: 'bitpacking',
  bigint: 'bitpacking',
  double: 'uncompressed',
  boolean: 'bitpacking',
  timestamp: 'bitpacking',
  'varchar[]': null,
};

/** `CREATE TABLE` column definitions of a stored table. */
const columnDefs = (t: TableDef): string =>
  [
    ...storedColumns(t).map((c) => `${c.name} ${DUCKDB_TYPE[c.type]}${COMPRESSION[c.type] ? ` USING COMPRESSION ${COMPRESSION[c.type]}` : ''}`),
    `${DAY_COLUMN} UTINYINT USING COMPRESSION bitpacking`,
  ].join(', ');

/** Changes when the stored columns or any flattening formula changes: then the store is rebuilt. */
export const ROW_STORE_FORMAT = createHash('sha256')
  .update(JSON.stringify([LAYOUT_VERSION, PROCESS_TABLES.map((t) => [t.name, columnDefs(t), selectRows('', t.name as TableName)])]))
  .digest('hex')
  .slice(0, 16);

/** The row store's file beside a staging store's (`staging/acme.db` → `staging/acme.rows.duckdb`). */
export function rowStorePathFor(stagingPath: string): string {
  return `${stagingPath.replace(/\.db$/, '')}.rows.duckdb`;
}

/** Temp tables an apply step creates on its connection (dropped after the step, to free their memory). */
const STEP_TEMP_TABLES = ['chg', 'doc', 'task', 'field', 'cmt', 'iss', 'asg', ...PROCESS_TABLES.map((t) => `flat ${t.name}`)];

/** What one apply step applies: ids of the processes (documents and tombstones), their documents, and the sequence number reached. */
interface ChangeBatch {
  ids: string[];
  docs: (Buffer | string)[];
  bytes: number;
  last: number;
}

export class RowStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Months that have tables, known after `prepare`. */
  private months = new Set<string>();
  private applied: number | undefined;
  private stagingId: string | undefined;
  private readonly db: string;

  constructor(private readonly o: RowStoreOptions) {
    this.db = ident(o.schema);
  }

  /** Runs `fn` when no other operation on this store runs (in call order). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The staging sequence number the rows reflect (after `prepare`). */
  get appliedSeq(): number | undefined {
    return this.applied;
  }

  /**
   * Brings the rows up to the state `reader` sees, in steps of bounded size. Call inside
   * `exclusive`. With `maxSteps`, stops after that many steps (the rest is left for later).
   * `doneReading` is called (once) as soon as the reader is no longer needed — after the last
   * step has read its changes, before its DuckDB work — so the caller can end the staging read
   * transaction early (an open one keeps SQLite from recycling its write-ahead log).
   */
  async catchUp(reader: StagingReader, opts: { maxSteps?: number; doneReading?: () => void } = {}): Promise<CatchUpResult> {
    let finished = false;
    const doneReading = () => {
      if (!finished) opts.doneReading?.();
      finished = true;
    };
    try {
      const rebuilt = await this.prepare(reader);
      const target = reader.seq();
      const maxSteps = opts.maxSteps ?? Infinity;
      let applied = 0;
      for (let step = 1; this.applied! < target && step <= maxSteps; step++) {
        const batch = this.nextChanges(reader, target);
        if (batch.last === target || step === maxSteps) doneReading();
        applied += await this.applyBatch(batch, (seq) => reader.changesApplied(seq));
      }
      return { applied, ...(rebuilt ? { rebuilt } : {}) };
    } finally {
      doneReading();
    }
  }

  /** Whether the rows are behind the state `reader` sees. */
  behind(reader: StagingReader): boolean {
    return this.applied === undefined || this.applied < reader.seq() || this.stagingId !== reader.storeId();
  }

  /**
   * The rows of one chunk of one lake table, as `SELECT <lake columns in schema order>`, without
   * `started_month` (it is the Hive partition in the path); undefined when the month has no rows.
   */
  chunkQuery(table: TableName, month: string, days: DayRange): string | undefined {
    if (!this.months.has(month)) return undefined;
    const def = PROCESS_TABLES.find((t) => t.name === table)!;
    const cols = def.columns
      .filter((c) => c.name !== PARTITION_COLUMN)
      .map((c) => (c.name === 'organization_id' ? `${sqlString(this.o.org)}::VARCHAR AS organization_id` : c.name));
    return `SELECT ${cols.join(', ')} FROM ${this.table(table, month)} WHERE ${DAY_COLUMN} BETWEEN ${days.from} AND ${days.to}`;
  }

  /** Months that have rows (or had: a month whose processes all moved away keeps empty tables). */
  monthList(): string[] {
    return [...this.months].sort();
  }

  /** Row counts per table (for tests and diagnostics). */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of PROCESS_TABLES) {
      let n = 0;
      for (const m of this.months) n += Number((await this.o.connection.runAndReadAll(`SELECT count(*) FROM ${this.table(t.name, m)}`)).getRows()[0]![0]);
      out[t.name] = n;
    }
    return out;
  }

  get connection(): DuckDBConnection {
    return this.o.connection;
  }

  close(): void {
    this.o.connection.closeSync();
  }

  private table(name: string, month: string): string {
    return `${this.db}.${ident(`${name} ${month}`)}`;
  }

  private async run(sql: string): Promise<void> {
    await this.o.connection.run(sql);
  }

  private async rows(sql: string): Promise<unknown[][]> {
    return (await this.o.connection.runAndReadAll(sql)).getRows();
  }

  /** Reads the store's state; empties it when it does not match `reader`'s staging store. Returns why it was emptied. */
  private async prepare(reader: StagingReader): Promise<string | undefined> {
    if (this.applied !== undefined && this.stagingId === reader.storeId() && this.applied <= reader.seq()) return undefined;
    const meta = new Map<string, string>();
    const hasMeta = (await this.rows(`SELECT 1 FROM duckdb_tables() WHERE database_name = ${sqlString(this.o.schema)} AND table_name = 'meta'`)).length > 0;
    if (hasMeta) for (const [k, v] of await this.rows(`SELECT key, value FROM ${this.db}.meta`)) meta.set(String(k), String(v));
    const applied = Number(meta.get('applied_seq') ?? NaN);
    const reason =
      !hasMeta ? 'new'
      : meta.get('format') !== ROW_STORE_FORMAT ? 'its format changed'
      : meta.get('staging_id') !== reader.storeId() ? 'it was built from another staging store'
      : !(applied <= reader.seq()) ? 'it is ahead of the staging store'
      : undefined;
    if (reason) await this.reset(reader.storeId());
    else this.applied = applied;
    this.stagingId = reader.storeId();
    this.months = new Set(
      (await this.rows(`SELECT table_name FROM duckdb_tables() WHERE database_name = ${sqlString(this.o.schema)} AND table_name LIKE 'processes %'`))
        .map((r) => String(r[0]).slice('processes '.length)),
    );
    if (reason && hasMeta) this.o.log.warn('row store emptied; rebuilding it from the staging store', { org: this.o.org, reason });
    return reason;
  }

  private async reset(stagingId: string): Promise<void> {
    const tables = await this.rows(`SELECT table_name FROM duckdb_tables() WHERE database_name = ${sqlString(this.o.schema)}`);
    await this.run('BEGIN');
    try {
      for (const [name] of tables) await this.run(`DROP TABLE ${this.db}.${ident(String(name))}`);
      await this.run(`CREATE TABLE ${this.db}.meta (key VARCHAR, value VARCHAR)`);
      await this.run(`CREATE TABLE ${this.db}.placement (process_id VARCHAR, month VARCHAR, ${DAY_COLUMN} UTINYINT)`);
      await this.run(
        `INSERT INTO ${this.db}.meta VALUES ('format', ${sqlString(ROW_STORE_FORMAT)}), ('staging_id', ${sqlString(stagingId)}), ('applied_seq', '0')`,
      );
      await this.run('COMMIT');
    } catch (e) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
    this.applied = 0;
  }

  /**
   * One step: the processes written after `applied_seq` that `nextChanges` read (up to the step's
   * bounds), replaced in one transaction. Returns how many processes it applied.
   *
   * The DuckDB work is two calls of several statements each: under ingest load the event loop
   * turns about once per request, so the number of awaited calls, not their size, decides how
   * fast the store keeps up.
   */
  private async applyBatch(batch: ChangeBatch, applied: (seq: number) => void): Promise<number> {
    const { ids, docs, bytes, last } = batch;
    // No process written after applied_seq (only dirty marks or other tables moved the sequence).
    if (ids.length === 0) {
      await this.setApplied(last);
      applied(last);
      return 0;
    }
    mkdirSync(this.o.workDir, { recursive: true });
    const base = join(this.o.workDir, `rows-${process.pid}-${randomUUID()}`);
    const docsPath = `${base}.ndjson`;
    const idsPath = `${base}.ids.ndjson`;
    const dropTemps = STEP_TEMP_TABLES.map((t) => `DROP TABLE IF EXISTS temp.${ident(t)}`);
    try {
      writeLines(docsPath, docs);
      docs.length = 0;
      writeLines(idsPath, ids.map((id) => JSON.stringify({ process_id: id })));

      // 1. The changed ids and documents into temp tables; the months the processes leave and enter.
      const months = await this.rows([
        `CREATE OR REPLACE TEMP TABLE chg AS SELECT process_id FROM read_json(${sqlString(idsPath)}, format = 'newline_delimited', columns = {'process_id': 'VARCHAR'})`,
        ...(bytes === 0 ? [] : loadProcessDocsSql(docsPath)),
        `SELECT 'old' AS kind, month, min(${DAY_COLUMN}), max(${DAY_COLUMN}) FROM ${this.db}.placement WHERE process_id IN (SELECT process_id FROM chg) GROUP BY ALL
         ${bytes === 0 ? '' : `UNION ALL SELECT 'new', ${PARTITION_COLUMN}, NULL, NULL FROM doc GROUP BY ALL`}`,
      ].join(';\n'));
      const oldMonths = months.filter((r) => r[0] === 'old').map((r) => ({ month: String(r[1]), from: Number(r[2]), to: Number(r[3]) }));
      const newMonths = months.filter((r) => r[0] === 'new').map((r) => String(r[1]));

      // 2. Replace the rows and advance applied_seq, in one transaction.
      const tx = ['BEGIN', `DELETE FROM ${this.db}.placement WHERE process_id IN (SELECT process_id FROM chg)`];
      // The day range lets DuckDB skip the row groups (zone maps) that cannot hold the old rows.
      for (const o of oldMonths) {
        for (const t of PROCESS_TABLES) {
          tx.push(`DELETE FROM ${this.table(t.name, o.month)} WHERE ${DAY_COLUMN} BETWEEN ${o.from} AND ${o.to} AND process_id IN (SELECT process_id FROM chg)`);
        }
      }
      for (const t of PROCESS_TABLES) {
        const cols = [...storedColumns(t).map((x) => x.name), DAY_COLUMN].join(', ');
        const flat = selectRows(this.o.org, t.name as TableName);
        for (const m of newMonths) if (!this.months.has(m)) tx.push(`CREATE TABLE IF NOT EXISTS ${this.table(t.name, m)} (${columnDefs(t)})`);
        if (newMonths.length === 1) {
          tx.push(`INSERT INTO ${this.table(t.name, newMonths[0]!)} (${cols}) SELECT ${cols} FROM (${flat})`);
        } else if (newMonths.length > 1) {
          // Flattened once, then split by month (a month filter on the flattening query itself
          // would recompute its aggregates for every month).
          tx.push(`CREATE OR REPLACE TEMP TABLE ${ident(`flat ${t.name}`)} AS ${flat}`);
          for (const m of newMonths) {
            tx.push(`INSERT INTO ${this.table(t.name, m)} (${cols}) SELECT ${cols} FROM ${ident(`flat ${t.name}`)} WHERE ${PARTITION_COLUMN} = ${sqlString(m)}`);
          }
        }
      }
      if (newMonths.length > 0) tx.push(`INSERT INTO ${this.db}.placement SELECT process_id, ${PARTITION_COLUMN}, ${DAY_COLUMN} FROM doc`);
      tx.push(`UPDATE ${this.db}.meta SET value = ${sqlString(String(last))} WHERE key = 'applied_seq'`);
      try {
        if (this.o.fault) {
          await this.run(tx.join(';\n'));
          await this.o.fault('apply-before-commit');
          await this.run(['COMMIT', ...dropTemps].join(';\n'));
        } else {
          await this.run([...tx, 'COMMIT', ...dropTemps].join(';\n'));
        }
      } catch (e) {
        await this.run('ROLLBACK').catch(() => undefined);
        await this.run(dropTemps.join(';\n')).catch(() => undefined);
        throw e;
      }
      for (const m of newMonths) this.months.add(m);
      this.applied = last;
      applied(last);
      return ids.length;
    } finally {
      rmSync(docsPath, { force: true });
      rmSync(idsPath, { force: true });
    }
  }

  /** The next processes written after `applied_seq`, up to the step's bounds (synchronous: reads the staging store or its log). */
  private nextChanges(reader: StagingReader, target: number): ChangeBatch {
    const maxDocs = this.o.stepDocs ?? STEP_DOCS;
    const maxBytes = this.o.stepBytes ?? STEP_BYTES;
    const ids: string[] = [];
    const docs: (Buffer | string)[] = [];
    let bytes = 0;
    let last = target;
    const it = reader.processChanges(this.applied!)[Symbol.iterator]();
    try {
      for (let r = it.next(); !r.done; r = it.next()) {
        const ch = r.value;
        ids.push(ch.process_id);
        if (ch.doc !== null) {
          docs.push(ch.doc);
          bytes += ch.doc.length;
        }
        if (ids.length >= maxDocs || bytes >= maxBytes) {
          last = ch.seq;
          break;
        }
      }
    } finally {
      it.return?.();
    }
    return { ids, docs, bytes, last };
  }

  private async setApplied(seq: number): Promise<void> {
    await this.run(`UPDATE ${this.db}.meta SET value = ${sqlString(String(seq))} WHERE key = 'applied_seq'`);
    this.applied = seq;
  }
}

const NEWLINE = Buffer.from('\n');

/** Writes lines (JSON documents) to a file in one synchronous write (no event-loop turn). */
function writeLines(path: string, docs: readonly (Buffer | string)[]): void {
  if (docs.every((d) => typeof d === 'string')) {
    writeFileSync(path, docs.length > 0 ? docs.join('\n') + '\n' : '');
    return;
  }
  const parts: Buffer[] = [];
  for (const d of docs) parts.push(typeof d === 'string' ? Buffer.from(d) : d, NEWLINE);
  writeFileSync(path, Buffer.concat(parts));
}
