/**
 * bench/athena — end-to-end latency of the dashboard queries through the Athena-compatible API, as
 * an AWS SDK v3 client sees it (not a test; prints a table).
 *
 *   npm run bench:athena -- --data-dir DIR [--processes 1000000] [--runs 15] [--poll-ms 100] [--only small]
 *
 * Each measurement is what a client does: StartQueryExecution → GetQueryExecution until a final
 * state (the first poll right away, then every `--poll-ms`, the JDBC 3.x driver's minimum
 * interval; PyAthena's default is 1 s) → GetQueryResults pages of 1,000 until no NextToken. Over
 * HTTPS with SigV4 against a real `runlake serve` child on DIR, keep-alive connections, the
 * generated certificate trusted.
 *
 * Per dashboard query (src/catalog/dashboards.ts; `--only small`: the small one), and `SELECT 1`
 * for the API's own cost:
 * - cold: the result cache cannot answer (each run's SQL differs by a subquery alias);
 * - cached: the same SQL again (the result cache answers);
 * - the floor: the same SQL, translated by Runlake's Trino front-end, on in-process DuckDB over
 *   the same Parquet files with the same views (as bench/query);
 * - how often the first GetQueryExecution already saw the final state (else the client sleeps).
 * Amazon Athena's own latency for such queries is 1–3 s (its published figures), for reference.
 *
 * The organization `bench` in DIR is built first when it has no snapshot (as bench/query does;
 * pass bench/query's DIR to reuse its data, while nothing else serves that DIR).
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { exitWithUsageOnHelp } from './lib/usage.ts';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLocalAdmin } from '../src/app/admin-client.ts';
import { DASHBOARD_QUERIES } from '../src/catalog/dashboards.ts';
import { analyticViewsSql, tableViewsSql } from '../src/catalog/snapshot-views.ts';
import { loadConfig } from '../src/config/config.ts';
import type { TableName } from '../src/schema/index.ts';
import { TRINO_MACROS } from '../src/sql/trino/macros.ts';
import { translateTrino } from '../src/sql/trino/translate.ts';
import { startServe } from '../test/support/server.ts';
import { BENCH_ORG, BENCH_TZ, ensureBenchOrg } from './lib/bench-org.ts';
import { fmt, log, ms, now, percentile } from './lib/stats.ts';

exitWithUsageOnHelp(import.meta.url);
const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: join(tmpdir(), 'runlake-bench-query') },
    processes: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '15' },
    'poll-ms': { type: 'string', default: '100' },
    only: { type: 'string' },
  },
});
const dataDir = args['data-dir']!;
const RUNS = Number(args.runs);
const POLL_MS = Number(args['poll-ms']);
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

const config = loadConfig({ dataDir }, {});
const { manifest, store } = await ensureBenchOrg(config, Number(args.processes));
const processes = manifest.tables.processes.reduce((x, f) => x + f.rows, 0);

// A key for this run, revoked at the end; created before the server opens the control plane.
const admin = await openLocalAdmin(config);
const key = await admin.admin.createAccessKey(BENCH_ORG, 'bench/athena');
await admin.close();

// ---- the server and the client ---------------------------------------------------------------
log(`starting runlake serve on ${dataDir} …`);
const server = await startServe(dataDir, ['--publish-interval', '60000']);
let endpoint: string | undefined; // the banner may arrive just after server.json (what startServe waits for)
for (let i = 0; i < 200 && !(endpoint = /Athena API: +(https:\/\/\S+)/.exec(server.output())?.[1]); i++) await sleep(50);
if (!endpoint) throw new Error(`the server did not report its Athena endpoint:\n${server.output()}`);
const agent = new Agent({ ca: readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8'), keepAlive: true });
const client = new AthenaClient({ region: config.region, endpoint, credentials: key, requestHandler: { httpsAgent: agent } });

interface Run {
  ms: number;
  polls: number;
  rows: number;
}

/** One query the way a client runs it; throws unless it SUCCEEDED. */
async function viaApi(sql: string): Promise<Run> {
  const t0 = now();
  const { QueryExecutionId } = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      QueryExecutionContext: { Database: BENCH_ORG, Catalog: 'AwsDataCatalog' },
      ResultConfiguration: { OutputLocation: `s3://runlake-results/${BENCH_ORG}/` },
      WorkGroup: BENCH_ORG,
    }),
  );
  let polls = 0;
  for (;;) {
    polls++;
    const e = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution!;
    const state = e.Status?.State ?? '';
    if (FINAL.has(state)) {
      if (state !== 'SUCCEEDED') throw new Error(`${state}: ${e.Status?.StateChangeReason ?? ''}\n${sql}`);
      break;
    }
    await sleep(POLL_MS);
  }
  let rows = 0;
  let token: string | undefined;
  do {
    const page: GetQueryResultsCommandOutput = await client.send(new GetQueryResultsCommand({ QueryExecutionId, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
    rows += page.ResultSet?.Rows?.length ?? 0;
    token = page.NextToken;
  } while (token);
  return { ms: now() - t0, polls, rows: Math.max(0, rows - 1) }; // the first page starts with the header row
}

// ---- the floor: in-process DuckDB on the same files (as bench/query) --------------------------
const duck = await DuckDBInstance.create(':memory:', { threads: String(config.engine.threads) });
const floor = await duck.connect();
await floor.run(`SET TimeZone = 'UTC'`);
for (const m of TRINO_MACROS) await floor.run(m);
for (const sql of tableViewsSql((t: TableName) => manifest.tables[t].map((f) => store.localPath(f.key)))) await floor.run(sql);
for (const sql of analyticViewsSql(BENCH_TZ).sql) await floor.run(sql);
async function viaFloor(sql: string): Promise<number> {
  const t0 = now();
  const r = await floor.stream(translateTrino(sql, { database: BENCH_ORG }).sql);
  while ((await r.fetchChunk())?.rowCount) {
    // drain
  }
  return now() - t0;
}

// ---- measure ---------------------------------------------------------------------------------
const queries = [
  { dashboard: 'api', name: 'SELECT 1 (API cost only)', sql: 'SELECT 1' },
  ...DASHBOARD_QUERIES.filter((q) => args.only !== 'small' || q.name.includes('(small)')),
];
let unique = 0;
/** The same query, but text the result cache has not seen (a fresh subquery alias). */
const uncachedText = (sql: string) => `SELECT * FROM (${sql}) AS bench_run_${++unique}`;

log(`running ${queries.length} queries × ${RUNS} (cold, cached, floor) …`);
const lines = [
  '| query | rows | DuckDB in-process p50, ms | API cold p50 / p95, ms | API cached p50 / p95, ms | first poll final, cold / cached |',
  '|---|---|---|---|---|---|',
];
/** Runs every query cold, cached and on the floor, and prints the table. */
async function measure(): Promise<void> {
  const summary = { coldSmall: [] as number[], cached: [] as number[] };
  for (const q of queries) {
    await viaFloor(q.sql);
    await viaApi(uncachedText(q.sql));
    const floorMs: number[] = [];
    const cold: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      floorMs.push(await viaFloor(q.sql));
      cold.push(await viaApi(uncachedText(q.sql)));
    }
    await viaApi(q.sql); // prime the cache
    const cached: Run[] = [];
    for (let i = 0; i < RUNS; i++) cached.push(await viaApi(q.sql));
    const p = (runs: Run[], pct: number) => percentile(runs.map((r) => r.ms), pct);
    const first = (runs: Run[]) => `${Math.round((runs.filter((r) => r.polls === 1).length / runs.length) * 100)}%`;
    lines.push(
      `| ${q.dashboard}: ${q.name} | ${fmt(cold[0]!.rows)} | ${ms(percentile(floorMs, 50))} | ${ms(p(cold, 50))} / ${ms(p(cold, 95))} | ` +
        `${ms(p(cached, 50))} / ${ms(p(cached, 95))} | ${first(cold)} / ${first(cached)} |`,
    );
    if (percentile(floorMs, 50) < 50) summary.coldSmall.push(p(cold, 50));
    summary.cached.push(p(cached, 50));
    log(`  ${q.name}: floor ${ms(percentile(floorMs, 50))} ms, cold ${ms(p(cold, 50))} ms, cached ${ms(p(cached, 50))} ms, first poll final ${first(cold)} / ${first(cached)}`);
  }

  console.log(`\nbench/athena — ${new Date().toISOString()}, ${fmt(processes)} processes, ${RUNS} runs each, poll interval ${POLL_MS} ms\n`);
  console.log(lines.join('\n'));
  console.log(
    `\nsmall queries (floor < 50 ms), cold p50: ${summary.coldSmall.map(ms).join(', ')} ms; ` +
      `cached p50: ${ms(Math.min(...summary.cached))}–${ms(Math.max(...summary.cached))} ms; Amazon Athena: 1,000–3,000 ms`,
  );
}

try {
  await measure();
} finally {
  // ---- clean up ------------------------------------------------------------------------------
  client.destroy();
  agent.destroy();
  floor.closeSync();
  duck.closeSync();
  await server.stop();
  const cleanup = await openLocalAdmin(config);
  await cleanup.admin.revokeAccessKey(BENCH_ORG, key.accessKeyId).catch(() => {});
  await cleanup.close();
}
process.exit(0);
