/** The conformance corpus through the Trino front-end and the DuckDB engine (no protocol). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { validateBatch } from '../../src/ingest/validate.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { DuckDBEngine } from '../../src/engine/duckdb/engine.ts';
import { EngineDate, EngineTimestamp, type EngineValue } from '../../src/engine/engine.ts';
import { translateTrino } from '../../src/sql/trino/translate.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { CORPUS, type Canonical } from './corpus.ts';
import { FIXTURE_ORG, fixtureMembers, fixtureProcesses } from './fixture.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Engine values in the corpus's canonical form. */
export function canonical(v: EngineValue): Canonical {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(canonical);
  if (v instanceof EngineDate) return new Date(v.days * 86_400_000).toISOString().slice(0, 10);
  if (v instanceof EngineTimestamp) {
    const ms = Number(v.micros / 1000n);
    const d = new Date(ms);
    return `${d.toISOString().slice(0, 10)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  }
  return JSON.stringify(v);
}

describe('conformance corpus: engine', () => {
  let dir: string;
  let engine: DuckDBEngine;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-conformance-'));
    const store = new LocalObjectStore(join(dir, 'lake'));
    const staging = StagingStore.open(join(dir, 'staging', `${FIXTURE_ORG}.db`));
    const p = validateBatch('process', structuredClone(fixtureProcesses));
    const m = validateBatch('member', structuredClone(fixtureMembers));
    assert.ok(p.ok && m.ok, 'the fixture is valid');
    staging.applyProcesses(p.docs);
    staging.applyMembers(m.docs);
    const writer = await ParquetWriter.create();
    await new Publisher({ org: FIXTURE_ORG, staging, store, writer, log: silentLogger }).publish();
    writer.close();
    staging.close();
    engine = new DuckDBEngine({ store, dataDir: dir, scratchSchema: 'looker_scratch', log: silentLogger, timezoneOf: async () => 'UTC' });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CORPUS) {
    it(c.name, async () => {
      const run = async (): Promise<Canonical[][]> => {
        const t = translateTrino(c.sql, { database: FIXTURE_ORG, scratchSchema: 'looker_scratch' });
        const cursor = await engine.query({ org: FIXTURE_ORG, sql: t.sql });
        const rows: Canonical[][] = [];
        for (let ch = await cursor.next(); ch; ch = await cursor.next()) rows.push(...ch.map((r) => r.map(canonical)));
        return rows;
      };
      if ('error' in c.expect) {
        await assert.rejects(run(), c.expect.error);
        return;
      }
      const rows = await run();
      const sort = (r: Canonical[][]) => (c.expect as { unordered?: boolean }).unordered ? [...r].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : r;
      assert.deepEqual(sort(rows), sort(c.expect.rows));
    });
  }
});
