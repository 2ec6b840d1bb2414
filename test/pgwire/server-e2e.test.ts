/**
 * PostgreSQL clients against a real `runlake serve`: psql and node-postgres connect with an
 * organization's access key over TLS, introspect the catalog, run queries (simple, extended,
 * named), and get PostgreSQL's errors for wrong passwords, other databases, writes and
 * unknown tables; the Looker PDT cycle runs in looker_scratch.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { processDoc } from '../support/docs.ts';
import { startServe, type ServerProcess } from '../support/server.ts';

const hasPsql = spawnSync('psql', ['--version']).status === 0;

describe('PostgreSQL clients against runlake serve', () => {
  let dataDir: string;
  let server: ServerProcess;
  let key: { accessKeyId: string; secretAccessKey: string };
  let pgPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runlake-pg-e2e-'));
    const control = await openLocalAdmin(loadConfig({ dataDir }, {}));
    await control.admin.createOrg({ name: 'acme' });
    await control.admin.createOrg({ name: 'globex' });
    key = await control.admin.createAccessKey('acme');
    const token = (await control.admin.createIngestToken('*')).token;
    await control.close();
    server = await startServe(dataDir);
    pgPort = Number(/PostgreSQL wire: +[^:]+:(\d+)/.exec(server.output())?.[1]);
    assert.ok(pgPort > 0, `the server reports its pgwire port:\n${server.output()}`);
    for (const org of ['acme', 'globex']) {
      await fetch(`${server.info.httpUrl}/ingest/v1/orgs/${org}/processes`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify([processDoc(`${org}-1`, { name: `${org} one` }), processDoc(`${org}-2`, { name: `${org} two` })]),
      });
      await fetch(`${server.info.httpUrl}/admin/v1/orgs/${org}/publish`, { method: 'POST', headers: { authorization: `Bearer ${server.info.adminToken}` } });
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const client = (opts: { database?: string; password?: string } = {}) =>
    new pg.Client({
      host: '127.0.0.1', port: pgPort, database: opts.database ?? 'acme', user: key.accessKeyId, password: opts.password ?? key.secretAccessKey,
      ssl: { ca: readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8') },
    });

  it('node-postgres: simple, extended and named statements over verified TLS', async () => {
    const c = client();
    await c.connect();
    try {
      assert.deepEqual((await c.query('SELECT count(*) FROM processes')).rows, [{ count: '2' }]);
      const r = await c.query('SELECT process_name FROM processes WHERE process_id = $1', ['acme-2']);
      assert.deepEqual(r.rows, [{ process_name: 'acme two' }]);
      for (const id of ['acme-1', 'acme-2']) {
        const n = await c.query({ name: 'by_id', text: 'SELECT process_name FROM processes WHERE process_id = $1', values: [id] });
        assert.equal(n.rows.length, 1);
      }
      const globex = await c.query("SELECT count(*) AS n FROM processes WHERE process_name LIKE 'globex%'");
      assert.equal(globex.rows[0].n, '0');
    } finally {
      await c.end();
    }
  });

  it('node-postgres: PostgreSQL errors for writes and unknown tables; the Looker PDT cycle in looker_scratch', async () => {
    const c = client();
    await c.connect();
    try {
      await assert.rejects(c.query('DELETE FROM processes'), (e: { code?: string }) => e.code === '25006');
      await assert.rejects(c.query('SELECT * FROM nosuch'), (e: { code?: string }) => e.code === '42P01');
      await c.query('CREATE TABLE looker_scratch.lr_pdt AS SELECT process_status, count(*) AS n FROM processes GROUP BY 1');
      assert.equal((await c.query('SELECT n FROM looker_scratch.lr_pdt')).rows[0].n, '2');
      await c.query('ALTER TABLE looker_scratch.lr_pdt RENAME TO lr_pdt_v2');
      await c.query('DROP TABLE looker_scratch.lr_pdt_v2');
      await assert.rejects(c.query('SELECT * FROM looker_scratch.lr_pdt_v2'));
    } finally {
      await c.end();
    }
  });

  it('refuses a wrong password (28P01) and another database (3D000) without saying it exists', async () => {
    await assert.rejects(client({ password: 'wrong' }).connect(), (e: { code?: string }) => e.code === '28P01');
    await assert.rejects(client({ database: 'globex' }).connect(), (e: { code?: string; message: string }) => e.code === '3D000' && /does not exist/.test(e.message));
    await assert.rejects(client({ database: 'nosuch' }).connect(), (e: { code?: string; message: string }) => e.code === '3D000' && /does not exist/.test(e.message));
  });

  it('psql: \\dt, \\d processes, a query and \\copy, with empty stderr', { skip: !hasPsql && !process.env.CI ? 'psql is not installed' : false }, () => {
    const conn = `host=127.0.0.1 port=${pgPort} dbname=acme user=${key.accessKeyId} sslmode=require`;
    const psql = (cmd: string) => spawnSync('psql', [conn, '-X', '-c', cmd], { env: { ...process.env, PGPASSWORD: key.secretAccessKey }, encoding: 'utf8' });
    const dt = psql('\\dt');
    assert.equal(dt.status, 0, dt.stderr);
    assert.equal(dt.stderr, '');
    for (const t of ['processes', 'steps', 'form_fields', 'members']) assert.match(dt.stdout, new RegExp(`public \\| ${t} `));
    const d = psql('\\d processes');
    assert.equal(d.stderr, '');
    assert.match(d.stdout, /started_at +\| timestamp without time zone/);
    const q = psql('SELECT process_name FROM processes ORDER BY 1');
    assert.match(q.stdout, /acme one\n acme two/);
    const out = join(dataDir, 'out.csv');
    const copy = psql(`\\copy (SELECT process_id FROM processes ORDER BY 1) TO '${out}' csv`);
    assert.equal(copy.stderr, '');
    assert.equal(readFileSync(out, 'utf8'), 'acme-1\nacme-2\n');
  });
});
