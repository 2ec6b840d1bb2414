/**
 * The publisher: turns an organization's changed staging state into a new immutable snapshot.
 *
 * One publish:
 *   1. pins a consistent read of the staging store (dirty marks + documents);
 *   2. writes the changed partitions' rows as Parquet (only the months that changed; members and
 *      logins only when they changed) into a local work directory;
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
import type { StagingStore } from '../ingest/staging-store.ts';
import { TABLES, type TableName } from '../schema/index.ts';
import type { Logger } from '../util/logger.ts';
import type { ObjectStore } from './object-store.ts';
import { MANIFEST_FORMAT, dataFileKey, emptyTables, type Manifest, type ManifestFile } from './layout.ts';
import { readCurrentManifest, setCurrent, writeManifest } from './manifest-store.ts';
import type { ParquetWriter, WrittenFile } from './parquet-writer.ts';

export type FaultPoint = 'after-upload' | 'after-manifest';

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
}

export interface PublisherOptions {
  org: string;
  staging: StagingStore;
  store: ObjectStore;
  writer: ParquetWriter;
  log: Logger;
  workDir?: string;
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

  private async publishOnce(): Promise<PublishResult | undefined> {
    const { org, staging, store, writer, log } = this.o;
    const readAt = Date.now();
    const reader = staging.snapshotReader();
    const work = await fs.mkdtemp(join(this.o.workDir ?? tmpdir(), `runlake-publish-${org}-`));
    try {
      const current = await readCurrentManifest(store, org);
      const dirty = reader.dirtyParts();
      if (dirty.length === 0 && current) return undefined;
      const version = (current?.version ?? 0) + 1;
      const prefix = `v${version}`;
      const full = current === undefined;
      const months = full ? reader.allMonths() : dirty.filter((d) => d.part.startsWith('processes/')).map((d) => d.part.slice('processes/'.length));
      const orgTables: ('members' | 'member_logins')[] = (['members', 'member_logins'] as const).filter((t) => full || dirty.some((d) => d.part === t));

      const written: WrittenFile[] = [];
      // One month at a time keeps the engine's memory bounded whatever the organization's size.
      for (const month of months) {
        const docs = join(work, `processes-${month}.ndjson`);
        await writeLines(docs, reader.processDocsOfMonths([month]));
        written.push(...(await writer.writeProcessTables(org, docs, join(work, 'out', month), prefix)));
        await fs.rm(docs, { force: true });
      }
      for (const t of orgTables) {
        const docs = join(work, `${t}.ndjson`);
        await writeLines(docs, t === 'members' ? reader.memberDocs() : mapIter(reader.logins(), (e) => JSON.stringify(e)));
        written.push(...(await writer.writeOrgTable(org, t, docs, join(work, 'out'), prefix)));
      }

      const newFiles: Record<string, ManifestFile[]> = {};
      for (const f of written) {
        const key = dataFileKey(org, f.table, f.partition, basename(f.path));
        await store.putFile(key, f.path);
        (newFiles[f.table] ??= []).push({ key, partition: f.partition, rows: f.rows, bytes: f.bytes });
      }
      await this.o.fault?.('after-upload');

      const changedMonths = new Set(months);
      const tables = emptyTables();
      for (const t of Object.keys(tables) as TableName[]) {
        const replaced = PROCESS_TABLES.includes(t) ? (f: ManifestFile) => changedMonths.has(f.partition ?? '') : () => (orgTables as TableName[]).includes(t);
        const kept = (current?.tables[t] ?? []).filter((f) => !replaced(f));
        tables[t] = [...kept, ...(newFiles[t] ?? [])].sort((a, b) => (a.key < b.key ? -1 : 1));
      }
      const manifest: Manifest = {
        format: MANIFEST_FORMAT, org, version, parentVersion: current?.version ?? null, publishedAt: new Date().toISOString(), tables,
      };
      await writeManifest(store, manifest);
      await this.o.fault?.('after-manifest');
      await setCurrent(store, org, version);
      staging.clearDirty(dirty);

      const result: PublishResult = {
        org, version, months: [...months].sort(), orgTables, manifest, readAt,
        filesWritten: written.length,
        rowsWritten: written.reduce((s, f) => s + f.rows, 0),
        bytesWritten: written.reduce((s, f) => s + f.bytes, 0),
      };
      log.info('published snapshot', { org, version, months: result.months.length, files: result.filesWritten, rows: result.rowsWritten });
      return result;
    } finally {
      reader.close();
      await fs.rm(work, { recursive: true, force: true });
    }
  }
}

/** Streams lines into a file, honouring backpressure, yielding to the event loop as it goes. */
async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let n = 0;
  for (const line of lines) {
    if (!out.write(line + '\n')) await once(out, 'drain');
    else if (++n % 5000 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  out.end();
  await once(out, 'finish');
}

function* mapIter<A, B>(it: Iterable<A>, f: (a: A) => B): Generator<B> {
  for (const a of it) yield f(a);
}

