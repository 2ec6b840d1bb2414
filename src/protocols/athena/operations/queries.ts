/**
 * The query operations: StartQueryExecution, GetQueryExecution, BatchGetQueryExecution,
 * StopQueryExecution, ListQueryExecutions, GetQueryRuntimeStatistics and GetQueryResults, with
 * the model's member constraints (research §2, §6).
 */
import { checkCatalog } from '../catalog-metadata.ts';
import { AthenaApiError, invalidRequest } from '../errors.ts';
import { notFound } from '../executions.ts';
import { QUERY_EXECUTION_ID, TOKEN, WORK_GROUP_NAME, type Input } from '../validate.ts';
import { resolveWorkGroup, type OperationDef } from './context.ts';

const startQueryExecution: OperationDef = {
  cls: 'startStop',
  async run(ctx, input) {
    const queryString = input.string('QueryString', { required: true, min: 1, max: 262144 });
    if (Buffer.byteLength(queryString, 'utf8') > 262144) {
      throw invalidRequest('The query string is longer than 262144 bytes (UTF-8), the limit of a query; move long literal lists into a table or a scratch table');
    }
    const token = input.string('ClientRequestToken', { min: 32, max: 128 });
    if (token === undefined) throw invalidRequest('clientRequestToken is null or empty: send a ClientRequestToken of 32 to 128 characters (the AWS SDKs fill it in)');
    const ctxIn = input.object('QueryExecutionContext');
    const database = ctxIn?.string('Database', { min: 1, max: 255 });
    const catalog = ctxIn?.string('Catalog', { min: 1, max: 256 });
    checkCatalog(catalog);
    const result = input.object('ResultConfiguration');
    const outputLocation = result?.string('OutputLocation');
    const encryption = result?.object('EncryptionConfiguration');
    encryption?.string('EncryptionOption', { required: true, pattern: /^(SSE_S3|SSE_KMS|CSE_KMS)$/ });
    const workGroup = resolveWorkGroup(input.string('WorkGroup', { pattern: WORK_GROUP_NAME }), ctx.caller.org);
    const params = input.stringList('ExecutionParameters', { min: 1, item: { min: 1, max: 1024 } });
    const reuse = input.object('ResultReuseConfiguration')?.object('ResultReuseByAgeConfiguration');
    const reuseEnabled = reuse?.boolean('Enabled');
    const reuseAge = reuse?.integer('MaxAgeInMinutes', { min: 0, max: 10080 });
    const id = await ctx.deps.executions.start(ctx.caller, {
      queryString,
      clientRequestToken: token,
      context: { ...(database !== undefined ? { Database: database } : {}), ...(catalog !== undefined ? { Catalog: catalog } : {}) },
      ...(outputLocation !== undefined && outputLocation !== '' ? { outputLocation } : {}),
      workGroup,
      ...(params ? { executionParameters: params } : {}),
      ...(reuse ? { resultReuse: { Enabled: reuseEnabled ?? false, ...(reuseAge !== undefined ? { MaxAgeInMinutes: reuseAge } : {}) } } : {}),
    });
    return { QueryExecutionId: id };
  },
};

const executionId = (input: Input) => input.string('QueryExecutionId', { required: true, ...QUERY_EXECUTION_ID });

const getQueryExecution: OperationDef = {
  cls: 'get',
  async run(ctx, input) {
    return { QueryExecution: await ctx.deps.executions.queryExecution(ctx.caller, executionId(input)) };
  },
};

const batchGetQueryExecution: OperationDef = {
  cls: 'batch',
  async run(ctx, input) {
    const ids = input.stringList('QueryExecutionIds', { required: true, min: 1, max: 50, item: QUERY_EXECUTION_ID })!;
    const found: Record<string, unknown>[] = [];
    const unprocessed: Record<string, string>[] = [];
    for (const id of new Set(ids)) {
      try {
        found.push(await ctx.deps.executions.queryExecution(ctx.caller, id));
      } catch (e) {
        if (!(e instanceof AthenaApiError && e.fields.AthenaErrorCode === 'QUERY_EXECUTION_NOT_FOUND')) throw e;
        unprocessed.push({ QueryExecutionId: id, ErrorCode: 'QUERY_EXECUTION_NOT_FOUND', ErrorMessage: notFound(id).message });
      }
    }
    return { QueryExecutions: found, UnprocessedQueryExecutionIds: unprocessed };
  },
};

const stopQueryExecution: OperationDef = {
  cls: 'startStop',
  async run(ctx, input) {
    await ctx.deps.executions.stop(ctx.caller, executionId(input));
    return {};
  },
};

const listQueryExecutions: OperationDef = {
  cls: 'list',
  async run(ctx, input) {
    const max = input.integer('MaxResults', { min: 0, max: 50 }) || 50;
    const token = input.string('NextToken', TOKEN);
    resolveWorkGroup(input.string('WorkGroup', { pattern: WORK_GROUP_NAME }), ctx.caller.org);
    const ex = ctx.deps.executions;
    const after = token === undefined ? undefined : ex.readListToken(ctx.caller, token);
    const { ids, next } = await ex.list(ctx.caller, max, after);
    return { QueryExecutionIds: ids, ...(next ? { NextToken: ex.listToken(ctx.caller, next) } : {}) };
  },
};

const getQueryRuntimeStatistics: OperationDef = {
  cls: 'get',
  async run(ctx, input) {
    return ctx.deps.executions.runtimeStatistics(ctx.caller, executionId(input));
  },
};

const getQueryResults: OperationDef = {
  cls: 'get',
  async run(ctx, input) {
    const id = executionId(input);
    const token = input.string('NextToken', TOKEN);
    const max = input.integer('MaxResults', { min: 1, max: 1000 }) ?? 1000;
    const type = input.string('QueryResultType', { pattern: /^(DATA_ROWS|DATA_MANIFEST)$/ });
    if (type === 'DATA_MANIFEST') throw invalidRequest('QueryResultType DATA_MANIFEST is not available: Runlake writes no data manifest; ask for DATA_ROWS');
    return ctx.deps.executions.results(ctx.caller, id, max, token);
  },
};

export const QUERY_OPERATIONS: Record<string, OperationDef> = {
  StartQueryExecution: startQueryExecution,
  GetQueryExecution: getQueryExecution,
  BatchGetQueryExecution: batchGetQueryExecution,
  StopQueryExecution: stopQueryExecution,
  ListQueryExecutions: listQueryExecutions,
  GetQueryRuntimeStatistics: getQueryRuntimeStatistics,
  GetQueryResults: getQueryResults,
};
