/**
 * The Athena listener started in-process over a real query stack (DuckDB engine, SQLite control
 * plane, local lake), for what needs the listener's options: API rate limits per access key
 * (ThrottlingException "Rate exceeded", which the SDK surfaces once its retries are spent) and
 * executions surviving a restart (status and results come back from the object store and the
 * query history; paging tokens of the old process are refused with a clear message).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListDataCatalogsCommand,
  ListDatabasesCommand,
} from '@aws-sdk/client-athena';
import { loadOrCreateTls } from '../../src/app/tls.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { startAthenaListener, type AthenaListener } from '../../src/protocols/athena/listener.ts';
import { DEFAULT_RATES } from '../../src/protocols/athena/throttle.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { openStack, type Stack } from '../service/helpers.ts';
import { REGION, runQuery, type Key } from './support.ts';

describe('Athena listener in-process: rate limits and restarts', () => {
  let stack: Stack;
  let listener: AthenaListener;
  let ca: string;
  let keys: Record<string, Key>;
  const agents: Agent[] = [];

  const listen = async () => {
    const tls = await loadOrCreateTls(stack.dir, {});
    ca = tls.cert;
    return startAthenaListener({
      service: stack.service,
      store: new LocalObjectStore(join(stack.dir, 'lake')),
      directory: {
        resolveAccessKey: (id) => stack.control.admin.resolveAccessKey(id),
        getOrg: (name) => stack.control.store.getOrg(name),
      },
      region: REGION,
      scratchSchema: 'looker_scratch',
      tmpDir: join(stack.dir, 'tmp'),
      tls: { key: tls.key, cert: tls.cert },
      host: '127.0.0.1',
      port: 0,
      log: silentLogger,
      // Three metadata calls per key, refilled far slower than the test runs.
      rates: { ...DEFAULT_RATES, metadata: { perSecond: 0.001, burst: 3 } },
    });
  };
  const client = (org: string, maxAttempts = 1) => {
    const agent = new Agent({ ca });
    agents.push(agent);
    return new AthenaClient({ region: REGION, endpoint: `https://127.0.0.1:${listener.port}`, credentials: keys[org]!, requestHandler: { httpsAgent: agent }, maxAttempts });
  };

  before(async () => {
    stack = await openStack([{ name: 'acme' }, { name: 'globex' }]);
    keys = { acme: await stack.control.admin.createAccessKey('acme'), globex: await stack.control.admin.createAccessKey('globex') };
    listener = await listen();
  });
  after(async () => {
    for (const a of agents) a.destroy();
    await listener?.close();
    await stack?.close();
  });

  it('answers ThrottlingException "Rate exceeded" once an access key has used its burst; other keys keep theirs', async () => {
    const acme = client('acme');
    for (let i = 0; i < 3; i++) await acme.send(new ListDataCatalogsCommand({}));
    await assert.rejects(acme.send(new ListDatabasesCommand({ CatalogName: 'AwsDataCatalog' })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'ThrottlingException');
      assert.equal(e.message, 'Rate exceeded');
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    });
    // The SDK retries throttling errors: with retries the call still fails (the bucket stays empty), after every attempt.
    await assert.rejects(client('acme', 3).send(new ListDataCatalogsCommand({})), (e: Error & { $metadata?: { attempts?: number } }) => {
      assert.equal(e.name, 'ThrottlingException');
      assert.equal(e.$metadata?.attempts, 3);
      return true;
    });
    const globex = client('globex');
    assert.equal((await globex.send(new ListDataCatalogsCommand({}))).DataCatalogsSummary!.length, 1);
    // Query calls have their own bucket.
    const e = await runQuery(acme, 'acme', { QueryString: 'SELECT 1 AS one' });
    assert.equal(e.Status!.State, 'SUCCEEDED');
  });

  it('keeps executions across a restart: status and results are read back; old paging tokens are refused clearly', async () => {
    let acme = client('acme');
    const e = await runQuery(acme, 'acme', { QueryString: 'SELECT x FROM UNNEST(sequence(1, 30)) AS t(x) ORDER BY x' });
    assert.equal(e.Status!.State, 'SUCCEEDED');
    const first = await acme.send(new GetQueryResultsCommand({ QueryExecutionId: e.QueryExecutionId, MaxResults: 10 }));
    assert.ok(first.NextToken);

    await listener.close();
    await stack.reopen();
    listener = await listen();
    acme = client('acme');

    const after = (await acme.send(new GetQueryExecutionCommand({ QueryExecutionId: e.QueryExecutionId }))).QueryExecution!;
    assert.equal(after.Status!.State, 'SUCCEEDED');
    assert.equal(after.ResultConfiguration!.OutputLocation, e.ResultConfiguration!.OutputLocation);
    await assert.rejects(acme.send(new GetQueryResultsCommand({ QueryExecutionId: e.QueryExecutionId, NextToken: first.NextToken })), /NextToken is not valid .*the server restarted/);
    const rows: string[] = [];
    let token: string | undefined;
    do {
      const p = await acme.send(new GetQueryResultsCommand({ QueryExecutionId: e.QueryExecutionId, MaxResults: 7, ...(token ? { NextToken: token } : {}) }));
      rows.push(...p.ResultSet!.Rows!.map((r) => r.Data![0]!.VarCharValue!));
      token = p.NextToken;
    } while (token);
    assert.deepEqual(rows, ['x', ...Array.from({ length: 30 }, (_, i) => String(i + 1))]);
  });
});
