/**
 * Test harness: a pgwire listener on a free loopback port, driven by the DuckDB test backend,
 * plus a self-signed certificate made with openssl for the TLS tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPgListener, type PgListener, type PgListenerOptions } from '../../../src/protocols/pgwire/listener.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { DuckDBTestBackend, type TestBackendOptions } from './duckdb-test-backend.ts';
import { WireClient, type Msg } from './wire-client.ts';

export const USER = 'alice';
export const PASSWORD = 'correct horse battery staple';
export const DATABASE = 'acme';

export interface Harness {
  listener: PgListener;
  backend: DuckDBTestBackend;
  port: number;
  /** A wire client, logged in (throws if login failed). */
  connect(extra?: Record<string, string>): Promise<{ client: WireClient; startup: Msg[] }>;
  close(): Promise<void>;
}

export const SETUP = [
  "CREATE TABLE t AS SELECT i::INTEGER AS i, i * 1.5 AS f, 'x' || i AS s, DATE '2025-01-01' + i::INTEGER AS d FROM range(10) r(i)",
];

export async function startHarness(
  listenerOpts: Partial<Omit<PgListenerOptions, 'backend' | 'port'>> = {},
  backendOpts: Partial<TestBackendOptions> = {},
): Promise<Harness> {
  const backend = await DuckDBTestBackend.create({ users: { [USER]: PASSWORD }, databases: [DATABASE], setup: SETUP, ...backendOpts });
  const listener = await startPgListener({ backend, port: 0, logger: silentLogger, ...listenerOpts });
  return {
    listener,
    backend,
    port: listener.port,
    async connect(extra = {}) {
      const client = await WireClient.connect(listener.port);
      const startup = await client.login(USER, PASSWORD, DATABASE, extra);
      if (startup.at(-1)?.type !== 'ReadyForQuery') throw new Error(`login failed: ${JSON.stringify(startup.at(-1))}`);
      return { client, startup };
    },
    async close() {
      await listener.close({ graceMs: 100 });
      backend.close();
    },
  };
}

/** A self-signed certificate for localhost (openssl), or undefined when openssl is missing. */
export function selfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'runlake-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 10 ms until it holds (or throws after `ms`). */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
