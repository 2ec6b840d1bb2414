/**
 * The scratch schema through the query service, as Looker uses it for PDTs: CREATE TABLE AS (with
 * Athena's WITH properties), reading it, rename, views, drops, and the organization's quota.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RunlakeError } from '../../src/util/errors.ts';
import { openStack, request, run, type Stack } from './helpers.ts';

describe('query service: scratch schema', () => {
  let stack: Stack;
  const fails = async (org: string, sql: string, code: string, message: RegExp) => {
    const q = stack.service.submit(request(stack, org, sql)).then(async (x) => {
      await x.columns();
      for await (const _ of x.rows()) void _;
    });
    await assert.rejects(q, (e: unknown) => {
      assert.ok(e instanceof RunlakeError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
  };

  before(async () => {
    stack = await openStack([{ name: 'acme' }, { name: 'smallco', limits: { scratchQuotaBytes: 1 } }, { name: 'fullco' }]);
    for (const org of ['acme', 'smallco', 'fullco']) await stack.publish(org, ['p1', 'p2']);
  });
  after(async () => {
    await stack?.close();
  });

  it('creates a table as Looker does, answers the rows written, and reads it back', async () => {
    const ctas = await run(
      stack,
      'acme',
      `CREATE TABLE looker_scratch."LR$ABC1_orders" WITH (format = 'PARQUET', parquet_compression = 'SNAPPY', external_location = 's3://bucket/looker_scratch/LR$ABC1_orders/')
       AS SELECT process_id FROM processes`,
    );
    assert.deepEqual(ctas.columns, [{ name: 'rows', type: { kind: 'bigint' } }]);
    assert.deepEqual(ctas.rows, [[2n]]);
    assert.equal(ctas.info.rows, 2);
    assert.equal(ctas.info.state, 'SUCCEEDED');
    assert.equal((await stack.control.store.getQuery(ctas.q.id))?.rows, 2);
    assert.deepEqual((await run(stack, 'acme', 'SELECT count(*) FROM looker_scratch."lr$abc1_orders"')).rows, [[2n]]);
    // Names are case-insensitive, as in Athena.
    assert.deepEqual((await run(stack, 'acme', 'SELECT count(*) FROM looker_scratch."LR$ABC1_ORDERS"')).rows, [[2n]]);
  });

  it('IF NOT EXISTS keeps the existing table; OR REPLACE replaces it; a plain duplicate is refused', async () => {
    await fails('acme', 'CREATE TABLE looker_scratch."lr$abc1_orders" AS SELECT 1 AS a', 'bad_request', /already exists/);
    const kept = await run(stack, 'acme', 'CREATE TABLE IF NOT EXISTS looker_scratch."lr$abc1_orders" AS SELECT 1 AS a');
    assert.deepEqual(kept.rows, [[0n]]);
    assert.deepEqual((await run(stack, 'acme', 'SELECT count(*) FROM looker_scratch."lr$abc1_orders"')).rows, [[2n]]);
    const replaced = await run(stack, 'acme', "CREATE OR REPLACE TABLE looker_scratch.\"lr$abc1_orders\" AS SELECT 'only' AS process_id");
    assert.deepEqual(replaced.rows, [[1n]]);
    assert.deepEqual((await run(stack, 'acme', 'SELECT process_id FROM looker_scratch."lr$abc1_orders"')).rows, [['only']]);
  });

  it('renames, creates and drops views, drops tables', async () => {
    await run(stack, 'acme', 'ALTER TABLE looker_scratch."lr$abc1_orders" RENAME TO looker_scratch.orders_v2');
    assert.deepEqual((await run(stack, 'acme', 'SELECT process_id FROM looker_scratch.orders_v2')).rows, [['only']]);
    await fails('acme', 'SELECT * FROM looker_scratch."lr$abc1_orders"', 'not_found', /lr\$abc1_orders/i);
    // IF EXISTS of something absent is a no-op.
    await run(stack, 'acme', 'ALTER TABLE IF EXISTS looker_scratch.nope RENAME TO looker_scratch.nope2');
    await run(stack, 'acme', 'DROP TABLE IF EXISTS looker_scratch.nope');
    await fails('acme', 'DROP TABLE looker_scratch.nope', 'not_found', /does not exist/);

    await run(stack, 'acme', 'CREATE VIEW looker_scratch.recent AS SELECT process_id FROM processes WHERE process_id = \'p1\'');
    assert.deepEqual((await run(stack, 'acme', 'SELECT * FROM looker_scratch.recent')).rows, [['p1']]);
    await run(stack, 'acme', 'CREATE OR REPLACE VIEW looker_scratch.recent AS SELECT process_id FROM processes WHERE process_id = \'p2\'');
    assert.deepEqual((await run(stack, 'acme', 'SELECT * FROM looker_scratch.recent')).rows, [['p2']]);
    await run(stack, 'acme', 'DROP VIEW looker_scratch.recent');
    await run(stack, 'acme', 'DROP TABLE looker_scratch.orders_v2');
    assert.deepEqual((await run(stack, 'acme', "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'looker_scratch'")).rows, [[0n]]);
  });

  it('refuses a table that would take the scratch schema over its quota, and keeps nothing', async () => {
    await fails('smallco', 'CREATE TABLE looker_scratch.t AS SELECT process_id FROM processes', 'quota_exceeded', /would bring the looker_scratch schema to .* over its 1 bytes quota, so it was not kept; drop scratch tables/);
    assert.equal(await stack.engine.scratchBytes('smallco'), 0);
    await fails('smallco', 'SELECT * FROM looker_scratch.t', 'not_found', /\bt\b/);
  });

  it('refuses any new table once the schema is at its quota', async () => {
    await run(stack, 'fullco', 'CREATE TABLE looker_scratch.t1 AS SELECT process_id FROM processes');
    const used = await stack.engine.scratchBytes('fullco');
    assert.ok(used > 0);
    await stack.control.store.updateOrg('fullco', { limits: { scratchQuotaBytes: used } });
    await fails('fullco', 'CREATE TABLE looker_scratch.t2 AS SELECT 1 AS a', 'quota_exceeded', /already holds .* of its .* quota/);
    // Dropping makes room again.
    await run(stack, 'fullco', 'DROP TABLE looker_scratch.t1');
    await run(stack, 'fullco', 'CREATE TABLE looker_scratch.t2 AS SELECT 1 AS a');
  });
});
