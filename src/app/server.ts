/**
 * The composition root of a Runlake server on one data dir: control plane, lake store, write
 * runtime (staging, publisher, GC), the query engine and query service, and the HTTP listener
 * (health, ingest, admin, query API). Other query listeners (pgwire, Athena, console) attach to
 * the same query service as they land.
 *
 * Invariants: one server per data dir (server.json names it; CLI commands then go through its
 * admin API); on start, changes acknowledged but not yet published (e.g. before a crash) are
 * published; on shutdown, pending changes are published before the process exits.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { secretsEqual } from '../util/secrets-equal.ts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { RunlakeConfig } from '../config/config.ts';
import { IngestService } from '../ingest/ingest-service.ts';
import { openObjectStore } from '../lake/open-store.ts';
import { S3ObjectStore, ensureBucket } from '../lake/s3-store.ts';
import { readCurrentManifest } from '../lake/manifest-store.ts';
import { addAdminRoutes } from '../protocols/http/admin-routes.ts';
import { addIngestRoutes } from '../protocols/http/ingest-routes.ts';
import { addQueryRoutes } from '../protocols/http/query-routes.ts';
import { Router, bearerToken, sendJson } from '../protocols/http/router.ts';
import { DuckDBEngine } from '../engine/duckdb/engine.ts';
import type { QueryEngine } from '../engine/engine.ts';
import type { ObjectStore } from '../lake/object-store.ts';
import { QueryService } from '../service/query-service.ts';
import { RunlakeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { openLocalAdmin, type LocalControlPlane } from './admin-client.ts';
import { LakeRuntime } from './lake-runtime.ts';
import { loadOrCreateTls, type TlsMaterial } from './tls.ts';
import { startPgListener } from '../protocols/pgwire/listener.ts';
import { startAthenaListener } from '../protocols/athena/listener.ts';
import { runlakeBackend } from '../protocols/pgwire/runlake-backend.ts';
import { withDebugLog } from '../protocols/pgwire/debug-backend.ts';
import { removeServerInfo, writeServerInfo } from './server-info.ts';
import { addConsoleRoutes } from '../protocols/http/console-routes.ts';
import { orgResultsLocation } from '../protocols/athena/result-location.ts';
import { consoleBundle } from '../web/build.ts';

export interface RunningServer {
  httpUrl: string;
  httpPort: number;
  /** The PostgreSQL wire listener's port (TLS offered on SSLRequest). */
  pgPort: number;
  /** The Athena API's HTTPS port, and its URL (`https://host:port`, what clients set as endpoint). */
  athenaPort: number;
  athenaUrl: string;
  tls: TlsMaterial;
  adminToken: string;
  control: LocalControlPlane;
  runtime: LakeRuntime;
  queries: QueryService;
  close(): Promise<void>;
}

export async function startServer(config: RunlakeConfig, log: Logger): Promise<RunningServer> {
  const control = await openLocalAdmin(config);
  const store = openObjectStore(config.lake);
  if (store instanceof S3ObjectStore) await ensureBucket(store);
  const runtime = await LakeRuntime.open({ config, store, log, schedule: true });
  const adminToken = `rladm_${randomBytes(24).toString('base64url')}`;

  const ingest = new IngestService(
    { getOrg: (name) => control.store.getOrg(name) },
    runtime,
  );
  const router = new Router(log);
  router.add('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  addIngestRoutes(router, ingest, {
    // The admin token also ingests (for CLI imports while the server runs).
    verifyIngestToken: async (token) => (secretsEqual(token, adminToken) ? { org: '*' } : control.admin.verifyIngestToken(token)),
  }, config.ingestMaxBodyBytes);
  addAdminRoutes(router, control.admin, adminToken);
  addLakeAdminRoutes(router, runtime, control, adminToken);
  const { engine, queries } = await startQueries(config, store, runtime, control, log);
  addQueryRoutes(router, queries, control.admin);

  const http = createServer({ requestTimeout: 5 * 60_000 }, router.listener);
  const httpPort = await listen(http, config.httpPort, config.host);
  const tls = await loadOrCreateTls(config.dataDir);
  const pg = await startPgListener({
    backend: withDebugLog(runlakeBackend({ service: queries, credentials: control.admin, control: control.store, scratchSchema: config.scratchSchema }), join(config.dataDir, 'logs')),
    logger: log,
    host: config.host,
    port: config.pgPort,
    tls: { key: tls.key, cert: tls.cert },
  });
  const athena = await startAthenaListener({
    service: queries, store, region: config.region, scratchSchema: config.scratchSchema,
    directory: { resolveAccessKey: (id) => control.admin.resolveAccessKey(id), touchAccessKey: (id) => control.admin.touchAccessKey(id), getOrg: (name) => control.store.getOrg(name) },
    tmpDir: join(config.dataDir, 'tmp', 'athena'), tls: { key: tls.key, cert: tls.cert }, host: config.host, port: config.httpsPort, log,
    debug: { logsDir: join(config.dataDir, 'logs'), selectors: config.athenaDebug },
  });
  const athenaUrl = `https://${urlHost(config.host)}:${athena.port}`;
  // The web console (built from src/web on its first request) and its API, on the HTTP listener.
  const consoleRoutes = addConsoleRoutes(router, {
    queries, admin: control.admin, credentials: control.admin, log, bundle: consoleBundle,
    queryRecords: (org, since) => control.store.listQueries(org, { since }),
    lakeStatus: (org) => lakeStatus(runtime, org),
    endpoints: () => ({
      host: config.host, pgPort: pg.port, athenaPort: athena.port, region: config.region,
      scratchSchema: config.scratchSchema, outputLocation: orgResultsLocation,
    }),
  });
  // A removed user, or one whose password changed (console, admin API, CLI), is signed out at once.
  control.admin.onUserCredentialsChanged((username) => consoleRoutes.sessions.endAllOf(username));
  const httpUrl = `http://${urlHost(config.host)}:${httpPort}`;
  await writeServerInfo(config.dataDir, { pid: process.pid, httpUrl, adminToken });

  // Publish what was acknowledged but not yet published when the last process stopped.
  for (const org of stagedOrgs(config.dataDir)) if (runtime.staging(org).dirtyParts().length > 0) runtime.changed(org);

  let closing: Promise<void> | undefined;
  return {
    httpUrl, httpPort, pgPort: pg.port, athenaPort: athena.port, athenaUrl, tls, adminToken, control, runtime, queries,
    close: () => (closing ??= (async () => {
      await pg.close({ graceMs: 2000 });
      const athenaClosed = athena.close();
      const httpClosed = new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      // Cancelling running queries ends their streams, so their connections can close.
      await queries.close();
      await httpClosed;
      await athenaClosed;
      await engine.close();
      await runtime.close({ flush: true });
      await control.close();
      removeServerInfo(config.dataDir);
    })()),
  };
}

/**
 * The query side: one DuckDB sandbox per organization over the lake, the query service in front of
 * it (limits, history, cache), and a publish switching the organization's new queries to the new
 * snapshot.
 */
async function startQueries(
  config: RunlakeConfig,
  store: ObjectStore,
  runtime: LakeRuntime,
  control: LocalControlPlane,
  log: Logger,
): Promise<{ engine: QueryEngine; queries: QueryService }> {
  const engine = new DuckDBEngine({
    store,
    dataDir: config.dataDir,
    scratchSchema: config.scratchSchema,
    log,
    timezoneOf: async (org) => (await control.store.getOrg(org))?.timezone ?? 'UTC',
    threadsPerInstance: config.engine.threads,
    memoryLimitPerInstance: config.engine.memoryLimit,
    maxInstances: config.engine.maxInstances,
    // The service is created next; an instance opens only when a query arrives, after that.
    historyOf: (org) => queries.historyRows(org),
  });
  const queries: QueryService = new QueryService({
    engine, control: control.store, log, scratchSchema: config.scratchSchema,
    history: { retentionDays: config.historyRetentionDays },
  });
  await queries.start();
  runtime.onPublish((r) => {
    engine.refresh(r.org).catch((e: unknown) => log.error('switching queries to the new snapshot failed', { org: r.org, error: String(e) }));
  });
  return { engine, queries };
}

/** `POST /admin/v1/orgs/:org/publish` and `GET /admin/v1/orgs/:org/lake`: for the CLI and operators. */
function addLakeAdminRoutes(router: Router, runtime: LakeRuntime, control: LocalControlPlane, adminToken: string): void {
  const auth = (req: IncomingMessage) => {
    const token = bearerToken(req);
    if (!token || !secretsEqual(token, adminToken)) throw new RunlakeError('unauthenticated', 'admin token required');
  };
  const known = async (org: string) => {
    if (!(await control.store.getOrg(org))) throw new RunlakeError('not_found', `organization "${org}" does not exist; \`runlake org list\` shows the organizations`);
  };
  router.add('POST', '/admin/v1/orgs/:org/publish', async (req, res, p) => {
    auth(req);
    await known(p.org!);
    const r = await runtime.publish(p.org!);
    sendJson(res, 200, r ? { published: true, version: r.version, months: r.months, files: r.filesWritten, rows: r.rowsWritten } : { published: false });
  });
  router.add('GET', '/admin/v1/orgs/:org/lake', async (req, res, p) => {
    auth(req);
    await known(p.org!);
    sendJson(res, 200, await lakeStatus(runtime, p.org!));
  });
}

export interface LakeStatusInfo {
  org: string;
  version: number | null;
  publishedAt: string | null;
  /** Staged changes not yet published. */
  pending: number;
  tables: Record<string, { files: number; rows: number; bytes: number }>;
}

export async function lakeStatus(runtime: LakeRuntime, org: string): Promise<LakeStatusInfo> {
  const m = await readCurrentManifest(runtime.store, org);
  const tables: Record<string, { files: number; rows: number; bytes: number }> = {};
  for (const [t, files] of Object.entries(m?.tables ?? {})) {
    tables[t] = { files: files.length, rows: files.reduce((s, f) => s + f.rows, 0), bytes: files.reduce((s, f) => s + f.bytes, 0) };
  }
  return { org, version: m?.version ?? null, publishedAt: m?.publishedAt ?? null, pending: runtime.staging(org).dirtyParts().length, tables };
}

function stagedOrgs(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, 'staging')).filter((f) => f.endsWith('.db')).map((f) => f.slice(0, -3));
  } catch {
    return [];
  }
}

export function listen(server: Server | NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new RunlakeError('conflict', `port ${port} on ${host} is already in use; pick another with a flag or environment variable, or 0 for a free port`)
          : e,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
