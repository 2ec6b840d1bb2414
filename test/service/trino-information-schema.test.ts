/**
 * Trino's information_schema through the query service (the Trino dialect: Athena API, HTTP API):
 * the organization's own database, scratch schema and information_schema, in Athena's names and
 * Trino's type spelling — never the engine's internal schemas, another organization, or a view's
 * engine SQL (which holds the lake's file paths).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RunlakeError } from '../../src/util/errors.ts';
import { openStack, request, run, type Stack } from './helpers.ts';

const INTERNAL = /\b(memory|main|pgc|pgc_info|trino_info|system|temp|pg_catalog)\b|\/|read_parquet|globex/i;

describe('query service: Trino information_schema', () => {
  let stack: Stack;
  const rows = async (sql: string) => (await run(stack, 'acme', sql)).rows;

  before(async () => {
    stack = await openStack([{ name: 'acme' }, { name: 'globex' }]);
    for (const org of ['acme', 'globex']) await stack.publish(org, ['p1', 'p2']);
    await run(stack, 'globex', 'CREATE TABLE looker_scratch.globex_secret AS SELECT 1 AS a');
  });
  after(async () => {
    await stack?.close();
  });

  it('schemata: the organization database, its scratch schema and information_schema, in catalog awsdatacatalog', async () => {
    assert.deepEqual(await rows('SELECT catalog_name, schema_name FROM information_schema.schemata ORDER BY 2'), [
      ['awsdatacatalog', 'acme'],
      ['awsdatacatalog', 'information_schema'],
      ['awsdatacatalog', 'looker_scratch'],
    ]);
  });

  it('tables: lake tables as BASE TABLE, analytic views as VIEW, nothing internal', async () => {
    const all = await rows('SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables ORDER BY 2, 3');
    assert.ok(all.length > 0);
    for (const r of all) {
      assert.equal(r[0], 'awsdatacatalog');
      assert.ok(['acme', 'information_schema'].includes(String(r[1])), `schema ${String(r[1])}`);
      assert.doesNotMatch(`${String(r[1])}.${String(r[2])}`, INTERNAL);
    }
    const kind = new Map(all.map((r) => [`${String(r[1])}.${String(r[2])}`, r[3]]));
    assert.equal(kind.get('acme.processes'), 'BASE TABLE');
    assert.equal(kind.get('acme.steps'), 'BASE TABLE');
    assert.equal(kind.get('acme.process_durations'), 'VIEW');
    assert.equal(kind.get('acme.query_history'), 'VIEW');
    assert.deepEqual(
      all.filter((r) => r[1] === 'information_schema').map((r) => r[2]),
      ['columns', 'schemata', 'tables', 'views'],
    );
  });

  it('columns: Trino type names, positions from 1, every column nullable', async () => {
    const cols = await rows(
      `SELECT column_name, ordinal_position, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'acme' AND table_name = 'steps' ORDER BY ordinal_position`,
    );
    const byName = new Map(cols.map((r) => [String(r[0]), r]));
    assert.equal(cols[0]![1], 1n);
    assert.equal(byName.get('task_id')![2], 'varchar');
    assert.equal(byName.get('position')![2], 'integer');
    assert.equal(byName.get('completed_at')![2], 'timestamp(3)');
    assert.equal(byName.get('assigned_member_ids')![2], 'array(varchar)');
    assert.equal(byName.get('is_visible')![2], 'boolean');
    assert.ok(cols.every((r) => r[3] === 'YES'));
    const everything = await rows('SELECT table_catalog, table_schema, table_name, column_name, data_type FROM information_schema.columns');
    for (const r of everything) assert.doesNotMatch(`${String(r[1])}.${String(r[2])}`, INTERNAL);
  });

  it('views: the views, without their engine SQL', async () => {
    const views = await rows('SELECT table_schema, table_name, view_definition FROM information_schema.views ORDER BY 2');
    assert.ok(views.some((r) => r[1] === 'process_durations'));
    assert.ok(views.every((r) => r[0] === 'acme' && r[2] === null));
  });

  it('lists scratch tables as they come and go, never another organization’s', async () => {
    const scratch = "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'looker_scratch'";
    assert.deepEqual(await rows(scratch), []);
    await run(stack, 'acme', 'CREATE TABLE looker_scratch.pdt_one AS SELECT process_id, 1.5 AS x FROM processes');
    assert.deepEqual(await rows(scratch), [['pdt_one', 'BASE TABLE']]);
    assert.deepEqual(
      await rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'looker_scratch' ORDER BY ordinal_position"),
      [['process_id', 'varchar'], ['x', 'double']],
    );
    await run(stack, 'acme', 'DROP TABLE looker_scratch.pdt_one');
    assert.deepEqual(await rows(scratch), []);
  });

  it('any other information_schema relation does not exist, in Trino’s words', async () => {
    for (const name of ['nosuch', 'applicable_roles', 'key_column_usage']) {
      const q = stack.service.submit(request(stack, 'acme', `SELECT * FROM information_schema.${name}`)).then(async (x) => {
        await x.columns();
        for await (const _ of x.rows()) void _;
      });
      await assert.rejects(q, (e: unknown) => {
        assert.ok(e instanceof RunlakeError, String(e));
        assert.equal(e.code, 'not_found');
        assert.equal(e.message, `Table 'awsdatacatalog.information_schema.${name}' does not exist`);
        return true;
      });
    }
  });
});
