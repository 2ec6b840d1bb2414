import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/config.ts';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { processDoc, memberDoc } from '../support/docs.ts';
import { readTable } from '../support/lake.ts';
import { startServe, type ServerProcess } from '../support/server.ts';

const SMALL_BODIES = { RUNLAKE_INGEST_MAX_BODY_BYTES: String(2 * 1024 * 1024) };

describe('ingest over HTTP against a real server process', () => {
  let dataDir: string;
  let token: string;
  let globexToken: string;
  let server: ServerProcess;
  const lake = () => new LocalObjectStore(join(dataDir, 'lake'));

  const post = (path: string, body: string, opts: { token?: string; type?: string } = {}) =>
    fetch(`${server.info.httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': opts.type ?? 'application/json', ...(opts.token === '' ? {} : { authorization: `Bearer ${opts.token ?? token}` }) },
      body,
    });
  const adminPost = (path: string) => fetch(`${server.info.httpUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${server.info.adminToken}` } });
  const stagedCount = (org: string) => {
    const s = StagingStore.open(join(dataDir, 'staging', `${org}.db`));
    try {
      return s.counts().processes;
    } finally {
      s.close();
    }
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runlake-ingest-'));
    const control = await openLocalAdmin(loadConfig({ dataDir }, {}));
    await control.admin.createOrg({ name: 'acme' });
    await control.admin.createOrg({ name: 'globex' });
    await control.admin.createOrg({ name: 'initech', analyticsEnabled: false });
    token = (await control.admin.createIngestToken('acme')).token;
    globexToken = (await control.admin.createIngestToken('globex')).token;
    await control.close();
    server = await startServe(dataDir, ['--publish-interval', '600000'], SMALL_BODIES);
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an acknowledged batch survives kill -9 right after the 2xx, and is published after restart', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => processDoc(`k${i}`, { month: i % 2 ? '2025-01' : '2025-02' }));
    const res = await post('/ingest/v1/orgs/acme/processes', JSON.stringify(docs));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { received: 50, applied: 50, ignored: 0 });
    await server.kill9();
    assert.equal(stagedCount('acme'), 50, 'all acknowledged processes are in the staging store after kill -9');
    server = await startServe(dataDir, ['--publish-interval', '100'], SMALL_BODIES);
    // The restarted server publishes what was acknowledged but unpublished, by itself.
    const deadline = Date.now() + 20_000;
    let rows: unknown[] = [];
    while (Date.now() < deadline && rows.length < 50) {
      rows = await readTable(lake(), 'acme', 'processes');
      await sleep(100);
    }
    assert.equal(rows.length, 50);
  });

  it('accepts NDJSON and ignores stale snapshots', async () => {
    const fresh = processDoc('n1', { snapshotAt: '2025-01-20T00:00:00.000Z', name: 'fresh' });
    const stale = processDoc('n1', { snapshotAt: '2025-01-10T00:00:00.000Z', name: 'stale' });
    let res = await post('/ingest/v1/orgs/acme/processes', `${JSON.stringify(fresh)}\n`, { type: 'application/x-ndjson' });
    assert.equal(res.status, 200);
    res = await post('/ingest/v1/orgs/acme/processes', `${JSON.stringify(stale)}\n\n`, { type: 'application/x-ndjson' });
    assert.deepEqual(await res.json(), { received: 1, applied: 0, ignored: 1 });
    await adminPost('/admin/v1/orgs/acme/publish');
    const row = (await readTable(lake(), 'acme', 'processes')).find((r) => r.process_id === 'n1');
    assert.equal(row?.process_name, 'fresh');
  });

  it('refuses a malformed batch whole, with per-record errors and JSON pointers, changing nothing', async () => {
    const before = stagedCount('acme');
    const versionBefore = (await (await fetch(`${server.info.httpUrl}/admin/v1/orgs/acme/lake`, { headers: { authorization: `Bearer ${server.info.adminToken}` } })).json()) as { version: number };
    const good = processDoc('m-good');
    const bad1 = { ...processDoc('m-bad1'), process_status: 'sleeping' };
    const bad2 = processDoc('m-bad2');
    (bad2.tasks![0] as unknown as Record<string, unknown>).due_at = 'tomorrow';
    const res = await post('/ingest/v1/orgs/acme/processes', JSON.stringify([good, bad1, bad2]));
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const body = (await res.json()) as { detail: string; errors: { pointer: string; message: string }[] };
    assert.match(body.detail, /2 of 3 records are invalid; nothing in this batch was applied/);
    assert.ok(body.errors.some((e) => e.pointer === '/1/process_status' && /must be one of/.test(e.message)));
    assert.ok(body.errors.some((e) => e.pointer === '/2/tasks/0/due_at' && /ISO 8601/.test(e.message)));
    assert.equal(stagedCount('acme'), before, 'the valid record was not applied either');
    await adminPost('/admin/v1/orgs/acme/publish');
    const after = (await (await fetch(`${server.info.httpUrl}/admin/v1/orgs/acme/lake`, { headers: { authorization: `Bearer ${server.info.adminToken}` } })).json()) as { version: number };
    assert.equal(after.version, versionBefore.version, 'no new snapshot');

    const notJson = await post('/ingest/v1/orgs/acme/processes', '{"process_id": ');
    assert.equal(notJson.status, 400);
    const ndjson = await post('/ingest/v1/orgs/acme/processes', `${JSON.stringify(good)}\n{oops\n`, { type: 'application/x-ndjson' });
    assert.equal(ndjson.status, 422);
    assert.match(JSON.stringify(await ndjson.json()), /line 2 is not valid JSON/);
    assert.equal(stagedCount('acme'), before);
  });

  it('refuses a disabled organization with a plain message', async () => {
    const res = await post('/ingest/v1/orgs/initech/processes', JSON.stringify([processDoc('x')]), { token: server.info.adminToken });
    assert.equal(res.status, 403);
    const body = (await res.json()) as { detail: string };
    assert.match(body.detail, /analytics is not enabled for organization "initech"/);
  });

  it('checks the ingest token, its organization, the body size and the content type', async () => {
    assert.equal((await post('/ingest/v1/orgs/acme/processes', '[]', { token: '' })).status, 401);
    assert.equal((await post('/ingest/v1/orgs/acme/processes', '[]', { token: 'rlit_wrong' })).status, 401);
    const cross = await post('/ingest/v1/orgs/acme/processes', JSON.stringify([processDoc('z')]), { token: globexToken });
    assert.equal(cross.status, 403);
    assert.match(((await cross.json()) as { detail: string }).detail, /not valid for organization "acme"/);
    const unknown = await post('/ingest/v1/orgs/nosuch/processes', '[]', { token: server.info.adminToken });
    assert.equal(unknown.status, 404);
    const big = await post('/ingest/v1/orgs/acme/processes', JSON.stringify([{ ...processDoc('big'), process_name: 'x'.repeat(3 * 1024 * 1024) }]));
    assert.equal(big.status, 413);
    assert.equal((await post('/ingest/v1/orgs/acme/processes', 'a,b', { type: 'text/csv' })).status, 415);
    // curl --data without a content type sends application/x-www-form-urlencoded: the body decides.
    const curlish = await post('/ingest/v1/orgs/acme/processes', JSON.stringify([processDoc('curl1')]), { type: 'application/x-www-form-urlencoded' });
    assert.equal(curlish.status, 200);
    const curlNd = await post('/ingest/v1/orgs/acme/processes', `${JSON.stringify(processDoc('curl2'))}\n${JSON.stringify(processDoc('curl3'))}\n`, { type: 'application/x-www-form-urlencoded' });
    assert.deepEqual(await curlNd.json(), { received: 2, applied: 2, ignored: 0 });
  });

  it('ingests members and login events, and deletes a process by tombstone', async () => {
    let res = await post('/ingest/v1/orgs/acme/members', JSON.stringify([memberDoc('m1'), memberDoc('m2')]));
    assert.equal(res.status, 200);
    res = await post('/ingest/v1/orgs/acme/member-logins', JSON.stringify([{ member_id: 'm1', login_at: '2025-01-01T10:00:00Z' }, { member_id: 'm1', login_at: '2025-01-01T10:00:00Z' }]));
    assert.deepEqual(await res.json(), { received: 2, applied: 1, ignored: 1 });
    res = await fetch(`${server.info.httpUrl}/ingest/v1/orgs/acme/processes/k1?deleted_at=2030-01-01T00:00:00Z`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    await adminPost('/admin/v1/orgs/acme/publish');
    assert.equal((await readTable(lake(), 'acme', 'members')).length, 2);
    assert.equal((await readTable(lake(), 'acme', 'member_logins')).length, 1);
    assert.ok(!(await readTable(lake(), 'acme', 'processes')).some((r) => r.process_id === 'k1'));
  });
});
