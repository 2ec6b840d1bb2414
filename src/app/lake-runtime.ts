/**
 * The write side of one data dir at run time: each organization's staging store and publisher,
 * the publish scheduler (a publish follows a change within `publishIntervalMs`), and periodic
 * garbage collection.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { RunlakeConfig } from '../config/config.ts';
import { StagingStore } from '../ingest/staging-store.ts';
import type { IngestTarget } from '../ingest/ingest-service.ts';
import type { ObjectStore } from '../lake/object-store.ts';
import { ParquetWriter } from '../lake/parquet-writer.ts';
import { Publisher, type FaultPoint, type PublishResult } from '../lake/publisher.ts';
import { collectGarbage, type GcResult } from '../lake/gc.ts';
import type { Logger } from '../util/logger.ts';

export interface LakeRuntimeOptions {
  config: RunlakeConfig;
  store: ObjectStore;
  log: Logger;
  /** Start the publish scheduler and GC timer (servers); off for one-shot CLI commands. */
  schedule?: boolean;
  fault?: (point: FaultPoint) => void | Promise<void>;
}

type PublishListener = (r: PublishResult) => void;

export class LakeRuntime implements IngestTarget {
  private readonly stagings = new Map<string, StagingStore>();
  private readonly publishers = new Map<string, Publisher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: PublishListener[] = [];
  private gcTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly o: LakeRuntimeOptions, private readonly writer: ParquetWriter) {
    if (o.schedule) {
      this.gcTimer = setInterval(() => void this.gcAll(), Math.max(60_000, o.config.gcGraceMs / 2));
      this.gcTimer.unref();
    }
  }

  static async open(o: LakeRuntimeOptions): Promise<LakeRuntime> {
    return new LakeRuntime(o, await ParquetWriter.create({ tempDir: join(o.config.dataDir, 'tmp', 'duckdb') }));
  }

  get store(): ObjectStore {
    return this.o.store;
  }

  staging(org: string): StagingStore {
    let s = this.stagings.get(org);
    if (!s) {
      s = StagingStore.open(join(this.o.config.dataDir, 'staging', `${org}.db`));
      this.stagings.set(org, s);
    }
    return s;
  }

  private publisher(org: string): Publisher {
    let p = this.publishers.get(org);
    if (!p) {
      p = new Publisher({
        org, staging: this.staging(org), store: this.o.store, writer: this.writer, log: this.o.log,
        workDir: join(this.o.config.dataDir, 'tmp'), ...(this.o.fault ? { fault: this.o.fault } : {}),
      });
      this.publishers.set(org, p);
    }
    return p;
  }

  /** Publishes the organization's pending changes now. */
  async publish(org: string): Promise<PublishResult | undefined> {
    await mkdir(join(this.o.config.dataDir, 'tmp'), { recursive: true });
    const r = await this.publisher(org).publish();
    if (r) for (const l of this.listeners) l(r);
    return r;
  }

  onPublish(l: PublishListener): void {
    this.listeners.push(l);
  }

  /** IngestTarget: a change was committed; publish within the interval. */
  changed(org: string): void {
    if (!this.o.schedule || this.closed || this.timers.has(org)) return;
    const t = setTimeout(() => {
      this.timers.delete(org);
      this.publish(org)
        .then(() => {
          // Changes that landed during the publish get their own run.
          if (this.staging(org).dirtyParts().length > 0) this.changed(org);
        })
        .catch((e: unknown) => {
          this.o.log.error('publish failed; will retry', { org, error: String(e) });
          this.changed(org);
        });
    }, this.o.config.publishIntervalMs);
    this.timers.set(org, t);
  }

  async gc(org: string): Promise<GcResult> {
    return collectGarbage(this.o.store, org, this.o.config.gcGraceMs);
  }

  private async gcAll(): Promise<void> {
    for (const org of this.stagings.keys()) {
      try {
        const r = await this.gc(org);
        if (r.filesDeleted || r.manifestsDeleted) this.o.log.info('garbage collected', { org, ...r });
      } catch (e) {
        this.o.log.warn('garbage collection failed', { org, error: String(e) });
      }
    }
  }

  /** Waits for scheduled publishes to finish (so nothing acknowledged is left unpublished), then closes. */
  async close(opts: { flush?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (this.gcTimer) clearInterval(this.gcTimer);
    const pending = [...this.timers.keys()];
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const p of this.publishers.values()) await p.idle();
    if (opts.flush) for (const org of pending) await this.publish(org).catch(() => undefined);
    for (const s of this.stagings.values()) s.close();
    this.writer.close();
  }
}
