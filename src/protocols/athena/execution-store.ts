/**
 * What Athena knows about a query execution that the query service does not: the client's query
 * text and parameters, context, workgroup, output location, statement class, and — once its
 * results are staged — the columns, update count and (for SHOW/DESCRIBE) the rows. Kept as one
 * small JSON object per execution in the organization's area of the object store, so executions
 * survive a restart and any node can answer for them:
 *
 *   orgs/<org>/athena/executions/<id>.json
 *   orgs/<org>/athena/tokens/<sha256 of ClientRequestToken>.json   → { id, fingerprint }
 *
 * Invariants: a record is written before its id is returned to the client; `staged` is written
 * once, after every result object is in place. Recently used records are cached in memory.
 * Records and tokens are Athena's own bookkeeping, not customer data: they are written atomically
 * but not synced (`durable: false`), so a machine crash (not a process crash) may lose the last
 * seconds of them; a record or token left empty or torn by one reads as missing.
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../lake/object-store.ts';
import type { ColumnInfo } from './column-info.ts';
import type { ResultKind, StatementType } from './statements.ts';

export const RECORD_FORMAT = 1;

export interface StagedResult {
  state: 'SUCCEEDED' | 'FAILED';
  /** When the results were in place (or staging failed). */
  finishedAt: string;
  columns: ColumnInfo[];
  /** Rows in the result (without the CSV header line). */
  rows: number;
  /** CTAS: rows written. */
  updateCount?: number;
  /** Bytes of the result file. */
  resultBytes: number;
  /** SHOW/DESCRIBE: the rendered rows (GetQueryResults pages them from here). */
  utilityRows?: (string | null)[][];
  /** Staging failed: why (shown as the execution's StateChangeReason). */
  error?: { code: string; message: string };
}

export interface ExecutionRecord {
  format: typeof RECORD_FORMAT;
  id: string;
  org: string;
  /** The QueryString as the client sent it. */
  query: string;
  executionParameters?: string[];
  context: { Database?: string; Catalog?: string };
  workGroup: string;
  statementType: StatementType;
  substatementType?: string;
  resultKind: ResultKind;
  /** The validated OutputLocation prefix (`s3://runlake-results/<org>/…/`). */
  outputPrefix: string;
  /** The result file's full location (GetQueryExecution's ResultConfiguration.OutputLocation). */
  resultUri: string;
  resultKey: string;
  metadataKey: string | null;
  resultReuse?: { Enabled: boolean; MaxAgeInMinutes?: number };
  submittedAt: string;
  staged?: StagedResult;
}

const CACHE_MAX = 2000;

/** Athena's artefacts survive a process crash but not necessarily a machine crash (CONTEXT.md). */
export const ARTEFACT_PUT = { durable: false } as const;

export class ExecutionStore {
  private readonly cache = new Map<string, ExecutionRecord>();

  constructor(private readonly store: ObjectStore) {}

  async put(r: ExecutionRecord): Promise<void> {
    await this.store.put(recordKey(r.org, r.id), JSON.stringify(r), ARTEFACT_PUT);
    this.remember(r);
  }

  /** The organization's execution, or undefined (never another organization's). */
  async get(org: string, id: string): Promise<ExecutionRecord | undefined> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id)) return undefined;
    const hit = this.cache.get(`${org}/${id}`);
    if (hit) return hit;
    const raw = await this.store.get(recordKey(org, id));
    if (!raw) return undefined;
    const r = parseJson<ExecutionRecord>(raw);
    if (!r || r.org !== org || r.id !== id) return undefined;
    this.remember(r);
    return r;
  }

  async getToken(org: string, token: string): Promise<{ id: string; fingerprint: string } | undefined> {
    const raw = await this.store.get(tokenKey(org, token));
    const t = raw && parseJson<{ id: string; fingerprint: string }>(raw);
    return t && typeof t.id === 'string' && typeof t.fingerprint === 'string' ? t : undefined;
  }

  async putToken(org: string, token: string, value: { id: string; fingerprint: string }): Promise<void> {
    await this.store.put(tokenKey(org, token), JSON.stringify(value), ARTEFACT_PUT);
  }

  private remember(r: ExecutionRecord): void {
    const k = `${r.org}/${r.id}`;
    this.cache.delete(k);
    this.cache.set(k, r);
    if (this.cache.size > CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** An object written by this module, or undefined when a machine crash left it empty or torn. */
function parseJson<T>(raw: Uint8Array): T | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw).toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

function recordKey(org: string, id: string): string {
  return `orgs/${org}/athena/executions/${id}.json`;
}

function tokenKey(org: string, token: string): string {
  return `orgs/${org}/athena/tokens/${createHash('sha256').update(token).digest('hex')}.json`;
}
