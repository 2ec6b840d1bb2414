/**
 * The staging store: one SQLite file per organization holding its current state — the newest
 * snapshot of every process and member, tombstones of deleted processes, login events — and the
 * set of partitions changed since the last publish.
 *
 * Invariants:
 * - a batch is one transaction: all of it is applied, or none of it;
 * - a commit is durable before it returns (WAL, synchronous=FULL): an acknowledged batch survives
 *   kill -9 and power loss;
 * - a snapshot older than or equal to the stored one (by snapshot_at) is ignored, so sources may
 *   retry and deliver out of order;
 * - every change marks the partitions it touches dirty with a growing sequence number; a publish
 *   clears only the marks it saw, so a change that lands during a publish is published next time;
 * - every process row carries the sequence number of its last write, so a derived store (the
 *   lake's row store) can catch up on exactly the processes written after the point it reached;
 * - `store_id` is fixed when the file is created: a derived store built from another staging
 *   file (one deleted and created again) can tell, and rebuilds.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { MemberLoginEvent, MemberSnapshot, ProcessSnapshot } from '../schema/index.ts';
import { RecentChanges, type LoggedChange } from './recent-changes.ts';

/** What changed: `processes/<YYYY-MM-DD>` (the processes started that day), `members` or `member_logins`. */
export type PartKey = string;

export interface DirtyPart {
  part: PartKey;
  seq: number;
}

export interface ApplyResult {
  /** Documents that replaced older state (or were new). */
  applied: number;
  /** Documents ignored because the stored snapshot is as new or newer. */
  ignored: number;
}

/** `YYYY-MM-DD` (UTC) of the process's start, or of its creation when it has not started. */
export function startedOn(doc: Pick<ProcessSnapshot, 'started_at' | 'created_at'>): string {
  return (doc.started_at ?? doc.created_at).slice(0, 10);
}

/** The dirty mark of one start day's processes. */
export const processPart = (day: string): PartKey => `processes/${day}`;

const MIGRATIONS = [
  `CREATE TABLE processes (
     process_id TEXT PRIMARY KEY,
     snapshot_at TEXT NOT NULL,
     started_on TEXT,      -- YYYY-MM-DD; NULL for a tombstone
     seq INTEGER NOT NULL, -- the change sequence number of the last write
     doc TEXT              -- NULL for a tombstone
   ) WITHOUT ROWID;
   CREATE INDEX processes_started_on ON processes(started_on);
   CREATE INDEX processes_seq ON processes(seq);
   CREATE TABLE members (member_id TEXT PRIMARY KEY, snapshot_at TEXT NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE member_logins (member_id TEXT NOT NULL, login_at TEXT NOT NULL, PRIMARY KEY (member_id, login_at)) WITHOUT ROWID;
   CREATE TABLE dirty (part TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO meta VALUES ('seq', '0');
   INSERT INTO meta VALUES ('published_seq', '0');`,
  // The identity of this staging file (see the invariants above); a random id per file.
  () => `INSERT INTO meta VALUES ('store_id', '${randomUUID()}');`,
];

/** One process written after some sequence number: its current document (JSON: UTF-8 bytes or a string), or null for a tombstone. */
export interface ProcessChange {
  process_id: string;
  seq: number;
  doc: Buffer | string | null;
}

export class StagingStore {
  private readonly db: Database.Database;
  private seq = 0;
  private readonly stmts;
  /** Recent commits in memory (see recent-changes.ts), and the changes of the transaction running. */
  private readonly recent = new RecentChanges();
  private txChanges: LoggedChange[] = [];

  private constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 10000');
    migrate(this.db);
    this.stmts = {
      getProcess: this.db.prepare<[string], { snapshot_at: string; started_on: string | null }>('SELECT snapshot_at, started_on FROM processes WHERE process_id = ?'),
      putProcess: this.db.prepare('INSERT OR REPLACE INTO processes (process_id, snapshot_at, started_on, seq, doc) VALUES (?, ?, ?, ?, ?)'),
      getMember: this.db.prepare<[string], { snapshot_at: string }>('SELECT snapshot_at FROM members WHERE member_id = ?'),
      putMember: this.db.prepare('INSERT OR REPLACE INTO members (member_id, snapshot_at, doc) VALUES (?, ?, ?)'),
      putLogin: this.db.prepare('INSERT OR IGNORE INTO member_logins (member_id, login_at) VALUES (?, ?)'),
      markDirty: this.db.prepare('INSERT INTO dirty (part, seq) VALUES (?, ?) ON CONFLICT (part) DO UPDATE SET seq = excluded.seq'),
      setSeq: this.db.prepare("UPDATE meta SET value = ? WHERE key = 'seq'"),
      getSeq: this.db.prepare<[], string>("SELECT value FROM meta WHERE key = 'seq'").pluck(),
    };
  }

  static open(path: string): StagingStore {
    return new StagingStore(path);
  }

  close(): void {
    this.db.close();
  }

  /** Applies process snapshots (already validated and normalized) in one durable transaction. */
  applyProcesses(docs: readonly ProcessSnapshot[]): ApplyResult {
    return this.inTransaction(() => {
      let applied = 0;
      for (const doc of docs) {
        if (this.putProcess(doc.process_id, doc.snapshot_at, startedOn(doc), JSON.stringify(doc))) applied++;
      }
      return { applied, ignored: docs.length - applied };
    });
  }

  /** Records a deletion at `deletedAt` (ISO, UTC); ignored when the stored snapshot is newer. */
  deleteProcess(processId: string, deletedAt: string): ApplyResult {
    return this.inTransaction(() => {
      const applied = this.putProcess(processId, deletedAt, null, null) ? 1 : 0;
      return { applied, ignored: 1 - applied };
    });
  }

  applyMembers(docs: readonly MemberSnapshot[]): ApplyResult {
    return this.inTransaction(() => {
      let applied = 0;
      for (const doc of docs) {
        const cur = this.stmts.getMember.get(doc.member_id);
        if (cur && cur.snapshot_at >= doc.snapshot_at) continue;
        this.stmts.putMember.run(doc.member_id, doc.snapshot_at, JSON.stringify(doc));
        applied++;
      }
      if (applied > 0) this.markDirty('members');
      return { applied, ignored: docs.length - applied };
    });
  }

  applyLogins(events: readonly MemberLoginEvent[]): ApplyResult {
    return this.inTransaction(() => {
      let applied = 0;
      for (const e of events) applied += this.stmts.putLogin.run(e.member_id, e.login_at).changes;
      if (applied > 0) this.markDirty('member_logins');
      return { applied, ignored: events.length - applied };
    });
  }

  /** Bytes of committed process documents a derived store has not yet reported applied (see recent-changes.ts); 0 after a restart. */
  pendingApplyBytes(): number {
    return this.recent.pendingBytes;
  }

  /** Partitions changed since their last publish. */
  dirtyParts(): DirtyPart[] {
    return readerOn(this.db).dirtyParts();
  }

  /**
   * Records a publish of the state read at change sequence `seq`: clears the marks it saw (a mark
   * renewed since has a higher seq and stays) and remembers `seq` as published.
   */
  markPublished(parts: readonly DirtyPart[], seq: number): void {
    const del = this.db.prepare('DELETE FROM dirty WHERE part = ? AND seq <= ?');
    const setPublished = this.db.prepare("UPDATE meta SET value = ? WHERE key = 'published_seq'");
    this.inTransaction(() => {
      for (const p of parts) del.run(p.part, p.seq);
      setPublished.run(String(seq));
    });
  }

  /** Marks every partition dirty (a full republish, e.g. after the lake was reset). */
  markAllDirty(): void {
    this.inTransaction(() => {
      const days = this.db.prepare<[], string>('SELECT DISTINCT started_on FROM processes WHERE started_on IS NOT NULL').pluck().all();
      for (const d of days) this.markDirty(processPart(d));
      this.markDirty('members');
      this.markDirty('member_logins');
    });
  }

  /**
   * A reader pinned to one consistent state (dirty marks and documents), on its own connection, so
   * it may be consumed across awaits while ingest goes on. Release it with `close()` (idempotent)
   * as soon as possible: while it is open SQLite cannot recycle its write-ahead log.
   */
  snapshotReader(): StagingReader & { close(): void } {
    const db = new Database(this.path, { readonly: true });
    db.pragma('busy_timeout = 10000');
    db.exec('BEGIN');
    const reader = readerOn(db);
    reader.dirtyParts(); // the first read pins the snapshot
    return {
      ...reader,
      // The documents just committed are still in memory; SQLite is read only when the log has a gap.
      processChanges: (after) => this.recent.between(after, reader.seq()) ?? reader.processChanges(after),
      changesApplied: (seq) => this.recent.forgetThrough(seq),
      close: () => {
        if (!db.open) return;
        db.exec('COMMIT');
        db.close();
      },
    };
  }

  /** Current process documents of the whole organization, as parsed snapshots (for exports). */
  *processSnapshots(): Generator<ProcessSnapshot> {
    for (const doc of readerOn(this.db).allProcessDocs()) yield JSON.parse(doc) as ProcessSnapshot;
  }

  *memberSnapshots(): Generator<MemberSnapshot> {
    for (const doc of readerOn(this.db).memberDocs()) yield JSON.parse(doc) as MemberSnapshot;
  }

  counts(): { processes: number; tombstones: number; members: number; logins: number } {
    const one = (sql: string) => (this.db.prepare(sql).pluck().get() as number) ?? 0;
    return {
      processes: one('SELECT count(*) FROM processes WHERE doc IS NOT NULL'),
      tombstones: one('SELECT count(*) FROM processes WHERE doc IS NULL'),
      members: one('SELECT count(*) FROM members'),
      logins: one('SELECT count(*) FROM member_logins'),
    };
  }

  /** Stores a process state unless the stored one is as new; marks its old and new start days dirty. */
  private putProcess(id: string, snapshotAt: string, day: string | null, doc: string | null): boolean {
    const cur = this.stmts.getProcess.get(id);
    if (cur && cur.snapshot_at >= snapshotAt) return false;
    this.stmts.putProcess.run(id, snapshotAt, day, ++this.seq, doc);
    this.txChanges.push({ process_id: id, seq: this.seq, doc });
    if (cur?.started_on && cur.started_on !== day) this.markDirty(processPart(cur.started_on));
    if (day) this.markDirty(processPart(day));
    return true;
  }

  private markDirty(part: PartKey): void {
    this.stmts.markDirty.run(part, ++this.seq);
  }

  /** A write transaction (BEGIN IMMEDIATE); the change sequence is read and saved inside it. */
  private inTransaction<T>(fn: () => T): T {
    let from = 0;
    this.txChanges = [];
    const r = this.db.transaction(() => {
      const startSeq = (from = this.seq = Number(this.stmts.getSeq.get()));
      const r = fn();
      if (this.seq !== startSeq) this.stmts.setSeq.run(String(this.seq));
      return r;
    }).immediate();
    // Committed: log it (a transaction that threw was rolled back and is not logged).
    this.recent.record(from, this.seq, this.txChanges);
    this.txChanges = [];
    return r;
  }
}

export interface StagingReader {
  dirtyParts(): DirtyPart[];
  /** The change sequence number of the state this reader sees. */
  seq(): number;
  /** The identity of the staging file (fixed when it was created). */
  storeId(): string;
  /** Processes written (changed, moved or deleted) after sequence number `after`, in sequence order. */
  processChanges(after: number): Iterable<ProcessChange>;
  /** Tells the store that a derived store has every change through `seq` (it may drop what it keeps in memory for it). */
  changesApplied(seq: number): void;
  /** Every month that has at least one live process. */
  allMonths(): string[];
  /** Live processes per start day (1..31) of a month. */
  dayCounts(month: string): Map<number, number>;
  allProcessDocs(): Iterable<string>;
  memberDocs(): Iterable<string>;
  logins(): Iterable<MemberLoginEvent>;
}

function readerOn(db: Database.Database): StagingReader {
  const meta = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
  const dayCounts = db.prepare<[string, string], { d: string; n: number }>('SELECT started_on AS d, count(*) AS n FROM processes WHERE started_on BETWEEN ? AND ? GROUP BY 1');
  return {
    dirtyParts: () => db.prepare<[], DirtyPart>('SELECT part, seq FROM dirty ORDER BY part').all(),
    seq: () => Number(meta.get('seq')),
    storeId: () => meta.get('store_id')!,
    changesApplied: () => undefined,
    processChanges: (after) =>
      // As a BLOB: the stored UTF-8 bytes, without decoding them into a string.
      db.prepare<[number], ProcessChange>('SELECT process_id, seq, CAST(doc AS BLOB) AS doc FROM processes WHERE seq > ? ORDER BY seq').iterate(after) as IterableIterator<ProcessChange>,
    // Tombstones have no start day, so `started_on IS NOT NULL` means live (without reading the documents).
    allMonths: () => db.prepare<[], string>('SELECT DISTINCT substr(started_on, 1, 7) FROM processes WHERE started_on IS NOT NULL ORDER BY 1').pluck().all(),
    dayCounts: (month) => new Map(dayCounts.all(`${month}-01`, `${month}-31`).map((r) => [Number(r.d.slice(8, 10)), r.n])),
    allProcessDocs: () => db.prepare<[], string>('SELECT doc FROM processes WHERE doc IS NOT NULL ORDER BY process_id').pluck().iterate() as IterableIterator<string>,
    memberDocs: () => db.prepare<[], string>('SELECT doc FROM members ORDER BY member_id').pluck().iterate() as IterableIterator<string>,
    logins: () => db.prepare<[], MemberLoginEvent>('SELECT member_id, login_at FROM member_logins ORDER BY member_id, login_at').iterate(),
  };
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const m = MIGRATIONS[v]!;
      db.exec(typeof m === 'string' ? m : m());
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
