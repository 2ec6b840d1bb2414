/**
 * The `query_history` view every organization database has: its own queries, from the control
 * plane (where history is durable), kept `historyRetentionDays` (400 by default).
 */
import type { ColumnDef } from '../schema/types.ts';

const col = (name: string, type: ColumnDef['type'], doc: string): ColumnDef => ({ name, type, doc, origin: 'derived' });

export const QUERY_HISTORY_COLUMNS: readonly ColumnDef[] = [
  col('query_id', 'varchar', 'Query id (the Athena QueryExecutionId, the HTTP API id, or the pgwire session and statement).'),
  col('organization_id', 'varchar', 'The organization.'),
  col('principal', 'varchar', 'Who ran it: an access key id, or a console user name.'),
  col('protocol', 'varchar', 'athena, pgwire, http or console.'),
  col('dialect', 'varchar', 'The SQL dialect it was written in: trino or postgres.'),
  col('sql', 'varchar', 'The statement as the client sent it.'),
  col('state', 'varchar', 'QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.'),
  col('error', 'varchar', 'The error message, for a failed query.'),
  col('submitted_at', 'timestamp', 'When the query arrived.'),
  col('started_at', 'timestamp', 'When it started running (left the queue).'),
  col('finished_at', 'timestamp', 'When it finished.'),
  col('queue_ms', 'bigint', 'Time spent queued, in milliseconds.'),
  col('exec_ms', 'bigint', 'Time spent running, in milliseconds.'),
  col('rows', 'bigint', 'Rows returned (or written, for a scratch table).'),
  col('bytes_scanned', 'bigint', 'Bytes of data files in the tables the query read (an upper bound).'),
  col('snapshot_version', 'bigint', 'The lake snapshot the query ran on.'),
  col('cached', 'boolean', 'The result came from the result cache.'),
];

export interface QueryHistoryRow {
  query_id: string;
  organization_id: string;
  principal: string;
  protocol: string;
  dialect: string;
  sql: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  error: string | null;
  submitted_at: string;
  started_at: string | null;
  finished_at: string | null;
  queue_ms: number | null;
  exec_ms: number | null;
  rows: number | null;
  bytes_scanned: number | null;
  snapshot_version: number | null;
  cached: boolean;
}
