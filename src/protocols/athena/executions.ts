/**
 * Athena query executions on top of the query service: StartQueryExecution submits to the service
 * (Trino dialect, protocol `athena`, the execution id as the query id) and stages the results in
 * the background; status, stop, history and result pages read the service and the execution
 * record. There is no second query path: limits, history, cancellation, timeouts and the result
 * cache are the service's.
 *
 * Invariants:
 * - A syntax error (or several statements) is refused at submit time and creates no execution;
 *   other planning refusals (unknown table or database, statement not allowed) create a FAILED
 *   execution, as Athena reports such queries.
 * - ClientRequestToken: the same token with the same parameters gives the same id, however often
 *   and whenever it is sent; with different parameters it is IDEMPOTENT_PARAMETER_MISMATCH.
 *   Concurrent duplicates wait for the first.
 * - An execution becomes SUCCEEDED only after its result objects and its record are written.
 * - Only executions of the caller's organization exist for it; others are "not found".
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Organization } from '../../control/control-store.ts';
import type { EngineColumn } from '../../engine/engine.ts';
import type { ObjectStore } from '../../lake/object-store.ts';
import type { QueryService } from '../../service/query-service.ts';
import type { Principal, QueryInfo, RunningQuery } from '../../service/types.ts';
import { translateTrino } from '../../sql/trino/translate.ts';
import { isRunlakeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import type { OrgCatalog } from './catalog-metadata.ts';
import { checkCatalog } from './catalog-metadata.ts';
import type { ColumnInfo } from './column-info.ts';
import { invalidRequest, type AthenaApiError } from './errors.ts';
import { ExecutionStore, RECORD_FORMAT, type ExecutionRecord, type StagedResult } from './execution-store.ts';
import { executionStatus, queryExecution, statistics, type ExecutionStatus } from './execution-view.ts';
import { PageTokens } from './page-token.ts';
import { ResultReader } from './result-reader.ts';
import { checkOutputLocation, orgResultsLocation, resultFileNames, storeKeyOf } from './result-location.ts';
import { engineQueryId, stageCsv, stageEmpty, stageText, stageUpdate, type StageTarget, type Staged } from './result-staging.ts';
import { bindParameters, classifyStatement } from './statements.ts';
import { describeResult, showColumnsResult, type UtilityResult } from './utility-rows.ts';
import { athenaText } from './values.ts';

export interface Caller {
  principal: Principal;
  org: Organization;
}

export interface StartInput {
  queryString: string;
  clientRequestToken: string;
  context: { Database?: string; Catalog?: string };
  outputLocation?: string;
  /** The workgroup name to report (the organization's). */
  workGroup: string;
  executionParameters?: string[];
  resultReuse?: { Enabled: boolean; MaxAgeInMinutes?: number };
}

export interface ExecutionsOptions {
  service: QueryService;
  store: ObjectStore;
  catalog: OrgCatalog;
  log: Logger;
  /** Local directory for temporary result files. */
  tmpDir: string;
  scratchSchema: string;
  now?: () => Date;
}

/** SHOW/DESCRIBE results are kept in the execution record; more rows than this is refused. */
const MAX_UTILITY_ROWS = 100_000;

/**
 * GetQueryExecution waits up to this long for an unfinished execution of the caller to finish
 * before it answers, so the first poll of a small or cached query already sees the final state:
 * clients sleep between polls (PyAthena 1 s by default, the JDBC driver 100 ms and up), which would
 * otherwise dominate their latency (bench/athena measures it). A longer query answers after the
 * wait with its current state, as before.
 */
const STATUS_WAIT_MS = 100;

/** A staging problem the user can act on (its message is shown). */
class StagingError extends Error {}

export class Executions {
  readonly records: ExecutionStore;
  private readonly reader: ResultReader;
  private readonly tokens = new PageTokens();
  private readonly staging = new Map<string, Promise<void>>();
  private readonly pendingStarts = new Map<string, { fingerprint: string; id: Promise<string> }>();
  private readonly now: () => Date;

  constructor(private readonly o: ExecutionsOptions) {
    this.records = new ExecutionStore(o.store);
    this.reader = new ResultReader(o.store);
    this.now = o.now ?? (() => new Date());
  }

  // ------------------------------------------------------------------------------ start

  async start(c: Caller, input: StartInput): Promise<string> {
    const fingerprint = fingerprintOf(input);
    const key = `${c.org.name}\u0000${input.clientRequestToken}`;
    const pending = this.pendingStarts.get(key);
    if (pending) {
      if (pending.fingerprint !== fingerprint) throw mismatch();
      return pending.id;
    }
    const existing = await this.records.getToken(c.org.name, input.clientRequestToken);
    if (existing) {
      if (existing.fingerprint !== fingerprint) throw mismatch();
      return existing.id;
    }
    const id = this.startNew(c, input, fingerprint);
    this.pendingStarts.set(key, { fingerprint, id });
    try {
      return await id;
    } finally {
      this.pendingStarts.delete(key);
    }
  }

  private async startNew(c: Caller, input: StartInput, fingerprint: string): Promise<string> {
    const org = c.org;
    const prefix = checkOutputLocation(input.outputLocation ?? orgResultsLocation(org.name), org.name);
    this.checkContext(org, input.context);
    const sql = bindParameters(input.queryString, input.executionParameters);
    const cls = classifyStatement(sql);
    const id = randomUUID();
    const names = resultFileNames(cls.resultKind, id);
    const record: ExecutionRecord = {
      format: RECORD_FORMAT,
      id,
      org: org.name,
      query: input.queryString,
      ...(input.executionParameters ? { executionParameters: input.executionParameters } : {}),
      context: input.context,
      workGroup: input.workGroup,
      statementType: cls.statementType,
      ...(cls.substatementType ? { substatementType: cls.substatementType } : {}),
      resultKind: cls.resultKind,
      outputPrefix: prefix.uri,
      resultUri: `${prefix.uri}${names.result}`,
      resultKey: storeKeyOf(prefix, names.result),
      metadataKey: names.metadata ? storeKeyOf(prefix, names.metadata) : null,
      ...(input.resultReuse ? { resultReuse: input.resultReuse } : {}),
      submittedAt: this.now().toISOString(),
    };

    let q: RunningQuery | undefined;
    try {
      q = await this.o.service.submit({ principal: c.principal, protocol: 'athena', dialect: 'trino', sql, queryId: id });
    } catch (e) {
      // Planning refusals the service recorded as FAILED become FAILED executions, except
      // malformed SQL, which Athena refuses outright.
      const recorded = isRunlakeError(e) && e.details?.queryId === id;
      if (recorded && /one statement/.test(e.message)) throw invalidRequest(e.message, 'MALFORMED_QUERY');
      if (!recorded || e.code === 'syntax_error') throw e;
    }
    try {
      // In this order: a token never names an execution without a record.
      await this.records.put(record);
      await this.records.putToken(org.name, input.clientRequestToken, { id, fingerprint });
    } catch (e) {
      q?.cancel('the query execution could not be recorded');
      throw e;
    }
    if (q) this.track(record, q, sql, org);
    return id;
  }

  /** QueryExecutionContext: the catalog, and a database this organization has. */
  private checkContext(org: Organization, ctx: StartInput['context']): void {
    checkCatalog(ctx.Catalog);
    const db = ctx.Database?.toLowerCase();
    if (db === undefined || db === org.database || db === 'default' || db === this.o.scratchSchema) return;
    throw invalidRequest(
      `Database ${ctx.Database} is not found in catalog AwsDataCatalog. This access key can query the databases ${org.database} and ${this.o.scratchSchema}; ` +
        `set the QueryExecutionContext Database (the schema or database of the connection) to ${org.database}`,
    );
  }

  // ------------------------------------------------------------------------------ staging

  private track(record: ExecutionRecord, q: RunningQuery, sql: string, org: Organization): void {
    const done = this.stage(record, q, sql, org)
      .catch((e: unknown) => this.o.log.error('staging query results failed', { queryId: record.id, error: String(e) }))
      .finally(() => this.staging.delete(record.id));
    this.staging.set(record.id, done);
  }

  private async stage(record: ExecutionRecord, q: RunningQuery, sql: string, org: Organization): Promise<void> {
    const target: StageTarget = {
      store: this.o.store,
      tmpDir: this.o.tmpDir,
      resultKey: record.resultKey,
      metadataKey: record.metadataKey,
      engineQueryId: record.resultKind === 'rows' ? engineQueryId(new Date(record.submittedAt)) : record.id,
    };
    let staged: Staged;
    let utilityRows: (string | null)[][] | undefined;
    let updateCount: number | undefined;
    try {
      const columns = await q.columns();
      switch (record.resultKind) {
        case 'rows':
          staged = await stageCsv(q, columns, target);
          break;
        case 'utility': {
          const result = await this.utilityResult(record, q, columns, sql, org);
          utilityRows = result.rows;
          staged = await stageText(result, target);
          break;
        }
        case 'ctas': {
          await drain(q);
          const info = await q.finished();
          if (info.state !== 'SUCCEEDED') return;
          updateCount = info.rows ?? 0;
          staged = await stageUpdate(record.substatementType ?? 'CREATE_TABLE_AS_SELECT', updateCount, target);
          break;
        }
        case 'ddl':
          await drain(q);
          staged = await stageEmpty(target);
          break;
      }
    } catch (e) {
      // The query's own failure or cancellation: the service has recorded it.
      if (isRunlakeError(e) && q.state !== 'SUCCEEDED' && q.state !== 'RUNNING' && q.state !== 'QUEUED') return;
      q.cancel('the results could not be written');
      const message = e instanceof StagingError ? e.message : `the results could not be written to ${record.resultUri}; run the query again`;
      if (!(e instanceof StagingError)) this.o.log.error('writing query results failed', { queryId: record.id, error: String(e) });
      await q.finished();
      await this.records.put({ ...record, staged: failedStaging(this.now(), message) });
      return;
    }
    const info = await q.finished();
    if (info.state !== 'SUCCEEDED') return;
    const result: StagedResult = {
      state: 'SUCCEEDED',
      finishedAt: this.now().toISOString(),
      columns: staged.columns,
      rows: staged.rows,
      resultBytes: staged.bytes,
      ...(updateCount !== undefined ? { updateCount } : {}),
      ...(utilityRows ? { utilityRows } : {}),
    };
    await this.records.put({ ...record, staged: result });
  }

  private async utilityResult(record: ExecutionRecord, q: RunningQuery, columns: readonly EngineColumn[], sql: string, org: Organization): Promise<UtilityResult> {
    const rows: (string | null)[][] = [];
    for await (const chunk of q.rows()) {
      for (const r of chunk) rows.push(r.map((v, i) => athenaText(v, columns[i]!.type) ?? null));
      if (rows.length > MAX_UTILITY_ROWS) throw new StagingError(`the statement returned more than ${MAX_UTILITY_ROWS} rows; narrow it (e.g. SHOW TABLES LIKE '…')`);
    }
    if (record.substatementType === 'SHOW_COLUMNS') return showColumnsResult(rows);
    if (record.substatementType === 'DESCRIBE_TABLE') {
      const hints = this.describeHints(org, sql);
      return describeResult({ rows, partitionKeys: hints?.partitionKeys ?? [], ...(hints ? { comments: hints.comments } : {}) });
    }
    return { columns: columns.map((c) => c.name), rows };
  }

  /** Partition keys and column comments of the DESCRIBEd relation, when it is one of the organization's own. */
  private describeHints(org: Organization, sql: string): { partitionKeys: string[]; comments: Map<string, string> } | undefined {
    try {
      const t = translateTrino(sql, { database: org.database, scratchSchema: this.o.scratchSchema });
      if (!t.target || t.target.schema !== null) return undefined;
      return this.o.catalog.describeHints(org, t.target.name);
    } catch {
      return undefined;
    }
  }

  // ------------------------------------------------------------------------------ status

  /** The execution's record and the service's status; InvalidRequestException when the caller's organization has no such execution. */
  async lookup(c: Caller, id: string): Promise<{ record: ExecutionRecord; info: QueryInfo; status: ExecutionStatus }> {
    if (!(await this.records.get(c.org.name, id))) throw notFound(id);
    let info: QueryInfo;
    try {
      info = await this.o.service.get(id, c.principal);
    } catch (e) {
      if (isRunlakeError(e) && e.code === 'not_found') throw notFound(id);
      throw e;
    }
    // Read after the status: a record staged in between is seen with the service's final state.
    const record = (await this.records.get(c.org.name, id))!;
    return { record, info, status: executionStatus(record, info, this.staging.has(id)) };
  }

  async queryExecution(c: Caller, id: string): Promise<Record<string, unknown>> {
    const staging = this.staging.get(id);
    if (staging && (await this.records.get(c.org.name, id))) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([staging, new Promise<void>((resolve) => (timer = setTimeout(resolve, STATUS_WAIT_MS)))]);
      clearTimeout(timer);
    }
    const { record, info } = await this.lookup(c, id);
    return queryExecution(record, info, this.staging.has(id), this.now());
  }

  async runtimeStatistics(c: Caller, id: string): Promise<Record<string, unknown>> {
    const { record, info, status } = await this.lookup(c, id);
    const s = statistics(record, info, status, this.now());
    const timeline = {
      QueryQueueTimeInMillis: s.QueryQueueTimeInMillis, ServicePreProcessingTimeInMillis: s.ServicePreProcessingTimeInMillis,
      QueryPlanningTimeInMillis: s.QueryPlanningTimeInMillis, EngineExecutionTimeInMillis: s.EngineExecutionTimeInMillis,
      ServiceProcessingTimeInMillis: s.ServiceProcessingTimeInMillis, TotalExecutionTimeInMillis: s.TotalExecutionTimeInMillis,
    };
    const rows = {
      InputBytes: info.bytesScanned ?? 0,
      ...(record.staged?.state === 'SUCCEEDED' ? { OutputBytes: record.staged.resultBytes, OutputRows: record.staged.rows } : {}),
    };
    return { QueryRuntimeStatistics: { Timeline: timeline, Rows: rows } };
  }

  /** Cancels a queued or running execution; a no-op once it has finished. */
  async stop(c: Caller, id: string): Promise<void> {
    await this.lookup(c, id);
    try {
      await this.o.service.cancel(id, c.principal);
    } catch (e) {
      if (!(isRunlakeError(e) && e.code === 'not_found')) throw e;
    }
  }

  /** Ids of the organization's Athena executions, newest first; `next` continues after the last one scanned. */
  async list(c: Caller, max: number, after?: string): Promise<{ ids: string[]; next?: string }> {
    const ids: string[] = [];
    let before = after;
    for (let pages = 0; pages < 20; pages++) {
      const batch = await this.o.service.list(c.principal, { limit: 200, ...(before ? { before } : {}) });
      for (const info of batch) {
        before = info.queryId;
        if (info.protocol !== 'athena' || !(await this.records.get(c.org.name, info.queryId))) continue;
        ids.push(info.queryId);
        if (ids.length === max) return { ids, next: info.queryId };
      }
      if (batch.length < 200) return { ids };
    }
    return { ids, ...(before ? { next: before } : {}) };
  }

  listToken(c: Caller, last: string): string {
    return this.tokens.issue(`list/${c.org.name}`, { l: last });
  }

  readListToken(c: Caller, token: string): string {
    return String(this.tokens.read(`list/${c.org.name}`, token).l);
  }

  // ------------------------------------------------------------------------------ results

  async results(c: Caller, id: string, max: number, token: string | undefined): Promise<Record<string, unknown>> {
    const { record, status } = await this.lookup(c, id);
    if (status.state === 'QUEUED' || status.state === 'RUNNING') {
      throw invalidRequest(`Query has not yet finished. Current state: ${status.state}`, 'INVALID_QUERY_EXECUTION_STATE');
    }
    if (status.state === 'CANCELLED') throw invalidRequest('Could not find results', 'RESULT_NOT_FOUND');
    if (status.state === 'FAILED' || !record.staged) {
      throw invalidRequest(`Query did not finish successfully. Final query state: FAILED${status.stateChangeReason ? ` (${status.stateChangeReason})` : ''}`, 'INVALID_QUERY_EXECUTION_STATE');
    }
    const staged = record.staged;
    const scope = `results/${c.org.name}/${id}`;
    const metadata = { ColumnInfo: staged.columns };
    switch (record.resultKind) {
      case 'rows': {
        const offset = token === undefined ? 0 : Number(this.tokens.read(scope, token).o);
        const page = await this.reader.page(record.resultKey, offset, max, staged.resultBytes);
        if (!page) throw invalidRequest(`Could not find results: the result file ${record.resultUri} is missing or incomplete; run the query again`, 'RESULT_NOT_FOUND');
        return {
          UpdateCount: 0,
          ResultSet: { Rows: page.rows.map(datumRow), ResultSetMetadata: metadata },
          ...(page.eof ? {} : { NextToken: this.tokens.issue(scope, { o: page.next }) }),
        };
      }
      case 'utility': {
        const start = token === undefined ? 0 : Number(this.tokens.read(scope, token).r);
        const all = staged.utilityRows ?? [];
        const rows = all.slice(start, start + max);
        const next = start + rows.length;
        return {
          UpdateCount: 0,
          ResultSet: { Rows: rows.map((r) => datumRow(r.map((v) => v ?? undefined))), ResultSetMetadata: metadata },
          ...(next < all.length ? { NextToken: this.tokens.issue(scope, { r: next }) } : {}),
        };
      }
      case 'ctas':
        return { UpdateCount: staged.updateCount ?? 0, ResultSet: { Rows: [], ResultSetMetadata: metadata } };
      case 'ddl':
        return { ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] as ColumnInfo[] } } };
    }
  }
}

function datumRow(values: readonly (string | undefined)[]): { Data: { VarCharValue?: string }[] } {
  return { Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) };
}

async function drain(q: RunningQuery): Promise<void> {
  for await (const chunk of q.rows()) void chunk;
}

function failedStaging(now: Date, message: string): StagedResult {
  return { state: 'FAILED', finishedAt: now.toISOString(), columns: [], rows: 0, resultBytes: 0, error: { code: 'internal', message } };
}

function fingerprintOf(i: StartInput): string {
  return createHash('sha256')
    .update(JSON.stringify([i.queryString, i.context.Database ?? null, i.context.Catalog?.toLowerCase() ?? null, i.outputLocation ?? null, i.workGroup, i.executionParameters ?? null]))
    .digest('hex');
}

function mismatch(): AthenaApiError {
  return invalidRequest('Idempotent parameters do not match: this ClientRequestToken was used with a different query or parameters; use a new token for a new query', 'IDEMPOTENT_PARAMETER_MISMATCH');
}

export function notFound(id: string): AthenaApiError {
  return invalidRequest(`QueryExecution ${id} was not found`, 'QUERY_EXECUTION_NOT_FOUND');
}

