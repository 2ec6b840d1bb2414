/**
 * The control store's query-history methods (SQLite). Written against the ControlStore interface
 * so the same cases can join test/control/store-contract.ts for the PostgreSQL store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_ORG_LIMITS, type ControlStore, type QueryRecord } from '../../src/control/control-store.ts';
import { SqliteControlStore } from '../../src/control/sqlite-control-store.ts';
import { tempDir } from '../control/helpers.ts';

function rec(id: string, org: string, submittedAt: string, over: Partial<QueryRecord> = {}): QueryRecord {
  return {
    queryId: id, org, principal: 'RLAKAAAAAAAAAAAAAAAA', protocol: 'athena', dialect: 'trino', sql: `SELECT '${id}'`,
    state: 'QUEUED', errorCode: null, error: null, submittedAt, startedAt: null, finishedAt: null, queueMs: null,
    execMs: null, rows: null, bytesScanned: null, snapshotVersion: null, cached: false, truncated: false, ...over,
  };
}

async function withStore(fn: (s: ControlStore, path: string) => Promise<void>): Promise<void> {
  const path = join(tempDir('runlake-history-'), 'control.db');
  const s = SqliteControlStore.open(path);
  try {
    for (const name of ['acme', 'globex']) {
      await s.insertOrg({ name, database: name, analyticsEnabled: true, timezone: 'UTC', limits: { ...DEFAULT_ORG_LIMITS }, createdAt: '2024-01-01T00:00:00.000Z' });
    }
    await fn(s, path);
  } finally {
    await s.close();
  }
}

describe('control store: query history', () => {
  it('inserts once per id, applies patches, reads back every field', () =>
    withStore(async (s) => {
      const r = rec('q1', 'acme', '2024-03-15T10:00:00.000Z');
      assert.equal(await s.recordQuery(r), true);
      assert.equal(await s.recordQuery({ ...r, org: 'globex' }), false);
      assert.deepEqual(await s.getQuery('q1'), r);
      assert.equal(await s.updateQuery('q1', { state: 'RUNNING', startedAt: '2024-03-15T10:00:01.000Z', queueMs: 1000 }), true);
      const done = {
        state: 'SUCCEEDED' as const, finishedAt: '2024-03-15T10:00:03.000Z', execMs: 2000, rows: 12, bytesScanned: 4096,
        snapshotVersion: 7, cached: true, truncated: true,
      };
      assert.equal(await s.updateQuery('q1', done), true);
      assert.deepEqual(await s.getQuery('q1'), { ...r, startedAt: '2024-03-15T10:00:01.000Z', queueMs: 1000, ...done });
      assert.equal(await s.updateQuery('nope', { state: 'FAILED' }), false);
      assert.equal(await s.getQuery('nope'), undefined);
    }));

  it('lists one organization newest first, by state, from a position, since a time, up to a limit', () =>
    withStore(async (s) => {
      const t = (m: number) => `2024-03-15T10:0${m}:00.000Z`;
      await s.recordQuery(rec('a1', 'acme', t(1)));
      await s.recordQuery(rec('a2', 'acme', t(2), { state: 'FAILED' }));
      await s.recordQuery(rec('a3b', 'acme', t(3)));
      await s.recordQuery(rec('a3a', 'acme', t(3), { state: 'FAILED' }));
      await s.recordQuery(rec('g1', 'globex', t(2)));
      const ids = async (f: Parameters<ControlStore['listQueries']>[1]) => (await s.listQueries('acme', f)).map((x) => x.queryId);
      assert.deepEqual(await ids({}), ['a3b', 'a3a', 'a2', 'a1']);
      assert.deepEqual(await ids({ state: 'FAILED' }), ['a3a', 'a2']);
      assert.deepEqual(await ids({ limit: 2 }), ['a3b', 'a3a']);
      // Same submission time: the id breaks the tie, so pages neither skip nor repeat.
      assert.deepEqual(await ids({ before: { submittedAt: t(3), queryId: 'a3b' } }), ['a3a', 'a2', 'a1']);
      assert.deepEqual(await ids({ since: t(2) }), ['a3b', 'a3a', 'a2']);
      assert.deepEqual((await s.listQueries('globex')).map((x) => x.queryId), ['g1']);
    }));

  it('deletes by age across organizations and fails what was left unfinished', () =>
    withStore(async (s, path) => {
      await s.recordQuery(rec('old', 'acme', '2023-01-01T00:00:00.000Z', { state: 'SUCCEEDED' }));
      await s.recordQuery(rec('old-g', 'globex', '2023-01-01T00:00:00.000Z', { state: 'SUCCEEDED' }));
      await s.recordQuery(rec('queued', 'acme', '2024-03-15T10:00:00.000Z'));
      await s.recordQuery(rec('running', 'globex', '2024-03-15T10:00:00.000Z', { state: 'RUNNING', startedAt: '2024-03-15T10:00:01.000Z' }));
      await s.recordQuery(rec('done', 'acme', '2024-03-15T10:00:00.000Z', { state: 'CANCELLED' }));
      assert.equal(await s.deleteQueriesBefore('2024-01-01T00:00:00.000Z'), 2);
      assert.equal(await s.getQuery('old'), undefined);
      assert.equal(await s.failUnfinishedQueries('2024-03-15T11:00:00.000Z', 'unavailable', 'stopped'), 2);
      const reopened = SqliteControlStore.open(path);
      try {
        const q = await reopened.getQuery('queued');
        assert.deepEqual([q?.state, q?.errorCode, q?.error, q?.finishedAt, q?.startedAt], ['FAILED', 'unavailable', 'stopped', '2024-03-15T11:00:00.000Z', null]);
        assert.equal((await reopened.getQuery('running'))?.startedAt, '2024-03-15T10:00:01.000Z');
        assert.equal((await reopened.getQuery('done'))?.state, 'CANCELLED');
      } finally {
        await reopened.close();
      }
    }));
});
