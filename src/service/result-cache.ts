/**
 * The result cache: complete results of read statements, keyed by (organization, snapshot version,
 * dialect, normalized SQL), least-recently-used out first, bounded by (estimated) bytes.
 *
 * A publish gives the organization a new snapshot version, so entries of older versions are
 * unreachable; the cache drops them as soon as it sees the newer version. Only statements whose
 * result is a function of the snapshot are cached (see `cacheability`).
 */
import { createHash } from 'node:crypto';
import type { EngineColumn, EngineRow, EngineValue } from '../engine/engine.ts';
import type { Plan } from './statement-policy.ts';
import { PG_CATALOG_SCHEMA, PG_INFO_SCHEMA } from '../catalog/pg-catalog.ts';
import { TRINO_INFO_SCHEMA } from '../catalog/trino-info.ts';

export interface CachedResult {
  columns: readonly EngineColumn[];
  rows: readonly EngineRow[];
  snapshotVersion: number;
  /** Estimated size (estimateRowBytes). */
  bytes: number;
}

interface Entry extends CachedResult {
  org: string;
}

export interface ResultCacheOptions {
  /** Total estimated bytes held. */
  maxBytes: number;
  /** Results larger than this are not cached. */
  maxEntryBytes: number;
}

export class ResultCache {
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private readonly latest = new Map<string, number>();
  private total = 0;

  constructor(readonly opts: ResultCacheOptions) {}

  static key(org: string, snapshotVersion: number, dialect: string, normalizedSql: string): string {
    return createHash('sha256').update(JSON.stringify([org, snapshotVersion, dialect, normalizedSql])).digest('base64url');
  }

  get(key: string, org: string, snapshotVersion: number): CachedResult | undefined {
    this.observe(org, snapshotVersion);
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  /** Stores a complete result; false when it is too large or of an older version than one already seen. */
  set(key: string, org: string, result: CachedResult): boolean {
    this.observe(org, result.snapshotVersion);
    if (result.bytes > this.opts.maxEntryBytes || result.bytes > this.opts.maxBytes) return false;
    if (result.snapshotVersion < (this.latest.get(org) ?? -Infinity)) return false;
    this.remove(key);
    this.entries.set(key, { ...result, org });
    this.total += result.bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.opts.maxBytes) break;
      this.remove(k, e);
    }
    return true;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.total };
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  /** A newer version makes the organization's older entries unreachable: free them now. */
  private observe(org: string, version: number): void {
    const seen = this.latest.get(org);
    if (seen !== undefined && seen >= version) return;
    this.latest.set(org, version);
    if (seen === undefined) return;
    for (const [k, e] of this.entries) if (e.org === org && e.snapshotVersion < version) this.remove(k, e);
  }

  private remove(key: string, e = this.entries.get(key)): void {
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.bytes;
  }
}

/**
 * SQL as the cache compares it: comments and runs of whitespace become one space, unquoted text is
 * lower-cased (keywords and unquoted identifiers are case-insensitive), a trailing `;` is dropped;
 * string literals and quoted identifiers are kept exactly.
 */
export function normalizeSql(sql: string): string {
  let out = '';
  let space = false;
  const emitSpace = () => {
    if (out.length > 0) space = true;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      if (space) out += ' ';
      space = false;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      emitSpace();
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      emitSpace();
    } else if (/\s/.test(c)) {
      i++;
      emitSpace();
    } else {
      if (space) out += ' ';
      space = false;
      out += c.toLowerCase();
      i++;
    }
  }
  return out.endsWith(';') ? out.slice(0, -1).trimEnd() : out;
}

/** A reference to the emulated pg_catalog / information_schema (`pgc."pg_class"`, `pgc.format_type(…)`, `pgc_info."columns"`). */
const PG_CATALOG_REF = new RegExp(`(?:^|[^a-z0-9_$"])"?(?:${PG_CATALOG_SCHEMA}|${PG_INFO_SCHEMA})"?\\s*\\.`);

/** Functions whose value changes between runs on the same snapshot. */
const VOLATILE = /\b(current_timestamp|current_time|localtime|localtimestamp|now|rand|random|uuid|shuffle|current_user)\b/;

export interface Cacheability {
  cacheable: boolean;
  /** What the key is made of besides organization, version and dialect. */
  keyText: string;
}

/**
 * Whether a read's result depends only on the snapshot (and on the UTC date for `current_date`):
 * SELECTs not touching the scratch schema, `query_history`, `information_schema` or the emulated
 * PostgreSQL catalog (they change without a publish: the catalog lists the scratch schema's tables)
 * and not calling volatile functions.
 */
export function cacheability(plan: Plan, sql: string, scratchSchema: string, now: Date): Cacheability {
  const normalized = normalizeSql(sql);
  // Reads of a session's temporary tables are that session's alone.
  if (plan.kind !== 'read' || plan.statement !== 'select' || plan.temp) return { cacheable: false, keyText: normalized };
  const engineSql = plan.sql.toLowerCase();
  const touchesMutable = [`"${scratchSchema}"`, '"query_history"', 'information_schema', `"${TRINO_INFO_SCHEMA}"`].some((s) => engineSql.includes(s));
  if (touchesMutable || PG_CATALOG_REF.test(engineSql) || VOLATILE.test(normalized)) return { cacheable: false, keyText: normalized };
  // `current_date` (session time zone UTC) changes daily: the day is part of the key.
  const day = /\bcurrent_date\b/.test(normalized) ? `${now.toISOString().slice(0, 10)} ` : '';
  return { cacheable: true, keyText: day + normalized };
}

/** Approximate in-memory size of a row (UTF-16 strings, 8 bytes a number), for caps and the cache. */
export function estimateRowBytes(row: EngineRow): number {
  let n = 16;
  for (const v of row) n += estimateValueBytes(v);
  return n;
}

function estimateValueBytes(v: EngineValue): number {
  if (v === null || typeof v === 'boolean') return 8;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (typeof v === 'string') return 16 + 2 * v.length;
  if (v instanceof Uint8Array) return 16 + v.byteLength;
  if (Array.isArray(v)) return v.reduce<number>((s, x) => s + estimateValueBytes(x), 16);
  // Dates, timestamps, intervals (a few numeric fields), structs and maps ({ entries: [k, v][] }).
  let n = 16;
  for (const [k, x] of Object.entries(v)) n += 2 * k.length + estimateValueBytes(x as EngineValue);
  return n;
}
