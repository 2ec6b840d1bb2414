import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { S3ObjectStore } from '../../src/lake/s3-store.ts';
import type { ObjectStore } from '../../src/lake/object-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { collectGarbage } from '../../src/lake/gc.ts';
import { readCurrentManifest, readCurrentVersion } from '../../src/lake/manifest-store.ts';
import { silentLogger } from '../../src/util/logger.ts';
import type { S3LakeConfig } from '../../src/config/config.ts';
import { memberDoc, processDoc } from '../support/docs.ts';
import { codecs, readTable } from '../support/lake.ts';
import { testS3, uniqueBucketName } from '../support/s3.ts';

interface StoreUnderTest {
  store: ObjectStore;
  /** JSON for the crash child process (S3 only). */
  s3Config?: S3LakeConfig;
}

function publisherSuite(name: string, makeStore: (dir: string) => Promise<StoreUnderTest | undefined>): void {
  describe(`publisher on the ${name} store`, () => {
    let dir: string;
    let sut: StoreUnderTest | undefined;
    let writer: ParquetWriter;
    const opened: StagingStore[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'runlake-pub-'));
      sut = await makeStore(dir);
      writer = await ParquetWriter.create();
    });
    after(() => {
      for (const s of opened) s.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const setup = (org: string, chunkTarget?: number) => {
      const staging = StagingStore.open(join(dir, 'staging', `${org}.db`));
      opened.push(staging);
      const publisher = new Publisher({ org, staging, store: sut!.store, writer, log: silentLogger, ...(chunkTarget ? { chunkTarget } : {}) });
      return { staging, publisher };
    };

    it('publishes Snappy Parquet partitioned by started_month, with derived columns', async (t) => {
      if (!sut) return t.skip('no S3-compatible server');
      const { staging, publisher } = setup('acme');
      staging.applyProcesses([processDoc('p1', { month: '2025-01' }), processDoc('p2', { month: '2025-02' })]);
      staging.applyMembers([memberDoc('m1')]);
      staging.applyLogins([{ member_id: 'm1', login_at: '2025-01-02T10:00:00.000Z' }]);
      const r = await publisher.publish();
      assert.ok(r);
      assert.equal(r.version, 1);
      assert.deepEqual(r.months, ['2025-01', '2025-02']);
      const procs = await readTable(sut.store, 'acme', 'processes');
      assert.equal(procs.length, 2);
      assert.equal(procs[0]!.organization_id, 'acme');
      assert.equal(procs[0]!.started_month, '2025-01');
      assert.equal(procs[0]!.total_tasks, 2);
      assert.equal(procs[0]!.tasks_completed, 1);
      assert.equal(procs[0]!.late_tasks, 2); // t1 completed after due; t2 open past due at snapshot
      const steps = await readTable(sut.store, 'acme', 'steps');
      assert.equal(steps.length, 4);
      assert.deepEqual(steps[0]!.assigned_member_ids, ['m1']);
      assert.equal(steps[0]!.comment_count, 1);
      assert.equal((await readTable(sut.store, 'acme', 'form_fields'))[0]!.answer_number, 42);
      assert.equal((await readTable(sut.store, 'acme', 'assignments')).length, 4);
      assert.equal((await readTable(sut.store, 'acme', 'members')).length, 1);
      assert.equal((await readTable(sut.store, 'acme', 'member_logins')).length, 1);
      const m = r.manifest;
      for (const f of m.tables.steps) assert.match(f.key, /^orgs\/acme\/tables\/steps\/started_month=2025-0[12]\/v1-[0-9a-f-]+\.parquet$/);
      if (sut.store.localPath) {
        const all = Object.values(m.tables).flat().map((f) => sut!.store.localPath!(f.key));
        assert.deepEqual(await codecs(all), ['SNAPPY']);
      }
    });

    it('rewrites only the partitions that changed and carries the others over', async (t) => {
      if (!sut) return t.skip('no S3-compatible server');
      const { staging, publisher } = setup('carry');
      staging.applyProcesses([processDoc('a', { month: '2025-01' }), processDoc('b', { month: '2025-02' })]);
      staging.applyMembers([memberDoc('m1')]);
      const v1 = (await publisher.publish())!.manifest;
      assert.equal(await publisher.publish(), undefined, 'nothing changed, nothing published');
      staging.applyProcesses([processDoc('b', { month: '2025-02', snapshotAt: '2025-02-06T00:00:00.000Z', name: 'renamed' })]);
      const r2 = (await publisher.publish())!;
      assert.deepEqual(r2.months, ['2025-02']);
      assert.deepEqual(r2.orgTables, []);
      const jan = (m: typeof v1) => m.tables.steps.filter((f) => f.partition === '2025-01').map((f) => f.key);
      assert.deepEqual(jan(r2.manifest), jan(v1), 'January files carried over unchanged');
      assert.deepEqual(r2.manifest.tables.members, v1.tables.members, 'members file carried over');
      const feb = r2.manifest.tables.processes.filter((f) => f.partition === '2025-02');
      assert.ok(feb.every((f) => f.key.includes('/v2-')));
      const rows = await readTable(sut.store, 'carry', 'processes');
      assert.deepEqual(rows.map((x) => x.process_name), ['Process a', 'renamed']);
    });

    it('splits a busy month into day chunks and rewrites only the chunk that changed', async (t) => {
      if (!sut) return t.skip('no S3-compatible server');
      const { staging, publisher } = setup('chunks', 2);
      // Six processes started on days 1..6 of January: with a target of 2 processes per chunk, three chunks.
      const day = (d: number, id: string, snap = '2025-01-20T00:00:00.000Z') => {
        const p = processDoc(id, { snapshotAt: snap });
        p.started_at = `2025-01-0${d}T09:00:00.000Z`;
        return p;
      };
      staging.applyProcesses([1, 2, 3, 4, 5, 6].map((d) => day(d, `c${d}`)));
      const v1 = (await publisher.publish())!.manifest;
      assert.deepEqual(v1.tables.processes.map((f) => f.days).sort((a, b) => a![0] - b![0]), [[1, 2], [3, 4], [5, 31]]);
      staging.applyProcesses([day(4, 'c4', '2025-01-21T00:00:00.000Z')]);
      const r2 = (await publisher.publish())!;
      const keys = (m: typeof v1, d: number) => m.tables.steps.filter((f) => f.days![0] === d).map((f) => f.key);
      assert.deepEqual(keys(r2.manifest, 1), keys(v1, 1), 'chunk 1-2 carried over');
      assert.deepEqual(keys(r2.manifest, 5), keys(v1, 5), 'chunk 5-31 carried over');
      assert.notDeepEqual(keys(r2.manifest, 3), keys(v1, 3), 'chunk 3-4 rewritten');
      // A process on a day no chunk had yet (there is none: chunks cover the month), and one that moves month.
      staging.applyProcesses([day(7, 'c7')]);
      const r3 = (await publisher.publish())!;
      assert.equal((await readTable(sut.store, 'chunks', 'processes')).length, 7);
      assert.deepEqual(keys(r3.manifest, 1), keys(v1, 1));
    });

    it('ignores stale and equal snapshots, and applies deletions', async (t) => {
      if (!sut) return t.skip('no S3-compatible server');
      const { staging, publisher } = setup('stale');
      assert.deepEqual(staging.applyProcesses([processDoc('p', { snapshotAt: '2025-01-10T00:00:00.000Z', name: 'new' })]), { applied: 1, ignored: 0 });
      assert.deepEqual(staging.applyProcesses([processDoc('p', { snapshotAt: '2025-01-09T00:00:00.000Z', name: 'older' })]), { applied: 0, ignored: 1 });
      assert.deepEqual(staging.applyProcesses([processDoc('p', { snapshotAt: '2025-01-10T00:00:00.000Z', name: 'equal' })]), { applied: 0, ignored: 1 });
      await publisher.publish();
      assert.deepEqual((await readTable(sut.store, 'stale', 'processes')).map((r) => r.process_name), ['new']);
      assert.equal(staging.deleteProcess('p', '2025-01-01T00:00:00.000Z').applied, 0, 'a deletion older than the snapshot is ignored');
      assert.equal(staging.deleteProcess('p', '2025-02-01T00:00:00.000Z').applied, 1);
      assert.equal(staging.applyProcesses([processDoc('p', { snapshotAt: '2025-01-11T00:00:00.000Z' })]).applied, 0, 'a snapshot older than the tombstone is ignored');
      await publisher.publish();
      assert.equal((await readTable(sut.store, 'stale', 'processes')).length, 0);
      assert.equal((await readTable(sut.store, 'stale', 'steps')).length, 0);
    });

    it('moves a process whose start month changed out of its old partition', async (t) => {
      if (!sut) return t.skip('no S3-compatible server');
      const { staging, publisher } = setup('move');
      staging.applyProcesses([processDoc('p', { month: '2025-01' })]);
      await publisher.publish();
      staging.applyProcesses([processDoc('p', { month: '2025-03', snapshotAt: '2025-03-09T00:00:00.000Z' })]);
      await publisher.publish();
      const rows = await readTable(sut.store, 'move', 'steps');
      assert.deepEqual([...new Set(rows.map((r) => r.started_month))], ['2025-03']);
    });

    for (const point of ['after-upload', 'after-manifest'] as const) {
      it(`a crash ${point} leaves the previous snapshot live, complete and readable`, async (t) => {
        if (!sut) return t.skip('no S3-compatible server');
        const org = `crash_${point.replace('-', '_')}`;
        const { staging, publisher } = setup(org);
        staging.applyProcesses([processDoc('a', { month: '2025-01' }), processDoc('b', { month: '2025-02' })]);
        await publisher.publish();
        const before = await readTable(sut.store, org, 'steps');
        staging.applyProcesses([processDoc('c', { month: '2025-02' }), processDoc('a', { month: '2025-01', snapshotAt: '2025-01-09T00:00:00.000Z', name: 'changed' })]);
        const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'crash-publish.ts'), dir, org, point, ...(sut.s3Config ? [JSON.stringify(sut.s3Config)] : [])], { encoding: 'utf8' });
        assert.equal(child.signal, 'SIGKILL', `child should have been killed at ${point}: ${child.stderr}`);
        assert.equal(await readCurrentVersion(sut.store, org), 1, 'CURRENT still names the old snapshot');
        assert.deepEqual(await readTable(sut.store, org, 'steps'), before, 'old snapshot complete and unchanged');
        // The changes are still staged and the next publish delivers them.
        const r = await publisher.publish();
        assert.ok(r && r.version >= 2);
        const procs = await readTable(sut.store, org, 'processes');
        assert.deepEqual(procs.map((p) => p.process_name), ['changed', 'Process b', 'Process c']);
      });
    }

    it('garbage-collects superseded snapshots after the grace period only', async (t) => {
      if (!sut) return t.skip('no S3-compatible server');
      const { staging, publisher } = setup('gc');
      staging.applyProcesses([processDoc('a')]);
      const v1 = (await publisher.publish())!.manifest;
      staging.applyProcesses([processDoc('a', { snapshotAt: '2025-01-09T00:00:00.000Z' })]);
      await publisher.publish();
      const within = await collectGarbage(sut.store, 'gc', 60_000);
      assert.equal(within.filesDeleted, 0, 'within the grace period nothing is deleted');
      const old = v1.tables.steps[0]!.key;
      assert.ok(await sut.store.head(old));
      const afterGrace = await collectGarbage(sut.store, 'gc', 60_000, Date.now() + 120_000);
      assert.ok(afterGrace.filesDeleted > 0);
      assert.equal(afterGrace.manifestsDeleted, 1);
      assert.equal(await sut.store.head(old), undefined, 'superseded file deleted');
      const live = await readCurrentManifest(sut.store, 'gc');
      for (const f of Object.values(live!.tables).flat()) assert.ok(await sut.store.head(f.key), `live file ${f.key} kept`);
      assert.equal((await readTable(sut.store, 'gc', 'steps')).length, 2);
    });
  });
}

publisherSuite('local', async (dir) => ({ store: new LocalObjectStore(join(dir, 'lake')) }));

let s3stop: (() => Promise<void>) | undefined;
publisherSuite('S3-compatible (SeaweedFS)', async () => {
  const s3 = await testS3();
  if (!s3) return undefined;
  s3stop = s3.stop;
  const cfg: S3LakeConfig = {
    kind: 's3', bucket: uniqueBucketName(), prefix: 'lake', region: s3.region, endpoint: s3.endpoint,
    forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey,
  };
  const store = new S3ObjectStore(cfg);
  await store.ensureBucket();
  return { store, s3Config: cfg };
});
after(async () => {
  await s3stop?.();
});
