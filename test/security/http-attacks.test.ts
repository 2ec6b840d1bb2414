/**
 * The isolation attack suite through the real server: organization acme, with its own access
 * key, sends hostile SQL to the HTTP query API. Every attempt must get a clean 4xx problem answer
 * that carries no row and no path of globex's; the server must keep serving.
 * (test/engine/sandbox.test.ts attacks the engine sandbox directly, below the front-end.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig } from '../../src/config/config.ts';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { processDoc } from '../support/docs.ts';
import { startServe, type ServerProcess } from '../support/server.ts';

describe('isolation attacks through the HTTP query API', () => {
  let dataDir: string;
  let server: ServerProcess;
  let auth: string;
  let lakeDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runlake-attacks-'));
    lakeDir = join(dataDir, 'lake');
    const control = await openLocalAdmin(loadConfig({ dataDir }, {}));
    await control.admin.createOrg({ name: 'acme' });
    await control.admin.createOrg({ name: 'globex' });
    const key = await control.admin.createAccessKey('acme');
    auth = `Bearer ${key.accessKeyId}:${key.secretAccessKey}`;
    const token = (await control.admin.createIngestToken('*')).token;
    await control.close();
    server = await startServe(dataDir, ['--publish-interval', '100']);
    for (const org of ['acme', 'globex']) {
      const res = await fetch(`${server.info.httpUrl}/ingest/v1/orgs/${org}/processes`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify([processDoc(`${org}-1`, { name: `${org} confidential` })]),
      });
      assert.equal(res.status, 200);
      await fetch(`${server.info.httpUrl}/admin/v1/orgs/${org}/publish`, { method: 'POST', headers: { authorization: `Bearer ${server.info.adminToken}` } });
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const query = (sql: string) =>
    fetch(`${server.info.httpUrl}/api/v1/query`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });

  it('answers acme with its own rows', async () => {
    const res = await query('SELECT process_name FROM processes');
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /acme confidential/);
    assert.doesNotMatch(body, /globex/);
  });

  const attacks = [
    `SELECT * FROM read_parquet('LAKE/orgs/globex/tables/processes/*/*.parquet')`,
    `SELECT * FROM read_csv('/etc/passwd')`,
    `SELECT * FROM read_text('/etc/passwd')`,
    `SELECT * FROM glob('LAKE/**')`,
    `SELECT * FROM "LAKE/orgs/globex/tables/processes"`,
    `SELECT * FROM globex.processes`,
    `SELECT * FROM "AwsDataCatalog"."globex"."processes"`,
    `SELECT * FROM acme.processes UNION ALL SELECT * FROM globex.processes`,
    `ATTACH 'DIR/control.db' AS c`,
    `INSTALL httpfs`,
    `LOAD httpfs`,
    `SET enable_external_access = true`,
    `RESET allowed_directories`,
    `PRAGMA database_list`,
    `COPY (SELECT * FROM processes) TO '/tmp/out.csv'`,
    `EXPORT DATABASE '/tmp/x'`,
    `CALL pragma_database_list()`,
    `SELECT * FROM duckdb_settings()`,
    `SELECT * FROM duckdb_extensions()`,
    `SELECT * FROM duckdb_secrets()`,
    `SELECT getenv('HOME')`,
    `SELECT current_setting('allowed_directories')`,
    `SELECT 1; SELECT * FROM duckdb_settings()`,
    `SELECT 1 /* ; */; DROP TABLE processes`,
    `SELECT ';' AS x; SELECT 2`,
    `SELECT 1 -- ;\n; ATTACH ':memory:' AS z`,
    `DROP TABLE processes`,
    `DELETE FROM processes`,
    `INSERT INTO processes (process_id) VALUES ('x')`,
    `CREATE TABLE stolen AS SELECT * FROM processes`,
    `CREATE TABLE looker_scratch.evil AS SELECT * FROM read_text('/etc/passwd')`,
    `SELECT '${'x'.repeat(300 * 1024)}'`,
  ];

  for (const raw of attacks) {
    it(`refuses ${raw.slice(0, 70).replace(/\n/g, ' ')}`, async () => {
      const sql = raw.replaceAll('LAKE', lakeDir).replaceAll('DIR', dataDir);
      const res = await query(sql);
      assert.ok(res.status >= 400 && res.status < 500, `a client error, got ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      const body = await res.text();
      assert.doesNotMatch(body, /globex confidential/);
      // A syntax error may quote the client's own words back; no other internal path may appear.
      for (const internal of [join(lakeDir, 'orgs', 'acme'), join(dataDir, 'engine'), join(dataDir, 'staging'), join(dataDir, 'control.db'), lakeDir]) {
        if (body.includes(internal)) assert.ok(sql.includes(internal), `the answer shows ${internal}, which the client did not send`);
      }
      assert.doesNotMatch(body, /at .*\.ts:\d+/, 'no stack trace');
    });
  }

  it('is still up and still serves acme', async () => {
    assert.equal((await fetch(`${server.info.httpUrl}/healthz`)).status, 200);
    const res = await query('SELECT count(*) FROM processes');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /\[1\]/);
  });
});
