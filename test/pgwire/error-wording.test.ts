/**
 * The mistakes users make most, answered as PostgreSQL 15 answers them: the same statements go to
 * a real PostgreSQL (with tables of the same names and columns) and to a Runlake server over demo
 * data, and the SQLSTATE, message and position must agree. The engine's own wording ("Binder
 * Error: …", an excerpt of the translated SQL) must not reach the client. Skipped without a
 * PostgreSQL server (CI installs one).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresBinDir, startRealPostgres, type RealPostgres } from './support/postgres.ts';
import { startDemoServer, type DemoServer } from './support/demo-server.ts';

const skip = postgresBinDir() === undefined ? 'no PostgreSQL server installed (apt-get install postgresql)' : false;

/**
 * Statements, and our message where it knowingly falls short of PostgreSQL's: the engine does not
 * say a missing function's argument types, which relation an ungrouped column belongs to, or
 * whether a timestamp had a time zone.
 */
const STATEMENTS: [sql: string, ours?: string][] = [
  ['SELECT nosuch FROM processes'],
  ['SELECT NoSuch FROM Processes'],
  ['SELECT "NoSuch" FROM processes'],
  ['SELECT proces_name FROM processes'],
  ['SELECT * FROM nosuch'],
  ['SELECT count(*) FROM processes p JOIN steps s ON p.nosuch = s.process_id'],
  ['SELECT x.process_id FROM processes p'],
  ['SELECT nofunc(1)', 'function nofunc does not exist'],
  ["SELECT nextval('nosuch')"],
  ['SELECT process_name, count(*) FROM processes', 'column "process_name" must appear in the GROUP BY clause or be used in an aggregate function'],
  ["SELECT 'abc'::int"],
  ["SELECT 'abc'::bigint"],
  ["SELECT 'abc'::numeric"],
  ["SELECT 'abc'::boolean"],
  ["SELECT 'notadate'::date"],
  ["SELECT process_id FROM processes WHERE started_at > 'notadate'", 'invalid input syntax for type timestamp: "notadate"'],
  ['SELECT 99999999999::int'],
  ['SELECT 2147483647::int + 1'],
  ['SELECT process_name + 1 FROM processes'],
  // Several statements in one query string: the position counts from the string's start.
  ['SELECT 1; SELECT nosuch FROM processes'],
  ["SELECT 1;\n  SELECT 'é', proces_name FROM processes"],
];

interface Answer {
  code?: string;
  message?: string;
  position?: string;
  hint?: string;
}

async function answer(c: pg.Client, sql: string): Promise<Answer> {
  try {
    await c.query(sql);
    return {};
  } catch (e) {
    const err = e as pg.DatabaseError;
    return { code: err.code, message: err.message, position: err.position, hint: err.hint };
  }
}

describe('engine errors in PostgreSQL\'s words (vs a real PostgreSQL 15)', { skip }, () => {
  let postgres: RealPostgres | undefined;
  let demo: DemoServer;
  let reference: pg.Client;
  let runlake: pg.Client;

  before(async () => {
    [postgres, demo] = await Promise.all([startRealPostgres(), startDemoServer()]);
    reference = new pg.Client({ host: '127.0.0.1', port: postgres!.port, user: 'postgres', database: 'postgres' });
    await reference.connect();
    await reference.query(`CREATE TABLE processes (process_id text, process_name text, started_at timestamptz, process_status text);
      CREATE TABLE steps (process_id text, step_id text)`);
    runlake = demo.client();
    await runlake.connect();
  });

  after(async () => {
    await reference?.end();
    await runlake?.end();
    postgres?.stop();
    await demo?.stop();
  });

  for (const [sql, ours] of STATEMENTS) {
    it(sql, async () => {
      const want = await answer(reference, sql);
      const got = await answer(runlake, sql);
      assert.ok(want.code, `PostgreSQL accepts ${sql}`);
      assert.equal(got.code, want.code, `SQLSTATE of ${sql}: ${got.message}`);
      assert.equal(got.message, ours ?? want.message, sql);
      // Positions: PostgreSQL gives none for out-of-range values and the operator's for a missing one.
      if (got.position !== undefined || !/out of range/.test(want.message!)) assert.equal(got.position, want.position, `position of ${sql}`);
      assert.doesNotMatch(got.message ?? '', /Error: |LINE \d|Candidate|!/, sql);
    });
  }

  it('hints at a misspelt column and explains a missing function or operator, as PostgreSQL does', async () => {
    assert.equal((await answer(runlake, 'SELECT proces_name FROM processes')).hint, 'Perhaps you meant to reference the column "process_name".');
    assert.equal((await answer(runlake, 'SELECT nosuch FROM processes')).hint, undefined, 'no hint for a name that resembles nothing');
    for (const sql of ['SELECT nofunc(1)', 'SELECT process_name + 1 FROM processes']) {
      assert.equal((await answer(runlake, sql)).hint, (await answer(reference, sql)).hint, sql);
    }
  });
});
