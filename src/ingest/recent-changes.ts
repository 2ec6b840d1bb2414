/**
 * The staging store's in-memory log of its most recent commits, so that the row store applier can
 * take the documents just written without reading them back out of SQLite.
 *
 * Invariants:
 * - a commit is recorded with the whole range of sequence numbers it used (`from` exclusive, `to`
 *   inclusive), whether or not it wrote processes, so that a gap — a commit made by another
 *   process on the same file, or entries dropped to stay within the memory bound — is seen;
 * - `between` answers only when the log covers the asked range without a gap, else undefined (the
 *   caller reads SQLite instead); so the log is an optimization and never a source of truth;
 * - memory is bounded: past `maxBytes` of documents the oldest commits are dropped.
 */

/** One process written by a commit: its document (JSON) or null for a tombstone. */
export interface LoggedChange {
  process_id: string;
  seq: number;
  doc: string | null;
}

interface Commit {
  from: number;
  to: number;
  changes: LoggedChange[];
  bytes: number;
}

export const DEFAULT_RECENT_CHANGES_BYTES = 128 * 1024 * 1024;

export class RecentChanges {
  private commits: Commit[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_RECENT_CHANGES_BYTES) {}

  /** Records a commit that moved the sequence from `from` to `to`. */
  record(from: number, to: number, changes: LoggedChange[]): void {
    if (to <= from) return;
    let bytes = 0;
    for (const c of changes) bytes += c.doc?.length ?? 0;
    this.commits.push({ from, to, changes, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && this.commits.length > 0) this.bytes -= this.commits.shift()!.bytes;
  }

  /**
   * The processes written in (`after`, `upTo`], the latest write of each, in sequence order; or
   * undefined when the log does not cover that range without a gap.
   */
  between(after: number, upTo: number): LoggedChange[] | undefined {
    if (upTo <= after) return [];
    let i = this.commits.findIndex((c) => c.to > after);
    if (i < 0 || this.commits[i]!.from > after) return undefined;
    const latest = new Map<string, LoggedChange>();
    for (let prev = this.commits[i]!.from; i < this.commits.length && prev < upTo; i++) {
      const c = this.commits[i]!;
      if (c.from !== prev) return undefined;
      for (const ch of c.changes) if (ch.seq > after && ch.seq <= upTo) latest.set(ch.process_id, ch);
      prev = c.to;
    }
    const last = this.commits[i - 1];
    if (!last || last.to < upTo) return undefined;
    return [...latest.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Bytes of documents logged and not yet applied: how far behind the row store is, roughly. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Drops the commits wholly at or before `seq` (the applier has them). */
  forgetThrough(seq: number): void {
    while (this.commits.length > 0 && this.commits[0]!.to <= seq) this.bytes -= this.commits.shift()!.bytes;
  }
}
