/**
 * The Athena endpoint: one HTTPS listener (the only file here that touches sockets) serving the
 * awsJson1_1 API (`POST /`) and the read-only S3 endpoint for result files (every other method),
 * both authenticated with the organizations' access keys.
 *
 * Invariants: TLS only (Athena clients, JDBC 3.x in particular, refuse plain HTTP endpoints);
 * requests of one organization never see another's executions, catalog or result files; closing
 * stops accepting and lets requests in flight finish.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ObjectStore } from '../../lake/object-store.ts';
import type { QueryService } from '../../service/query-service.ts';
import { RunlakeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import type { AuthDirectory } from './auth.ts';
import { OrgCatalog } from './catalog-metadata.ts';
import { AthenaDebugLogs } from './debug-log.ts';
import { Executions } from './executions.ts';
import { handleJsonRequest, type JsonApiOptions } from './json-protocol.ts';
import { PageTokens } from './page-token.ts';
import { handleS3Request, type S3Options } from './s3-get.ts';
import type { WireRequest } from './sigv4.ts';
import { DEFAULT_RATES, Throttle, type ApiClass, type Rate } from './throttle.ts';

export interface AthenaListenerOptions {
  service: QueryService;
  /** The lake's object store: results go to each organization's area of it. */
  store: ObjectStore;
  directory: AuthDirectory;
  /** The region clients must sign for (config `region`). */
  region: string;
  scratchSchema: string;
  /** Local directory for temporary result files. */
  tmpDir: string;
  tls: { key: string; cert: string };
  host: string;
  /** 0 picks a free port. */
  port: number;
  log: Logger;
  /** API call rates per access key (default: Athena's). */
  rates?: Readonly<Record<ApiClass, Rate>>;
  /** Allowed clock skew of signed requests (default 15 minutes). */
  maxSkewMs?: number;
  /** Debug logging: access key ids and organization/workgroup names to log (config `athenaDebug`), under `logsDir/athena/`. */
  debug?: { logsDir: string; selectors: readonly string[] };
}

export interface AthenaListener {
  readonly port: number;
  readonly executions: Executions;
  /** Stops accepting and closes idle connections; resolves when the open requests have finished. */
  close(): Promise<void>;
}

export async function startAthenaListener(o: AthenaListenerOptions): Promise<AthenaListener> {
  // Temporary result files a stopped process left behind (one server per data dir).
  await rm(o.tmpDir, { recursive: true, force: true });
  await mkdir(o.tmpDir, { recursive: true });
  const catalog = new OrgCatalog(o.service, o.scratchSchema);
  const executions = new Executions({ service: o.service, store: o.store, catalog, log: o.log, tmpDir: o.tmpDir, scratchSchema: o.scratchSchema });
  const auth = { region: o.region, ...(o.maxSkewMs !== undefined ? { maxSkewMs: o.maxSkewMs } : {}) };
  const json: JsonApiOptions = {
    deps: { executions, catalog, tokens: new PageTokens() },
    directory: o.directory,
    auth,
    throttle: new Throttle(o.rates ?? DEFAULT_RATES),
    log: o.log,
    ...(o.debug && o.debug.selectors.length > 0 ? { debug: new AthenaDebugLogs(o.debug.logsDir, o.debug.selectors) } : {}),
  };
  const s3: S3Options = { store: o.store, directory: o.directory, auth, log: o.log };

  const server: Server = createServer({ key: o.tls.key, cert: o.tls.cert, requestTimeout: 5 * 60_000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const wire: WireRequest = {
      method: req.method ?? 'GET',
      rawPath: q < 0 ? url : url.slice(0, q),
      rawQuery: q < 0 ? '' : url.slice(q + 1),
      headers: req.headers,
    };
    const handled = req.method === 'POST' ? handleJsonRequest(req, res, wire, json) : handleS3Request(req, res, wire, s3);
    handled.catch((e: unknown) => {
      o.log.error('athena endpoint: unhandled request failure', { error: String(e) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('tlsClientError', (e) => o.log.debug('athena endpoint: TLS handshake failed', { error: e.message }));
  const port = await new Promise<number>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new RunlakeError('conflict', `the Athena API port ${o.port} on ${o.host} is already in use; pick another with --https-port or RUNLAKE_HTTPS_PORT, or 0 for a free port`)
          : e,
      );
    server.once('error', onError);
    server.listen(o.port, o.host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port,
    executions,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      })),
  };
}
