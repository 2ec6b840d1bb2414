/**
 * The result cache: a repeat is answered from memory (and recorded so), whitespace, comments and
 * keyword case do not matter, literals do; a publish makes old entries unreachable; results that
 * change without a publish are never cached.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResultCache, normalizeSql } from '../../src/service/result-cache.ts';
import { openStack, run, type Stack } from './helpers.ts';

describe('query service: result cache', () => {
  let stack: Stack;
  const COUNT = 'SELECT count(*) AS n FROM processes';

  before(async () => {
    stack = await openStack([{ name: 'acme' }, { name: 'globex' }]);
    await stack.publish('acme', ['p1', 'p2']);
    await stack.publish('globex', ['g1']);
  });
  after(async () => {
    await stack?.close();
  });

  it('answers a repeat from the cache, whatever its whitespace, comments and keyword case; records cached = true', async () => {
    const first = await run(stack, 'acme', COUNT);
    assert.equal(first.info.cached, false);
    assert.ok(first.info.bytesScanned! > 0);
    const again = await run(stack, 'acme', 'select  count(*)  as N -- the same\n /* query */ FROM processes ;');
    assert.equal(again.info.cached, true);
    assert.deepEqual(again.rows, first.rows);
    assert.deepEqual(again.columns, first.columns);
    assert.equal(again.info.state, 'SUCCEEDED');
    assert.equal(again.info.bytesScanned, 0);
    assert.equal(again.info.snapshotVersion, 1);
    const rec = await stack.control.store.getQuery(again.q.id);
    assert.equal(rec?.cached, true);
    assert.equal(rec?.state, 'SUCCEEDED');
    // Another organization never sees acme's entry.
    const globex = await run(stack, 'globex', COUNT);
    assert.equal(globex.info.cached, false);
    assert.deepEqual(globex.rows, [[1n]]);
  });

  it('is literal-sensitive', async () => {
    const a = await run(stack, 'acme', "SELECT count(*) AS n FROM processes WHERE process_name = 'acme process p1'");
    const b = await run(stack, 'acme', "SELECT count(*) AS n FROM processes WHERE process_name = 'ACME process p1'");
    assert.equal(a.info.cached, false);
    assert.equal(b.info.cached, false);
    assert.deepEqual([a.rows, b.rows], [[[1n]], [[0n]]]);
  });

  it('misses after a publish (new snapshot version), then hits on the new version', async () => {
    await run(stack, 'acme', COUNT);
    const version = await stack.publish('acme', ['p3']);
    assert.equal(version, 2);
    const after = await run(stack, 'acme', COUNT);
    assert.equal(after.info.cached, false);
    assert.deepEqual(after.rows, [[3n]]);
    assert.equal(after.info.snapshotVersion, 2);
    const again = await run(stack, 'acme', COUNT);
    assert.equal(again.info.cached, true);
    assert.deepEqual(again.rows, [[3n]]);
    assert.equal(again.info.snapshotVersion, 2);
  });

  it('never caches what changes without a publish: query_history, information_schema, scratch tables, volatile functions', async () => {
    await run(stack, 'acme', 'CREATE TABLE looker_scratch.t AS SELECT 1 AS a');
    for (const sql of [
      'SELECT count(*) AS n FROM query_history',
      'SELECT count(*) AS n FROM information_schema.tables',
      'SHOW TABLES',
      'SELECT count(*) AS n FROM looker_scratch.t',
      'SELECT now() AS t',
      'SELECT count(*) AS n FROM processes WHERE created_at < current_timestamp',
    ]) {
      await run(stack, 'acme', sql);
      const again = await run(stack, 'acme', sql);
      assert.equal(again.info.cached, false, sql);
    }
    // current_date is the same all day (UTC): cached, keyed by the day.
    const sql = 'SELECT count(*) AS n FROM processes WHERE created_at < current_date';
    await run(stack, 'acme', sql);
    assert.equal((await run(stack, 'acme', sql)).info.cached, true);
  });

  it('never caches the emulated PostgreSQL catalog: it lists scratch tables, which change without a publish', async () => {
    const sql = "SELECT count(*) AS n FROM pg_catalog.pg_class WHERE relname = 'cache_pdt'";
    const pg = { dialect: 'postgres' as const, protocol: 'pgwire' as const };
    assert.deepEqual((await run(stack, 'acme', sql, pg)).rows, [[0n]]);
    await run(stack, 'acme', 'CREATE TABLE looker_scratch.cache_pdt AS SELECT 1 AS a', pg);
    const after = await run(stack, 'acme', sql, pg);
    assert.equal(after.info.cached, false);
    assert.deepEqual(after.rows, [[1n]]);
    const fn = 'SELECT pg_catalog.format_type(23, -1) AS t';
    await run(stack, 'acme', fn, pg);
    assert.equal((await run(stack, 'acme', fn, pg)).info.cached, false);
  });

  it('an interactive query served from the cache is still capped', async () => {
    await stack.reopen({ interactive: { maxRows: 2, maxBytes: 1 << 20 } });
    const sql = 'SELECT x FROM UNNEST(sequence(1, 5)) AS t(x)';
    const full = await run(stack, 'acme', sql);
    assert.equal(full.rows.length, 5);
    const capped = await run(stack, 'acme', sql, { interactive: true, protocol: 'console' });
    assert.equal(capped.info.cached, true);
    assert.equal(capped.rows.length, 2);
    assert.equal(capped.info.truncated, true);
    // A truncated result is not what the cache keeps: a later full read is complete.
    const other = 'SELECT x FROM UNNEST(sequence(1, 7)) AS t(x)';
    assert.equal((await run(stack, 'acme', other, { interactive: true, protocol: 'console' })).rows.length, 2);
    const complete = await run(stack, 'acme', other);
    assert.equal(complete.info.cached, false);
    assert.equal(complete.rows.length, 7);
  });

  it('can be turned off', async () => {
    await stack.reopen({ cache: false });
    await run(stack, 'acme', COUNT);
    assert.equal((await run(stack, 'acme', COUNT)).info.cached, false);
  });
});

describe('result cache internals', () => {
  it('normalizes whitespace, comments, keyword case and a trailing semicolon, but keeps literals and quoted names', () => {
    assert.equal(normalizeSql("  SELECT  a,\n\tb -- c\nFROM  T /* x */ WHERE s = 'A  B' ;  "), "select a, b from t where s = 'A  B'");
    assert.equal(normalizeSql('SELECT "Mixed Case" FROM t'), 'select "Mixed Case" from t');
    assert.equal(normalizeSql("SELECT 'it''s  --not a comment'"), "select 'it''s  --not a comment'");
    assert.notEqual(normalizeSql("SELECT 'a'"), normalizeSql("SELECT 'A'"));
  });

  it('evicts the least recently used entries beyond its byte bound, skips oversized results, drops older versions', () => {
    const cache = new ResultCache({ maxBytes: 300, maxEntryBytes: 150 });
    const entry = (bytes: number, snapshotVersion = 1) => ({ columns: [], rows: [], snapshotVersion, bytes });
    assert.equal(cache.set('a', 'acme', entry(100)), true);
    assert.equal(cache.set('b', 'acme', entry(100)), true);
    assert.equal(cache.set('big', 'acme', entry(151)), false);
    assert.ok(cache.get('a', 'acme', 1));
    assert.equal(cache.set('c', 'acme', entry(100)), true);
    assert.equal(cache.set('d', 'acme', entry(100)), true);
    // b was the least recently used.
    assert.equal(cache.get('b', 'acme', 1), undefined);
    assert.ok(cache.get('a', 'acme', 1));
    assert.deepEqual(cache.size, { entries: 3, bytes: 300 });
    assert.equal(cache.set('x', 'globex', entry(50, 7)), true);
    // Seeing acme at version 2 frees its version-1 entries, not globex's.
    assert.equal(cache.get('a2', 'acme', 2), undefined);
    assert.deepEqual(cache.size, { entries: 1, bytes: 50 });
    assert.equal(cache.set('late', 'acme', entry(10, 1)), false);
  });
});
