/**
 * The publisher: turns an organization's changed staging state into a new immutable snapshot.
 *
 * One publish:
 *   1. takes the organization's row store (row-store.ts: typed rows derived from the staging
 *      store, normally kept current by `applyStaged` in the background) and, holding it, pins a
 *      consistent read of the staging store (dirty marks + documents);
 *   2. brings the row store exactly to that read, and writes the changed chunks' rows from it as
 *      Parquet (a chunk is a range of start days of a month — see chunks.ts; members and logins,
 *      from the staging store, only when they changed) into a local work directory;
 *   3. uploads the new files (unique names: `v<version>-<uuid>.parquet`);
 *   4. writes the new manifest: the previous one with the changed partitions replaced, every
 *      unchanged file carried over;
 *   5. writes CURRENT — the commit point;
 *   6. clears the dirty marks it saw.
 * A crash before step 5 leaves the previous snapshot live and complete; the orphan files are
 * removed by garbage collection after the grace period.
 *
 * Invariant: at most one publish per organization at a time (a per-org lock here; across
 * processes the one-writer rule of the data dir).
 */
import { createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { StagingReader, StagingStore } from '../ingest/staging-store.ts';
import { TABLES, type TableName } from '../schema/index.ts';
import type { Logger } from '../util/logger.ts';
import type { ObjectStore } from './object-store.ts';
import { MANIFEST_FORMAT, dataFileKey, emptyTables, type Manifest, type ManifestFile } from './layout.ts';
import { readCurrentManifest, setCurrent, writeManifest } from './manifest-store.ts';
import type { ParquetWriter, WrittenFile } from './parquet-writer.ts';
import { DEFAULT_CHUNK_TARGET, WHOLE_MONTH, chunksToRewrite, overlaps, type DayRange } from './chunks.ts';
import { rowStorePathFor, type ApplyFaultPoint, type RowStore } from './row-store.ts';

export type FaultPoint = 'after-upload' | 'after-manifest' | ApplyFaultPoint;

export interface PublishResult {
  org: string;
  version: number;
  /** Months whose process-scoped partitions were rewritten. */
  months: string[];
  /** Tables among members/member_logins that were rewritten. */
  orgTables: ('members' | 'member_logins')[];
  filesWritten: number;
  rowsWritten: number;
  bytesWritten: number;
  manifest: Manifest;
  /** When the staging state this snapshot holds was read (epoch ms): every change acknowledged before it is in. */
  readAt: number;
  /** Processes this publish had to apply to the row store itself (the background applier had not yet). */
  caughtUp: number;
}

export interface PublisherOptions {
  org: string;
  staging: StagingStore;
  store: ObjectStore;
  writer: ParquetWriter;
  log: Logger;
  workDir?: string;
  /** Processes per file chunk the publisher aims for (see chunks.ts). */
  chunkTarget?: number;
  /** Test hook: called at each fault point so a test can crash the process there. */
  fault?: (point: FaultPoint) => void | Promise<void>;
}

const PROCESS_TABLES = TABLES.filter((t) => t.scope === 'process').map((t) => t.name as TableName);

export class Publisher {
  private running: Promise<PublishResult | undefined> | undefined;

  constructor(private readonly o: PublisherOptions) {}

  /** Resolves when no publish is running. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Publishes pending changes; resolves undefined when there was nothing to publish. */
  publish(): Promise<PublishResult | undefined> {
    // Serialize: a call during a publish waits for it, then publishes what is left.
    const prev = this.running ?? Promise.resolve(undefined);
    const next = prev.catch(() => undefined).then(() => this.publishOnce());
    this.running = next;
    return next;
  }

  /**
   * Brings the row store up to date with the staging store, one bounded step at a time, each on a
   * fresh staging read, until it has caught up or `signal` aborts; a publish waits for at most
   * one step. Returns the processes applied. This is the background applier: ingest calls it
   * after a commit, off the request path.
   */
  async applyStaged(signal?: AbortSignal): Promise<number> {
    const rows = await this.rowStore();
    let total = 0;
    while (!signal?.aborted) {
      const r = await rows.exclusive(async () => {
        const reader = this.o.staging.snapshotReader(); // pinned under the lock, like a publish's
        try {
          return rows.behind(reader) ? await rows.catchUp(reader, { maxSteps: 1, doneReading: () => reader.close() }) : undefined;
        } finally {
          reader.close();
        }
      });
      if (!r) break;
      total += r.applied;
    }
    return total;
  }

  private rowStore(): Promise<RowStore> {
    const fault = this.o.fault;
    return this.o.writer.rowStore({
      org: this.o.org, path: rowStorePathFor(this.o.staging.path), workDir: join(this.o.workDir ?? tmpdir(), 'rows'), log: this.o.log,
      ...(fault ? { fault } : {}),
    });
  }

  private async publishOnce(): Promise<PublishResult | undefined> {
    const { org, staging, store, writer, log } = this.o;
    const phase = phaseTimer(log, org);
    const rows = await this.rowStore();
    const work = await fs.mkdtemp(join(this.o.workDir ?? tmpdir(), `runlake-publish-${org}-`));
    let reader: (StagingReader & { close(): void }) | undefined;
    try {
      const current = await readCurrentManifest(store, org);
      const version = (current?.version ?? 0) + 1;
      const prefix = `v${version}`;
      // The staging read is pinned while holding the row store, so no apply can take the rows past
      // it: catching up then brings them exactly to it.
      const prepared = await rows.exclusive(async () => {
        const readAt = Date.now();
        const pinned = (reader = staging.snapshotReader());
        const dirty = pinned.dirtyParts();
        if (dirty.length === 0 && current) return undefined;
        const full = current === undefined;
        const orgTables: ('members' | 'member_logins')[] = (['members', 'member_logins'] as const).filter((t) => full || dirty.some((d) => d.part === t));

        // Which chunks of which months to rewrite (all of them on the first publish).
        const dirtyDays = new Map<string, Set<number>>();
        for (const d of dirty) {
          const m = /^processes\/(\d{4}-\d{2})-(\d{2})$/.exec(d.part);
          if (m) (dirtyDays.get(m[1]!) ?? dirtyDays.set(m[1]!, new Set()).get(m[1]!)!).add(Number(m[2]));
        }
        const months = full ? pinned.allMonths() : [...dirtyDays.keys()].sort();
        const plans = months.map((month) => ({
          month,
          ...chunksToRewrite(full ? [] : monthChunks(current, month), dirtyDays.get(month) ?? new Set(), pinned.dayCounts(month), this.o.chunkTarget ?? DEFAULT_CHUNK_TARGET),
        }));
        const seq = pinned.seq();
        // Members and logins are read now, so that the staging read can end as soon as the rows have caught up.
        const orgDocs = new Map<string, string>();
        for (const t of orgTables) {
          const docs = join(work, `${t}.ndjson`);
          await writeLines(docs, t === 'members' ? pinned.memberDocs() : mapIter(pinned.logins(), (e) => JSON.stringify(e)));
          orgDocs.set(t, docs);
        }
        phase('plan');

        // The rows exactly as of the pinned read: what the background applier has not done yet, this does.
        const caughtUp = (await rows.catchUp(pinned, { doneReading: () => pinned.close() })).applied;
        phase(`catch up (${caughtUp} processes)`);
        const written: { file: WrittenFile; days: DayRange | null }[] = [];
        // One chunk at a time keeps the engine's memory bounded whatever the organization's size.
        for (const { month, write } of plans) {
          for (const days of write) {
            const files = await writer.writeChunk(rows, month, days, join(work, 'out', `${month}-${days.from}`), prefix);
            written.push(...files.map((file) => ({ file, days })));
            phase(`chunk ${month} ${days.from}-${days.to}`);
          }
        }
        return { readAt, seq, dirty, orgTables, orgDocs, months, plans, caughtUp, written };
      });
      if (!prepared) return undefined;
      const { readAt, seq, dirty, orgTables, orgDocs, months, plans, caughtUp, written } = prepared;

      for (const t of orgTables) {
        written.push(...(await writer.writeOrgTable(org, t, orgDocs.get(t)!, join(work, 'out'), prefix)).map((file) => ({ file, days: null })));
      }

      const newFiles: Record<string, ManifestFile[]> = {};
      for (const { file: f, days } of written) {
        const key = dataFileKey(org, f.table, f.partition, basename(f.path));
        await store.putFile(key, f.path);
        (newFiles[f.table] ??= []).push({ key, partition: f.partition, rows: f.rows, bytes: f.bytes, ...(days ? { days: [days.from, days.to] as [number, number] } : {}) });
      }
      phase('upload');
      await this.o.fault?.('after-upload');

      const dropped = new Map(plans.map((p) => [p.month, p.drop]));
      const isDropped = (f: ManifestFile): boolean => {
        const drop = dropped.get(f.partition ?? '');
        return drop !== undefined && drop.some((r) => overlaps(r, fileDays(f)));
      };
      const tables = emptyTables();
      for (const t of Object.keys(tables) as TableName[]) {
        const replaced = PROCESS_TABLES.includes(t) ? isDropped : () => (orgTables as TableName[]).includes(t);
        const kept = (current?.tables[t] ?? []).filter((f) => !replaced(f));
        tables[t] = [...kept, ...(newFiles[t] ?? [])].sort((a, b) => (a.key < b.key ? -1 : 1));
      }
      const manifest: Manifest = {
        format: MANIFEST_FORMAT, org, version, parentVersion: current?.version ?? null, publishedAt: new Date().toISOString(), tables,
      };
      await writeManifest(store, manifest);
      await this.o.fault?.('after-manifest');
      await setCurrent(store, org, version);
      staging.markPublished(dirty, seq);
      phase('commit');

      const result: PublishResult = {
        org, version, months: [...months].sort(), orgTables, manifest, readAt, caughtUp,
        filesWritten: written.length,
        rowsWritten: written.reduce((s, w) => s + w.file.rows, 0),
        bytesWritten: written.reduce((s, w) => s + w.file.bytes, 0),
      };
      log.info('published snapshot', { org, version, months: result.months.length, files: result.filesWritten, rows: result.rowsWritten });
      return result;
    } finally {
      reader?.close();
      await fs.rm(work, { recursive: true, force: true });
    }
  }
}

/** Logs (at debug level) how long each phase of a publish took. */
function phaseTimer(log: Logger, org: string): (name: string) => void {
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    log.debug('publish phase', { org, phase: name, ms: Math.round(now - last) });
    last = now;
  };
}

/** The day range a file covers (files without one cover the whole month). */
function fileDays(f: ManifestFile): DayRange {
  return f.days ? { from: f.days[0], to: f.days[1] } : WHOLE_MONTH;
}

/** The month's current chunks: the day ranges of its `processes` files. */
function monthChunks(m: Manifest | undefined, month: string): DayRange[] {
  const seen = new Map<number, DayRange>();
  for (const f of m?.tables.processes ?? []) if (f.partition === month) seen.set(fileDays(f).from, fileDays(f));
  return [...seen.values()].sort((a, b) => a.from - b.from);
}

/** Streams lines into a file, honouring backpressure, yielding to the event loop as it goes; returns the count. */
async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  for (const line of lines) {
    n++;
    if (!out.write(line + '\n')) await once(out, 'drain');
    else if (n % 5000 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  out.end();
  await once(out, 'finish');
  return n;
}

function* mapIter<A, B>(it: Iterable<A>, f: (a: A) => B): Generator<B> {
  for (const a of it) yield f(a);
}

