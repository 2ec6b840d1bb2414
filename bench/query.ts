/**
 * bench/query — the dashboard queries through the query service, against in-process DuckDB on
 * the same Parquet files (the floor), plus the cached repeat (not a test; prints a table).
 *
 *   npm run bench:query -- --data-dir DIR [--processes 1000000] [--runs 15]
 *
 * The organization `bench` in DIR is built first if it has no published snapshot (the same
 * generate → ingest → publish path as bench/ingest; keep DIR to reuse it).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { exitWithUsageOnHelp } from './lib/usage.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../src/config/config.ts';
import { openLocalAdmin } from '../src/app/admin-client.ts';
import { LakeRuntime } from '../src/app/lake-runtime.ts';
import { IngestService } from '../src/ingest/ingest-service.ts';
import { generateDemo } from '../src/ingest/demo/generator.ts';
import { LocalObjectStore } from '../src/lake/local-store.ts';
import { readCurrentManifest } from '../src/lake/manifest-store.ts';
import { DuckDBEngine } from '../src/engine/duckdb/engine.ts';
import { QueryService } from '../src/service/query-service.ts';
import { translateTrino } from '../src/sql/trino/translate.ts';
import { TRINO_MACROS } from '../src/sql/trino/macros.ts';
import { DASHBOARD_QUERIES } from '../src/catalog/dashboards.ts';
import { analyticViewsSql, tableViewsSql } from '../src/catalog/snapshot-views.ts';
import type { TableName } from '../src/schema/index.ts';
import { silentLogger } from '../src/util/logger.ts';
import { fmt, log, ms, now, percentile } from './lib/stats.ts';

exitWithUsageOnHelp(import.meta.url);
const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: join(tmpdir(), 'runlake-bench-query') },
    processes: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '15' },
  },
});
const dataDir = args['data-dir']!;
const N = Number(args.processes);
const RUNS = Number(args.runs);
const ORG = 'bench';
const TZ = 'America/New_York';

const config = loadConfig({ dataDir }, {});
const control = await openLocalAdmin(config);
if (!(await control.store.getOrg(ORG))) await control.admin.createOrg({ name: ORG, timezone: TZ });
const store = new LocalObjectStore(join(dataDir, 'lake'));

// ---- the organization ------------------------------------------------------------------------
if (!(await readCurrentManifest(store, ORG))) {
  log(`building organization ${ORG} with ${fmt(N)} processes in ${dataDir} (kept for the next run) …`);
  const runtime = await LakeRuntime.open({ config, store, log: silentLogger });
  const ingest = new IngestService({ getOrg: (n) => control.store.getOrg(n) }, runtime);
  const demo = generateDemo({ org: ORG, processes: N, now: new Date() });
  await ingest.ingest(ORG, 'member', demo.members);
  let batch: unknown[] = [];
  for (const p of demo.processes()) {
    batch.push(p);
    if (batch.length === 1000) {
      await ingest.ingest(ORG, 'process', batch);
      batch = [];
    }
  }
  if (batch.length) await ingest.ingest(ORG, 'process', batch);
  await runtime.publish(ORG);
  await runtime.close();
}
const manifest = (await readCurrentManifest(store, ORG))!;

// ---- the floor: in-process DuckDB on the same files ------------------------------------------
const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
const floor = await duck.connect();
await floor.run(`SET TimeZone = 'UTC'`);
for (const m of TRINO_MACROS) await floor.run(m);
for (const sql of tableViewsSql((t: TableName) => manifest.tables[t].map((f) => store.localPath(f.key)))) await floor.run(sql);
for (const sql of analyticViewsSql(TZ).sql) await floor.run(sql);

// ---- the service -----------------------------------------------------------------------------
const engine = new DuckDBEngine({ store, dataDir, scratchSchema: config.scratchSchema, log: silentLogger, timezoneOf: async () => TZ });
const uncached = new QueryService({ engine, control: control.store, log: silentLogger, cache: false });
const cached = new QueryService({ engine, control: control.store, log: silentLogger });
await uncached.start();
await cached.start();
const principal = { org: ORG, name: 'bench' };

async function viaService(service: QueryService, sql: string): Promise<number> {
  const t0 = now();
  const q = await service.submit({ principal, protocol: 'http', dialect: 'trino', sql });
  for await (const chunk of q.rows()) void chunk;
  return now() - t0;
}
async function viaFloor(sql: string): Promise<number> {
  const t0 = now();
  const r = await floor.stream(translateTrino(sql, { database: ORG }).sql);
  while ((await r.fetchChunk())?.rowCount) {
    // drain
  }
  return now() - t0;
}

log(`running ${DASHBOARD_QUERIES.length} dashboard queries × ${RUNS} …`);
const lines = [
  '| query | DuckDB in-process p50 / p95, ms | Runlake service p50 / p95, ms | overhead at p50 | cached repeat p50, ms |',
  '|---|---|---|---|---|',
];
for (const q of DASHBOARD_QUERIES) {
  await viaFloor(q.sql); // warm both
  await viaService(uncached, q.sql);
  const f: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    f.push(await viaFloor(q.sql));
    s.push(await viaService(uncached, q.sql));
  }
  await viaService(cached, q.sql);
  const c: number[] = [];
  for (let i = 0; i < RUNS; i++) c.push(await viaService(cached, q.sql));
  const fp = percentile(f, 50);
  const sp = percentile(s, 50);
  const over = sp - fp;
  lines.push(`| ${q.dashboard}: ${q.name} | ${ms(fp)} / ${ms(percentile(f, 95))} | ${ms(sp)} / ${ms(percentile(s, 95))} | ${ms(over)} ms (${((over / fp) * 100).toFixed(0)}%) | ${ms(percentile(c, 50))} |`);
  log(`  ${q.name}: floor ${ms(fp)} ms, service ${ms(sp)} ms`);
}
console.log(`\nbench/query — ${new Date().toISOString()}, ${fmt(manifest.tables.processes.reduce((x, f) => x + f.rows, 0))} processes, ${RUNS} runs each\n`);
console.log(lines.join('\n'));
floor.closeSync();
duck.closeSync();
await uncached.close();
await cached.close();
await engine.close();
await control.close();
process.exit(0);
