/**
 * A real query stack for service tests: a local lake with published snapshots, the DuckDB engine
 * (one sandbox per organization), the SQLite control store, and the query service.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { openLocalAdmin, type LocalControlPlane } from '../../src/app/admin-client.ts';
import type { CreateOrgInput } from '../../src/control/admin.ts';
import { DuckDBEngine } from '../../src/engine/duckdb/engine.ts';
import type { EngineColumn, EngineRow } from '../../src/engine/engine.ts';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { QueryService, type QueryServiceOptions } from '../../src/service/query-service.ts';
import type { Principal, QueryRequest, RunningQuery } from '../../src/service/types.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { processDoc } from '../support/docs.ts';

/**
 * 10^8 rows, produced lazily as they are read: a query that stays RUNNING (holding its slot, using
 * no CPU) for as long as its reader does not read.
 */
export const ENDLESS_SQL = 'SELECT a.x * b.y AS n FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y)';
/** 10^12 rows to count before the first row: runs until it is interrupted. */
export const SLOW_SQL =
  'SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z)';

export interface Stack {
  dir: string;
  control: LocalControlPlane;
  engine: DuckDBEngine;
  service: QueryService;
  /** Adds processes to the organization's staging store and publishes them; the new version. */
  publish(org: string, ids: string[]): Promise<number>;
  principal(org: string): Principal;
  /** Closes the service and the control store, and opens new ones on the same data dir (a restart). */
  reopen(opts?: Partial<QueryServiceOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function openStack(orgs: CreateOrgInput[], opts: Partial<QueryServiceOptions> = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'runlake-service-'));
  const config = loadConfig({ dataDir: dir }, {});
  const store = new LocalObjectStore(join(dir, 'lake'));
  const writer = await ParquetWriter.create();
  const stagings = new Map<string, { staging: StagingStore; publisher: Publisher }>();
  let control = await openLocalAdmin(config);
  for (const o of orgs) await control.admin.createOrg(o);
  const engine = new DuckDBEngine({ store, dataDir: dir, scratchSchema: 'looker_scratch', log: silentLogger, timezoneOf: async () => 'UTC' });
  const make = async (o: Partial<QueryServiceOptions>) => {
    const s = new QueryService({ engine, control: control.store, log: silentLogger, ...o });
    await s.start();
    return s;
  };
  const stack: Stack = {
    dir,
    control,
    engine,
    service: await make(opts),
    async publish(org, ids) {
      let p = stagings.get(org);
      if (!p) {
        const staging = StagingStore.open(join(dir, 'staging', `${org}.db`));
        p = { staging, publisher: new Publisher({ org, staging, store, writer, log: silentLogger }) };
        stagings.set(org, p);
      }
      p.staging.applyProcesses(ids.map((id) => processDoc(id, { name: `${org} process ${id}` })));
      const r = await p.publisher.publish();
      if (!r) throw new Error('nothing was published');
      await engine.refresh(org);
      return r.version;
    },
    principal: (org) => ({ org, name: `key-of-${org}` }),
    async reopen(o = {}) {
      await stack.service.close();
      await control.close();
      control = await openLocalAdmin(config);
      stack.control = control;
      stack.service = await make({ ...opts, ...o });
    },
    async close() {
      await stack.service.close();
      await engine.close();
      await control.close();
      for (const p of stagings.values()) p.staging.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

export function request(stack: Stack, org: string, sql: string, extra: Partial<QueryRequest> = {}): QueryRequest {
  return { principal: stack.principal(org), protocol: 'http', dialect: 'trino', sql, ...extra };
}

/** Every row of a query, and its columns. */
export async function collect(q: RunningQuery): Promise<{ columns: readonly EngineColumn[]; rows: EngineRow[] }> {
  const columns = await q.columns();
  const rows: EngineRow[] = [];
  for await (const chunk of q.rows()) rows.push(...chunk);
  return { columns, rows };
}

/** Submits and reads a query to the end. */
export async function run(stack: Stack, org: string, sql: string, extra: Partial<QueryRequest> = {}) {
  const q = await stack.service.submit(request(stack, org, sql, extra));
  const r = await collect(q);
  return { ...r, q, info: await q.finished() };
}
