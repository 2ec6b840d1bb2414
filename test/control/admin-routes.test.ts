import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteAdminOps, openAdmin, openLocalAdmin, type LocalControlPlane } from '../../src/app/admin-client.ts';
import { removeServerInfo, writeServerInfo } from '../../src/app/server-info.ts';
import { loadConfig } from '../../src/config/config.ts';
import { addAdminRoutes } from '../../src/protocols/http/admin-routes.ts';
import { Router } from '../../src/protocols/http/router.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { rejectsWith, tempDir } from './helpers.ts';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

describe('admin API over HTTP (real server, RemoteAdminOps)', () => {
  let dataDir: string;
  let local: LocalControlPlane;
  let server: Server;
  let url: string;
  let remote: RemoteAdminOps;

  before(async () => {
    dataDir = tempDir();
    local = await openLocalAdmin(loadConfig({ dataDir }, {}));
    const router = new Router(silentLogger);
    addAdminRoutes(router, local.admin, ADMIN_TOKEN);
    server = createServer(router.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    remote = new RemoteAdminOps(url, ADMIN_TOKEN);
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await local.close();
  });

  it('refuses a missing or wrong admin token with 401 problem JSON', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${ADMIN_TOKEN}` }, { authorization: `Bearer ${ADMIN_TOKEN}x` }];
    for (const headers of attempts) {
      const res = await fetch(`${url}/admin/v1/orgs`, { headers });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="runlake"');
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.title, 'unauthenticated');
      assert.equal(body.status, 401);
      assert.match(String(body.detail), /Authorization: Bearer <admin token>/);
    }
    const post = await fetch(`${url}/admin/v1/orgs`, { method: 'POST', body: JSON.stringify({ name: 'sneaky' }), headers: { 'content-type': 'application/json' } });
    assert.equal(post.status, 401);
    assert.deepEqual(await local.admin.listOrgs(), [], 'nothing changed');
    await rejectsWith(new RemoteAdminOps(url, 'wrong-token-wrong-token').listOrgs(), 'unauthenticated', /admin token/);
  });

  it('does orgs, keys, users and tokens through the API, answering what the local operations answer', async () => {
    const acme = await remote.createOrg({ name: 'acme', timezone: 'America/New_York' });
    assert.equal(acme.timezone, 'America/New_York');
    await remote.createOrg({ name: 'globex', analyticsEnabled: false, limits: { maxConcurrentQueries: 2 } });
    assert.deepEqual(await remote.listOrgs(), await local.admin.listOrgs());
    assert.deepEqual(await remote.getOrg('globex'), await local.admin.getOrg('globex'));
    assert.equal((await remote.getOrg('globex')).limits.maxConcurrentQueries, 2);
    assert.equal((await remote.setAnalyticsEnabled('globex', true)).analyticsEnabled, true);
    assert.equal((await local.admin.getOrg('globex')).analyticsEnabled, true);

    const key = await remote.createAccessKey('acme', 'Tableau');
    assert.match(key.accessKeyId, /^RLAK[A-Z2-7]{16}$/);
    assert.equal((await local.admin.resolveAccessKey(key.accessKeyId))?.secretAccessKey, key.secretAccessKey);
    assert.deepEqual(await remote.listAccessKeys('acme'), await local.admin.listAccessKeys('acme'));
    const revoked = await remote.revokeAccessKey('acme', key.accessKeyId);
    assert.notEqual(revoked.revokedAt, null);
    assert.equal(await local.admin.resolveAccessKey(key.accessKeyId), undefined);

    const user = await remote.createUser({ username: 'alice', password: 'alice-password', role: 'viewer', org: 'acme' });
    await remote.createUser({ username: 'root', password: 'root-password', role: 'operator' });
    assert.deepEqual(await local.admin.verifyConsoleUser('alice', 'alice-password'), user);
    assert.deepEqual(await remote.listUsers('acme'), [user]);
    assert.deepEqual((await remote.listUsers()).map((u) => u.username), ['alice', 'root']);

    const token = await remote.createIngestToken('*', 'platform');
    assert.deepEqual(await local.admin.verifyIngestToken(token.token), { org: '*' });
    assert.deepEqual(await remote.listIngestTokens(), await local.admin.listIngestTokens());
    await remote.revokeIngestToken(token.id);
    assert.equal(await local.admin.verifyIngestToken(token.token), undefined);
  });

  it('brings errors back with the same code and message', async () => {
    await remote.createOrg({ name: 'initech' }).catch(() => undefined);
    await rejectsWith(remote.createOrg({ name: 'initech' }), 'conflict', 'organization "initech" already exists; `runlake org list` shows the organizations');
    await rejectsWith(remote.getOrg('nope'), 'not_found', 'organization "nope" does not exist; `runlake org list` shows the organizations');
    await rejectsWith(remote.createOrg({ name: 'Bad Name' }), 'bad_request', /organization name "Bad Name" is invalid/);
    await rejectsWith(remote.revokeAccessKey('initech', 'RLAKAAAAAAAAAAAAAAAA'), 'not_found', /does not exist in organization "initech"/);
    await rejectsWith(remote.createUser({ username: 'x1', password: 'short', role: 'operator' }), 'bad_request', /at least 8 characters/);
    await rejectsWith(remote.revokeIngestToken('it_nope'), 'not_found', /ingest token "it_nope" does not exist/);
  });

  it('answers malformed requests with 400 problem JSON', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const cases: [string, string, string, RegExp][] = [
      ['POST', '/admin/v1/orgs', '{not json', /not valid JSON/],
      ['POST', '/admin/v1/orgs', '[1]', /must be a JSON object/],
      ['POST', '/admin/v1/orgs', '{}', /"name" is required/],
      ['POST', '/admin/v1/orgs', '{"name":"x1","limits":{"bogus":1}}', /unknown limit "bogus"/],
      ['PATCH', '/admin/v1/orgs/initech', '{"analyticsEnabled":"yes"}', /must be true or false/],
      ['PATCH', '/admin/v1/orgs/initech', '{"name":"other"}', /only analyticsEnabled can be changed/],
      ['POST', '/admin/v1/users', '{"username":"u1","password":"longenough","role":"god"}', /role "god" is invalid/],
    ];
    for (const [method, path, body, detail] of cases) {
      const res = await fetch(url + path, { method, headers: auth, body });
      assert.equal(res.status, 400, `${method} ${path} ${body}`);
      assert.match(String(((await res.json()) as Record<string, unknown>).detail), detail);
    }
    const big = await fetch(`${url}/admin/v1/orgs`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'x'.repeat(70_000) }) });
    assert.equal(big.status, 413);
  });

  it('says plainly when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await rejectsWith(new RemoteAdminOps(`http://127.0.0.1:${port}`, ADMIN_TOKEN).listOrgs(), 'unavailable', /cannot reach the Runlake server/);
  });

  it('openAdmin goes through a live server found in server.json, else opens the store locally', async () => {
    const config = loadConfig({ dataDir }, {});
    await writeServerInfo(dataDir, { pid: process.pid, httpUrl: url, adminToken: ADMIN_TOKEN });
    try {
      const viaServer = await openAdmin(config);
      assert.equal(viaServer.remote, true);
      assert.ok(viaServer.admin instanceof RemoteAdminOps);
      assert.deepEqual(await viaServer.admin.listOrgs(), await local.admin.listOrgs());
      await viaServer.close();
    } finally {
      removeServerInfo(dataDir);
    }
    const other = tempDir();
    const direct = await openAdmin(loadConfig({ dataDir: other }, {}));
    try {
      assert.equal(direct.remote, false);
      assert.deepEqual(await direct.admin.listOrgs(), []);
    } finally {
      await direct.close();
    }
  });
});
