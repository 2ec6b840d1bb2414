/**
 * What the BI tests run against: a fresh demo data dir (made by the real `runlake demo` command),
 * an in-process query service on a copy of it (for the Trino dialect without a protocol), and
 * clients for the real server's protocols.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { ConnectionFile } from '../../../src/app/connection-file.ts';
import { openLocalAdmin } from '../../../src/app/admin-client.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { DuckDBEngine } from '../../../src/engine/duckdb/engine.ts';
import type { EngineRow } from '../../../src/engine/engine.ts';
import { LocalObjectStore } from '../../../src/lake/local-store.ts';
import { QueryService } from '../../../src/service/query-service.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { REPO, runCli, type ServerProcess } from '../../support/server.ts';

/** `runlake demo --no-serve` into `dataDir`: acme and globex with `processes` generated processes each. */
export async function makeDemo(dataDir: string, processes = 120): Promise<ConnectionFile> {
  const r = await runCli(['demo', '--no-serve', '--quiet', '--data-dir', dataDir, '--processes', String(processes), '--http-port', '0', '--pg-port', '0', '--https-port', '0']);
  assert.equal(r.code, 0, `runlake demo failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(join(dataDir, 'connection.json'), 'utf8')) as ConnectionFile;
}

export interface TrinoService {
  /** Runs one statement in the Trino dialect for the organization; every row. */
  run(sql: string): Promise<EngineRow[]>;
  close(): Promise<void>;
}

/** The query service over a copy of `dataDir` (so it never shares a data dir with a server). */
export async function openTrinoService(dataDir: string, copyTo: string, org: string): Promise<TrinoService> {
  cpSync(dataDir, copyTo, { recursive: true });
  const config = loadConfig({ dataDir: copyTo }, {});
  const control = await openLocalAdmin(config);
  const engine = new DuckDBEngine({
    store: new LocalObjectStore(join(copyTo, 'lake')), dataDir: copyTo, scratchSchema: 'looker_scratch', log: silentLogger,
    timezoneOf: async (o) => (await control.store.getOrg(o))?.timezone ?? 'UTC',
  });
  const service = new QueryService({ engine, control: control.store, log: silentLogger, cache: false });
  await service.start();
  return {
    async run(sql) {
      const q = await service.submit({ principal: { org, name: 'bi-test' }, protocol: 'athena', dialect: 'trino', sql });
      await q.columns();
      const rows: EngineRow[] = [];
      for await (const chunk of q.rows()) rows.push(...chunk);
      return rows;
    },
    async close() {
      await service.close();
      await engine.close();
      await control.close();
    },
  };
}

/** Waits until the server has printed its banner (the lines after startup: ports and endpoints). */
export async function waitForBanner(server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!/Press Ctrl\+C to stop/.test(server.output())) {
    if (Date.now() > deadline) throw new Error(`runlake serve printed no banner:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The server's pgwire port, as `runlake serve` prints it (call waitForBanner first). */
export function pgPortOf(server: ServerProcess): number {
  const port = Number(/PostgreSQL wire: +[^:\s]+:(\d+)/.exec(server.output())?.[1]);
  assert.ok(port > 0, `the server reports its pgwire port:\n${server.output()}`);
  return port;
}

/**
 * The Athena API's URL, when this build has one (src/protocols/athena exists and the server
 * prints a listening Athena endpoint with a real port); undefined otherwise. Call waitForBanner first.
 */
export function athenaEndpointOf(server: ServerProcess): string | undefined {
  if (!existsSync(join(REPO, 'src', 'protocols', 'athena'))) return undefined;
  const m = /Athena[^\n]*?(https:\/\/[^\s/]+:(\d+))/.exec(server.output());
  if (!m || Number(m[2]) === 0 || /not in this version/.test(m[0])) return undefined;
  return m[1];
}

export function pgClient(dataDir: string, port: number, org: { database: string; access_key_id: string; secret_access_key: string }): pg.Client {
  return new pg.Client({
    host: '127.0.0.1', port, database: org.database, user: org.access_key_id, password: org.secret_access_key,
    ssl: { ca: readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8') },
  });
}
