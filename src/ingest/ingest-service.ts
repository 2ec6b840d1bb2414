/**
 * The ingest service: parses a batch (JSON array or NDJSON), validates every record, and applies
 * the whole batch to the organization's staging store in one durable transaction — or refuses it
 * whole with every per-record problem. It never applies part of a batch.
 */
import { RunlakeError, analyticsDisabled } from '../util/errors.ts';
import type { StagingStore, ApplyResult } from './staging-store.ts';
import { validateBatch, type DocumentKind, type RecordProblem } from './validate.ts';

export interface OrgStatus {
  name: string;
  analyticsEnabled: boolean;
}

/** What the ingest service needs to know about organizations (the control plane answers). */
export interface IngestDirectory {
  getOrg(name: string): Promise<OrgStatus | undefined>;
}

export interface IngestTarget {
  staging(org: string): StagingStore;
  /** Called after a change was committed, so a publish follows within the publish interval. */
  changed(org: string): void;
}

export interface BatchResult extends ApplyResult {
  received: number;
}

export const MAX_BATCH_RECORDS = 10_000;

export class IngestService {
  constructor(private readonly dir: IngestDirectory, private readonly target: IngestTarget) {}

  /** Checks the organization exists and may be ingested into. */
  async checkOrg(org: string): Promise<void> {
    const o = await this.dir.getOrg(org);
    if (!o) throw new RunlakeError('not_found', `organization "${org}" does not exist; create it with \`runlake org create ${org}\``);
    if (!o.analyticsEnabled) throw analyticsDisabled(org);
  }

  /** Applies already-parsed records of one kind (all-or-nothing). */
  async ingest(org: string, kind: DocumentKind, records: readonly unknown[]): Promise<BatchResult> {
    await this.checkOrg(org);
    if (records.length > MAX_BATCH_RECORDS) {
      throw new RunlakeError('payload_too_large', `a batch may hold at most ${MAX_BATCH_RECORDS} records, got ${records.length}; split it`);
    }
    const v = validateBatch(kind, records);
    if (!v.ok) throw invalid(v.problems, records.length);
    const staging = this.target.staging(org);
    const r =
      kind === 'process' ? staging.applyProcesses(v.docs as never)
      : kind === 'member' ? staging.applyMembers(v.docs as never)
      : staging.applyLogins(v.docs as never);
    if (r.applied > 0) this.target.changed(org);
    return { received: records.length, ...r };
  }

  /** Applies a raw request body: `application/json` (an array, or one object) or NDJSON. */
  async ingestBody(org: string, kind: DocumentKind, body: Buffer, contentType: string | undefined): Promise<BatchResult> {
    return this.ingest(org, kind, parseBatch(body, contentType));
  }

  async deleteProcess(org: string, processId: string, deletedAt: string | undefined): Promise<BatchResult> {
    await this.checkOrg(org);
    const at = deletedAt ?? new Date().toISOString();
    const t = Date.parse(at);
    if (!Number.isFinite(t) || !/(Z|[+-]\d\d:?\d\d)$/.test(at)) {
      throw new RunlakeError('bad_request', 'deleted_at must be an ISO 8601 timestamp with a time zone, e.g. 2025-03-15T14:30:00Z');
    }
    const r = this.target.staging(org).deleteProcess(processId, new Date(t).toISOString());
    if (r.applied > 0) this.target.changed(org);
    return { received: 1, ...r };
  }
}

function invalid(problems: RecordProblem[], received: number): RunlakeError {
  const shown = problems.slice(0, 1000);
  const records = new Set(problems.map((p) => p.pointer.split('/')[1])).size;
  return new RunlakeError(
    'invalid_document',
    `${records} of ${received} records are invalid; nothing in this batch was applied`,
    { errors: shown, ...(problems.length > shown.length ? { errors_truncated: problems.length - shown.length } : {}) },
  );
}

function looksLikeOneJsonValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return !text.trim().includes('\n');
  }
}

/** Parses a JSON array / object, or NDJSON (one JSON value per line; blank lines skipped). */
export function parseBatch(body: Buffer, contentType: string | undefined): unknown[] {
  let type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  // No content type, or curl's default for --data: decide by the body (a JSON document, else NDJSON).
  if (type === '' || type === 'application/x-www-form-urlencoded') type = looksLikeOneJsonValue(text) ? 'application/json' : 'application/x-ndjson';
  if (type === 'application/json') {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new RunlakeError('bad_request', `body is not valid JSON: ${(e as Error).message}`);
    }
    return Array.isArray(v) ? v : [v];
  }
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl' || type === 'application/json-seq' || type === 'text/plain') {
    const out: unknown[] = [];
    const problems: RecordProblem[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line));
      } catch (e) {
        problems.push({ pointer: `/${out.length}`, message: `line ${i + 1} is not valid JSON: ${(e as Error).message}` });
        out.push(undefined);
      }
    });
    if (problems.length > 0) throw invalid(problems, out.length);
    return out;
  }
  throw new RunlakeError('unsupported_media_type', `content-type ${type} is not accepted; send application/json (an array of documents) or application/x-ndjson`);
}
