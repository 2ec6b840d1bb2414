/**
 * One query's life: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED, exactly one final state.
 *
 * - Rows are pulled from the engine's cursor only when the protocol asks (`rows()`), so a slow
 *   client slows the query rather than filling memory.
 * - Reaching a final state frees the slot at once (the host's `onFinal`), aborts the engine's work
 *   (the AbortSignal passed to it) and closes the cursor in the background.
 * - A timeout is a FAILED query with `query_timeout`; a cancel (request, client gone, consumer
 *   stopped reading, shutdown) is CANCELLED with `cancelled`.
 * - Interactive queries stop at the row/byte cap: SUCCEEDED with `truncated`.
 */
import type { QueryRecord, QueryRecordPatch, QueryState } from '../control/control-store.ts';
import { rowsChunk, type EngineChunk, type EngineColumn, type EngineRow } from '../engine/engine.ts';
import type { RunlakeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { abortError, toRunlakeError, type AbortReason } from './errors.ts';
import { estimateRowBytes } from './result-cache.ts';
import type { Principal, QueryInfo, RunningQuery } from './types.ts';

/** Where rows come from: the engine's cursor, a cached result, or a scratch write's summary. */
export interface RowSource {
  nextChunk(): Promise<EngineChunk | undefined>;
  bytesScanned(): number;
  close(): Promise<void>;
}

export interface Started {
  columns: readonly EngineColumn[];
  source: RowSource;
  snapshotVersion: number | null;
  /** Rows written (CREATE TABLE AS): what history records instead of rows returned. */
  rowsWritten?: number;
}

/** Starts the query's work; aborting the signal must stop it. */
export type Runner = (signal: AbortSignal) => Promise<Started>;

export interface QueryHost {
  readonly log: Logger;
  now(): Date;
  /** Writes a change of the query's history row, after its earlier ones. */
  persist(q: Query, patch: QueryRecordPatch): Promise<void>;
  /** The query reached its final state: free its slot (or queue place), cache a complete result. */
  onFinal(q: Query): void;
}

export interface QueryInit {
  id: string;
  org: string;
  principal: Principal;
  protocol: string;
  dialect: string;
  sql: string;
  submittedAt: Date;
  timeoutMs: number;
  runner: Runner;
  /** Interactive caps; none for other queries. */
  caps?: { maxRows: number; maxBytes: number };
  /** Keep the rows for the result cache while their estimated size stays under this. */
  collectUpTo?: number;
  cached?: boolean;
}

const FINAL: ReadonlySet<QueryState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export class Query implements RunningQuery {
  readonly id: string;
  readonly org: string;
  readonly principal: Principal;
  readonly cached: boolean;
  private stateValue: QueryState = 'QUEUED';
  private error: RunlakeError | undefined;
  /** When it was admitted (planned, and given a slot or a queue place): queue time counts from here. */
  private readonly admittedAt: Date;
  private startedAt: Date | undefined;
  private finishedAt: Date | undefined;
  private source: RowSource | undefined;
  private columnList: readonly EngineColumn[] | undefined;
  private snapshotVersion: number | null = null;
  private rowsWritten: number | undefined;
  private rowCount = 0;
  private byteCount = 0;
  private truncated = false;
  private bytesScannedValue: number | null = null;
  private collected: EngineRow[] | undefined;
  private collectedBytes = 0;
  private iterating = false;
  private pulling = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly controller = new AbortController();
  private readonly started = deferred<readonly EngineColumn[]>();
  private readonly done = deferred<QueryInfo>();

  constructor(
    private readonly init: QueryInit,
    private readonly host: QueryHost,
  ) {
    this.id = init.id;
    this.org = init.org;
    this.principal = init.principal;
    this.cached = init.cached ?? false;
    this.admittedAt = host.now();
    if (init.collectUpTo !== undefined) this.collected = [];
  }

  get state(): QueryState {
    return this.stateValue;
  }

  get isFinal(): boolean {
    return FINAL.has(this.stateValue);
  }

  /** The complete result, when it was kept for the cache (SUCCEEDED, not truncated, small enough). */
  completeResult(): { columns: readonly EngineColumn[]; rows: EngineRow[]; bytes: number; snapshotVersion: number } | undefined {
    if (this.stateValue !== 'SUCCEEDED' || this.truncated || !this.collected || !this.columnList || this.snapshotVersion === null) return undefined;
    return { columns: this.columnList, rows: this.collected, bytes: this.collectedBytes, snapshotVersion: this.snapshotVersion };
  }

  /** The history row as first written (QUEUED). */
  record(): QueryRecord {
    const i = this.info();
    return {
      queryId: i.queryId, org: i.org, principal: i.principal, protocol: i.protocol, dialect: i.dialect, sql: i.sql,
      state: i.state, errorCode: i.error?.code ?? null, error: i.error?.message ?? null,
      submittedAt: i.submittedAt, startedAt: i.startedAt, finishedAt: i.finishedAt, queueMs: i.queueMs, execMs: i.execMs,
      rows: i.rows, bytesScanned: i.bytesScanned, snapshotVersion: i.snapshotVersion, cached: i.cached, truncated: i.truncated,
    };
  }

  info(): QueryInfo {
    const submitted = this.init.submittedAt;
    const end = this.finishedAt ?? this.host.now();
    return {
      queryId: this.id,
      org: this.org,
      principal: this.principal.name,
      protocol: this.init.protocol,
      dialect: this.init.dialect,
      sql: this.init.sql,
      state: this.stateValue,
      error: this.error ? { code: this.error.code, message: this.error.message } : null,
      submittedAt: submitted.toISOString(),
      startedAt: this.startedAt?.toISOString() ?? null,
      finishedAt: this.finishedAt?.toISOString() ?? null,
      queueMs: (this.startedAt ?? end).getTime() - this.admittedAt.getTime(),
      execMs: this.startedAt ? end.getTime() - this.startedAt.getTime() : null,
      rows: this.rowsWritten ?? (this.startedAt ? this.rowCount : null),
      bytesScanned: this.bytesScannedValue ?? (this.source ? this.source.bytesScanned() : null),
      snapshotVersion: this.snapshotVersion,
      cached: this.cached,
      truncated: this.truncated,
    };
  }

  columns(): Promise<readonly EngineColumn[]> {
    return this.started.promise;
  }

  finished(): Promise<QueryInfo> {
    return this.done.promise;
  }

  /** The host granted a slot: run. */
  start(): void {
    if (this.stateValue !== 'QUEUED') return;
    this.stateValue = 'RUNNING';
    this.startedAt = this.host.now();
    void this.host.persist(this, { state: 'RUNNING', startedAt: this.startedAt.toISOString(), queueMs: this.info().queueMs });
    this.timer = setTimeout(() => this.abort({ kind: 'timeout', timeoutMs: this.init.timeoutMs }), this.init.timeoutMs);
    this.init.runner(this.controller.signal).then(
      (s) => {
        if (this.isFinal) {
          void s.source.close().catch(() => undefined);
          return;
        }
        this.source = s.source;
        this.columnList = s.columns;
        this.snapshotVersion = s.snapshotVersion;
        if (s.rowsWritten !== undefined) this.rowsWritten = s.rowsWritten;
        this.started.resolve(s.columns);
      },
      (e: unknown) => this.fail(e),
    );
  }

  cancel(message = 'the query was cancelled'): void {
    this.abort({ kind: 'cancel', message });
  }

  /** Ends the query as the signal's reason says (cancel or timeout); no-op once final. */
  abort(reason: AbortReason): void {
    if (this.isFinal) return;
    this.controller.abort(reason);
    this.finish(reason.kind === 'cancel' ? 'CANCELLED' : 'FAILED', abortError(reason));
  }

  /** Gives up on a query that could not be recorded (nothing is persisted). */
  discard(error: RunlakeError): void {
    if (this.isFinal) return;
    this.controller.abort({ kind: 'cancel', message: error.message } satisfies AbortReason);
    this.finish('FAILED', error, false);
  }

  rows(): AsyncIterableIterator<EngineRow[]> {
    const chunks = this.chunks();
    const it: AsyncIterableIterator<EngineRow[]> = {
      [Symbol.asyncIterator]: () => it,
      next: async () => {
        const r = await chunks.next();
        return r.done ? r : { done: false, value: r.value.rows() };
      },
      return: async () => {
        await chunks.return!();
        return { done: true, value: undefined };
      },
    };
    return it;
  }

  chunks(): AsyncIterableIterator<EngineChunk> {
    if (this.iterating) throw new Error('the rows of a query can be iterated only once');
    this.iterating = true;
    const it: AsyncIterableIterator<EngineChunk> = {
      [Symbol.asyncIterator]: () => it,
      next: () => this.pull(),
      return: async () => {
        this.cancel('the client stopped reading the result');
        return { done: true, value: undefined };
      },
    };
    return it;
  }

  private async pull(): Promise<IteratorResult<EngineChunk>> {
    if (this.pulling) throw new Error('rows(): wait for the previous chunk before asking for the next');
    this.pulling = true;
    try {
      await this.started.promise;
      for (;;) {
        if (this.isFinal) {
          if (this.stateValue === 'SUCCEEDED') return { done: true, value: undefined };
          throw this.error!;
        }
        let chunk: EngineChunk | undefined;
        try {
          chunk = await this.source!.nextChunk();
        } catch (e) {
          if (!this.isFinal) this.fail(e);
          throw this.error!;
        }
        if (this.isFinal) {
          if (this.stateValue === 'SUCCEEDED') return { done: true, value: undefined };
          throw this.error!;
        }
        if (chunk === undefined) {
          this.finish('SUCCEEDED');
          return { done: true, value: undefined };
        }
        if (chunk.length === 0) continue;
        const out = this.take(chunk);
        if (out.length === 0) {
          this.finish('SUCCEEDED');
          return { done: true, value: undefined };
        }
        if (this.truncated) this.finish('SUCCEEDED');
        return { done: false, value: out };
      }
    } finally {
      this.pulling = false;
    }
  }

  /**
   * Counts a chunk, cutting it at the interactive caps, and keeps it for the cache. A chunk passes
   * through untouched (its rows never made) unless there are caps or rows to keep.
   */
  private take(whole: EngineChunk): EngineChunk {
    const caps = this.init.caps;
    let bytes = 0;
    if (!caps && !this.collected) {
      this.rowCount += whole.length;
      return whole;
    }
    const chunk = whole.rows();
    let out = chunk;
    const sizes = chunk.map(estimateRowBytes);
    if (caps) {
      let n = 0;
      while (n < chunk.length && this.rowCount + n < caps.maxRows && this.byteCount + bytes + sizes[n]! <= caps.maxBytes) {
        bytes += sizes[n]!;
        n++;
      }
      if (n < chunk.length) {
        this.truncated = true;
        out = chunk.slice(0, n);
      }
    } else {
      for (const s of sizes) bytes += s;
    }
    this.rowCount += out.length;
    this.byteCount += bytes;
    if (this.collected) {
      this.collectedBytes += bytes;
      if (this.collectedBytes > this.init.collectUpTo!) this.collected = undefined;
      else for (const r of out) this.collected.push(r);
    }
    return out === chunk ? whole : rowsChunk(out);
  }

  private fail(e: unknown): void {
    if (this.isFinal) return;
    const err = toRunlakeError(e, this.host.log, { queryId: this.id, org: this.org });
    this.controller.abort({ kind: 'cancel', message: err.message } satisfies AbortReason);
    this.finish('FAILED', err);
  }

  private finish(state: QueryState, error?: RunlakeError, persist = true): void {
    if (this.isFinal) return;
    this.stateValue = state;
    this.error = error;
    this.finishedAt = this.host.now();
    if (this.timer) clearTimeout(this.timer);
    if (error) this.started.reject(error);
    else this.started.resolve(this.columnList ?? []);
    const source = this.source;
    if (source) {
      this.bytesScannedValue = this.cached ? 0 : safeBytesScanned(source);
      source.close().catch((e: unknown) => this.host.log.warn('closing a query cursor failed', { queryId: this.id, error: String(e) }));
    }
    this.host.onFinal(this);
    const i = this.info();
    const written = persist
      ? this.host.persist(this, {
          state: i.state, errorCode: i.error?.code ?? null, error: i.error?.message ?? null, finishedAt: i.finishedAt,
          queueMs: i.queueMs, execMs: i.execMs, rows: i.rows, bytesScanned: i.bytesScanned,
          snapshotVersion: i.snapshotVersion, truncated: i.truncated,
        })
      : Promise.resolve();
    void written.then(() => this.done.resolve(this.info()));
  }
}

function safeBytesScanned(s: RowSource): number | null {
  try {
    return s.bytesScanned();
  } catch {
    return null;
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may wait (a query cancelled before anyone asked for its columns): not an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
