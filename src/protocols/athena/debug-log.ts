/**
 * Per-access-key debug logs for the Athena API, the counterpart of pgwire's `runlake.debug`. The
 * operator lists access key ids and/or organization (= workgroup) names in the `athenaDebug`
 * setting (`RUNLAKE_ATHENA_DEBUG=acme,AKIA…` or `"athenaDebug": [...]` in runlake.json); every
 * authenticated API request of a listed key — its operation, the statement and parameters it
 * sends, the execution id, state, reason and error it gets back, status and time — is appended to
 * `<data-dir>/logs/athena/<yyyy-mm-dd>-<org>-<access key id>.log`.
 *
 * Invariants: nothing is written for keys that are not listed; secrets (the Authorization header,
 * signatures, secret keys) never reach this layer, only the parsed request members listed below
 * and the response summary; requests that fail authentication are not attributed to a key and
 * are not logged here (`runlake serve --debug` logs them); a logging failure never fails the
 * request.
 */
import { DebugLog } from '../../util/debug-log.ts';

/** Request members worth logging (everything else — paging tokens, limits — is noise). */
const REQUEST_FIELDS = ['QueryString', 'ExecutionParameters', 'QueryExecutionContext', 'WorkGroup', 'QueryExecutionId', 'QueryExecutionIds', 'ClientRequestToken', 'DatabaseName', 'TableName', 'Expression'] as const;

export class AthenaDebugLogs {
  private readonly keys = new Set<string>();
  private readonly orgs = new Set<string>();
  private readonly open = new Map<string, DebugLog>();

  /** `selectors`: access key ids (exact) and organization / workgroup names (any case). */
  constructor(private readonly logsDir: string, selectors: readonly string[]) {
    for (const s of selectors) {
      this.keys.add(s);
      this.orgs.add(s.toLowerCase());
    }
  }

  get enabled(): boolean {
    return this.keys.size > 0;
  }

  /** The log of this key when the operator turned debugging on for it or its organization. */
  logFor(accessKeyId: string, org: string): DebugLog | undefined {
    if (!this.keys.has(accessKeyId) && !this.orgs.has(org.toLowerCase())) return undefined;
    const day = new Date().toISOString().slice(0, 10);
    const label = `${org}-${accessKeyId}`;
    const cached = this.open.get(label);
    if (cached && cached.name.includes(`/${day}-`)) return cached;
    try {
      const log = DebugLog.open(this.logsDir, 'athena', label.replace(/[^A-Za-z0-9_.-]/g, '_'));
      this.open.set(label, log);
      return log;
    } catch {
      return undefined;
    }
  }
}

/** One request of a debugged key: `request` with what it asked, then `response` or `failed`. */
export function debugRequest(log: DebugLog | undefined, operation: string, requestId: string, input: Record<string, unknown>): void {
  if (!log) return;
  const fields: Record<string, unknown> = { op: operation, requestId };
  for (const f of REQUEST_FIELDS) if (input[f] !== undefined) fields[f] = input[f];
  safeWrite(log, 'request', fields);
}

export function debugResponse(log: DebugLog | undefined, operation: string, requestId: string, ms: number, out: unknown): void {
  if (!log) return;
  safeWrite(log, 'response', { op: operation, requestId, status: 200, ms, ...summary(out) });
}

export function debugFailure(log: DebugLog | undefined, operation: string, requestId: string, ms: number, status: number, type: string, message: string | undefined): void {
  if (!log) return;
  safeWrite(log, 'failed', { op: operation, requestId, status, ms, error: type, message });
}

/** What a response says that matters when debugging: ids, states, reasons, errors, row counts. */
function summary(out: unknown): Record<string, unknown> {
  if (typeof out !== 'object' || out === null) return {};
  const o = out as Record<string, unknown>;
  const s: Record<string, unknown> = {};
  if (typeof o.QueryExecutionId === 'string') s.QueryExecutionId = o.QueryExecutionId;
  const qe = o.QueryExecution as { QueryExecutionId?: string; StatementType?: string; Status?: { State?: string; StateChangeReason?: string; AthenaError?: unknown } } | undefined;
  if (qe) {
    s.QueryExecutionId = qe.QueryExecutionId;
    s.StatementType = qe.StatementType;
    s.State = qe.Status?.State;
    s.StateChangeReason = qe.Status?.StateChangeReason;
    s.AthenaError = qe.Status?.AthenaError;
  }
  const rs = o.ResultSet as { Rows?: unknown[]; ResultSetMetadata?: { ColumnInfo?: { Name?: string; Type?: string }[] } } | undefined;
  if (rs) {
    s.rows = rs.Rows?.length ?? 0;
    s.columns = (rs.ResultSetMetadata?.ColumnInfo ?? []).map((c) => `${c.Name}:${c.Type}`).join(',');
    s.more = o.NextToken !== undefined;
  }
  if (typeof o.UpdateCount === 'number') s.UpdateCount = o.UpdateCount;
  return s;
}

function safeWrite(log: DebugLog, event: string, fields: Record<string, unknown>): void {
  try {
    log.write(event, fields);
  } catch {
    // A debug log that cannot be written must not fail the request.
  }
}
