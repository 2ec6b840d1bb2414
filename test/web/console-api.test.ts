/**
 * The console API attacked directly, against a real `runlake serve` on demo data: sessions and
 * their cookie, CSRF and origin checks, login rate limits, roles (a viewer and keys), and every
 * organization-scoped endpoint called by an acme user for globex. Filter and drill values that
 * look like SQL are bound as values. (The same rules seen through the browser: the other files.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleClient, sql, startStack, type Stack } from './support/console.ts';

describe('console API', () => {
  let stack: Stack;
  let acme: ConsoleClient;
  let operator: ConsoleClient;

  before(async () => {
    stack = await startStack(200);
    const a = stack.org('acme');
    acme = await ConsoleClient.signIn(stack.url, a.console_user, a.console_password);
    operator = await ConsoleClient.signIn(stack.url, stack.conn.operator!.console_user, stack.conn.operator!.console_password);
  });
  after(async () => {
    await stack?.close();
  });

  it('signs in with a session cookie that is HttpOnly and SameSite=Strict (not Secure over plain HTTP), and refuses a wrong password in words', async () => {
    const a = stack.org('acme');
    const res = await fetch(`${stack.url}/console/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: a.console_user, password: a.console_password }),
    });
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^runlake_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const body = (await res.json()) as { user: { username: string; role: string; org: string }; csrfToken: string; orgs: string[] };
    assert.deepEqual(body.user, { username: a.console_user, role: 'org_admin', org: 'acme' });
    assert.deepEqual(body.orgs, ['acme']);
    assert.ok(body.csrfToken.length >= 40);

    const wrong = new ConsoleClient(stack.url);
    const r = await wrong.call('POST', '/console/api/session', { username: a.console_user, password: 'not-the-password' });
    assert.equal(r.status, 401);
    assert.equal((r.body as { detail: string }).detail, 'the username or password is wrong');
    assert.equal(r.headers.get('set-cookie'), null);
    assert.equal((await wrong.call('GET', '/console/api/session')).status, 401);
  });

  it('logging out ends the session: the old cookie is refused afterwards', async () => {
    const a = stack.org('acme');
    const c = await ConsoleClient.signIn(stack.url, a.console_user, a.console_password);
    const copy = Object.assign(new ConsoleClient(stack.url), c);
    assert.equal((await c.call('GET', '/console/api/session')).status, 200);
    const out = await c.call('DELETE', '/console/api/session');
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    const again = await copy.call('GET', '/console/api/orgs/acme/keys');
    assert.equal(again.status, 401);
  });

  it('refuses state changes without the CSRF token, with a wrong one, or from another origin', async () => {
    const before = ((await acme.call('GET', '/console/api/orgs/acme/keys')).body as { keys: unknown[] }).keys.length;
    const none = await acme.call('POST', '/console/api/orgs/acme/keys', { description: 'csrf' }, { csrf: null });
    assert.equal(none.status, 403);
    assert.match((none.body as { detail: string }).detail, /CSRF token/);
    assert.equal((await acme.call('POST', '/console/api/orgs/acme/keys', { description: 'csrf' }, { csrf: 'x'.repeat(43) })).status, 403);
    const foreign = await acme.call('POST', '/console/api/orgs/acme/keys', { description: 'csrf' }, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match((foreign.body as { detail: string }).detail, /another site/);
    const loginFromElsewhere = await new ConsoleClient(stack.url).call('POST', '/console/api/session', { username: 'x', password: 'y' }, { origin: 'https://evil.example' });
    assert.equal(loginFromElsewhere.status, 403);
    const after = ((await acme.call('GET', '/console/api/orgs/acme/keys')).body as { keys: unknown[] }).keys.length;
    assert.equal(after, before, 'no key was created');
  });

  it('locks out a username after 5 failed logins from one address, even with the right password then (429 with Retry-After)', async () => {
    const created = await acme.call('POST', '/console/api/orgs/acme/users', { username: 'locked-out', password: 'right-password', role: 'viewer' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const c = new ConsoleClient(stack.url);
    for (let i = 0; i < 5; i++) assert.equal((await c.call('POST', '/console/api/session', { username: 'locked-out', password: `wrong-${i}` })).status, 401);
    const locked = await c.call('POST', '/console/api/session', { username: 'locked-out', password: 'right-password' });
    assert.equal(locked.status, 429);
    assert.match((locked.body as { detail: string }).detail, /too many failed sign-in attempts; wait \d+ minutes? and try again/);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    // Another user from the same address is not locked.
    const a = stack.org('acme');
    assert.equal((await c.call('POST', '/console/api/session', { username: a.console_user, password: a.console_password })).status, 200);
  });

  it('a viewer reads dashboards and runs SQL, but cannot list, create or revoke keys, nor manage users', async () => {
    assert.equal((await acme.call('POST', '/console/api/orgs/acme/users', { username: 'acme-viewer', password: 'viewer-password', role: 'viewer' })).status, 201);
    const v = await ConsoleClient.signIn(stack.url, 'acme-viewer', 'viewer-password');
    const s = (await v.call('GET', '/console/api/session')).body as { canAdminister: boolean };
    assert.equal(s.canAdminister, false);
    assert.equal((await v.call('GET', '/console/api/orgs/acme/dashboards/process-durations/panels/kpis')).status, 200);
    const keyId = stack.org('acme').access_key_id;
    for (const [method, path, body] of [
      ['GET', '/console/api/orgs/acme/keys', undefined],
      ['POST', '/console/api/orgs/acme/keys', { description: 'viewer' }],
      ['POST', `/console/api/orgs/acme/keys/${keyId}/rotate`, {}],
      ['DELETE', `/console/api/orgs/acme/keys/${keyId}`, undefined],
      ['GET', '/console/api/orgs/acme/users', undefined],
      ['POST', '/console/api/orgs/acme/users', { username: 'sneaky', password: 'sneaky-password', role: 'org_admin' }],
      ['DELETE', `/console/api/orgs/acme/users/${stack.org('acme').console_user}`, undefined],
      ['PUT', `/console/api/orgs/acme/users/${stack.org('acme').console_user}/password`, { password: 'taken-over-password' }],
      ['GET', '/console/api/admin/orgs', undefined],
    ] as const) {
      const r = await v.call(method, path, body);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(typeof (r.body as { detail?: unknown }).detail, 'string');
    }
    // The key still works: nothing was revoked.
    assert.equal((await sql(stack, 'acme', 'SELECT 1 AS one'))[0]!.one, 1);
  });

  it("offers the organization's generated Looker project as a ZIP, for both dialects", async () => {
    for (const dialect of ['athena', 'postgres']) {
      const res = await fetch(`${stack.url}/console/api/orgs/acme/lookml.zip?dialect=${dialect}`, { headers: { cookie: acme.cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/zip');
      assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`runlake_acme-lookml-${dialect}\\.zip`));
      const zip = Buffer.from(await res.arrayBuffer());
      assert.equal(zip.readUInt32LE(0), 0x04034b50, 'a ZIP local file header');
      assert.ok(zip.includes('runlake_acme.model.lkml') && zip.includes('views/processes.view.lkml'), 'the model and the views are in it');
    }
    const bad = await acme.call('GET', '/console/api/orgs/acme/lookml.zip?dialect=mysql');
    assert.equal(bad.status, 400);
    assert.match((bad.body as { detail: string }).detail, /athena or postgres/);
  });

  it('an acme user cannot reach globex through any console endpoint', async () => {
    const globexKey = stack.org('globex').access_key_id;
    const paths: [string, string, unknown?][] = [
      ['GET', '/console/api/orgs/globex'],
      ['GET', '/console/api/orgs/globex/filters'],
      ['GET', '/console/api/orgs/globex/connection'],
      ['GET', '/console/api/orgs/globex/lookml.zip?dialect=athena'],
      ['GET', '/console/api/orgs/globex/schema'],
      ['GET', '/console/api/orgs/globex/queries'],
      ['POST', '/console/api/orgs/globex/queries', { sql: 'SELECT count(*) FROM processes' }],
      ['POST', '/console/api/orgs/globex/queries/anything/cancel', {}],
      ['GET', '/console/api/orgs/globex/keys'],
      ['POST', '/console/api/orgs/globex/keys', { description: 'stolen' }],
      ['POST', `/console/api/orgs/globex/keys/${globexKey}/rotate`, {}],
      ['DELETE', `/console/api/orgs/globex/keys/${globexKey}`],
      ['GET', '/console/api/orgs/globex/users'],
      ['POST', '/console/api/orgs/globex/users', { username: 'intruder', password: 'intruder-password', role: 'org_admin' }],
      ['DELETE', `/console/api/orgs/globex/users/${stack.org('globex').console_user}`],
      ['PUT', `/console/api/orgs/globex/users/${stack.org('globex').console_user}/password`, { password: 'taken-over-password' }],
      ['GET', '/console/api/orgs/nosuchorg'],
      ['GET', '/console/api/admin/orgs'],
      ['POST', '/console/api/admin/orgs', { name: 'takeover' }],
      ['PATCH', '/console/api/admin/orgs/globex', { analyticsEnabled: false }],
    ];
    for (const d of ['process-durations', 'team-scorecards', 'form-data', 'active-processes', 'sla-compliance']) {
      paths.push(['GET', `/console/api/orgs/globex/dashboards/${d}/panels/kpis`]);
    }
    paths.push(['GET', '/console/api/orgs/globex/dashboards/process-durations/panels/by-blueprint/drill?k.blueprint_id=globex-bp-expense-claim']);
    const messages = new Set<string>();
    for (const [method, path, body] of paths) {
      const r = await acme.call(method, path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`);
      messages.add((r.body as { detail: string }).detail);
    }
    // One message for every organization not the user's, existing or not.
    assert.ok([...messages].every((m) => m === 'you can only see your own organization (acme)' || m === 'only operators can manage organizations'), [...messages].join(' | '));

    // globex is untouched: its key works, no user or org was added, analytics is on.
    assert.equal((await sql(stack, 'globex', 'SELECT 1 AS one'))[0]!.one, 1);
    const orgs = (await operator.call('GET', '/console/api/admin/orgs')).body as { orgs: { name: string; analyticsEnabled: boolean; usage: { users: number } }[] };
    assert.deepEqual(orgs.orgs.map((o) => [o.name, o.analyticsEnabled, o.usage.users]), [['acme', true, 3], ['globex', true, 1]]);
  });

  it("the SQL editor runs as the user's organization: globex's database is not there, and acme's numbers are acme's", async () => {
    const count = async (client: ConsoleClient, org: string, text: string) => {
      const r = await client.call('POST', `/console/api/orgs/${org}/queries`, { sql: text });
      return { status: r.status, body: r.body };
    };
    const mine = await count(acme, 'acme', 'SELECT count(*) AS n FROM processes');
    assert.equal(mine.status, 200);
    const lines = String(mine.body).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    const acmeCount = (await sql(stack, 'acme', 'SELECT count(*) AS n FROM processes'))[0]!.n;
    assert.deepEqual(lines[1], [acmeCount]);
    assert.deepEqual(lines[2], { end: { rows: 1, truncated: false } });

    for (const attempt of ['SELECT count(*) FROM globex.processes', 'SELECT count(*) FROM awsdatacatalog.globex.processes', "SELECT * FROM read_parquet('../globex/*/*.parquet')"]) {
      const r = await count(acme, 'acme', attempt);
      assert.ok(r.status >= 400 && r.status < 500, `${attempt}: ${r.status}`);
      const detail = (r.body as { detail: string }).detail;
      assert.equal(typeof detail, 'string');
      assert.doesNotMatch(detail, /\/tmp\/|runlake-web-|\bat \w+ \(/i, 'no server path or stack in the message');
    }
  });

  it('binds filter and drill values as values: SQL in them matches nothing and runs nothing', async () => {
    const kpi = async (q: string) => {
      const r = await acme.call('GET', `/console/api/orgs/acme/dashboards/process-durations/panels/kpis${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body as { rows: unknown[][] }).rows[0]![0];
    };
    assert.equal(await kpi(`?blueprint=${encodeURIComponent("x' OR '1'='1")}`), 0);
    assert.equal(await kpi(`?team=${encodeURIComponent("') OR TRUE --")}`), 0);
    assert.equal(await kpi(`?member=${encodeURIComponent("\\'; DROP TABLE processes; --")}`), 0);
    const drill = await acme.call('GET', `/console/api/orgs/acme/dashboards/process-durations/panels/by-blueprint/drill?k.blueprint_id=${encodeURIComponent("' OR 1=1 --")}`);
    assert.equal(drill.status, 200);
    assert.deepEqual((drill.body as { rows: unknown[] }).rows, []);
    // Malformed values are refused in words, before any SQL.
    for (const [q, message] of [
      ['?from=2026-02-30', /"from" must be a date written YYYY-MM-DD/],
      ['?from=2026-05-01&to=2026-04-01', /starts \(2026-05-01\) after it ends/],
      [`?blueprint=${encodeURIComponent('a\u0000b')}`, /must not contain control characters/],
      [`?blueprint=${'x'.repeat(201)}`, /at most 200 characters/],
    ] as const) {
      const r = await acme.call('GET', `/console/api/orgs/acme/dashboards/process-durations/panels/kpis${q}`);
      assert.equal(r.status, 400, q);
      assert.match((r.body as { detail: string }).detail, message);
    }
    const badKey = await acme.call('GET', '/console/api/orgs/acme/dashboards/process-durations/panels/over-time/drill?k.month=2026-01-01%27');
    assert.equal(badKey.status, 400);
    // The tables are all still there.
    assert.ok(Number((await sql(stack, 'acme', 'SELECT count(*) AS n FROM processes'))[0]!.n) > 0);
  });

  it('an operator sees every organization, with usage, and turning analytics off refuses its queries at once', async () => {
    const r = await operator.call('GET', '/console/api/admin/orgs');
    assert.equal(r.status, 200);
    const acmeUsage = (r.body as { orgs: { name: string; usage: { queries: number; storageBytes: number; rows: number } }[] }).orgs.find((o) => o.name === 'acme')!.usage;
    assert.ok(acmeUsage.queries > 0 && acmeUsage.storageBytes > 0 && acmeUsage.rows > 0, JSON.stringify(acmeUsage));
    const off = await operator.call('PATCH', '/console/api/admin/orgs/globex', { analyticsEnabled: false });
    assert.equal(off.status, 200);
    assert.equal((off.body as { analyticsEnabled: boolean }).analyticsEnabled, false);
    const refused = await operator.call('GET', '/console/api/orgs/globex/dashboards/process-durations/panels/kpis');
    assert.equal(refused.status, 403);
    assert.match((refused.body as { detail: string }).detail, /analytics is not enabled for organization "globex"/);
    assert.equal((await operator.call('PATCH', '/console/api/admin/orgs/globex', { analyticsEnabled: true })).status, 200);
    assert.equal((await operator.call('GET', '/console/api/orgs/globex/dashboards/process-durations/panels/kpis')).status, 200);
    const created = await operator.call('POST', '/console/api/admin/orgs', { name: 'initech', timezone: 'Europe/Berlin' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const dup = await operator.call('POST', '/console/api/admin/orgs', { name: 'initech' });
    assert.equal(dup.status, 409);
    assert.match((dup.body as { detail: string }).detail, /already exists/);
  });

  it("an org admin resets a user's password and removes a user: their open sessions end at once; another organization's user is not found", async () => {
    assert.equal((await acme.call('POST', '/console/api/orgs/acme/users', { username: 'leaver', password: 'leaver-password', role: 'viewer' })).status, 201);
    const leaver = await ConsoleClient.signIn(stack.url, 'leaver', 'leaver-password');
    assert.equal((await leaver.call('GET', '/console/api/session')).status, 200);

    const short = await acme.call('PUT', '/console/api/orgs/acme/users/leaver/password', { password: 'short' });
    assert.equal(short.status, 400);
    assert.equal((await leaver.call('GET', '/console/api/session')).status, 200, 'a refused change signs no one out');
    const reset = await acme.call('PUT', '/console/api/orgs/acme/users/leaver/password', { password: 'leaver-new-password' });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.equal((await leaver.call('GET', '/console/api/session')).status, 401, 'signed out by the reset');
    const relogin = await leaver.call('POST', '/console/api/session', { username: 'leaver', password: 'leaver-password' });
    assert.equal(relogin.status, 401, 'the old password is refused');
    const again = await ConsoleClient.signIn(stack.url, 'leaver', 'leaver-new-password');

    const removed = await acme.call('DELETE', '/console/api/orgs/acme/users/leaver');
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.deepEqual({ ...(removed.body as object), createdAt: undefined }, { username: 'leaver', role: 'viewer', org: 'acme', createdAt: undefined });
    assert.equal((await again.call('GET', '/console/api/session')).status, 401, 'signed out by the removal');
    assert.equal((await again.call('POST', '/console/api/session', { username: 'leaver', password: 'leaver-new-password' })).status, 401);
    const users = (await acme.call('GET', '/console/api/orgs/acme/users')).body as { users: { username: string }[] };
    assert.ok(!users.users.some((u) => u.username === 'leaver'));
    assert.equal((await acme.call('DELETE', '/console/api/orgs/acme/users/leaver')).status, 404);

    // globex's admin through acme's URL: answered as a missing user of acme; still signs in.
    const g = stack.org('globex');
    const cross = await acme.call('DELETE', `/console/api/orgs/acme/users/${g.console_user}`);
    assert.equal(cross.status, 404);
    assert.equal((cross.body as { detail: string }).detail, `there is no console user "${g.console_user}" in organization "acme"`, 'as for a name no one has');
    assert.equal((await acme.call('PUT', `/console/api/orgs/acme/users/${g.console_user}/password`, { password: 'taken-over-password' })).status, 404);
    await ConsoleClient.signIn(stack.url, g.console_user, g.console_password);
  });

  it('anyone signed in changes their own password: the current one is checked, their other sessions end, this one goes on', async () => {
    assert.equal((await acme.call('POST', '/console/api/orgs/acme/users', { username: 'self-sam', password: 'sam-first-password', role: 'viewer' })).status, 201);
    const here = await ConsoleClient.signIn(stack.url, 'self-sam', 'sam-first-password');
    const elsewhere = await ConsoleClient.signIn(stack.url, 'self-sam', 'sam-first-password');

    const wrong = await here.call('PUT', '/console/api/session/password', { currentPassword: 'not-my-password', newPassword: 'sam-second-password' });
    assert.equal(wrong.status, 400);
    assert.equal((wrong.body as { detail: string }).detail, 'your current password is wrong; nothing was changed');
    const short = await here.call('PUT', '/console/api/session/password', { currentPassword: 'sam-first-password', newPassword: 'short' });
    assert.equal(short.status, 400);
    assert.equal((await elsewhere.call('GET', '/console/api/session')).status, 200, 'refused changes sign no one out');
    assert.equal((await here.call('PUT', '/console/api/session/password', { currentPassword: 'sam-first-password', newPassword: 'sam-second-password' }, { csrf: null })).status, 403, 'CSRF-checked like every change');

    const oldCsrf = here.csrf;
    const changed = await here.call('PUT', '/console/api/session/password', { currentPassword: 'sam-first-password', newPassword: 'sam-second-password' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.notEqual(here.csrf, oldCsrf, 'a new session, with its own CSRF token');
    assert.equal(((await here.call('GET', '/console/api/session')).body as { user: { username: string } }).user.username, 'self-sam', 'this browser stays signed in');
    assert.equal((await elsewhere.call('GET', '/console/api/session')).status, 401, 'the other session ended');
    assert.equal((await here.call('POST', '/console/api/session', { username: 'self-sam', password: 'sam-first-password' })).status, 401, 'the old password is refused');
    await ConsoleClient.signIn(stack.url, 'self-sam', 'sam-second-password');
    assert.equal((await new ConsoleClient(stack.url).call('PUT', '/console/api/session/password', { currentPassword: 'x', newPassword: 'y' })).status, 401, 'needs a session');
  });
});
