/**
 * The console API's pure parts, without a server: filter values become SQL literals safely and
 * malformed ones are refused; sessions expire (idle and absolute) and end on logout; the login
 * limiter counts failures per address and username within its window.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RunlakeError } from '../../src/util/errors.ts';
import { dateRange, memberSet, parseFilters, stringLiteral, timestampLiteral } from '../../src/protocols/http/console-filters.ts';
import { LoginLimiter } from '../../src/protocols/http/console-login-limiter.ts';
import { SessionStore, parseCookies } from '../../src/protocols/http/console-session.ts';
import { DASHBOARDS, parseKeys, panelById } from '../../src/protocols/http/console-dashboards.ts';

const badRequest = (re: RegExp) => (e: unknown) => e instanceof RunlakeError && e.code === 'bad_request' && re.test(e.message);

describe('console filters', () => {
  it('quotes values as Trino string literals, doubling quotes and keeping backslashes', () => {
    assert.equal(stringLiteral("O'Brien"), "'O''Brien'");
    assert.equal(stringLiteral("\\' OR 1=1 --"), "'\\'' OR 1=1 --'");
    assert.equal(memberSet({ team: "a'b" }), "(SELECT member_id FROM members WHERE team = 'a''b')");
    assert.deepEqual(dateRange('started_at', { from: '2026-01-01', to: '2026-01-31' }), [
      "started_at >= DATE '2026-01-01'",
      "started_at < date_add('day', 1, DATE '2026-01-31')",
    ]);
    assert.equal(timestampLiteral('2026-03-02T00:00:00'), "TIMESTAMP '2026-03-02 00:00:00.000'");
  });

  it('refuses dates that are not calendar days, reversed ranges, control characters and long values', () => {
    assert.throws(() => parseFilters(new URLSearchParams('from=2026-02-29')), badRequest(/"from" must be a date/));
    assert.throws(() => parseFilters(new URLSearchParams("to=2026-01-01' --")), badRequest(/"to" must be a date/));
    assert.throws(() => parseFilters(new URLSearchParams('from=2026-02-02&to=2026-02-01')), badRequest(/after it ends/));
    assert.throws(() => parseFilters(new URLSearchParams('team=a%0Ab')), badRequest(/control characters/));
    assert.throws(() => parseFilters(new URLSearchParams(`member=${'m'.repeat(201)}`)), badRequest(/at most 200/));
    assert.deepEqual(parseFilters(new URLSearchParams('from=2024-02-29&blueprint=bp&unknown=x')), { from: '2024-02-29', blueprint: 'bp' });
  });

  it('checks drill keys by type: timestamps and whole numbers only in their own shape', () => {
    const d = DASHBOARDS.find((x) => x.id === 'process-durations')!;
    const overTime = panelById(d, 'over-time');
    assert.deepEqual(parseKeys(overTime, new URLSearchParams('k.month=2026-01-01T00:00:00')), { month: '2026-01-01 00:00:00.000' });
    assert.throws(() => parseKeys(overTime, new URLSearchParams("k.month=2026-01-01T00:00:00' OR 1=1")), badRequest(/timestamp/));
    const age = panelById(DASHBOARDS.find((x) => x.id === 'active-processes')!, 'age');
    assert.throws(() => parseKeys(age, new URLSearchParams('k.bucket=1 OR 1=1')), badRequest(/whole number/));
    assert.deepEqual(parseKeys(panelById(d, 'by-blueprint'), new URLSearchParams('')), { blueprint_id: null });
  });

  it('every dashboard panel builds SQL for every filter, and every drill-down for its keys', () => {
    const filters = [{}, { from: '2026-01-01', to: '2026-02-01', blueprint: "b'p", team: 't', member: 'm' }];
    for (const d of DASHBOARDS) {
      for (const p of d.panels) {
        for (const f of filters) {
          const sql = p.sql(f, {});
          assert.ok(sql.startsWith(`/* runlake console: ${d.id}/${p.id} */`), `${d.id}/${p.id}`);
          if (f.blueprint) assert.ok(sql.includes("'b''p'"), `${d.id}/${p.id} binds the blueprint`);
          if (p.drill) {
            const keys = Object.fromEntries(p.drill.keys.map((k) => [k.column, k.type === 'int' ? 1 : k.type === 'timestamp' ? '2026-01-01 00:00:00.000' : "x'y"]));
            assert.ok(p.drill.sql(f, keys, {}).includes('LIMIT 500'), `${d.id}/${p.id} drill`);
          }
        }
      }
    }
  });
});

describe('console sessions', () => {
  const user = { username: 'ada', role: 'viewer' as const, org: 'acme', createdAt: '2026-01-01T00:00:00.000Z' };

  it('ends a session after the idle time, after the absolute lifetime, and on logout', () => {
    let now = 0;
    const s = new SessionStore({ idleMs: 100, maxAgeMs: 250, now: () => now });
    const a = s.create(user);
    now = 90;
    assert.ok(s.get(a.id));
    now = 180;
    assert.ok(s.get(a.id), 'used within the idle time');
    now = 260;
    assert.equal(s.get(a.id), undefined, 'past the absolute lifetime');
    const b = s.create(user);
    now = 361;
    assert.equal(s.get(b.id), undefined, 'idle too long');
    const c = s.create(user);
    s.end(c.id);
    assert.equal(s.get(c.id), undefined);
    assert.equal(s.get('not-a-session'), undefined);
    assert.notEqual(a.session.csrfToken, b.session.csrfToken);
  });

  it('parses cookies, taking the first of a repeated name', () => {
    assert.deepEqual([...parseCookies('a=1; runlake_session=x; runlake_session=y; junk')], [['a', '1'], ['runlake_session', 'x']]);
  });
});

describe('console login limiter', () => {
  it('locks a username from one address after 5 failures in the window, and frees it when they age out', () => {
    let now = 0;
    const l = new LoginLimiter({ windowMs: 1000, maxPerUser: 5, maxPerAddress: 8, now: () => now });
    for (let i = 0; i < 5; i++) {
      assert.equal(l.retryAfter('1.2.3.4', 'ada'), undefined);
      l.failed('1.2.3.4', 'ada');
      now += 10;
    }
    assert.equal(l.retryAfter('1.2.3.4', 'ADA'), 1, 'usernames are compared without case');
    assert.equal(l.retryAfter('5.6.7.8', 'ada'), undefined, 'another address is not locked');
    assert.equal(l.retryAfter('1.2.3.4', 'grace'), undefined, 'another user from the address is not');
    now = 1001;
    assert.equal(l.retryAfter('1.2.3.4', 'ada'), undefined, 'the first failure left the window');
  });

  it('locks an address spraying usernames, and a success clears only its own pair', () => {
    const l = new LoginLimiter({ windowMs: 60_000, maxPerUser: 5, maxPerAddress: 3 });
    l.failed('9.9.9.9', 'a');
    l.failed('9.9.9.9', 'b');
    l.succeeded('9.9.9.9', 'a');
    l.failed('9.9.9.9', 'c');
    assert.ok((l.retryAfter('9.9.9.9', 'd') ?? 0) > 0);
  });
});
