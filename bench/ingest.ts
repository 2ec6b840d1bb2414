/**
 * bench/ingest — the write path at scale (not a test; prints a table).
 *
 *   npm run bench:ingest -- [--processes 1000000] [--rate 200] [--seconds 60] [--interval 1000] [--data-dir DIR]
 *
 * 1. Ingest: N generated process snapshots through the real ingest service (validation, durable
 *    staging in batches of 1000), then one full publish to Snappy Parquet. Reports rows/s.
 * 2. Floor: the same rows, already in DuckDB tables in memory, written with `COPY … TO parquet`
 *    (Snappy, partitioned the same way): the fastest a Parquet writer on this machine can go.
 * 3. Freshness: a steady stream of `--rate` process snapshots per second (updates to running
 *    processes and new ones) for `--seconds`, with the scheduled publisher on; for each batch, the
 *    time from its acknowledgement to the commit of the first snapshot that contains it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
import { TABLES, type ProcessSnapshot, type TableName } from '../src/schema/index.ts';
import { silentLogger } from '../src/util/logger.ts';

exitWithUsageOnHelp(import.meta.url);
const { values: args } = parseArgs({
  options: {
    processes: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    interval: { type: 'string', default: '1000' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.processes);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const dataDir = args['data-dir'] ?? mkdtempSync(join(tmpdir(), 'runlake-bench-ingest-'));
const ORG = 'bench';
const BATCH = 1000;

const t = () => performance.now();
/** CPU time of this process (all threads: the main thread and DuckDB's), ms. On a shared machine this moves less than wall time. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const log = (s: string) => process.stderr.write(`${s}\n`);

const config = loadConfig({ dataDir, publishInterval: args.interval }, {});
const control = await openLocalAdmin(config);
if (!(await control.store.getOrg(ORG))) await control.admin.createOrg({ name: ORG });
const store = new LocalObjectStore(join(dataDir, 'lake'));
const runtime = await LakeRuntime.open({ config, store, log: silentLogger, schedule: false });
const ingest = new IngestService({ getOrg: (n) => control.store.getOrg(n) }, runtime);

// ---- 1. ingest + publish ---------------------------------------------------------------------
log(`generating and ingesting ${fmt(N)} processes into ${dataDir} …`);
const demo = generateDemo({ org: ORG, processes: N });
await ingest.ingest(ORG, 'member', demo.members);
const t0 = t();
const cpu0 = cpu();
let batch: ProcessSnapshot[] = [];
let done = 0;
let genMs = 0;
let genCpu = 0;
const it = demo.processes();
for (;;) {
  const g0 = t();
  const gc0 = cpu();
  const next = it.next();
  genMs += t() - g0;
  genCpu += cpu() - gc0;
  if (next.done) break;
  batch.push(next.value);
  if (batch.length === BATCH) {
    await ingest.ingest(ORG, 'process', batch);
    // A server handles each request as its own event-loop task; so does this loop, so that
    // background work (the row store applier) runs between batches as it would between requests.
    await new Promise((r) => setImmediate(r));
    done += batch.length;
    batch = [];
    if (done % 100_000 === 0) log(`  ${fmt(done)} ingested`);
  }
}
if (batch.length) await ingest.ingest(ORG, 'process', batch);
const ingestMs = t() - t0 - genMs;
const ingestCpu = cpu() - cpu0 - genCpu;
log('publishing …');
const p0 = t();
const pc0 = cpu();
const published = (await runtime.publish(ORG))!;
const publishMs = t() - p0;
const publishCpu = cpu() - pc0;
const rows = published.rowsWritten;
log(`  published ${fmt(rows)} rows; the publish applied ${fmt(published.caughtUp)} processes the background applier had not reached`);

// ---- 2. the floor: DuckDB COPY of the same rows ----------------------------------------------
log('floor: DuckDB COPY … TO parquet of the same rows …');
const manifest = (await readCurrentManifest(store, ORG))!;
const duck = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '12GB' });
const c = await duck.connect();
let floorMs = 0;
let floorCpu = 0;
const floorDir = join(dataDir, 'floor');
mkdirSync(floorDir, { recursive: true });
for (const def of TABLES) {
  const files = manifest.tables[def.name as TableName].map((f) => `'${store.localPath(f.key)}'`);
  if (files.length === 0) continue;
  const partitioned = def.scope === 'process';
  await c.run(`CREATE TABLE "${def.name}" AS SELECT * FROM read_parquet([${files.join(',')}]${partitioned ? ", hive_partitioning = true, hive_types = {'started_month': VARCHAR}" : ''})`);
  const f0 = t();
  const fc0 = cpu();
  await c.run(
    partitioned
      ? `COPY "${def.name}" TO '${floorDir}/${def.name}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (started_month), OVERWRITE_OR_IGNORE)`
      : `COPY "${def.name}" TO '${floorDir}/${def.name}.parquet' (FORMAT parquet, COMPRESSION snappy)`,
  );
  floorMs += t() - f0;
  floorCpu += cpu() - fc0;
  await c.run(`DROP TABLE "${def.name}"`);
}
c.closeSync();
duck.closeSync();

// ---- 3. freshness under a steady stream ------------------------------------------------------
log(`freshness: ${RATE} process snapshots/s for ${SECONDS} s, publish interval ${config.publishIntervalMs} ms …`);
await runtime.close();
const live = await LakeRuntime.open({ config, store, log: silentLogger, schedule: true });
const liveIngest = new IngestService({ getOrg: (n) => control.store.getOrg(n) }, live);
const commits: { readAt: number; committedAt: number }[] = [];
live.onPublish((r) => commits.push({ readAt: r.readAt, committedAt: Date.now() }));
// Updates go to the most recent processes (the ones still running), plus a share of new ones.
const recent: ProcessSnapshot[] = [];
{
  const tail = generateDemo({ org: ORG, processes: N });
  let i = 0;
  for (const p of tail.processes()) if (i++ >= N - 20_000) recent.push(p);
}
const acks: number[] = [];
const perTick = Math.max(1, Math.round(RATE / 10));
const start = Date.now();
let sent = 0;
let seq = 0;
while (Date.now() - start < SECONDS * 1000) {
  const tick = Date.now();
  const docs = Array.from({ length: perTick }, () => {
    seq++;
    const base = recent[(seq * 7919) % recent.length]!;
    const at = new Date(Date.parse('2026-11-01T00:00:00Z') + seq * 1000).toISOString();
    return seq % 10 === 0
      ? {
          ...base, process_id: `${base.process_id}-new${seq}`, snapshot_at: at, comments: [], issues: [],
          tasks: base.tasks?.map((x) => ({ ...x, task_id: `${x.task_id}-new${seq}` })),
          form_fields: base.form_fields?.map((f) => ({ ...f, task_id: f.task_id == null ? null : `${f.task_id}-new${seq}` })),
        }
      : { ...base, process_name: `${base.process_name} (update ${seq})`, snapshot_at: at };
  });
  await liveIngest.ingest(ORG, 'process', docs);
  acks.push(Date.now());
  sent += docs.length;
  const wait = 100 - (Date.now() - tick);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const lastAck = acks[acks.length - 1]!;
while (!commits.some((x) => x.readAt > lastAck)) await new Promise((r) => setTimeout(r, 50));
await live.close();
const latencies = acks.map((a) => commits.find((x) => x.readAt > a)!.committedAt - a).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
await control.close();

// ---- report ----------------------------------------------------------------------------------
const ingestRate = rows / ((ingestMs + publishMs) / 1000);
const floorRate = rows / (floorMs / 1000);
const table = [
  `| measure | Runlake | DuckDB COPY (floor) | ratio |`,
  `|---|---|---|---|`,
  `| processes | ${fmt(N)} | | |`,
  `| rows written (all tables) | ${fmt(rows)} | ${fmt(rows)} | |`,
  `| ingest (validate + durable staging), s | ${(ingestMs / 1000).toFixed(1)} | | |`,
  `| publish (staging → Snappy Parquet), s | ${(publishMs / 1000).toFixed(1)} | ${(floorMs / 1000).toFixed(1)} | |`,
  `| CPU time, s (all threads; less sensitive to other load on the machine) | ingest ${(ingestCpu / 1000).toFixed(1)}, publish ${(publishCpu / 1000).toFixed(1)} | ${(floorCpu / 1000).toFixed(1)} | publish ${((floorCpu / publishCpu) * 100).toFixed(0)}% of the floor's rows per CPU-s |`,
  `| publish rows/s | ${fmt(rows / (publishMs / 1000))} | ${fmt(floorRate)} | ${((rows / (publishMs / 1000) / floorRate) * 100).toFixed(0)}% |`,
  `| ingest-and-publish rows/s | ${fmt(ingestRate)} | ${fmt(floorRate)} | ${((ingestRate / floorRate) * 100).toFixed(0)}% |`,
  `| freshness p50 / p95 / max (ack → visible), ms | ${fmt(pct(50))} / ${fmt(pct(95))} / ${fmt(latencies[latencies.length - 1]!)} | | ${sent} snapshots at ${RATE}/s, ${commits.length} publishes |`,
];
console.log(`\nbench/ingest — ${new Date().toISOString()}, ${fmt(N)} processes, publish interval ${config.publishIntervalMs} ms\n`);
console.log(table.join('\n'));
if (!args.keep && !args['data-dir']) rmSync(dataDir, { recursive: true, force: true });
