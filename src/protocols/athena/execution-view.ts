/**
 * An execution as GetQueryExecution shows it, from the Athena record (execution-store.ts) and the
 * query service's status of the same id. The Athena state adds one step to the service's: a
 * query whose rows were all read is still RUNNING until its results are staged.
 *
 *   service QUEUED / RUNNING                  → QUEUED / RUNNING
 *   service SUCCEEDED, staging in progress    → RUNNING
 *   staged                                    → SUCCEEDED (or FAILED when staging failed)
 *   service SUCCEEDED, not staged, not live   → FAILED (the process stopped before staging)
 *   service FAILED / CANCELLED                → FAILED with StateChangeReason + AthenaError / CANCELLED
 *
 * Timestamps are epoch seconds with a fraction, as Athena sends them.
 */
import type { QueryInfo } from '../../service/types.ts';
import type { ExecutionRecord } from './execution-store.ts';
import { athenaFailure } from './query-failure.ts';

export type AthenaState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface ExecutionStatus {
  state: AthenaState;
  stateChangeReason?: string;
  athenaError?: { ErrorCategory: number; ErrorType: number; Retryable: boolean; ErrorMessage: string };
  completedAt?: Date;
}

export const ENGINE_VERSION = { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' } as const;

export function executionStatus(r: ExecutionRecord, info: QueryInfo, staging: boolean): ExecutionStatus {
  if (r.staged?.state === 'SUCCEEDED') return { state: 'SUCCEEDED', completedAt: new Date(r.staged.finishedAt) };
  if (r.staged?.state === 'FAILED') {
    const f = athenaFailure(r.staged.error?.code ?? 'internal', r.staged.error?.message ?? 'the results could not be written');
    return { state: 'FAILED', stateChangeReason: f.stateChangeReason, athenaError: f.athenaError, completedAt: new Date(r.staged.finishedAt) };
  }
  const finished = info.finishedAt ? new Date(info.finishedAt) : undefined;
  switch (info.state) {
    case 'QUEUED':
    case 'RUNNING':
      return { state: info.state };
    case 'SUCCEEDED': {
      if (staging) return { state: 'RUNNING' };
      const f = athenaFailure('unavailable', 'the server stopped before the results of this query were written; run the query again');
      return { state: 'FAILED', stateChangeReason: f.stateChangeReason, athenaError: f.athenaError, ...(finished ? { completedAt: finished } : {}) };
    }
    case 'CANCELLED': {
      const message = info.error?.message ?? '';
      const reason = /cancelled by|client cancelled/.test(message) || message === '' ? 'Query cancelled by user' : message;
      return { state: 'CANCELLED', stateChangeReason: reason, ...(finished ? { completedAt: finished } : {}) };
    }
    case 'FAILED': {
      const f = athenaFailure(info.error?.code ?? 'internal', info.error?.message ?? 'the query failed');
      return { state: 'FAILED', stateChangeReason: f.stateChangeReason, athenaError: f.athenaError, ...(finished ? { completedAt: finished } : {}) };
    }
  }
}

export function epochSeconds(d: Date | string): number {
  return (typeof d === 'string' ? Date.parse(d) : d.getTime()) / 1000;
}

export function statistics(r: ExecutionRecord, info: QueryInfo, status: ExecutionStatus, now: Date): Record<string, unknown> {
  const submitted = Date.parse(info.submittedAt);
  const end = status.completedAt?.getTime() ?? now.getTime();
  const serviceDone = info.finishedAt ? Date.parse(info.finishedAt) : undefined;
  return {
    EngineExecutionTimeInMillis: info.execMs ?? 0,
    DataScannedInBytes: info.bytesScanned ?? 0,
    TotalExecutionTimeInMillis: Math.max(0, end - submitted),
    QueryQueueTimeInMillis: info.queueMs ?? 0,
    ServicePreProcessingTimeInMillis: 0,
    QueryPlanningTimeInMillis: 0,
    ServiceProcessingTimeInMillis: r.staged && serviceDone !== undefined ? Math.max(0, Date.parse(r.staged.finishedAt) - serviceDone) : 0,
    ResultReuseInformation: { ReusedPreviousResult: info.cached },
  };
}

/** The QueryExecution structure. */
export function queryExecution(r: ExecutionRecord, info: QueryInfo, staging: boolean, now: Date): Record<string, unknown> {
  const status = executionStatus(r, info, staging);
  return {
    QueryExecutionId: r.id,
    Query: r.query,
    StatementType: r.statementType,
    ...(r.substatementType ? { SubstatementType: r.substatementType } : {}),
    ResultConfiguration: { OutputLocation: r.resultUri },
    ResultReuseConfiguration: { ResultReuseByAgeConfiguration: r.resultReuse ?? { Enabled: false } },
    QueryExecutionContext: r.context,
    Status: {
      State: status.state,
      ...(status.stateChangeReason ? { StateChangeReason: status.stateChangeReason } : {}),
      SubmissionDateTime: epochSeconds(info.submittedAt),
      ...(status.completedAt ? { CompletionDateTime: epochSeconds(status.completedAt) } : {}),
      ...(status.athenaError ? { AthenaError: status.athenaError } : {}),
    },
    Statistics: statistics(r, info, status, now),
    WorkGroup: r.workGroup,
    EngineVersion: ENGINE_VERSION,
    ...(r.executionParameters ? { ExecutionParameters: r.executionParameters } : {}),
  };
}
