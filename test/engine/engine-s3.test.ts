/** The engine over an S3-compatible lake (real SeaweedFS): files come through its local cache. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import type { S3ObjectStore } from '../../src/lake/s3-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { DuckDBEngine } from '../../src/engine/duckdb/engine.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { processDoc } from '../support/docs.ts';
import { freshS3Store, testS3, type TestS3 } from '../support/s3.ts';

describe('engine on an S3-compatible lake', () => {
  let s3: TestS3 | undefined;
  let store: S3ObjectStore;
  let dir: string;
  let staging: StagingStore;
  let writer: ParquetWriter;

  before(async () => {
    s3 = await testS3();
    if (!s3) return;
    store = await freshS3Store(s3, 'lake', 'engine');
    dir = mkdtempSync(join(tmpdir(), 'runlake-engine-s3-'));
    staging = StagingStore.open(join(dir, 'staging', 'acme.db'));
    writer = await ParquetWriter.create();
    staging.applyProcesses([processDoc('p1', { month: '2025-01' }), processDoc('p2', { month: '2025-02' })]);
    await new Publisher({ org: 'acme', staging, store, writer, log: silentLogger }).publish();
  });
  after(async () => {
    staging?.close();
    writer?.close();
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('queries the snapshot and keeps scratch tables in the object store', async (t) => {
    if (!s3) return t.skip('no S3-compatible server');
    const engine = new DuckDBEngine({ store, dataDir: dir, scratchSchema: 'looker_scratch', log: silentLogger, timezoneOf: async () => 'UTC' });
    const c = await engine.query({ org: 'acme', sql: 'SELECT count(*), min(started_month) FROM steps' });
    assert.deepEqual(await c.next(), [[4n, '2025-01']]);
    await engine.createTableAs('acme', 'pdt', 'SELECT process_id FROM processes');
    await engine.close();
    assert.ok((await store.list('orgs/acme/scratch/')).some((o) => o.key.endsWith('.parquet')), 'the scratch table is in the object store');
    // A fresh engine with an empty cache reads both back from the object store.
    rmSync(join(dir, 'engine'), { recursive: true, force: true });
    const again = new DuckDBEngine({ store, dataDir: dir, scratchSchema: 'looker_scratch', log: silentLogger, timezoneOf: async () => 'UTC' });
    const r = await again.query({ org: 'acme', sql: 'SELECT count(*) FROM looker_scratch.pdt' });
    assert.deepEqual(await r.next(), [[2n]]);
    await again.close();
  });
});
