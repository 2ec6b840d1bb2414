/**
 * The behaviour every ControlStore implementation must have. The SQLite store runs it now; the
 * PostgreSQL store will run the same function.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ORG_LIMITS, type ControlStore, type Organization, type StoredAccessKey } from '../../src/control/control-store.ts';

const T0 = '2024-03-15T14:30:00.000Z';
const T1 = '2024-03-15T15:00:00.000Z';
const T2 = '2024-03-15T16:00:00.000Z';

export function org(name: string, over: Partial<Organization> = {}): Organization {
  return { name, database: name, analyticsEnabled: true, timezone: 'UTC', limits: { ...DEFAULT_ORG_LIMITS }, createdAt: T0, ...over };
}

function key(id: string, orgName: string, createdAt = T0): StoredAccessKey {
  return {
    accessKeyId: id,
    org: orgName,
    description: `key ${id}`,
    createdAt,
    lastUsedAt: null,
    revokedAt: null,
    secretCiphertext: `ct-${id}`,
    scramVerifier: `v-${id}`,
  };
}

export function controlStoreContract(name: string, open: () => Promise<{ store: ControlStore; cleanup(): Promise<void> }>): void {
  describe(`ControlStore contract: ${name}`, () => {
    const withStore = (fn: (s: ControlStore) => Promise<void>) => async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
        await cleanup();
      }
    };

    it(
      'inserts, reads, lists and updates organizations; a duplicate insert returns false',
      withStore(async (s) => {
        assert.equal(await s.insertOrg(org('globex', { timezone: 'Europe/Berlin' })), true);
        assert.equal(await s.insertOrg(org('acme')), true);
        assert.equal(await s.insertOrg(org('acme', { timezone: 'Asia/Tokyo' })), false);
        assert.deepEqual(await s.getOrg('acme'), org('acme'));
        assert.equal(await s.getOrg('nope'), undefined);
        assert.deepEqual(
          (await s.listOrgs()).map((o) => o.name),
          ['acme', 'globex'],
        );
        const updated = await s.updateOrg('acme', { analyticsEnabled: false, limits: { maxConcurrentQueries: 3 } });
        assert.deepEqual(updated, org('acme', { analyticsEnabled: false, limits: { ...DEFAULT_ORG_LIMITS, maxConcurrentQueries: 3 } }));
        assert.deepEqual(await s.getOrg('acme'), updated);
        assert.deepEqual(await s.updateOrg('acme', {}), updated);
        assert.equal(await s.updateOrg('nope', { analyticsEnabled: true }), undefined);
      }),
    );

    it(
      'stores access keys with their sealed secret, lists them without it, revokes once, touches forward only',
      withStore(async (s) => {
        await s.insertOrg(org('acme'));
        await s.insertOrg(org('globex'));
        assert.equal(await s.insertAccessKey(key('RLAKBBBBBBBBBBBBBBBB', 'acme', T1)), true);
        assert.equal(await s.insertAccessKey(key('RLAKAAAAAAAAAAAAAAAA', 'acme', T0)), true);
        assert.equal(await s.insertAccessKey(key('RLAKCCCCCCCCCCCCCCCC', 'globex')), true);
        assert.equal(await s.insertAccessKey(key('RLAKAAAAAAAAAAAAAAAA', 'globex')), false);
        assert.deepEqual(await s.getAccessKey('RLAKAAAAAAAAAAAAAAAA'), key('RLAKAAAAAAAAAAAAAAAA', 'acme', T0));
        const listed = await s.listAccessKeys('acme');
        assert.deepEqual(
          listed.map((k) => k.accessKeyId),
          ['RLAKAAAAAAAAAAAAAAAA', 'RLAKBBBBBBBBBBBBBBBB'],
        );
        for (const k of listed) {
          assert.equal('secretCiphertext' in k, false);
          assert.equal('scramVerifier' in k, false);
        }
        await s.touchAccessKey('RLAKAAAAAAAAAAAAAAAA', T2);
        await s.touchAccessKey('RLAKAAAAAAAAAAAAAAAA', T1);
        assert.equal((await s.getAccessKey('RLAKAAAAAAAAAAAAAAAA'))?.lastUsedAt, T2);
        assert.equal(await s.revokeAccessKey('RLAKAAAAAAAAAAAAAAAA', T1), true);
        assert.equal(await s.revokeAccessKey('RLAKAAAAAAAAAAAAAAAA', T2), false);
        assert.equal(await s.revokeAccessKey('RLAKZZZZZZZZZZZZZZZZ', T2), false);
        assert.equal((await s.getAccessKey('RLAKAAAAAAAAAAAAAAAA'))?.revokedAt, T1);
      }),
    );

    it(
      'refuses an access key for an organization that does not exist',
      withStore(async (s) => {
        await assert.rejects(s.insertAccessKey(key('RLAKAAAAAAAAAAAAAAAA', 'ghost')));
      }),
    );

    it(
      'stores console users with their hash and lists them without it, per organization',
      withStore(async (s) => {
        await s.insertOrg(org('acme'));
        assert.equal(await s.insertUser({ username: 'root', role: 'operator', org: null, createdAt: T0, passwordHash: 'h1' }), true);
        assert.equal(await s.insertUser({ username: 'alice', role: 'viewer', org: 'acme', createdAt: T0, passwordHash: 'h2' }), true);
        assert.equal(await s.insertUser({ username: 'alice', role: 'operator', org: null, createdAt: T0, passwordHash: 'h3' }), false);
        assert.deepEqual(await s.getUser('alice'), { username: 'alice', role: 'viewer', org: 'acme', createdAt: T0, passwordHash: 'h2' });
        assert.deepEqual(
          (await s.listUsers()).map((u) => u.username),
          ['alice', 'root'],
        );
        assert.deepEqual(await s.listUsers('acme'), [{ username: 'alice', role: 'viewer', org: 'acme', createdAt: T0 }]);
        assert.equal(await s.getUser('nobody'), undefined);
        // A new password hash, then removal; each false for a user that is not there.
        assert.equal(await s.setUserPasswordHash('alice', 'h4'), true);
        assert.equal((await s.getUser('alice'))?.passwordHash, 'h4');
        assert.equal(await s.setUserPasswordHash('nobody', 'h5'), false);
        assert.equal(await s.deleteUser('alice'), true);
        assert.equal(await s.getUser('alice'), undefined);
        assert.equal(await s.deleteUser('alice'), false);
        assert.deepEqual((await s.listUsers()).map((u) => u.username), ['root']);
      }),
    );

    it(
      'stores ingest tokens by hash, finds them by hash, revokes once',
      withStore(async (s) => {
        const pub = { id: 'it_a', org: '*', description: 'all', createdAt: T0, revokedAt: null };
        const t = { ...pub, tokenHash: 'ab'.repeat(32) };
        assert.equal(await s.insertIngestToken(t), true);
        assert.equal(await s.insertIngestToken({ ...t, id: 'it_b' }), false, 'same hash');
        assert.deepEqual(await s.findIngestTokenByHash('ab'.repeat(32)), t);
        assert.equal(await s.findIngestTokenByHash('cd'.repeat(32)), undefined);
        assert.deepEqual(await s.listIngestTokens(), [pub]);
        assert.deepEqual(await s.getIngestToken('it_a'), pub);
        assert.equal(await s.revokeIngestToken('it_a', T1), true);
        assert.equal(await s.revokeIngestToken('it_a', T2), false);
        assert.equal((await s.getIngestToken('it_a'))?.revokedAt, T1);
      }),
    );

    it(
      'binds the master key id once',
      withStore(async (s) => {
        assert.equal(await s.bindMasterKeyId('k1'), 'k1');
        assert.equal(await s.bindMasterKeyId('k1'), 'k1');
        assert.equal(await s.bindMasterKeyId('k2'), 'k1');
      }),
    );
  });
}
