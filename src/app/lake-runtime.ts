/**
 * The write side of one data dir at run time: each organization's staging store and publisher,
 * the background applier (after committed changes the organization's row store catches up with
 * its staging store, off the request path, so that a publish is mostly Parquet writing — always
 * when no publish is scheduled, and during bulk loads when one is), the publish scheduler (a
 * publish follows a change within `publishIntervalMs`), and periodic garbage collection.
 */
import { join } from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
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

/** How long the background applier lets commits gather before a round (each round applies all of them). */
const APPLY_GATHER_MS = 250;
/** Staged document bytes past which the background applier runs even though a publish is scheduled (~1,000 typical processes). */
const APPLY_BACKLOG_BYTES = 8 * 1024 * 1024;

/** Resolves after `ms`, or at once when `signal` aborts. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal }).catch(() => undefined);

export class LakeRuntime implements IngestTarget {
  private readonly stagings = new Map<string, StagingStore>();
  private readonly publishers = new Map<string, Publisher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: PublishListener[] = [];
  /** Running background appliers per organization; `again` when a change arrived meanwhile. */
  private readonly appliers = new Map<string, { done: Promise<void>; again: boolean }>();
  private readonly stopping = new AbortController();
  private gcTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly o: LakeRuntimeOptions, private readonly writer: ParquetWriter) {
    if (o.schedule) {
      this.gcTimer = setInterval(() => void this.gcAll(), Math.max(60_000, o.config.gcGraceMs / 2));
      this.gcTimer.unref();
    }
  }

  static async open(o: LakeRuntimeOptions): Promise<LakeRuntime> {
    // Files an earlier run's apply steps left behind when it was killed (one writer per data dir: none is in use).
    await rm(join(o.config.dataDir, 'tmp', 'rows'), { recursive: true, force: true });
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

  /**
   * IngestTarget: a change was committed; publish within the interval. The background applier
   * runs when no publish is scheduled, or when more has piled up than a publish should apply
   * itself (a bulk load); small steady changes are applied by the next publish in one step.
   */
  changed(org: string): void {
    if (!this.o.schedule || this.staging(org).pendingApplyBytes() >= APPLY_BACKLOG_BYTES) this.applySoon(org);
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

  /** Resolves when the organization's background applier is idle (every change committed so far applied, or it failed). */
  async applied(org: string): Promise<void> {
    for (let a = this.appliers.get(org); a; a = this.appliers.get(org)) await a.done;
  }

  /** Starts the organization's background applier unless it runs (then it goes round once more). */
  private applySoon(org: string): void {
    if (this.closed) return;
    const running = this.appliers.get(org);
    if (running) {
      running.again = true;
      return;
    }
    const state = { done: Promise.resolve(), again: true };
    this.appliers.set(org, state);
    state.done = (async () => {
      try {
        while (state.again && !this.closed) {
          state.again = false;
          // Let commits gather: a few larger apply steps cost far less than one per commit.
          await sleep(APPLY_GATHER_MS, this.stopping.signal);
          if (!this.closed) await this.publisher(org).applyStaged(this.stopping.signal);
        }
      } catch (e) {
        // Nothing is lost: the next publish (or the next change) catches up from the staging store.
        this.o.log.warn('applying staged changes to the row store failed; the next publish catches up', { org, error: String(e) });
      } finally {
        this.appliers.delete(org);
      }
    })();
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
    this.stopping.abort();
    if (this.gcTimer) clearInterval(this.gcTimer);
    for (const a of [...this.appliers.values()]) await a.done;
    const pending = [...this.timers.keys()];
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const p of this.publishers.values()) await p.idle();
    if (opts.flush) for (const org of pending) await this.publish(org).catch(() => undefined);
    for (const s of this.stagings.values()) s.close();
    this.writer.close();
  }
}
