/**
 * Every generated dimension, measure, explore join, dashboard tile, the PDT and the datagroup
 * trigger run without error against a fresh demo organization:
 * - the PostgreSQL-dialect project through pgwire on a real `runlake serve` (node-postgres, TLS);
 * - the Athena-dialect project through the query service's Trino dialect (in process);
 * - the Athena-dialect project through the Athena API with @aws-sdk/client-athena, when this
 *   build has the Athena listener (skipped, saying so, when it does not).
 * The datagroup trigger changes when a new snapshot is published.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Agent } from 'node:https';
import type { ConnectionFile } from '../../src/app/connection-file.ts';
import { EngineTimestamp } from '../../src/engine/engine.ts';
import { processDoc } from '../support/docs.ts';
import { runCli, startServe, type ServerProcess } from '../support/server.ts';
import { checkProject, type ProjectReport, type Run } from './support/check-project.ts';
import type { LkModel } from './support/looker-sql.ts';
import { parseProject, type ParsedProject } from './support/project.ts';
import { athenaEndpointOf, makeDemo, openTrinoService, pgClient, pgPortOf, waitForBanner, type TrinoService } from './support/stack.ts';

type Model = NonNullable<ParsedProject['model']>[string];

const currentVersion = (dataDir: string, org: string): number => (JSON.parse(readFileSync(join(dataDir, 'lake', 'orgs', org, 'CURRENT'), 'utf8')) as { version: number }).version;

function assertClean(r: ProjectReport, what: string): void {
  assert.deepEqual(r.failures, [], `${what}: ${r.failures.length} failures:\n\n${r.failures.join('\n\n')}`);
  assert.ok(r.checked.dimensions > 300 && r.checked.measures > 80, `${what}: checked ${JSON.stringify(r.checked)}`);
  assert.equal(r.checked.explores, 11);
  const gapTiles = r.gaps.filter((g) => g.startsWith('dashboard ')).length;
  assert.equal(r.checked.tiles + gapTiles, 11, `${what}: tiles ${r.checked.tiles} run, ${gapTiles} in a known gap`);
  assert.deepEqual(r.emptyTiles, [], `${what}: tiles without rows on the demo data`);
}

describe('generated LookML SQL runs against a demo organization', () => {
  let dir: string;
  let dataDir: string;
  let conn: ConnectionFile;
  let server: ServerProcess;
  let trino: TrinoService;
  const models: Partial<Record<'athena' | 'postgres', Model>> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-bi-sql-'));
    dataDir = join(dir, 'data');
    conn = await makeDemo(dataDir, 60);
    for (const dialect of ['athena', 'postgres'] as const) {
      const out = join(dir, `lookml-${dialect}`);
      const r = await runCli(['lookml', '--data-dir', dataDir, '--org', 'acme', '--dialect', dialect, '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`wrote \\d+ files of the ${dialect} Looker project for acme`));
      const parsed = await parseProject(out);
      assert.equal(parsed.errors, undefined);
      models[dialect] = parsed.model!.runlake_acme!;
    }
    trino = await openTrinoService(dataDir, join(dir, 'copy'), 'acme');
    server = await startServe(dataDir, ['--https-port', '0']);
    await waitForBanner(server);
  });
  after(async () => {
    await trino?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const acme = () => conn.orgs.find((o) => o.name === 'acme')!;

  it('PostgreSQL dialect through pgwire (node-postgres): fields, explores, tiles, PDT, datagroup', async () => {
    const client = pgClient(dataDir, pgPortOf(server), acme());
    await client.connect();
    try {
      const run: Run = async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
      const report = await checkProject(models.postgres as LkModel, 'postgres', run, {
        build: async (sql) => {
          await client.query(`CREATE TABLE looker_scratch.lr_bi_test_pdt AS ${sql}`);
          return 'looker_scratch.lr_bi_test_pdt';
        },
        drop: async (t) => void (await client.query(`DROP TABLE ${t}`)),
      });
      assertClean(report, 'postgres');
      assert.equal(Number(report.triggerValue), currentVersion(dataDir, 'acme'), 'the trigger reads the live snapshot version');
    } finally {
      await client.end();
    }
  });

  it("Athena dialect through the query service's Trino dialect: fields, explores, tiles, PDT, datagroup", async () => {
    const run: Run = async (sql) => (await trino.run(sql)) as unknown[][];
    const report = await checkProject(models.athena as LkModel, 'athena', run, {
      build: async (sql) => {
        await trino.run(`CREATE TABLE looker_scratch.lr_bi_test_pdt WITH (format = 'PARQUET', write_compression = 'SNAPPY') AS ${sql}`);
        return 'looker_scratch.lr_bi_test_pdt';
      },
      drop: async (t) => void (await trino.run(`DROP TABLE ${t}`)),
    });
    assertClean(report, 'athena/trino');
    assert.equal(Number(report.triggerValue), currentVersion(dataDir, 'acme'));
  });

  it('Athena dialect through the Athena API (@aws-sdk/client-athena)', async () => {
    const endpoint = athenaEndpointOf(server);
    assert.ok(endpoint, `runlake serve prints its Athena endpoint:\n${server.output()}`);
    const { AthenaClient, StartQueryExecutionCommand, GetQueryExecutionCommand, GetQueryResultsCommand } = await import('@aws-sdk/client-athena');
    const org = acme();
    const client = new AthenaClient({
      region: conn.athena.region,
      endpoint,
      credentials: { accessKeyId: org.access_key_id, secretAccessKey: org.secret_access_key },
      requestHandler: { httpsAgent: new Agent({ ca: readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8') }) },
    });
    const run: Run = async (sql) => {
      const started = await client.send(new StartQueryExecutionCommand({
        QueryString: sql, WorkGroup: org.workgroup, QueryExecutionContext: { Database: org.database, Catalog: 'AwsDataCatalog' },
        ResultConfiguration: { OutputLocation: org.output_location },
      }));
      const id = started.QueryExecutionId!;
      for (;;) {
        const s = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status;
        if (s?.State === 'SUCCEEDED') break;
        if (s?.State === 'FAILED' || s?.State === 'CANCELLED') throw new Error(s.StateChangeReason ?? s.State);
        await new Promise((r) => setTimeout(r, 50));
      }
      const rows: unknown[][] = [];
      let token: string | undefined;
      let first = true;
      do {
        const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
        const data = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
        rows.push(...(first ? data.slice(1) : data)); // the first row of the first page is the header
        first = false;
        token = page.NextToken;
      } while (token);
      return rows;
    };
    try {
      const report = await checkProject(models.athena as LkModel, 'athena', run, {
        build: async (sql) => {
          await run(`CREATE TABLE looker_scratch.lr_bi_test_pdt_api WITH (format = 'PARQUET', write_compression = 'SNAPPY') AS ${sql}`);
          return 'looker_scratch.lr_bi_test_pdt_api';
        },
        drop: async (tbl) => void (await run(`DROP TABLE ${tbl}`)),
      });
      assertClean(report, 'athena API');
      assert.equal(Number(report.triggerValue), currentVersion(dataDir, 'acme'));
    } finally {
      client.destroy();
    }
  });

  it('the datagroup trigger changes when a new snapshot is published, and only then', async () => {
    const trigger = (models.postgres!.datagroup!.runlake_snapshot!.sql_trigger ?? '').trim();
    const client = pgClient(dataDir, pgPortOf(server), acme());
    await client.connect();
    try {
      const value = async () => Number((await client.query({ text: trigger, rowMode: 'array' })).rows[0][0]);
      const before = await value();
      assert.equal(await value(), before, 'stable while nothing is published');
      const published = (await client.query({ text: 'SELECT published_at FROM lake_snapshot', rowMode: 'array' })).rows[0][0];
      assert.ok(published instanceof Date, 'published_at is a timestamp');
      const ingest = await fetch(`${server.info.httpUrl}/ingest/v1/orgs/acme/processes`, {
        method: 'POST', headers: { authorization: `Bearer ${conn.ingest.token}`, 'content-type': 'application/json' },
        body: JSON.stringify([processDoc('bi-trigger-1', { month: '2026-01' })]),
      });
      assert.equal(ingest.status < 300, true, await ingest.text());
      const pub = await fetch(`${server.info.httpUrl}/admin/v1/orgs/acme/publish`, { method: 'POST', headers: { authorization: `Bearer ${server.info.adminToken}` } });
      assert.equal(pub.status, 200, `${await pub.text()}\n${server.output().slice(-2000)}`);
      let after = before;
      for (let i = 0; i < 100 && after === before; i++) {
        await new Promise((r) => setTimeout(r, 50));
        after = await value();
      }
      assert.equal(after, currentVersion(dataDir, 'acme'));
      assert.ok(after > before, `the trigger moved from ${before} to ${after}`);
    } finally {
      await client.end();
    }
  });

  it('lake_snapshot through the Trino dialect has the same version and a UTC timestamp', async () => {
    const rows = await trino.run('SELECT organization_id, snapshot_version, published_at FROM lake_snapshot');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]![0], 'acme');
    assert.ok(rows[0]![2] instanceof EngineTimestamp);
  });
});
