/**
 * Issue 5's rough edges of the Athena API, end to end with `@aws-sdk/client-athena` v3 (and `pg`
 * for the PostgreSQL wire side of the shared error mapping) against a real `runlake serve`:
 * SHOW DATABASES / SHOW SCHEMAS agree with ListDatabases; a missing table's error suggests only
 * the organization's own relations, never the engine's system catalogs; a `?` without ExecutionParameters is refused at submit time; the
 * operator's per-key debug log (RUNLAKE_ATHENA_DEBUG); and the staged result files are readable
 * the moment an execution is SUCCEEDED (they are written without syncs now, but before the state).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetQueryResultsCommand,
  ListDatabasesCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { runQuery, s3Location, startAthenaStack, type AthenaStack } from './support.ts';

async function rejectsWith(p: Promise<unknown>, name: string): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & Record<string, unknown>;
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

async function rows(client: AthenaClient, id: string): Promise<(string | undefined)[][]> {
  const r = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
  return r.ResultSet!.Rows!.map((row) => row.Data!.map((d) => d.VarCharValue));
}

describe('Athena API: issue 5 rough edges', () => {
  let stack: AthenaStack;
  let acme: AthenaClient;

  before(async () => {
    stack = await startAthenaStack([{ name: 'acme' }, { name: 'globex' }], { env: { RUNLAKE_ATHENA_DEBUG: 'acme' } });
    acme = stack.athena('acme');
  });
  after(async () => {
    await stack?.stop();
  });

  it('SHOW DATABASES and SHOW SCHEMAS list the same databases as ListDatabases', async () => {
    const listed = (await acme.send(new ListDatabasesCommand({ CatalogName: 'AwsDataCatalog' }))).DatabaseList!.map((d) => d.Name).sort();
    assert.deepEqual(listed, ['acme', 'looker_scratch']);
    for (const sql of ['SHOW DATABASES', 'SHOW SCHEMAS', 'SHOW SCHEMAS FROM AwsDataCatalog']) {
      const e = await runQuery(acme, 'acme', { QueryString: sql });
      assert.equal(e.Status!.State, 'SUCCEEDED', `${sql}: ${e.Status!.StateChangeReason}`);
      assert.deepEqual((await rows(acme, e.QueryExecutionId!)).map((r) => r[0]), listed, sql);
    }
    const like = await runQuery(acme, 'acme', { QueryString: "SHOW SCHEMAS LIKE 'looker%'" });
    assert.deepEqual(await rows(acme, like.QueryExecutionId!), [['looker_scratch']]);
  });

  it("a missing table's error names it and suggests only the organization's own relations (Athena and pgwire)", async () => {
    const reasons = new Map<string, string>();
    for (const sql of ['SELECT * FROM pg_tablez', 'SELECT * FROM processe', 'SELECT * FROM acme.information_schem']) {
      const e = await runQuery(acme, 'acme', { QueryString: sql });
      assert.equal(e.Status!.State, 'FAILED', sql);
      const reason = e.Status!.StateChangeReason ?? '';
      assert.equal(e.Status!.AthenaError?.ErrorType, 1301, `${sql}: TABLE_NOT_FOUND, got ${JSON.stringify(e.Status!.AthenaError)} ${reason}`);
      assert.match(reason, /does not exist/, sql);
      assert.doesNotMatch(reason, /pg_tables|information_schema\b|duckdb_/i, `${sql}: ${reason}`);
      reasons.set(sql, reason);
    }
    // A hint survives only when it names one of the organization's own relations.
    assert.doesNotMatch(reasons.get('SELECT * FROM pg_tablez')!, /Did you mean/);
    assert.match(reasons.get('SELECT * FROM processe')!, /Did you mean "processes"\?/);

    const pgPort = Number(/PostgreSQL wire: +[^:]+:(\d+)/.exec(stack.server.output())?.[1]);
    assert.ok(pgPort > 0, `the server reports its pgwire port:\n${stack.server.output()}`);
    const key = stack.keys.acme!;
    const c = new pg.Client({ host: '127.0.0.1', port: pgPort, database: 'acme', user: key.accessKeyId, password: key.secretAccessKey, ssl: { ca: stack.ca } });
    await c.connect();
    try {
      await assert.rejects(c.query('SELECT * FROM pg_tablez'), (err: Error & { code?: string }) => {
        assert.equal(err.code, '42P01', err.message);
        assert.doesNotMatch(err.message, /Did you mean|pg_tables/, err.message);
        return true;
      });
    } finally {
      await c.end();
    }
  });

  it('refuses a ? placeholder without ExecutionParameters at submit time, as Athena does', async () => {
    const start = (input: { QueryString: string; ExecutionParameters?: string[] }) =>
      acme.send(new StartQueryExecutionCommand({ QueryExecutionContext: { Database: 'acme' }, ResultConfiguration: { OutputLocation: 's3://runlake-results/acme/' }, ...input }));
    const none = await rejectsWith(start({ QueryString: 'SELECT count(*) FROM processes WHERE name = ?' }), 'InvalidRequestException');
    assert.equal(none.AthenaErrorCode, 'INVALID_INPUT');
    assert.match(none.message, /1 parameter placeholder \(\?\) but no ExecutionParameters were sent/);
    assert.match(none.message, /Incorrect number of parameters: expected 1 but found 0/);
    const few = await rejectsWith(start({ QueryString: 'SELECT ?, ?', ExecutionParameters: ['1'] }), 'InvalidRequestException');
    assert.match(few.message, /2 parameter placeholders \(\?\) but 1 ExecutionParameter was sent/);
    // A ? inside a string is no placeholder; values with no ? are ignored (Athena's behaviour).
    const quoted = await runQuery(acme, 'acme', { QueryString: "SELECT 'why?' AS q" });
    assert.equal(quoted.Status!.State, 'SUCCEEDED', quoted.Status!.StateChangeReason);
    assert.deepEqual((await rows(acme, quoted.QueryExecutionId!))[1], ['why?']);
    const filled = await runQuery(acme, 'acme', { QueryString: 'SELECT ? + 1 AS n', ExecutionParameters: ['41'] });
    assert.deepEqual((await rows(acme, filled.QueryExecutionId!))[1], ['42']);
  });

  it('stages the CSV and .metadata before SUCCEEDED: both are readable over S3 at once', async () => {
    const s3 = stack.s3('acme');
    for (let i = 0; i < 5; i++) {
      const e = await runQuery(acme, 'acme', { QueryString: `SELECT ${i} AS n, 'x' AS s` });
      assert.equal(e.Status!.State, 'SUCCEEDED');
      const csv = s3Location(e.ResultConfiguration!.OutputLocation!);
      const body = await (await s3.send(new GetObjectCommand(csv))).Body!.transformToString();
      assert.equal(body, `"n","s"\n"${i}","x"\n`);
      const meta = await (await s3.send(new GetObjectCommand({ ...csv, Key: `${csv.Key}.metadata` }))).Body!.transformToByteArray();
      assert.ok(meta.length > 0);
    }
  });

  it('a result file torn by a machine crash (written without syncs) reads as missing, never as fewer rows', async () => {
    const e = await runQuery(acme, 'acme', { QueryString: 'SELECT n FROM UNNEST(sequence(1, 100)) AS t(n)' });
    assert.equal(e.Status!.State, 'SUCCEEDED');
    const file = join(stack.dataDir, 'lake', 'orgs', 'acme', 'athena-results', `${e.QueryExecutionId}.csv`);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, 40)); // what a power loss may leave: a prefix
    const err = await rejectsWith(acme.send(new GetQueryResultsCommand({ QueryExecutionId: e.QueryExecutionId })), 'InvalidRequestException');
    assert.equal(err.AthenaErrorCode, 'RESULT_NOT_FOUND');
    assert.match(err.message, /missing or incomplete; run the query again/);
    writeFileSync(file, whole);
    assert.equal((await rows(acme, e.QueryExecutionId!)).length, 101);
  });

  it('logs every request of a key the operator listed (RUNLAKE_ATHENA_DEBUG) and nothing of others', async () => {
    const ok = await runQuery(acme, 'acme', { QueryString: "SELECT 'debug me' AS marker" });
    const failed = await runQuery(acme, 'acme', { QueryString: 'SELECT * FROM no_such_table' });
    await rejectsWith(acme.send(new StartQueryExecutionCommand({ QueryString: 'SELECT ?', QueryExecutionContext: { Database: 'acme' } })), 'InvalidRequestException');
    await runQuery(stack.athena('globex'), 'globex', { QueryString: "SELECT 'not logged' AS marker" });

    const dir = join(stack.dataDir, 'logs', 'athena');
    const files = readdirSync(dir);
    assert.equal(files.length, 1, `one log, for acme's key: ${files.join(', ')}`);
    assert.match(files[0]!, new RegExp(`^\\d{4}-\\d{2}-\\d{2}-acme-${stack.keys.acme!.accessKeyId}\\.log$`));
    const text = readFileSync(join(dir, files[0]!), 'utf8');
    const lines = text.trim().split('\n');
    assert.ok(lines.every((l) => /^\d{4}-\d{2}-\d{2}T\S+Z (request|response|failed) /.test(l)), text);
    assert.ok(lines.some((l) => / request op=StartQueryExecution .*QueryString="SELECT 'debug me' AS marker"/.test(l)), text);
    assert.ok(lines.some((l) => l.includes(` response op=StartQueryExecution `) && l.includes(`QueryExecutionId=${ok.QueryExecutionId}`)), text);
    assert.ok(lines.some((l) => l.includes(' response op=GetQueryExecution ') && l.includes(ok.QueryExecutionId!) && l.includes('State=SUCCEEDED')), text);
    assert.ok(lines.some((l) => l.includes(' response op=GetQueryExecution ') && l.includes(failed.QueryExecutionId!) && l.includes('State=FAILED') && l.includes('no_such_table')), text);
    assert.ok(lines.some((l) => / failed op=StartQueryExecution .*status=400 .*error=InvalidRequestException .*ExecutionParameters/.test(l)), text);
    assert.ok(!text.includes('not logged'), 'globex is not logged');
    assert.ok(!text.includes(stack.keys.acme!.secretAccessKey), 'no secret in the log');
  });
});
