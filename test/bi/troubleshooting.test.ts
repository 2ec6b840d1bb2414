/**
 * docs/troubleshooting.md quotes Runlake's real messages: each failure it lists is provoked
 * against a real `runlake serve` — with psql (wrong secret, one wrong character in the key id,
 * wrong database, analytics disabled, unreachable port, untrusted certificate), node-postgres (a
 * refused write), the HTTP query API (wrong key) and, when this build has it, the Athena API with
 * the AWS SDK (unknown key, wrong secret, staging directory outside the organization's folder,
 * wrong region, unknown workgroup, analytics disabled) — and the message, with the key id shown
 * as `RLAK…`, must appear in the document word for word.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Agent } from 'node:https';
import type { ConnectionFile } from '../../src/app/connection-file.ts';
import { REPO, runCli, startServe, type ServerProcess } from '../support/server.ts';
import { athenaEndpointOf, makeDemo, pgClient, pgPortOf, waitForBanner } from './support/stack.ts';

const DOC = readFileSync(join(REPO, 'docs', 'troubleshooting.md'), 'utf8');
const flat = (s: string): string => s.replace(/\s+/g, ' ').replace(/`/g, '');
const hasPsql = spawnSync('psql', ['--version']).status === 0;

/** The message with the variable parts the document writes as placeholders. */
const normalize = (s: string): string => s.replace(/RLAK[A-Z2-7]{16}/g, 'RLAK…').trim();

function assertDocumented(message: string): void {
  const m = normalize(message);
  assert.ok(flat(DOC).includes(flat(m)), `docs/troubleshooting.md should quote:\n${m}`);
}

function psql(conninfo: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('psql', [conninfo, '-c', 'SELECT 1'], { env: { ...process.env, PGCONNECT_TIMEOUT: '10', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('close', () => resolve(err));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('docs/troubleshooting.md quotes the real messages', () => {
  let dir: string;
  let dataDir: string;
  let conn: ConnectionFile;
  let server: ServerProcess;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-trouble-'));
    dataDir = join(dir, 'data');
    conn = await makeDemo(dataDir, 20);
    server = await startServe(dataDir, ['--https-port', '0']);
    await waitForBanner(server);
    port = pgPortOf(server);
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const acme = () => conn.orgs.find((o) => o.name === 'acme')!;
  const conninfo = (o: { user?: string; db?: string; port?: number; ssl?: string } = {}) =>
    `host=127.0.0.1 port=${o.port ?? port} dbname=${o.db ?? 'acme'} user=${o.user ?? acme().access_key_id} ${o.ssl ?? 'sslmode=require'}`;
  const fatal = (stderr: string): string => {
    const at = stderr.indexOf('FATAL:');
    assert.ok(at >= 0, `psql failed with a FATAL message:\n${stderr}`);
    return stderr.slice(at).split('\n')[0]!;
  };

  it('psql: wrong secret, one wrong character in the key id, wrong database', { skip: !hasPsql && !process.env.CI && 'psql is not installed' }, async () => {
    const secret = acme().secret_access_key;
    const wrongSecret = await psql(conninfo(), { PGPASSWORD: `${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}` });
    assertDocumented(fatal(wrongSecret));
    const key = acme().access_key_id;
    const oneChar = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    const wrongKey = await psql(conninfo({ user: oneChar }), { PGPASSWORD: secret });
    assert.equal(normalize(fatal(wrongKey)), normalize(fatal(wrongSecret)), 'an unknown key id and a wrong secret look the same');
    assertDocumented(fatal(wrongKey));
    assertDocumented(fatal((await psql(conninfo({ db: 'acme_prod' }), { PGPASSWORD: secret }))));
  });

  it('psql: unreachable port and untrusted certificate (client-side messages)', { skip: !hasPsql && !process.env.CI && 'psql is not installed' }, async () => {
    const closed = await freePort();
    const refused = await psql(conninfo({ port: closed }), { PGPASSWORD: 'x' });
    const line = /connection to server at "127\.0\.0\.1", port \d+ failed: Connection refused/.exec(refused)?.[0];
    assert.ok(line, refused);
    assertDocumented(line.replace(/port \d+/, 'port 5433'));
    const home = mkdtempSync(join(dir, 'home-'));
    const untrusted = await psql(conninfo({ ssl: 'sslmode=verify-full' }), { PGPASSWORD: acme().secret_access_key, HOME: home });
    const msg = /root certificate file "[^"]+" does not exist/.exec(untrusted)?.[0];
    assert.ok(msg, untrusted);
    assertDocumented(msg.replace(/"[^"]+"/, '"/home/me/.postgresql/root.crt"'));
  });

  it('a refused write names what is allowed: pgwire (node-postgres, SQLSTATE 25006) and the Trino dialect (HTTP API)', async () => {
    const c = pgClient(dataDir, port, acme());
    await c.connect();
    try {
      const e = await c.query('CREATE TABLE public.my_table AS SELECT 1 AS x').then(() => undefined, (err: { code?: string; message: string }) => err);
      assert.ok(e, 'the write was refused');
      assert.equal(e.code, '25006');
      assertDocumented(`ERROR: ${e.message}`);
    } finally {
      await c.end();
    }
    const r = await fetch(`${server.info.httpUrl}/api/v1/query`, {
      method: 'POST', headers: { authorization: `Bearer ${acme().access_key_id}:${acme().secret_access_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'CREATE TABLE my_table AS SELECT 1 AS x' }),
    });
    assert.equal(r.status, 403);
    const detail = ((await r.json()) as { detail: string }).detail;
    const allowed = /only SELECT.*schema$/.exec(detail)?.[0];
    assert.ok(allowed, detail);
    assertDocumented(allowed);
  });

  it('HTTP query API: wrong key', async () => {
    const r = await fetch(`${server.info.httpUrl}/api/v1/query`, {
      method: 'POST', headers: { authorization: `Bearer ${acme().access_key_id}:wrong-secret`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT 1' }),
    });
    assert.equal(r.status, 401);
    assertDocumented(((await r.json()) as { detail: string }).detail);
  });

  it('Athena API (AWS SDK): unknown key, wrong secret, staging directory, region, workgroup', async (t) => {
    const endpoint = athenaEndpointOf(server);
    if (!endpoint) {
      t.skip('this build has no Athena API listener yet');
      return;
    }
    const { AthenaClient, StartQueryExecutionCommand } = await import('@aws-sdk/client-athena');
    const ca = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const org = acme();
    const call = async (o: { key?: string; secret?: string; region?: string; output?: string; workgroup?: string }) => {
      const client = new AthenaClient({
        region: o.region ?? conn.athena.region, endpoint, maxAttempts: 1,
        credentials: { accessKeyId: o.key ?? org.access_key_id, secretAccessKey: o.secret ?? org.secret_access_key },
        requestHandler: { httpsAgent: new Agent({ ca }) },
      });
      try {
        await client.send(new StartQueryExecutionCommand({
          QueryString: 'SELECT 1', WorkGroup: o.workgroup ?? org.workgroup, QueryExecutionContext: { Database: org.database },
          ResultConfiguration: { OutputLocation: o.output ?? org.output_location },
        }));
        return 'no error';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      } finally {
        client.destroy();
      }
    };
    const unknown = await call({ key: `${org.access_key_id.slice(0, -1)}${org.access_key_id.endsWith('A') ? 'B' : 'A'}` });
    assert.match(unknown, /^UnrecognizedClientException: /);
    assertDocumented(unknown);
    const badSecret = await call({ secret: `${org.secret_access_key.slice(0, -1)}x` });
    assert.match(badSecret, /^InvalidSignatureException: /);
    assertDocumented(badSecret);
    assertDocumented(await call({ output: 's3://my-bucket/' }));
    assertDocumented(await call({ output: 's3://runlake-results/globex/' }));
    assertDocumented(await call({ region: 'us-west-2' }));
    assertDocumented(await call({ workgroup: 'nope' }));
  });

  it('debug logs: SET runlake.debug on/off logs exactly the statements in between; bad values are refused', async () => {
    const logsDir = join(dataDir, 'logs', 'pgwire');
    const before = existsSync(logsDir) ? readdirSync(logsDir) : [];
    const quiet = pgClient(dataDir, port, acme());
    const c = pgClient(dataDir, port, acme());
    await quiet.connect();
    await c.connect();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      await c.query('SELECT 41 AS before_debug');
      await assert.rejects(c.query('SET runlake.debug = maybe'), (e: { code?: string; message: string }) => e.code === '22023' && /runlake\.debug/.test(e.message));
      await c.query('SET runlake.debug = on');
      assert.equal((await c.query('SHOW runlake.debug')).rows[0]['runlake.debug'], 'on');
      await c.query("SELECT count(*) AS n FROM processes WHERE process_status = 'active'");
      await assert.rejects(c.query('SELECT * FROM no_such_table'));
      await quiet.query('SELECT 43 AS other_connection');
      await c.query('SET runlake.debug = off');
      await c.query('SELECT 42 AS after_debug');
    } finally {
      await c.end();
      await quiet.end();
    }
    const added = readdirSync(logsDir).filter((f) => !before.includes(f));
    assert.equal(added.length, 1, `one new log: ${added.join(', ')}`);
    assert.match(notices.join('\n'), new RegExp(`runlake\\.debug: this connection is logged to <data-dir>/logs/pgwire/${added[0]!.replace('.', '\\.')}`));
    const log = readFileSync(join(logsDir, added[0]!), 'utf8');
    assert.match(log, /connection user=RLAK\w+ database=acme /);
    assert.match(log, /execute sql="SELECT count\(\*\) AS n FROM processes WHERE process_status = 'active'" params=0\n.*columns columns=n:bigint\n.*finished rows=1 ms=\d+/);
    assert.match(log, /failed error="not_found .*no_such_table.*" ms=\d+\n/);
    assert.match(log, /debug off how=set/);
    for (const absent of ['before_debug', 'after_debug', 'other_connection', acme().secret_access_key]) assert.ok(!log.includes(absent), `${absent} is not logged`);
  });

  it('analytics disabled: psql and the Athena API', async () => {
    const off = await runCli(['org', 'disable', 'acme', '--data-dir', dataDir]);
    assert.equal(off.code, 0, off.stderr);
    try {
      if (hasPsql) assertDocumented(fatal(await psql(conninfo(), { PGPASSWORD: acme().secret_access_key })));
      const endpoint = athenaEndpointOf(server);
      if (endpoint) {
        const { AthenaClient, ListWorkGroupsCommand } = await import('@aws-sdk/client-athena');
        const org = acme();
        const client = new AthenaClient({
          region: conn.athena.region, endpoint, maxAttempts: 1,
          credentials: { accessKeyId: org.access_key_id, secretAccessKey: org.secret_access_key },
          requestHandler: { httpsAgent: new Agent({ ca: readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8') }) },
        });
        const e = await client.send(new ListWorkGroupsCommand({})).then(() => undefined, (err: Error) => err);
        client.destroy();
        assert.ok(e, 'refused');
        assertDocumented(`${e.name}: ${e.message}`);
      }
    } finally {
      const on = await runCli(['org', 'enable', 'acme', '--data-dir', dataDir]);
      assert.equal(on.code, 0, on.stderr);
    }
  });
});
