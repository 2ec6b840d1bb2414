/**
 * A small async readers–writer lock: many queries may bind at once (readers); a snapshot switch
 * (writer) waits for them and holds new ones back, so each query binds to exactly one snapshot
 * and records its version truthfully. Writers are preferred, so a refresh is never starved.
 * Ownership is handed over by the releaser (the flags are set before the waiter resumes), so
 * nobody can slip in between.
 */
export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly waitingWriters: (() => void)[] = [];
  private readonly waitingReaders: (() => void)[] = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.writer || this.waitingWriters.length > 0) await new Promise<void>((r) => this.waitingReaders.push(r));
    else this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      this.release();
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.writer || this.readers > 0) await new Promise<void>((r) => this.waitingWriters.push(r));
    else this.writer = true;
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.release();
    }
  }

  private release(): void {
    if (this.writer || this.readers > 0) return;
    const w = this.waitingWriters.shift();
    if (w) {
      this.writer = true;
      w();
      return;
    }
    while (this.waitingReaders.length > 0) {
      this.readers++;
      this.waitingReaders.shift()!();
    }
  }
}
