/** Every dashboard query translates and runs on a demo organization, with rows. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { validateBatch } from '../../src/ingest/validate.ts';
import { generateDemo } from '../../src/ingest/demo/generator.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { DuckDBEngine } from '../../src/engine/duckdb/engine.ts';
import { translateTrino } from '../../src/sql/trino/translate.ts';
import { DASHBOARD_QUERIES } from '../../src/catalog/dashboards.ts';
import { silentLogger } from '../../src/util/logger.ts';

describe('dashboard queries on demo data', () => {
  let dir: string;
  let engine: DuckDBEngine;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-dash-'));
    const store = new LocalObjectStore(join(dir, 'lake'));
    const staging = StagingStore.open(join(dir, 'staging', 'acme.db'));
    // "now" for the demo is today, so the recent-weeks and running-process dashboards have rows.
    const demo = generateDemo({ org: 'acme', processes: 400, now: new Date() });
    const p = validateBatch('process', [...demo.processes()]);
    const m = validateBatch('member', demo.members);
    assert.ok(p.ok && m.ok);
    staging.applyProcesses(p.docs);
    staging.applyMembers(m.docs);
    const writer = await ParquetWriter.create();
    await new Publisher({ org: 'acme', staging, store, writer, log: silentLogger }).publish();
    writer.close();
    staging.close();
    engine = new DuckDBEngine({ store, dataDir: dir, scratchSchema: 'looker_scratch', log: silentLogger, timezoneOf: async () => 'America/New_York' });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const q of DASHBOARD_QUERIES) {
    it(`${q.dashboard}: ${q.name}`, async () => {
      const c = await engine.query({ org: 'acme', sql: translateTrino(q.sql, { database: 'acme' }).sql });
      let rows = 0;
      for (let ch = await c.next(); ch; ch = await c.next()) rows += ch.length;
      assert.ok(rows > 0, 'the dashboard has data');
    });
  }
});
