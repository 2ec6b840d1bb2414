/**
 * Scratch tables (Looker PDTs) in the emulated catalog, against a real `runlake serve` over demo
 * data: a table made with CREATE TABLE AS over pgwire appears at once in pg_namespace, pg_class,
 * pg_attribute, information_schema.tables and .columns (and to psql's `\dt looker_scratch.*` and
 * `\d looker_scratch.x`), follows a RENAME, and disappears when dropped.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type pg from 'pg';
import { psqlPath } from './support/postgres.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';

const psql = psqlPath();

describe('scratch tables in pg_catalog and information_schema, over pgwire', () => {
  let demo: DemoServer;
  let c: pg.Client;

  before(async () => {
    demo = await startDemoServer();
    c = demo.client();
    await c.connect();
  });
  after(async () => {
    await c?.end().catch(() => undefined);
    await demo?.stop();
  });

  const catalog = async (name: string) => ({
    namespace: (await c.query("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = 'looker_scratch'")).rows,
    classes: (await c.query(
      "SELECT c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'looker_scratch' AND c.relname = $1",
      [name],
    )).rows,
    attributes: (await c.query(
      "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a WHERE a.attrelid = (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'looker_scratch' AND c.relname = $1) AND a.attnum > 0 ORDER BY a.attnum",
      [name],
    )).rows,
    tables: (await c.query("SELECT table_type FROM information_schema.tables WHERE table_schema = 'looker_scratch' AND table_name = $1", [name])).rows,
    columns: (await c.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'looker_scratch' AND table_name = $1 ORDER BY ordinal_position", [name])).rows,
  });

  it('lists a CREATE TABLE AS table with its columns, follows RENAME, forgets it on DROP', async () => {
    assert.deepEqual((await catalog('lr_status')).namespace, [{ nspname: 'looker_scratch' }], 'the scratch schema is listed while empty');
    await c.query('CREATE TABLE looker_scratch.lr_status AS SELECT process_status, count(*) AS n, max(started_at) AS last_start FROM processes GROUP BY 1');
    const made = await catalog('lr_status');
    assert.deepEqual(made.classes, [{ relname: 'lr_status', relkind: 'r' }]);
    assert.deepEqual(made.attributes, [
      { attname: 'process_status', type: 'text' },
      { attname: 'n', type: 'bigint' },
      { attname: 'last_start', type: 'timestamp without time zone' },
    ]);
    assert.deepEqual(made.tables, [{ table_type: 'BASE TABLE' }]);
    assert.deepEqual(made.columns, [
      { column_name: 'process_status', data_type: 'text' },
      { column_name: 'n', data_type: 'bigint' },
      { column_name: 'last_start', data_type: 'timestamp without time zone' },
    ]);
    await c.query('ALTER TABLE looker_scratch.lr_status RENAME TO lr_status_v2');
    assert.deepEqual((await catalog('lr_status')).classes, []);
    assert.deepEqual((await catalog('lr_status_v2')).classes, [{ relname: 'lr_status_v2', relkind: 'r' }]);
    await c.query('CREATE VIEW looker_scratch.lr_view AS SELECT n FROM looker_scratch.lr_status_v2');
    assert.deepEqual((await catalog('lr_view')).tables, [{ table_type: 'VIEW' }]);

    if (psql) {
      const conn = `host=127.0.0.1 port=${demo.pgPort} dbname=acme user=${demo.acme.accessKeyId} sslmode=require`;
      const run = (cmd: string) => spawnSync(psql, [conn, '-X', '-c', cmd], { env: { ...process.env, PGPASSWORD: demo.acme.secretAccessKey }, encoding: 'utf8' });
      const dt = run('\\dt looker_scratch.*');
      assert.equal(dt.stderr, '');
      assert.match(dt.stdout, /looker_scratch \| lr_status_v2 \| table/);
      const d = run('\\d looker_scratch.lr_status_v2');
      assert.equal(d.stderr, '');
      assert.match(d.stdout, /Table "looker_scratch\.lr_status_v2"/);
      assert.match(d.stdout, /last_start +\| timestamp without time zone/);
    }

    await c.query('DROP VIEW looker_scratch.lr_view');
    await c.query('DROP TABLE looker_scratch.lr_status_v2');
    const gone = await catalog('lr_status_v2');
    assert.deepEqual([gone.classes, gone.attributes, gone.tables, gone.columns], [[], [], [], []]);
    assert.deepEqual((await catalog('lr_view')).tables, []);
    if (psql) {
      const conn = `host=127.0.0.1 port=${demo.pgPort} dbname=acme user=${demo.acme.accessKeyId} sslmode=require`;
      const d = spawnSync(psql, [conn, '-X', '-c', '\\d looker_scratch.lr_status_v2'], { env: { ...process.env, PGPASSWORD: demo.acme.secretAccessKey }, encoding: 'utf8' });
      assert.match(d.stderr, /Did not find any relation named "looker_scratch\.lr_status_v2"/);
    }
  });
});
