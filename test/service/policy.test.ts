/**
 * Statement policy and organization resolution through the query service: what is refused, with
 * which code and message, and that each refusal is in the organization's history.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RunlakeError } from '../../src/util/errors.ts';
import { leadingWords, planStatement } from '../../src/service/statement-policy.ts';
import { openStack, request, run, type Stack } from './helpers.ts';

const ALLOWED =
  'only SELECT, WITH, VALUES, EXPLAIN, SHOW and DESCRIBE statements are allowed, and ' +
  'CREATE TABLE AS / DROP TABLE / ALTER TABLE RENAME / CREATE VIEW / DROP VIEW in the looker_scratch schema';

describe('query service: statement policy', () => {
  let stack: Stack;
  const submit = (sql: string, org = 'acme') => stack.service.submit(request(stack, org, sql));
  const refused = async (sql: string, code: string, message: string | RegExp, org = 'acme') => {
    let queryId: unknown;
    await assert.rejects(submit(sql, org), (e: unknown) => {
      assert.ok(e instanceof RunlakeError, String(e));
      assert.equal(e.code, code, e.message);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      queryId = e.details?.queryId;
      return true;
    });
    return queryId;
  };

  before(async () => {
    stack = await openStack([{ name: 'acme' }, { name: 'globex' }, { name: 'initech', analyticsEnabled: false }]);
    await stack.publish('acme', ['p1']);
    await stack.publish('globex', ['g1']);
  });
  after(async () => {
    await stack?.close();
  });

  const notAllowed: [string, string][] = [
    ['INSERT INTO processes SELECT * FROM processes', 'INSERT'],
    ['DELETE FROM processes', 'DELETE'],
    ["UPDATE processes SET process_name = 'x'", 'UPDATE'],
    ['CREATE TABLE copy_of_processes AS SELECT * FROM processes', 'CREATE TABLE AS outside the looker_scratch schema'],
    ['CREATE TABLE acme.copy_of_processes AS SELECT * FROM processes', 'CREATE TABLE AS outside the looker_scratch schema'],
    ['CREATE TABLE looker_scratch.t (a integer)', 'CREATE TABLE without AS SELECT'],
    ['DROP TABLE processes', 'DROP TABLE outside the looker_scratch schema'],
    ['CREATE VIEW v AS SELECT 1', 'CREATE VIEW outside the looker_scratch schema'],
    ['ALTER TABLE processes RENAME TO p2', 'ALTER TABLE RENAME outside the looker_scratch schema'],
    ['SET SESSION query_max_run_time = \'1h\'', 'SET SESSION'],
    ["SET TIME ZONE 'Europe/Berlin'", 'SET TIME'],
    ['CREATE SCHEMA looker_scratch2', 'CREATE SCHEMA'],
    ['USE globex', 'USE'],
    ["ATTACH '/tmp/other.duckdb' AS other", 'ATTACH'],
    ["  -- Looker Query Context\n/* x */ ATTACH 'x.db'", 'ATTACH'],
    ["COPY processes TO '/tmp/out.csv'", 'COPY'],
    ['PRAGMA database_list', 'PRAGMA'],
    ["INSTALL httpfs", 'INSTALL'],
    ['CALL system.runtime.kill_query(\'x\')', 'CALL'],
  ];
  for (const [sql, what] of notAllowed) {
    it(`refuses ${what}: ${sql.replace(/\s+/g, ' ').trim()}`, async () => {
      const id = await refused(sql, 'statement_not_allowed', `${what} is not allowed: ${ALLOWED}`);
      assert.equal(typeof id, 'string');
      const rec = await stack.control.store.getQuery(id as string);
      assert.equal(rec?.state, 'FAILED');
      assert.equal(rec?.errorCode, 'statement_not_allowed');
      assert.equal(rec?.sql, sql);
      assert.equal(rec?.startedAt, null);
    });
  }

  it('refuses more than one statement, however it is hidden', async () => {
    for (const sql of ['SELECT 1; SELECT 2', 'SELECT 1; DROP TABLE processes', "SELECT ';' AS a; SELECT 2", 'SELECT 1 /* ; */; -- x\nSELECT 2']) {
      await refused(sql, 'bad_request', /^only one statement per query is allowed: send each statement as its own query$/);
    }
    // A trailing semicolon (and comments) is still one statement.
    assert.deepEqual((await run(stack, 'acme', 'SELECT 1 AS n; -- done')).rows, [[1]]);
  });

  it('answers a syntax error with its line and column', async () => {
    await assert.rejects(submit('SELECT\n  1 +'), (e: unknown) => {
      assert.ok(e instanceof RunlakeError);
      assert.equal(e.code, 'syntax_error');
      assert.equal(e.httpStatus, 400);
      assert.match(e.message, /^line 2:6: mismatched input '<EOF>'/);
      assert.equal(e.details?.line, 2);
      assert.equal(e.details?.column, 6);
      return true;
    });
    // A typo of a statement keyword stays a syntax error (not a policy refusal).
    await refused('SELEC 1', 'syntax_error', /^line 1:1: mismatched input 'SELEC'/);
  });

  it('refuses other databases with the same message whether they exist or not', async () => {
    await refused('SELECT * FROM globex.processes', 'not_found', "Database 'globex' is not available: this connection can only query the database 'acme'");
    await refused('SELECT * FROM nosuchdb.processes', 'not_found', "Database 'nosuchdb' is not available: this connection can only query the database 'acme'");
  });

  it('refuses what the front-end cannot translate faithfully', async () => {
    await refused("SELECT repeat('x', 3)", 'bad_request', /^not supported: repeat/);
  });

  it('runs the read statements', async () => {
    for (const sql of [
      'SELECT count(*) FROM processes',
      'WITH p AS (SELECT process_id FROM processes) SELECT count(*) FROM p',
      'VALUES (1, 2)',
      'EXPLAIN SELECT count(*) FROM processes',
      'SHOW TABLES',
      'DESCRIBE processes',
      'SHOW COLUMNS FROM processes',
      'SELECT count(*) FROM "AwsDataCatalog"."acme"."processes"',
    ]) {
      const r = await run(stack, 'acme', sql);
      assert.equal(r.info.state, 'SUCCEEDED', sql);
      assert.ok(r.rows.length > 0, sql);
    }
  });

  it('refuses SQL over 256 KiB before anything else', async () => {
    const sql = `SELECT '${'x'.repeat(256 * 1024)}'`;
    await refused(sql, 'payload_too_large', /^the SQL statement is 262153 bytes; the limit is 262144 bytes \(256 KiB\)/);
  });

  it('refuses an organization with analytics disabled, and an unknown one', async () => {
    const id = await refused('SELECT 1', 'analytics_disabled', /^analytics is not enabled for organization "initech"/, 'initech');
    assert.equal(id, undefined, 'nothing is recorded for a disabled organization');
    await assert.rejects(stack.service.submit(request(stack, 'initech', 'SELECT 1')), (e: unknown) => e instanceof RunlakeError && e.httpStatus === 403);
    await assert.rejects(stack.service.submit(request(stack, 'nope', 'SELECT 1')), (e: unknown) => e instanceof RunlakeError && e.code === 'not_found');
    await assert.rejects(stack.service.list(stack.principal('initech')), (e: unknown) => e instanceof RunlakeError && e.code === 'analytics_disabled');
  });

  it("classifies the engine's errors: the client's mistakes are bad_request with the engine's message", async () => {
    const q = await submit('SELECT no_such_column FROM processes');
    await assert.rejects(q.columns(), (e: unknown) => e instanceof RunlakeError && e.code === 'bad_request' && /no_such_column/.test(e.message));
    const info = await q.finished();
    assert.equal(info.state, 'FAILED');
    assert.equal(info.error?.code, 'bad_request');
    const q2 = await submit("SELECT CAST('abc' AS integer) AS n");
    await assert.rejects(q2.columns().then(async () => {
      for await (const _ of q2.rows()) void _;
    }), (e: unknown) => e instanceof RunlakeError && e.code === 'bad_request' && /abc/.test(e.message));
  });

  it('plans scratch writes with their names lower-cased and flags read from the translation', () => {
    const ctx = { dialect: 'trino' as const, database: 'acme', scratchSchema: 'looker_scratch' };
    assert.deepEqual(planStatement('CREATE TABLE looker_scratch."LR$Abc_1" AS SELECT 1 AS a', ctx), {
      kind: 'create_table_as', name: 'lr$abc_1', selectSql: 'SELECT 1 AS "a"', orReplace: false, ifNotExists: false,
    });
    assert.deepEqual(planStatement('CREATE TABLE IF NOT EXISTS looker_scratch.t WITH (format = \'PARQUET\') AS SELECT 1 AS a', ctx), {
      kind: 'create_table_as', name: 't', selectSql: 'SELECT 1 AS "a"', orReplace: false, ifNotExists: true,
    });
    assert.deepEqual(planStatement('DROP TABLE IF EXISTS looker_scratch.t', ctx), { kind: 'drop_table', name: 't', ifExists: true });
    assert.deepEqual(planStatement('ALTER TABLE looker_scratch.a RENAME TO looker_scratch.b', ctx), { kind: 'rename_table', from: 'a', to: 'b', ifExists: false });
    assert.deepEqual(planStatement('CREATE OR REPLACE VIEW looker_scratch.v AS SELECT 1 AS a', ctx), {
      kind: 'create_view', name: 'v', selectSql: 'SELECT 1 AS "a"', orReplace: true,
    });
    assert.throws(() => planStatement('CREATE TABLE looker_scratch."a/../b" AS SELECT 1', ctx), /cannot be used in the scratch schema/);
  });

  it('finds the leading words after comments, with their position', () => {
    assert.deepEqual(leadingWords('  -- c\n /* a\n b */ attach x'), { words: ['ATTACH', 'X'], line: 3, column: 7 });
    assert.equal(leadingWords('  -- only a comment'), undefined);
  });
});
