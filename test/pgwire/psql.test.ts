/**
 * psql (libpq 15) against the pgwire listener and the DuckDB test backend: `-c` queries,
 * `\set FETCH_COUNT` (psql's DECLARE/FETCH cursor loop), errors, TLS, and Ctrl-C (SIGINT makes
 * psql send a CancelRequest). Skipped when psql is not installed (Debian: postgresql-client).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DATABASE, PASSWORD, USER, selfSignedCert, startHarness, until, type Harness } from './support/harness.ts';
import { psqlPath } from './support/postgres.ts';

const psql = psqlPath();
const cert = selfSignedCert();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runPsql(port: number, args: string[], opts: { password?: string; sslmode?: string; onSpawn?: (pid: number) => void } = {}): Promise<Run> {
  const conninfo = `host=127.0.0.1 port=${port} user=${USER} dbname=${DATABASE} sslmode=${opts.sslmode ?? 'disable'}`;
  return new Promise((resolve, reject) => {
    const p = spawn(psql!, ['-X', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, ...args], {
      env: { ...process.env, PGPASSWORD: opts.password ?? PASSWORD, PGCONNECT_TIMEOUT: '10', PAGER: '', PSQL_PAGER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    if (p.pid !== undefined) opts.onSpawn?.(p.pid);
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('pgwire with psql', { skip: psql ? false : 'psql is not installed (apt-get install postgresql-client)' }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('runs queries given with -c and prints PostgreSQL\'s text formats', async () => {
    const r = await runPsql(h.port, ['-A', '-t', '-F', '|', '-c',
      "SELECT i, s, d, 0.1::REAL AS f4, INTERVAL '1 month 2 days' AS iv, ['a', 'b c'] AS arr, TIMESTAMPTZ '2025-01-02 03:04:05+00' AS tz FROM t WHERE i < 2 ORDER BY i"]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '0|x0|2025-01-01|0.1|1 mon 2 days|{a,"b c"}|2025-01-02 03:04:05+00\n1|x1|2025-01-02|0.1|1 mon 2 days|{a,"b c"}|2025-01-02 03:04:05+00\n');
  });

  it('runs several -c options, SET and SHOW, and a multi-statement string', async () => {
    const r = await runPsql(h.port, ['-A', '-t', '-c', "SET TimeZone = 'Asia/Kolkata'", '-c', 'SHOW TimeZone', '-c', "SELECT TIMESTAMPTZ '2025-01-02 03:04:05+00'; SELECT 2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'SET\nAsia/Kolkata\n2025-01-02 08:34:05+05:30\n2\n');
  });

  it('reads a result through \\set FETCH_COUNT 100 (psql\'s DECLARE / FETCH FORWARD cursor loop)', async () => {
    const before = h.backend.log.executed.length;
    const parsedBefore = h.backend.log.parsed.length;
    const r = await runPsql(h.port, ['-A', '-t', '-c', '\\set FETCH_COUNT 100', '-c', 'SELECT i FROM range(250) r(i) ORDER BY i']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 250);
    assert.equal(lines[0], '0');
    assert.equal(lines[249], '249');
    assert.deepEqual(h.backend.log.executed.slice(before), ['SELECT i FROM range(250) r(i) ORDER BY i'], 'the cursor\'s query ran once');
    const statements = h.backend.log.parsed.slice(parsedBefore).map((x) => x.replace(/\s+/g, ' '));
    assert.deepEqual(statements, [
      'BEGIN',
      'DECLARE _psql_cursor NO SCROLL CURSOR FOR SELECT i FROM range(250) r(i) ORDER BY i',
      'SELECT i FROM range(250) r(i) ORDER BY i',
      'FETCH FORWARD 100 FROM _psql_cursor',
      'FETCH FORWARD 100 FROM _psql_cursor',
      'FETCH FORWARD 100 FROM _psql_cursor',
      'CLOSE _psql_cursor',
      'COMMIT',
    ]);
  });

  it('shows errors with their SQLSTATE text and a caret at the position', async () => {
    const r = await runPsql(h.port, ['-c', 'SELECT * FROM t WHER i = 1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR: {2}syntax error at or near "i"\nLINE 1: SELECT \* FROM t WHER i = 1\n {29}\^/);
    const missing = await runPsql(h.port, ['-c', 'SELECT * FROM missing_table']);
    assert.match(missing.stderr, /ERROR: {2}.*missing_table/);
    const ro = await runPsql(h.port, ['-c', "UPDATE t SET s = 'y'"]);
    assert.match(ro.stderr, /ERROR: {2}cannot execute UPDATE in a read-only transaction/);
  });

  it('fails a wrong password with the PostgreSQL message', async () => {
    const r = await runPsql(h.port, ['-c', 'SELECT 1'], { password: 'wrong' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /FATAL: {2}password authentication failed for user "alice"/);
  });

  it('cancels a running query on Ctrl-C (psql sends a CancelRequest)', async () => {
    let pid = 0;
    const run = runPsql(h.port, ['-c', 'SELECT count(*) FROM range(100000000000) a(x) WHERE x % 7 = 3'], { onSpawn: (p) => (pid = p) });
    await until(() => h.backend.log.running > 0, 15_000, 'the query to start');
    // Press Ctrl-C again while psql is still waiting, as a user would (one press must do; the
    // backend re-interrupts until the query is released).
    let done = false;
    const presses = (async () => {
      while (!done) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          break; // psql has exited
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const r = await run;
    done = true;
    await presses;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR: {2}canceling statement due to user request/);
  });
});

describe('pgwire with psql over TLS', { skip: !psql ? 'psql is not installed' : !cert ? 'openssl is not installed' : false }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ tls: cert!, requireTls: true });
  });
  after(() => h.close());

  it('connects with sslmode=require and is refused with sslmode=disable', async () => {
    const ok = await runPsql(h.port, ['-A', '-t', '-c', 'SELECT 1'], { sslmode: 'require' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, '1\n');
    const refused = await runPsql(h.port, ['-c', 'SELECT 1'], { sslmode: 'disable' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /FATAL: {2}this server requires an encrypted \(TLS\) connection/);
    assert.match(refused.stderr, /HINT: {2}Connect with sslmode=require/);
  });
});
