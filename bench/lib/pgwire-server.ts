/**
 * bench/lib/pgwire-server — the query side of `runlake serve` in a process of its own, for
 * bench/pgwire: the same DuckDB engine options, query service and pgwire listener (SCRAM, TLS
 * offered on SSLRequest) as src/app/server.ts composes, but with two listeners over one engine:
 * one whose query service has the result cache off (what the overhead is measured on), one with
 * it on (the cached repeat). No ingest, publisher or HTTP listener: the bench only reads.
 *
 *   node --import tsx bench/lib/pgwire-server.ts --data-dir DIR
 *
 * Prints one JSON line `{"uncachedPort":…,"cachedPort":…,"pid":…}` on stdout once both listen;
 * shuts down when stdin ends or on SIGTERM/SIGINT (so a `--cpu-prof` profile gets written).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/config.ts';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { loadOrCreateTls } from '../../src/app/tls.ts';
import { openObjectStore } from '../../src/lake/open-store.ts';
import { DuckDBEngine } from '../../src/engine/duckdb/engine.ts';
import { QueryService } from '../../src/service/query-service.ts';
import { startPgListener } from '../../src/protocols/pgwire/listener.ts';
import { runlakeBackend } from '../../src/protocols/pgwire/runlake-backend.ts';
import { silentLogger } from '../../src/util/logger.ts';

const { values: args } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
if (!args['data-dir']) throw new Error('--data-dir is required');

const config = loadConfig({ dataDir: args['data-dir'] }, {});
const control = await openLocalAdmin(config);
const store = openObjectStore(config.lake);
const log = silentLogger;
let services: QueryService[] = [];
const engine = new DuckDBEngine({
  store,
  dataDir: config.dataDir,
  scratchSchema: config.scratchSchema,
  log,
  timezoneOf: async (org) => (await control.store.getOrg(org))?.timezone ?? 'UTC',
  threadsPerInstance: config.engine.threads,
  memoryLimitPerInstance: config.engine.memoryLimit,
  maxInstances: config.engine.maxInstances,
  historyOf: (org) => services[0]!.historyRows(org),
});
const service = (cache: boolean) =>
  new QueryService({
    engine, control: control.store, log, scratchSchema: config.scratchSchema,
    history: { retentionDays: config.historyRetentionDays }, ...(cache ? {} : { cache: false as const }),
  });
services = [service(false), service(true)];
for (const s of services) await s.start();
const tls = await loadOrCreateTls(config.dataDir);
const listeners = await Promise.all(services.map((s) =>
  startPgListener({
    backend: runlakeBackend({ service: s, credentials: control.admin, control: control.store, scratchSchema: config.scratchSchema }),
    logger: log,
    host: config.host,
    port: 0,
    tls: { key: tls.key, cert: tls.cert },
  })));
process.stdout.write(`${JSON.stringify({ uncachedPort: listeners[0]!.port, cachedPort: listeners[1]!.port, pid: process.pid })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const l of listeners) await l.close({ graceMs: 1000 });
  for (const s of services) await s.close();
  await engine.close();
  await control.close();
  process.exit(0);
}
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
