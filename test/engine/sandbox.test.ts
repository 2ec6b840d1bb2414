/**
 * The engine sandbox as an attack surface: organization acme tries to reach globex's data, the
 * host, the settings and the engine's internals, through the engine's own (DuckDB) dialect —
 * the last line of defense behind the SQL front-ends. Every attempt must fail cleanly, no answer
 * may carry globex's rows or paths, and the engine must keep serving.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { readCurrentManifest } from '../../src/lake/manifest-store.ts';
import { DuckDBEngine } from '../../src/engine/duckdb/engine.ts';
import { EngineError } from '../../src/engine/errors.ts';
import type { EngineRow } from '../../src/engine/engine.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { processDoc } from '../support/docs.ts';

async function all(engine: DuckDBEngine, org: string, sql: string, signal?: AbortSignal): Promise<{ rows: EngineRow[]; version: number; names: string[] }> {
  const c = await engine.query({ org, sql, ...(signal ? { signal } : {}) });
  const rows: EngineRow[] = [];
  for (let ch = await c.next(); ch; ch = await c.next()) rows.push(...ch);
  return { rows, version: c.snapshotVersion, names: c.columns.map((x) => x.name) };
}

const text = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

describe('engine sandbox', () => {
  let dir: string;
  let lakeRoot: string;
  let engine: DuckDBEngine;
  let writer: ParquetWriter;
  let globexFile: string;
  const stagings: StagingStore[] = [];
  const publishers = new Map<string, { staging: StagingStore; publisher: Publisher }>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-sandbox-'));
    lakeRoot = join(dir, 'lake');
    const store = new LocalObjectStore(lakeRoot);
    writer = await ParquetWriter.create();
    for (const org of ['acme', 'globex']) {
      const staging = StagingStore.open(join(dir, 'staging', `${org}.db`));
      stagings.push(staging);
      const publisher = new Publisher({ org, staging, store, writer, log: silentLogger });
      publishers.set(org, { staging, publisher });
      staging.applyProcesses([1, 2, 3].map((i) => processDoc(`${org}-p${i}`, { name: `${org} secret process ${i}` })));
      await publisher.publish();
    }
    globexFile = store.localPath((await readCurrentManifest(store, 'globex'))!.tables.processes[0]!.key);
    // A symlink planted inside acme's own lake directory, pointing at globex's.
    symlinkSync(join(lakeRoot, 'orgs', 'globex'), join(lakeRoot, 'orgs', 'acme', 'to-globex'));
    engine = new DuckDBEngine({ store, dataDir: dir, scratchSchema: 'looker_scratch', log: silentLogger, timezoneOf: async () => 'UTC' });
  });
  after(async () => {
    await engine.close();
    writer.close();
    for (const s of stagings) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the organization its own tables and views', async () => {
    const r = await all(engine, 'acme', 'SELECT process_name FROM processes ORDER BY 1');
    assert.deepEqual(r.rows.map((x) => x[0]), ['acme secret process 1', 'acme secret process 2', 'acme secret process 3']);
    assert.equal(r.version, 1);
    const views = await all(engine, 'acme', 'SELECT count(*) FROM step_durations');
    assert.equal(views.rows[0]![0], 6n);
  });

  const attacks: [string, string][] = [
    ['read another org file by absolute path', `SELECT * FROM read_parquet('${'GLOBEX_FILE'}')`],
    ['read another org file through ..', `SELECT * FROM read_parquet('LAKE/orgs/acme/../globex/tables/processes/**/*.parquet')`],
    ['glob every org', `SELECT * FROM read_parquet('LAKE/orgs/*/tables/processes/**/*.parquet')`],
    ['read through a symlink planted in the own directory', `SELECT * FROM read_parquet('LAKE/orgs/acme/to-globex/tables/processes/**/*.parquet')`],
    ['a file path as a table name', `SELECT * FROM 'GLOBEX_FILE'`],
    ['mix own and other files', `SELECT * FROM read_parquet(['GLOBEX_FILE'])`],
    ['read_csv a host file', `SELECT * FROM read_csv('/etc/passwd')`],
    ['read_text a host file', `SELECT * FROM read_text('/etc/passwd')`],
    ['read_blob a host file', `SELECT * FROM read_blob('/etc/hostname')`],
    ['read_json a host file', `SELECT * FROM read_json('/etc/os-release')`],
    ['glob the lake', `SELECT * FROM glob('LAKE/**')`],
    ['sniff_csv a host file', `SELECT * FROM sniff_csv('/etc/passwd')`],
    ['parquet_metadata of another org', `SELECT * FROM parquet_metadata('GLOBEX_FILE')`],
    ['ATTACH the control plane', `ATTACH 'DIR/control.db' AS c`],
    ['ATTACH in memory', `ATTACH ':memory:' AS m`],
    ['DETACH', `DETACH memory`],
    ['INSTALL an extension', `INSTALL httpfs`],
    ['LOAD an extension', `LOAD httpfs`],
    ['SET a setting', `SET enable_external_access = true`],
    ['RESET a setting', `RESET allowed_directories`],
    ['PRAGMA', `PRAGMA database_list`],
    ['PRAGMA setting', `PRAGMA threads = 64`],
    ['COPY TO a file', `COPY (SELECT * FROM processes) TO 'LAKE/orgs/acme/out.csv'`],
    ['COPY FROM a file', `COPY processes FROM '/etc/passwd'`],
    ['EXPORT DATABASE', `EXPORT DATABASE 'DIR/export'`],
    ['CALL a pragma function', `CALL pragma_database_list()`],
    ['settings leak', `SELECT * FROM duckdb_settings()`],
    ['extensions leak', `SELECT * FROM duckdb_extensions()`],
    ['secrets leak', `SELECT * FROM duckdb_secrets()`],
    ['databases leak', `SELECT * FROM duckdb_databases()`],
    ['current_setting leak', `SELECT current_setting('allowed_directories')`],
    ['getenv', `SELECT getenv('HOME')`],
    ['connection state (connections are reused)', `SELECT setseed(0.5)`],
    ['query() table function', `SELECT * FROM query('SELECT 1')`],
    ['multi-statement', `SELECT 1; SELECT 2`],
    ['multi-statement after a comment', `SELECT 1 /* ; */; DROP VIEW processes`],
    ['multi-statement hidden by a string', `SELECT ';' AS x; SELECT * FROM duckdb_settings()`],
    ['multi-statement after a line comment', `SELECT 1 -- ;\n; ATTACH ':memory:' AS z`],
    ['CREATE TABLE', `CREATE TABLE stolen AS SELECT 1`],
    ['DROP VIEW', `DROP VIEW processes`],
    ['CREATE MACRO', `CREATE MACRO m(x) AS x`],
    ['INSERT', `INSERT INTO query_history (query_id) VALUES ('x')`],
    ['UPDATE', `UPDATE query_history SET sql = 'x'`],
    ['CHECKPOINT', `CHECKPOINT`],
    ['USE', `USE system`],
    ['another catalog', `SELECT * FROM system.main.duckdb_settings`],
    ['pg_catalog settings', `SELECT * FROM pg_catalog.pg_settings`],
  ];

  for (const [name, raw] of attacks) {
    it(`refuses: ${name}`, async () => {
      const sql = raw.replaceAll('GLOBEX_FILE', globexFile).replaceAll('LAKE', lakeRoot).replaceAll('DIR', dir);
      await assert.rejects(all(engine, 'acme', sql), (e: unknown) => {
        assert.ok(e instanceof EngineError, `an EngineError, got ${String(e)}`);
        assert.ok(!/globex/i.test(e.message) || sql.includes('globex'), `no globex in: ${e.message}`);
        assert.ok(!e.message.includes(lakeRoot) && !e.message.includes(dir), `no internal path in: ${e.message}`);
        return true;
      });
      // The engine is still up and still answers with acme's own rows only.
      const after = await all(engine, 'acme', 'SELECT count(*) FROM processes');
      assert.equal(after.rows[0]![0], 3n);
    });
  }

  it('shows no other organization in its catalogs', async () => {
    const leaks = [
      'SELECT * FROM information_schema.tables',
      'SELECT * FROM information_schema.columns',
      'SELECT * FROM information_schema.schemata',
      "SELECT * FROM processes WHERE process_name LIKE '%globex%'",
    ];
    for (const sql of leaks) {
      const r = await all(engine, 'acme', sql);
      assert.ok(!/globex|\/lake\/|runlake-sandbox/i.test(text(r.rows)), `${sql} leaks: ${text(r.rows).slice(0, 300)}`);
    }
  });

  it('a long query keeps the snapshot it started on; the next query sees the new one', async () => {
    const { staging, publisher } = publishers.get('acme')!;
    const c = await engine.query({ org: 'acme', sql: 'SELECT (SELECT count(*) FROM processes) AS n, sum(a.range * 0) AS s FROM range(30000000) a' });
    assert.equal(c.snapshotVersion, 1);
    staging.applyProcesses([processDoc('acme-p4'), processDoc('acme-p5')]);
    await publisher.publish();
    await engine.refresh('acme');
    let rows: EngineRow[] = [];
    for (let ch = await c.next(); ch; ch = await c.next()) rows = rows.concat(ch);
    assert.equal(rows[0]![0], 3n, 'the running query saw the old snapshot');
    const next = await all(engine, 'acme', 'SELECT count(*) FROM processes');
    assert.equal(next.rows[0]![0], 5n);
    assert.equal(next.version, 2);
  });

  it('an aborted query stops with an interrupted error, and the next one runs', async () => {
    const ac = new AbortController();
    const p = all(engine, 'acme', 'SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3', ac.signal);
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(p, (e: unknown) => e instanceof EngineError && e.kind === 'interrupted');
    assert.equal((await all(engine, 'acme', 'SELECT 42')).rows[0]![0], 42);
  });

  it('streams chunk by chunk with one read ahead: every row once, in order, with vectors; close releases mid-stream', async () => {
    // Every row in order across many chunks, the vectors agreeing with the rows.
    const c = await engine.query({ org: 'acme', sql: 'SELECT range::INTEGER AS i, range::VARCHAR AS s FROM range(20000) ORDER BY 1' });
    let next = 0;
    let chunks = 0;
    for (let ch = await c.nextChunk(); ch; ch = await c.nextChunk()) {
      chunks++;
      const ints = new Int32Array(ch.vector(0)!.data.buffer, ch.vector(0)!.data.byteOffset, ch.length);
      const rows = ch.rows();
      for (let r = 0; r < ch.length; r++) {
        assert.equal(rows[r]![0], next);
        assert.equal(ints[r], next);
        assert.equal(rows[r]![1], String(next));
        next++;
      }
    }
    assert.equal(next, 20000);
    assert.ok(chunks >= 9, `${chunks} chunks`);
    assert.equal(await c.nextChunk(), undefined, 'stays at its end');
    // Closed after the first chunk (a fetch is in flight then): released, and the engine serves on.
    for (let k = 0; k < 5; k++) {
      const d = await engine.query({ org: 'acme', sql: 'SELECT a.range FROM range(10000000) a' });
      const first = await d.nextChunk();
      assert.ok(first && first.length > 0);
      await d.close();
      assert.equal(await d.nextChunk(), undefined, 'nothing after close');
      await d.close();
    }
    assert.equal((await all(engine, 'acme', 'SELECT 42')).rows[0]![0], 42);
  });

  it('materializes scratch tables that survive a restart, and refuses clashes', async () => {
    const r = await engine.createTableAs('acme', 'pdt_status', 'SELECT process_status, count(*) AS n FROM processes GROUP BY 1');
    assert.equal(r.rows, 1);
    await assert.rejects(engine.createTableAs('acme', 'pdt_status', 'SELECT 1'), /already exists/);
    await assert.rejects(engine.createTableAs('acme', 'evil', "SELECT * FROM read_text('/etc/passwd')"), (e: unknown) => e instanceof EngineError);
    await engine.renameTable('acme', 'pdt_status', 'pdt_status_v2');
    await engine.close();
    engine = new DuckDBEngine({ store: new LocalObjectStore(lakeRoot), dataDir: dir, scratchSchema: 'looker_scratch', log: silentLogger, timezoneOf: async () => 'UTC' });
    const back = await all(engine, 'acme', 'SELECT n FROM looker_scratch.pdt_status_v2');
    assert.equal(back.rows[0]![0], 5n);
    await engine.dropTable('acme', 'pdt_status_v2', false);
    await assert.rejects(all(engine, 'acme', 'SELECT * FROM looker_scratch.pdt_status_v2'), (e: unknown) => e instanceof EngineError && e.kind === 'semantic');
    assert.equal(await engine.scratchBytes('acme'), 0);
  });
});
