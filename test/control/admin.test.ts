import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../src/config/config.ts';
import {
  ACCESS_KEY_ID_PATTERN,
  INGEST_TOKEN_PATTERN,
  LocalAdminOps,
  SECRET_ACCESS_KEY_PATTERN,
  newAccessKeyId,
  newSecretAccessKey,
  validateOrgName,
  type AdminOps,
} from '../../src/control/admin.ts';
import { DEFAULT_ORG_LIMITS } from '../../src/control/control-store.ts';
import { parseScramVerifier, scramVerifierMatches } from '../../src/control/crypto/scram.ts';
import { SecretBox } from '../../src/control/crypto/secrets.ts';
import { SqliteControlStore } from '../../src/control/sqlite-control-store.ts';
import { RunlakeError } from '../../src/util/errors.ts';
import { rejectsWith, tempDir } from './helpers.ts';

async function openAdmin(opts: { dir?: string; key?: Buffer; now?: () => Date } = {}) {
  const dir = opts.dir ?? tempDir();
  const store = SqliteControlStore.openInDataDir(dir);
  const admin = await LocalAdminOps.open(store, new SecretBox(opts.key ?? Buffer.alloc(32, 1)), opts.now ? { now: opts.now } : {});
  return { admin, store, dir };
}

describe('organization names', () => {
  it('accepts lower-case [a-z][a-z0-9_]{0,62}', () => {
    for (const ok of ['acme', 'a', 'acme_corp', 'org2', 'a' + 'b'.repeat(62)]) validateOrgName(ok);
  });

  it('refuses other shapes with a message that says what a name may be', () => {
    for (const bad of ['', 'Acme', '2acme', '_acme', 'acme-corp', 'acme corp', 'a' + 'b'.repeat(63), 'ácme', 'acme;drop']) {
      assert.throws(
        () => validateOrgName(bad),
        (e: unknown) => e instanceof RunlakeError && e.code === 'bad_request' && /lower-case letters, digits and underscores/.test(e.message),
        bad,
      );
    }
  });

  it('refuses reserved names: system schemas, catalogs, the scratch schema, SQL keywords, pg_*', () => {
    for (const reserved of ['information_schema', 'pg_catalog', 'looker_scratch', 'default', 'public', 'main', 'memory', 'system', 'select', 'user', 'pg_anything']) {
      assert.throws(() => validateOrgName(reserved), (e: unknown) => e instanceof RunlakeError && /is reserved/.test(e.message), reserved);
    }
    assert.throws(() => validateOrgName('pdt_scratch', ['pdt_scratch']), /is reserved/);
  });
});

describe('LocalAdminOps', () => {
  it('creates organizations with defaults, lists and gets them, enables and disables analytics', async () => {
    const clock = new Date('2024-03-15T14:30:00.000Z');
    const { admin, store } = await openAdmin({ now: () => clock });
    try {
      const acme = await admin.createOrg({ name: 'acme' });
      assert.deepEqual(acme, {
        name: 'acme',
        database: 'acme',
        analyticsEnabled: true,
        timezone: 'UTC',
        limits: { maxConcurrentQueries: 20, maxQueuedQueries: 100, queryTimeoutMs: 1_800_000, scratchQuotaBytes: 1_073_741_824 },
        createdAt: '2024-03-15T14:30:00.000Z',
      });
      const globex = await admin.createOrg({ name: 'globex', timezone: 'Europe/Berlin', analyticsEnabled: false, limits: { maxConcurrentQueries: 5 } });
      assert.equal(globex.analyticsEnabled, false);
      assert.equal(globex.timezone, 'Europe/Berlin');
      assert.deepEqual(globex.limits, { ...DEFAULT_ORG_LIMITS, maxConcurrentQueries: 5 });
      assert.deepEqual(await admin.listOrgs(), [acme, globex]);
      assert.deepEqual(await admin.getOrg('globex'), globex);
      assert.equal((await admin.setAnalyticsEnabled('globex', true)).analyticsEnabled, true);
      assert.equal((await admin.getOrg('globex')).analyticsEnabled, true);
      assert.equal((await admin.setAnalyticsEnabled('acme', false)).analyticsEnabled, false);
    } finally {
      await store.close();
    }
  });

  it('answers a duplicate, an unknown organization, a bad time zone or limit with specific errors', async () => {
    const { admin, store } = await openAdmin();
    try {
      await admin.createOrg({ name: 'acme' });
      await rejectsWith(admin.createOrg({ name: 'acme' }), 'conflict', 'organization "acme" already exists; `runlake org list` shows the organizations');
      await rejectsWith(admin.getOrg('nope'), 'not_found', 'organization "nope" does not exist; `runlake org list` shows the organizations');
      await rejectsWith(admin.setAnalyticsEnabled('nope', true), 'not_found', /organization "nope" does not exist/);
      await rejectsWith(admin.createOrg({ name: 'b', timezone: 'Mars/Olympus' }), 'bad_request', /not an IANA time zone/);
      await rejectsWith(admin.createOrg({ name: 'c', limits: { maxQueuedQueries: 0 } }), 'bad_request', /maxQueuedQueries must be a positive integer/);
      await rejectsWith(admin.createOrg({ name: 'Bad' }), 'bad_request', /is invalid/);
      await rejectsWith(admin.createOrg({ name: 'looker_scratch' }), 'bad_request', /is reserved/);
      assert.deepEqual((await admin.listOrgs()).map((o) => o.name), ['acme'], 'failures change nothing');
    } finally {
      await store.close();
    }
  });

  it('creates AWS-shaped access keys whose secret is stored encrypted, with a SCRAM verifier, and resolvable until revoked', async () => {
    const { admin, store } = await openAdmin();
    try {
      await admin.createOrg({ name: 'acme' });
      const k = await admin.createAccessKey('acme', '  Looker production  ');
      assert.match(k.accessKeyId, ACCESS_KEY_ID_PATTERN);
      assert.equal(k.accessKeyId.length, 20);
      assert.match(k.secretAccessKey, SECRET_ACCESS_KEY_PATTERN);
      assert.equal(k.secretAccessKey.length, 40);
      assert.equal(k.description, 'Looker production');
      assert.equal(k.revokedAt, null);

      const stored = await store.getAccessKey(k.accessKeyId);
      assert.ok(stored);
      assert.ok(!stored.secretCiphertext.includes(k.secretAccessKey), 'not stored in clear');
      assert.equal(scramVerifierMatches(parseScramVerifier(stored.scramVerifier), k.secretAccessKey), true);

      const listed = await admin.listAccessKeys('acme');
      assert.deepEqual(listed, [{ accessKeyId: k.accessKeyId, org: 'acme', description: 'Looker production', createdAt: k.createdAt, lastUsedAt: null, revokedAt: null }]);

      const resolved = await admin.resolveAccessKey(k.accessKeyId);
      assert.deepEqual(resolved, { accessKeyId: k.accessKeyId, org: 'acme', secretAccessKey: k.secretAccessKey, scramVerifier: stored.scramVerifier });
      assert.equal(await admin.resolveAccessKey('RLAKAAAAAAAAAAAAAAAA'), undefined);
      assert.equal(await admin.resolveAccessKey('not a key id'), undefined);

      const revoked = await admin.revokeAccessKey('acme', k.accessKeyId);
      assert.notEqual(revoked.revokedAt, null);
      assert.equal(await admin.resolveAccessKey(k.accessKeyId), undefined, 'revoked ⇒ unresolvable');
      await rejectsWith(admin.revokeAccessKey('acme', k.accessKeyId), 'conflict', /already revoked at/);
      await rejectsWith(
        admin.revokeAccessKey('acme', 'RLAKAAAAAAAAAAAAAAAA'),
        'not_found',
        'access key "RLAKAAAAAAAAAAAAAAAA" does not exist in organization "acme"; `runlake keys list --org acme` shows its keys',
      );
      await rejectsWith(admin.createAccessKey('nope'), 'not_found', /organization "nope" does not exist/);
      await rejectsWith(admin.createAccessKey('acme', 'x'.repeat(201)), 'bad_request', /at most 200 characters/);
    } finally {
      await store.close();
    }
  });

  it("will not revoke another organization's key", async () => {
    const { admin, store } = await openAdmin();
    try {
      await admin.createOrg({ name: 'acme' });
      await admin.createOrg({ name: 'globex' });
      const k = await admin.createAccessKey('globex');
      await rejectsWith(admin.revokeAccessKey('acme', k.accessKeyId), 'not_found', /does not exist in organization "acme"/);
      assert.ok(await admin.resolveAccessKey(k.accessKeyId));
    } finally {
      await store.close();
    }
  });

  it('records key use at most once per interval', async () => {
    let now = new Date('2024-03-15T14:30:00.000Z');
    const { admin, store } = await openAdmin({ now: () => now });
    try {
      await admin.createOrg({ name: 'acme' });
      const k = await admin.createAccessKey('acme');
      await admin.touchAccessKey(k.accessKeyId);
      assert.equal((await admin.listAccessKeys('acme'))[0]!.lastUsedAt, '2024-03-15T14:30:00.000Z');
      now = new Date('2024-03-15T14:30:30.000Z');
      await admin.touchAccessKey(k.accessKeyId);
      assert.equal((await admin.listAccessKeys('acme'))[0]!.lastUsedAt, '2024-03-15T14:30:00.000Z');
      now = new Date('2024-03-15T14:31:01.000Z');
      await admin.touchAccessKey(k.accessKeyId);
      assert.equal((await admin.listAccessKeys('acme'))[0]!.lastUsedAt, '2024-03-15T14:31:01.000Z');
    } finally {
      await store.close();
    }
  });

  it('access key ids are 20 characters of RLAK + base32 and unique', () => {
    const ids = new Set(Array.from({ length: 2000 }, newAccessKeyId));
    assert.equal(ids.size, 2000);
    for (const id of ids) assert.match(id, /^RLAK[A-Z2-7]{16}$/);
  });

  it('secret access keys are 40 characters of base64url, unique, and never begin with "-" (a command-line flag hazard)', () => {
    const secrets = new Set(Array.from({ length: 2000 }, newSecretAccessKey));
    assert.equal(secrets.size, 2000);
    for (const s of secrets) {
      assert.match(s, SECRET_ACCESS_KEY_PATTERN);
      assert.ok(!s.startsWith('-'), s);
    }
  });

  it('creates console users with hashed passwords and verifies them', async () => {
    const { admin, store } = await openAdmin();
    try {
      await admin.createOrg({ name: 'acme' });
      const root = await admin.createUser({ username: 'root', password: 'operator-pass', role: 'operator' });
      const alice = await admin.createUser({ username: 'alice@acme.example', password: 'alice-pass', role: 'org_admin', org: 'acme' });
      assert.deepEqual(alice, { username: 'alice@acme.example', role: 'org_admin', org: 'acme', createdAt: alice.createdAt });
      assert.equal(root.org, null);
      assert.match((await store.getUser('root'))!.passwordHash, /^\$scrypt\$/);
      assert.ok(!(await store.getUser('root'))!.passwordHash.includes('operator-pass'));

      assert.deepEqual(await admin.verifyConsoleUser('alice@acme.example', 'alice-pass'), alice);
      assert.equal(await admin.verifyConsoleUser('alice@acme.example', 'alice-pasS'), undefined);
      assert.equal(await admin.verifyConsoleUser('nobody', 'alice-pass'), undefined);
      assert.deepEqual((await admin.listUsers()).map((u) => u.username), ['alice@acme.example', 'root']);
      assert.deepEqual(await admin.listUsers('acme'), [alice]);

      await rejectsWith(admin.createUser({ username: 'root', password: 'whatever1', role: 'operator' }), 'conflict', /console user "root" already exists/);
      await rejectsWith(admin.createUser({ username: 'bob', password: 'short', role: 'viewer', org: 'acme' }), 'bad_request', /at least 8 characters/);
      await rejectsWith(admin.createUser({ username: 'bob', password: 'long enough', role: 'viewer' }), 'bad_request', /belongs to one organization/);
      await rejectsWith(admin.createUser({ username: 'bob', password: 'long enough', role: 'operator', org: 'acme' }), 'bad_request', /belongs to no organization/);
      await rejectsWith(admin.createUser({ username: 'bob', password: 'long enough', role: 'viewer', org: 'nope' }), 'not_found', /organization "nope" does not exist/);
      await rejectsWith(admin.createUser({ username: 'bob smith', password: 'long enough', role: 'operator' }), 'bad_request', /username "bob smith" is invalid/);
      await rejectsWith(admin.listUsers('nope'), 'not_found', /does not exist/);
    } finally {
      await store.close();
    }
  });

  it('creates ingest tokens stored only as hashes, verifies them until revoked', async () => {
    const { admin, store } = await openAdmin();
    try {
      await admin.createOrg({ name: 'acme' });
      const t = await admin.createIngestToken('acme', 'webhook');
      const all = await admin.createIngestToken('*');
      assert.match(t.token, INGEST_TOKEN_PATTERN);
      assert.equal(t.token.length, 37);
      assert.match(t.id, /^it_[a-z2-7]{16}$/);
      assert.deepEqual(await admin.verifyIngestToken(t.token), { org: 'acme' });
      assert.deepEqual(await admin.verifyIngestToken(all.token), { org: '*' });
      assert.equal(await admin.verifyIngestToken(t.token.slice(0, -1) + (t.token.endsWith('a') ? 'b' : 'a')), undefined);
      assert.equal(await admin.verifyIngestToken('rlit_short'), undefined);
      assert.equal(await admin.verifyIngestToken(''), undefined);
      const stored = await store.findIngestTokenByHash(createHash('sha256').update(t.token).digest('hex'));
      assert.equal(stored?.id, t.id);
      const listed = await admin.listIngestTokens();
      assert.deepEqual(listed.map((x) => x.id).sort(), [t.id, all.id].sort());
      assert.ok(!JSON.stringify(listed).includes(t.token));

      const revoked = await admin.revokeIngestToken(t.id);
      assert.notEqual(revoked.revokedAt, null);
      assert.equal(await admin.verifyIngestToken(t.token), undefined);
      assert.deepEqual(await admin.verifyIngestToken(all.token), { org: '*' });
      await rejectsWith(admin.revokeIngestToken(t.id), 'conflict', /already revoked/);
      await rejectsWith(admin.revokeIngestToken('it_nope'), 'not_found', 'ingest token "it_nope" does not exist; `runlake tokens list` shows the tokens');
      await rejectsWith(admin.createIngestToken('nope'), 'not_found', /organization "nope" does not exist/);
    } finally {
      await store.close();
    }
  });

  it('refuses a master key other than the one the store was first used with', async () => {
    const { store, dir, admin } = await openAdmin({ key: Buffer.alloc(32, 1) });
    await admin.createOrg({ name: 'acme' });
    await store.close();
    const again = SqliteControlStore.openInDataDir(dir);
    try {
      await assert.rejects(
        LocalAdminOps.open(again, new SecretBox(Buffer.alloc(32, 2))),
        (e: unknown) => e instanceof ConfigError && /is not the one this data dir's secrets are encrypted with/.test(e.message),
      );
      const ok: AdminOps = await LocalAdminOps.open(again, new SecretBox(Buffer.alloc(32, 1)));
      assert.equal((await ok.listOrgs()).length, 1);
    } finally {
      await again.close();
    }
  });
});
