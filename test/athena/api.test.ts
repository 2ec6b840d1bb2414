/**
 * The Athena API end to end: `@aws-sdk/client-athena` v3 (and `@aws-sdk/client-s3` for the staged
 * results) against a real `runlake serve` over HTTPS, trusting its generated certificate. Covers
 * the whole life of a query with 50,000 rows paged through, value rendering, the staged CSV and
 * `.metadata`, submit-time refusals, failed executions, idempotency, output locations, isolation
 * between organizations, authentication failures, a disabled organization, the concurrency limit,
 * stopping a running query, the catalog operations, Looker's PDT statements, SHOW and DESCRIBE.
 * Every wait is on a state; nothing asserts a duration.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import {
  BatchGetQueryExecutionCommand,
  GetDataCatalogCommand,
  GetDatabaseCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetQueryRuntimeStatisticsCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  ListDataCatalogsCommand,
  ListDatabasesCommand,
  ListQueryExecutionsCommand,
  ListTableMetadataCommand,
  ListWorkGroupsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type GetQueryResultsCommandOutput,
  type Row,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { decodeMetadata } from '../../src/protocols/athena/metadata-protobuf.ts';
import { javaDouble } from '../../src/protocols/athena/values.ts';
import { SLOW_SQL } from '../service/helpers.ts';
import { runQuery, s3Location, startAthenaStack, waitForExecution, type AthenaStack } from './support.ts';

/** Asserts that `p` rejects with an AWS SDK error of that name; returns the error for more checks. */
async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp): Promise<Record<string, unknown> & Error> {
  try {
    await p;
  } catch (e) {
    const err = e as Record<string, unknown> & Error;
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

const values = (row: Row) => row.Data!.map((d) => d.VarCharValue);

async function allPages(client: AthenaClient, id: string, maxResults?: number): Promise<GetQueryResultsCommandOutput[]> {
  const pages: GetQueryResultsCommandOutput[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(maxResults ? { MaxResults: maxResults } : {}), ...(token ? { NextToken: token } : {}) }));
    pages.push(page);
    token = page.NextToken;
  } while (token);
  return pages;
}

describe('Athena API: AWS SDK v3 against runlake serve', () => {
  let stack: AthenaStack;
  let acme: AthenaClient;

  before(async () => {
    stack = await startAthenaStack([
      { name: 'acme' },
      { name: 'globex' },
      { name: 'dormant', disabled: true },
      { name: 'tiny', limits: { maxConcurrentQueries: 1, maxQueuedQueries: 1 } },
    ]);
    acme = stack.athena('acme');
  });
  after(async () => {
    await stack?.stop();
  });

  it('runs a query through its whole life and pages through 50,000 rows', async () => {
    const sql =
      "SELECT x, CAST(x AS VARCHAR) AS s, x * 0.5 AS half, CASE WHEN x % 7 = 0 THEN NULL ELSE concat('v', CAST(x AS VARCHAR)) END AS maybe " +
      'FROM UNNEST(sequence(1, 50000)) AS t(x) ORDER BY x';
    const e = await runQuery(acme, 'acme', { QueryString: sql });
    assert.equal(e.Status!.State, 'SUCCEEDED', e.Status!.StateChangeReason);
    assert.equal(e.Query, sql);
    assert.equal(e.StatementType, 'DML');
    assert.equal(e.SubstatementType, 'SELECT');
    assert.equal(e.WorkGroup, 'acme');
    assert.equal(e.ResultConfiguration!.OutputLocation, `s3://runlake-results/acme/${e.QueryExecutionId}.csv`);
    assert.deepEqual(e.QueryExecutionContext, { Database: 'acme', Catalog: 'AwsDataCatalog' });
    assert.ok(e.Status!.SubmissionDateTime instanceof Date && e.Status!.CompletionDateTime! >= e.Status!.SubmissionDateTime);
    const st = e.Statistics!;
    assert.equal(typeof st.DataScannedInBytes, 'number');
    assert.ok(st.TotalExecutionTimeInMillis! >= st.EngineExecutionTimeInMillis!);
    assert.equal(st.ResultReuseInformation?.ReusedPreviousResult, false);
    assert.deepEqual(e.EngineVersion, { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' });

    const pages = await allPages(acme, e.QueryExecutionId!, 1000);
    assert.equal(pages.length, 51, 'the header row counts toward MaxResults: 50,001 rows in pages of 1000');
    assert.deepEqual(pages[0]!.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type]), [['x', 'bigint'], ['s', 'varchar'], ['half', 'double'], ['maybe', 'varchar']]);
    assert.deepEqual(values(pages[0]!.ResultSet!.Rows![0]!), ['x', 's', 'half', 'maybe']);
    for (const p of pages) {
      assert.ok(p.ResultSet!.Rows!.length <= 1000);
      assert.equal(p.UpdateCount, 0);
    }
    const rows = pages.flatMap((p, i) => (i === 0 ? p.ResultSet!.Rows!.slice(1) : p.ResultSet!.Rows!));
    assert.equal(rows.length, 50_000);
    // The header is on the first page only; later pages continue the rows.
    assert.equal(values(pages[1]!.ResultSet!.Rows![0]!)[0], '1000');
    rows.forEach((r, i) => {
      const x = i + 1;
      const expected = [String(x), String(x), javaDouble(x * 0.5), x % 7 === 0 ? undefined : `v${x}`];
      if (i % 997 === 0 || x % 7 === 0) assert.deepEqual(values(r), expected, `row ${x}`);
    });
    assert.deepEqual(rows[6]!.Data![3], {}, 'NULL is a Datum without VarCharValue');
    assert.deepEqual(values(rows[49_999]!), ['50000', '50000', '25000.0', 'v50000']);

    const stats = await acme.send(new GetQueryRuntimeStatisticsCommand({ QueryExecutionId: e.QueryExecutionId }));
    assert.equal(stats.QueryRuntimeStatistics!.Rows!.OutputRows, 50_000);
    assert.equal(typeof stats.QueryRuntimeStatistics!.Timeline!.TotalExecutionTimeInMillis, 'number');
  });

  it('renders every value as Athena, NULL as {} and the empty string as ""; the staged CSV and .metadata read back over S3', async () => {
    const sql =
      "SELECT 1 AS i, 1.5 AS d, 100.0 AS e, 'a\"b' AS q, '' AS empty, CAST(NULL AS VARCHAR) AS n, true AS b, ARRAY[1, 2] AS a, " +
      "DATE '2017-01-02' AS dt, TIMESTAMP '2017-01-01 00:00:00' AS ts, 'x\ny' AS nl";
    const e = await runQuery(acme, 'acme', { QueryString: sql });
    assert.equal(e.Status!.State, 'SUCCEEDED', e.Status!.StateChangeReason);
    const r = await acme.send(new GetQueryResultsCommand({ QueryExecutionId: e.QueryExecutionId }));
    assert.equal(r.NextToken, undefined);
    const info = r.ResultSet!.ResultSetMetadata!.ColumnInfo!;
    assert.deepEqual(info.map((c) => c.Type), ['integer', 'double', 'double', 'varchar', 'varchar', 'varchar', 'boolean', 'array', 'date', 'timestamp', 'varchar']);
    assert.deepEqual(info[0], { CatalogName: 'hive', SchemaName: '', TableName: '', Name: 'i', Label: 'i', Type: 'integer', Precision: 10, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: false });
    assert.deepEqual(r.ResultSet!.Rows![1]!.Data, [
      { VarCharValue: '1' }, { VarCharValue: '1.5' }, { VarCharValue: '100.0' }, { VarCharValue: 'a"b' }, { VarCharValue: '' }, {},
      { VarCharValue: 'true' }, { VarCharValue: '[1, 2]' }, { VarCharValue: '2017-01-02' }, { VarCharValue: '2017-01-01 00:00:00.000' }, { VarCharValue: 'x\ny' },
    ]);

    const s3 = stack.s3('acme');
    const loc = s3Location(e.ResultConfiguration!.OutputLocation!);
    const obj = await s3.send(new GetObjectCommand(loc));
    const csv = await obj.Body!.transformToString();
    const expected = '"i","d","e","q","empty","n","b","a","dt","ts","nl"\n"1","1.5","100.0","a""b","",,"true","[1, 2]","2017-01-02","2017-01-01 00:00:00.000","x\ny"\n';
    assert.equal(csv, expected);
    assert.equal(obj.ContentType, 'application/octet-stream');
    assert.equal(obj.ETag, `"${createHash('md5').update(expected).digest('hex')}"`);
    const head = await s3.send(new HeadObjectCommand(loc));
    assert.equal(head.ContentLength, Buffer.byteLength(expected));
    const part = await s3.send(new GetObjectCommand({ ...loc, Range: 'bytes=0-3' }));
    assert.equal(await part.Body!.transformToString(), '"i",');
    assert.equal(part.ContentRange, `bytes 0-3/${Buffer.byteLength(expected)}`);

    const meta = await s3.send(new GetObjectCommand({ ...loc, Key: `${loc.Key}.metadata` }));
    const decoded = decodeMetadata(await meta.Body!.transformToByteArray());
    assert.deepEqual(
      decoded.columns.map((c) => [c.CatalogName, c.Name, c.Label, c.Type, c.Precision, c.Scale, c.Nullable, c.CaseSensitive]),
      info.map((c) => [c.CatalogName, c.Name, c.Label, c.Type, c.Precision, c.Scale, c.Nullable, c.CaseSensitive]),
    );
    assert.match(decoded.queryId, /^\d{8}_\d{6}_\d{5}_[a-z2-7]{5}$/);

    // Another organization's key may not read it; a wrong secret is told apart; absent keys are NoSuchKey.
    const denied = await rejectsWith(stack.s3('globex').send(new GetObjectCommand(loc)), 'AccessDenied', /reads only s3:\/\/runlake-results\/globex\//);
    assert.equal((denied.$metadata as { httpStatusCode: number }).httpStatusCode, 403);
    await rejectsWith(stack.s3('acme', { key: { ...stack.keys.acme!, secretAccessKey: 'x'.repeat(40) } }).send(new GetObjectCommand(loc)), 'SignatureDoesNotMatch');
    await rejectsWith(s3.send(new GetObjectCommand({ ...loc, Key: 'acme/nope.csv' })), 'NoSuchKey');
  });

  it('refuses malformed SQL at submit time (InvalidRequestException, MALFORMED_QUERY) and creates no execution', async () => {
    const before = (await acme.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds!;
    const err = await rejectsWith(
      acme.send(new StartQueryExecutionCommand({ QueryString: 'SELEC 1 FROM processes', QueryExecutionContext: { Database: 'acme' } })),
      'InvalidRequestException',
      /^line 1:1: mismatched input 'SELEC'/,
    );
    assert.equal(err.AthenaErrorCode, 'MALFORMED_QUERY');
    assert.equal((err.$metadata as { httpStatusCode: number }).httpStatusCode, 400);
    const two = await rejectsWith(acme.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1; SELECT 2' })), 'InvalidRequestException', /only one statement/);
    assert.equal(two.AthenaErrorCode, 'MALFORMED_QUERY');
    assert.deepEqual((await acme.send(new ListQueryExecutionsCommand({}))).QueryExecutionIds, before);
  });

  it('reports a query that fails as it runs as FAILED with a StateChangeReason and an AthenaError', async () => {
    const e = await runQuery(acme, 'acme', { QueryString: 'SELECT * FROM no_such_table' });
    assert.equal(e.Status!.State, 'FAILED');
    assert.match(e.Status!.StateChangeReason!, /^TABLE_NOT_FOUND: .*no_such_table/);
    assert.deepEqual({ ...e.Status!.AthenaError, ErrorMessage: undefined }, { ErrorCategory: 2, ErrorType: 1301, Retryable: false, ErrorMessage: undefined });
    const err = await rejectsWith(acme.send(new GetQueryResultsCommand({ QueryExecutionId: e.QueryExecutionId })), 'InvalidRequestException', /^Query did not finish successfully\. Final query state: FAILED/);
    assert.equal(err.AthenaErrorCode, 'INVALID_QUERY_EXECUTION_STATE');
  });

  it('fills ExecutionParameters into ? placeholders', async () => {
    const e = await runQuery(acme, 'acme', { QueryString: 'SELECT process_name FROM processes WHERE process_id = ? AND ? > 0', ExecutionParameters: ["'acme-2'", '5'] });
    assert.equal(e.Status!.State, 'SUCCEEDED', e.Status!.StateChangeReason);
    assert.deepEqual(e.ExecutionParameters, ["'acme-2'", '5']);
    const r = await acme.send(new GetQueryResultsCommand({ QueryExecutionId: e.QueryExecutionId }));
    assert.deepEqual(r.ResultSet!.Rows!.map(values), [['process_name'], ['acme process 2']]);
  });

  it('gives the same execution for a repeated ClientRequestToken and refuses the token with other parameters', async () => {
    const token = `token-${'x'.repeat(40)}-${Date.now()}`;
    const input = { QueryString: 'SELECT 42 AS answer', ClientRequestToken: token, QueryExecutionContext: { Database: 'acme' } };
    const first = await acme.send(new StartQueryExecutionCommand(input));
    await waitForExecution(acme, first.QueryExecutionId!);
    const again = await acme.send(new StartQueryExecutionCommand(input));
    assert.equal(again.QueryExecutionId, first.QueryExecutionId);
    const err = await rejectsWith(acme.send(new StartQueryExecutionCommand({ ...input, QueryString: 'SELECT 43 AS answer' })), 'InvalidRequestException', /^Idempotent parameters do not match/);
    assert.equal(err.AthenaErrorCode, 'IDEMPOTENT_PARAMETER_MISMATCH');
  });

  it("writes results only under the organization's own folder; the workgroup's location is the default", async () => {
    for (const loc of ['s3://runlake-results/globex/', 's3://my-bucket/results/', 's3://runlake-results/']) {
      await rejectsWith(
        acme.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ResultConfiguration: { OutputLocation: loc } })),
        'InvalidRequestException',
        /^Unable to verify\/create output bucket .* may write query results only under s3:\/\/runlake-results\/acme\//,
      );
    }
    const sub = await runQuery(acme, 'acme', { QueryString: 'SELECT 1 AS one', ResultConfiguration: { OutputLocation: 's3://runlake-results/acme/looker/daily' } });
    assert.equal(sub.ResultConfiguration!.OutputLocation, `s3://runlake-results/acme/looker/daily/${sub.QueryExecutionId}.csv`);
    const { QueryExecutionId } = await acme.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2 AS two', WorkGroup: 'primary' }));
    const e = await waitForExecution(acme, QueryExecutionId!);
    assert.equal(e.Status!.State, 'SUCCEEDED');
    assert.equal(e.ResultConfiguration!.OutputLocation, `s3://runlake-results/acme/${QueryExecutionId}.csv`);
    const obj = await stack.s3('acme').send(new GetObjectCommand(s3Location(e.ResultConfiguration!.OutputLocation!)));
    assert.equal(await obj.Body!.transformToString(), '"two"\n"2"\n');
  });

  it("keeps organizations apart: another organization's workgroup, database, executions and tables are not found", async () => {
    const globex = stack.athena('globex');
    const theirs = await runQuery(globex, 'globex', { QueryString: 'SELECT count(*) AS n FROM processes' });
    assert.equal(theirs.Status!.State, 'SUCCEEDED');

    for (const wg of ['globex', 'nosuch']) {
      await rejectsWith(acme.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: wg })), 'InvalidRequestException', /^WorkGroup is not found\./);
    }
    await rejectsWith(
      acme.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', QueryExecutionContext: { Database: 'globex' } })),
      'InvalidRequestException',
      /^Database globex is not found in catalog AwsDataCatalog/,
    );
    const other = await rejectsWith(acme.send(new GetQueryExecutionCommand({ QueryExecutionId: theirs.QueryExecutionId })), 'InvalidRequestException');
    const unknown = await rejectsWith(acme.send(new GetQueryExecutionCommand({ QueryExecutionId: '00000000-0000-4000-8000-000000000000' })), 'InvalidRequestException');
    assert.equal(other.message.replace(theirs.QueryExecutionId!, 'ID'), unknown.message.replace('00000000-0000-4000-8000-000000000000', 'ID'));
    await rejectsWith(acme.send(new StopQueryExecutionCommand({ QueryExecutionId: theirs.QueryExecutionId })), 'InvalidRequestException', /was not found/);
    await rejectsWith(acme.send(new GetQueryResultsCommand({ QueryExecutionId: theirs.QueryExecutionId })), 'InvalidRequestException', /was not found/);

    const qualified = await runQuery(acme, 'acme', { QueryString: 'SELECT * FROM globex.processes' });
    assert.equal(qualified.Status!.State, 'FAILED');
    assert.match(qualified.Status!.StateChangeReason!, /^SCHEMA_NOT_FOUND: /);
    await rejectsWith(acme.send(new GetDatabaseCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'globex' })), 'MetadataException', /^Database globex not found/);
    await rejectsWith(acme.send(new ListTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'globex' })), 'MetadataException');
    await rejectsWith(acme.send(new GetTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'globex', TableName: 'processes' })), 'MetadataException');
  });

  it('authenticates every request: wrong secret, unknown key, wrong region and a skewed clock are typed errors', async () => {
    const call = (c: AthenaClient) => c.send(new ListDatabasesCommand({ CatalogName: 'AwsDataCatalog' }));
    const wrongSecret = await rejectsWith(
      call(stack.athena('acme', { key: { ...stack.keys.acme!, secretAccessKey: 'not-the-secret-not-the-secret-not-the-sec' }, maxAttempts: 1 })),
      'InvalidSignatureException',
      /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\./,
    );
    assert.equal((wrongSecret.$metadata as { httpStatusCode: number }).httpStatusCode, 400);
    assert.match(String((wrongSecret.$metadata as { requestId?: string }).requestId), /^[0-9a-f-]{36}$/);
    await rejectsWith(call(stack.athena('acme', { key: { accessKeyId: 'RLAKAAAAAAAAAAAAAAAA', secretAccessKey: 'x' }, maxAttempts: 1 })), 'UnrecognizedClientException', /^The security token included in the request is invalid/);
    await rejectsWith(call(stack.athena('acme', { region: 'eu-west-1', maxAttempts: 1 })), 'InvalidSignatureException', /^Credential should be scoped to a valid region, not 'eu-west-1'/);
    await rejectsWith(call(stack.athena('acme', { systemClockOffset: -60 * 60 * 1000, maxAttempts: 1 })), 'InvalidSignatureException', /^Signature expired: /);
  });

  it('answers unsigned and unknown requests with the AWS error shape and headers', async () => {
    const raw = (method: string, path: string, headers: Record<string, string>, body = '') =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const u = new URL(stack.endpoint);
        const req = request({ host: u.hostname, port: Number(u.port), method, path, headers, ca: stack.ca }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const r = await raw('POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonAthena.ListWorkGroups' }, '{}');
    assert.equal(r.status, 400);
    assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.equal(r.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(String(r.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    assert.equal(JSON.parse(r.body).__type, 'MissingAuthenticationTokenException');
    const s3 = await raw('GET', '/runlake-results/acme/x.csv', {});
    assert.equal(s3.status, 403);
    assert.match(s3.body, /<Code>AccessDenied<\/Code>/);
  });

  it('refuses every call of an organization whose analytics is disabled, saying why', async () => {
    const dormant = stack.athena('dormant', { maxAttempts: 1 });
    const message = /^analytics is not enabled for organization "dormant"; an operator can enable it with `runlake org enable dormant`/;
    await rejectsWith(dormant.send(new ListDatabasesCommand({ CatalogName: 'AwsDataCatalog' })), 'AccessDeniedException', message);
    await rejectsWith(dormant.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })), 'AccessDeniedException', message);
  });

  it("TooManyRequestsException at the organization's concurrency limit; StopQueryExecution cancels a running query", async () => {
    const tiny = stack.athena('tiny', { maxAttempts: 1 });
    const { QueryExecutionId: slow } = await tiny.send(new StartQueryExecutionCommand({ QueryString: SLOW_SQL }));
    await waitForExecution(tiny, slow!, (e) => e.Status!.State === 'RUNNING');
    const { QueryExecutionId: queued } = await tiny.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2 AS two' }));
    assert.equal((await tiny.send(new GetQueryExecutionCommand({ QueryExecutionId: queued }))).QueryExecution!.Status!.State, 'QUEUED');
    const err = await rejectsWith(tiny.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })), 'TooManyRequestsException', /already has 1 queries running and 1 queued/);
    assert.equal(err.Reason, 'CONCURRENT_QUERY_LIMIT_EXCEEDED');
    assert.equal((err.$metadata as { httpStatusCode: number }).httpStatusCode, 400);

    await tiny.send(new StopQueryExecutionCommand({ QueryExecutionId: slow }));
    const stopped = await waitForExecution(tiny, slow!);
    assert.equal(stopped.Status!.State, 'CANCELLED');
    assert.equal(stopped.Status!.StateChangeReason, 'Query cancelled by user');
    // The queued query got the slot.
    assert.equal((await waitForExecution(tiny, queued!)).Status!.State, 'SUCCEEDED');
    const gone = await rejectsWith(tiny.send(new GetQueryResultsCommand({ QueryExecutionId: slow })), 'InvalidRequestException', /^Could not find results/);
    assert.equal(gone.AthenaErrorCode, 'RESULT_NOT_FOUND');
    // Stopping a finished query is a no-op; the slot is free again.
    await tiny.send(new StopQueryExecutionCommand({ QueryExecutionId: slow }));
    const next = await runQuery(tiny, 'tiny', { QueryString: 'SELECT 1 AS one' });
    assert.equal(next.Status!.State, 'SUCCEEDED');
  });

  it('serves the catalog: data catalogs, databases, tables with Hive types and partition keys, workgroups', async () => {
    assert.deepEqual((await acme.send(new ListDataCatalogsCommand({}))).DataCatalogsSummary, [{ CatalogName: 'AwsDataCatalog', Type: 'GLUE' }]);
    const cat = (await acme.send(new GetDataCatalogCommand({ Name: 'awsdatacatalog' }))).DataCatalog!;
    assert.deepEqual([cat.Name, cat.Type], ['AwsDataCatalog', 'GLUE']);
    await rejectsWith(acme.send(new GetDataCatalogCommand({ Name: 'hive' })), 'InvalidRequestException', /^Catalog hive was not found/);
    assert.deepEqual((await acme.send(new ListDatabasesCommand({ CatalogName: 'AwsDataCatalog' }))).DatabaseList!.map((d) => d.Name), ['acme', 'looker_scratch']);
    assert.equal((await acme.send(new GetDatabaseCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'acme' }))).Database!.Name, 'acme');

    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await acme.send(new ListTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'acme', MaxResults: 5, ...(token ? { NextToken: token } : {}) }));
      assert.ok(p.TableMetadataList!.length <= 5);
      names.push(...p.TableMetadataList!.map((t) => t.Name!));
      token = p.NextToken;
      pages++;
    } while (token);
    assert.ok(pages > 1);
    for (const t of ['processes', 'steps', 'form_fields', 'members', 'users', 'process_durations', 'query_history']) assert.ok(names.includes(t), t);
    assert.equal(new Set(names).size, names.length);
    const filtered = (await acme.send(new ListTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'acme', Expression: 'process.*' }))).TableMetadataList!.map((t) => t.Name);
    assert.deepEqual(filtered, names.filter((n) => n.startsWith('process')));

    const processes = (await acme.send(new GetTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'acme', TableName: 'processes' }))).TableMetadata!;
    assert.equal(processes.TableType, 'EXTERNAL_TABLE');
    assert.deepEqual(processes.PartitionKeys!.map((c) => [c.Name, c.Type]), [['started_month', 'string']]);
    const types = Object.fromEntries(processes.Columns!.map((c) => [c.Name, c.Type]));
    assert.deepEqual([types.process_id, types.tags, types.total_tasks, types.has_open_issue, types.created_at, types.started_month], ['string', 'array<string>', 'int', 'boolean', 'timestamp', undefined]);
    assert.equal(processes.Parameters!.classification, 'parquet');
    const users = (await acme.send(new GetTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'acme', TableName: 'users' }))).TableMetadata!;
    assert.equal(users.TableType, 'VIRTUAL_VIEW');
    await rejectsWith(acme.send(new GetTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'acme', TableName: 'nope' })), 'MetadataException', /^Table nope not found/);

    assert.deepEqual((await acme.send(new ListWorkGroupsCommand({}))).WorkGroups!.map((w) => [w.Name, w.State]), [['acme', 'ENABLED']]);
    const wg = (await acme.send(new GetWorkGroupCommand({ WorkGroup: 'primary' }))).WorkGroup!;
    assert.equal(wg.Configuration!.ResultConfiguration!.OutputLocation, 's3://runlake-results/acme/');
    await rejectsWith(acme.send(new GetWorkGroupCommand({ WorkGroup: 'globex' })), 'InvalidRequestException', /^WorkGroup is not found\./);
  });

  it("runs Looker's PDT statements in the scratch database and renders SHOW and DESCRIBE as Athena does", async () => {
    const ctas = await runQuery(acme, 'acme', {
      QueryString:
        "-- Looker Query Context '{\"user_id\":1}'\nCREATE TABLE looker_scratch.\"LR$T1_pdt\" WITH (format='PARQUET', external_location='s3://runlake-results/acme/looker_scratch/LR$T1_pdt/') " +
        'AS SELECT process_id, process_name FROM processes',
    });
    assert.equal(ctas.Status!.State, 'SUCCEEDED', ctas.Status!.StateChangeReason);
    assert.deepEqual([ctas.StatementType, ctas.SubstatementType], ['DDL', 'CREATE_TABLE_AS_SELECT']);
    assert.equal(ctas.ResultConfiguration!.OutputLocation, `s3://runlake-results/acme/tables/${ctas.QueryExecutionId}`);
    const ctasResult = await acme.send(new GetQueryResultsCommand({ QueryExecutionId: ctas.QueryExecutionId }));
    assert.equal(ctasResult.UpdateCount, 3);
    assert.deepEqual(ctasResult.ResultSet!.Rows, []);
    assert.deepEqual(ctasResult.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type]), [['rows', 'bigint']]);

    const count = await runQuery(acme, 'acme', { QueryString: 'SELECT count(*) AS n FROM looker_scratch."lr$t1_pdt"' });
    assert.deepEqual((await acme.send(new GetQueryResultsCommand({ QueryExecutionId: count.QueryExecutionId }))).ResultSet!.Rows!.map(values), [['n'], ['3']]);
    const scratch = (await acme.send(new ListTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'looker_scratch' }))).TableMetadataList!;
    assert.deepEqual(scratch.map((t) => [t.Name, t.TableType, t.Columns!.map((c) => `${c.Name}:${c.Type}`)]), [['lr$t1_pdt', 'EXTERNAL_TABLE', ['process_id:string', 'process_name:string']]]);

    const showTables = await runQuery(acme, 'acme', { QueryString: 'SHOW TABLES IN looker_scratch' });
    assert.deepEqual([showTables.StatementType, showTables.SubstatementType], ['UTILITY', 'SHOW_TABLES']);
    const tables = await acme.send(new GetQueryResultsCommand({ QueryExecutionId: showTables.QueryExecutionId }));
    assert.deepEqual(tables.ResultSet!.Rows!.map(values), [['lr$t1_pdt']], 'no header row for SHOW');
    assert.deepEqual(tables.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type]), [['tab_name', 'string']]);

    const showColumns = await runQuery(acme, 'acme', { QueryString: 'SHOW COLUMNS FROM processes' });
    const columns = (await acme.send(new GetQueryResultsCommand({ QueryExecutionId: showColumns.QueryExecutionId }))).ResultSet!;
    assert.deepEqual(columns.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type]), [['field', 'string']]);
    assert.deepEqual(values(columns.Rows![0]!), ['organization_id     ']);

    const describe = await runQuery(acme, 'acme', { QueryString: 'DESCRIBE processes' });
    assert.deepEqual([describe.StatementType, describe.SubstatementType], ['UTILITY', 'DESCRIBE_TABLE']);
    assert.equal(describe.ResultConfiguration!.OutputLocation, `s3://runlake-results/acme/${describe.QueryExecutionId}.txt`);
    const pages = await allPages(acme, describe.QueryExecutionId!, 10);
    assert.deepEqual(pages[0]!.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type]), [['col_name', 'string'], ['data_type', 'string'], ['comment', 'string']]);
    const lines = pages.flatMap((p) => p.ResultSet!.Rows!.map((r) => { assert.equal(r.Data!.length, 1); return r.Data![0]!.VarCharValue!; }));
    assert.ok(lines[0]!.startsWith('organization_id     \tstring              \t'), lines[0]);
    assert.ok(lines.some((l) => l.startsWith('tags                \tarray<string>       \t')));
    const header = lines.indexOf('# Partition Information\t \t ');
    assert.ok(header > 0);
    assert.equal(lines[header + 1], '# col_name            \tdata_type           \tcomment             ');
    assert.ok(lines[lines.length - 1]!.startsWith('started_month       \tstring              \t'), lines[lines.length - 1]);
    const txt = await stack.s3('acme').send(new GetObjectCommand(s3Location(describe.ResultConfiguration!.OutputLocation!)));
    assert.equal(await txt.Body!.transformToString(), lines.join('\n'));

    const drop = await runQuery(acme, 'acme', { QueryString: 'DROP TABLE looker_scratch."lr$t1_pdt"' });
    assert.equal(drop.Status!.State, 'SUCCEEDED', drop.Status!.StateChangeReason);
    assert.deepEqual([drop.StatementType, drop.SubstatementType], ['DDL', 'DROP_TABLE']);
    const dropResult = await acme.send(new GetQueryResultsCommand({ QueryExecutionId: drop.QueryExecutionId }));
    assert.equal(dropResult.UpdateCount, undefined);
    assert.deepEqual(dropResult.ResultSet!.Rows, []);
    assert.deepEqual((await acme.send(new ListTableMetadataCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'looker_scratch' }))).TableMetadataList, []);

    const outside = await runQuery(acme, 'acme', { QueryString: 'CREATE TABLE copy_of_processes AS SELECT * FROM processes' });
    assert.equal(outside.Status!.State, 'FAILED');
    assert.match(outside.Status!.StateChangeReason!, /^PERMISSION_DENIED: CREATE TABLE AS outside the looker_scratch schema is not allowed/);
  });

  it('lists Athena executions newest first across pages; BatchGetQueryExecution reports unknown ids', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await runQuery(acme, 'acme', { QueryString: `SELECT ${n} AS n` })).QueryExecutionId!);
    const first = await acme.send(new ListQueryExecutionsCommand({ MaxResults: 2 }));
    assert.deepEqual(first.QueryExecutionIds, [ids[2], ids[1]]);
    assert.ok(first.NextToken);
    const second = await acme.send(new ListQueryExecutionsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    assert.equal(second.QueryExecutionIds![0], ids[0]);
    await rejectsWith(acme.send(new ListQueryExecutionsCommand({ NextToken: `${first.NextToken}x` })), 'InvalidRequestException', /NextToken is not valid/);

    const batch = await acme.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: [ids[0]!, 'no-such-execution'] }));
    assert.deepEqual(batch.QueryExecutions!.map((e) => [e.QueryExecutionId, e.Status!.State]), [[ids[0], 'SUCCEEDED']]);
    assert.deepEqual(batch.UnprocessedQueryExecutionIds!.map((u) => [u.QueryExecutionId, u.ErrorCode]), [['no-such-execution', 'QUERY_EXECUTION_NOT_FOUND']]);
  });
});
