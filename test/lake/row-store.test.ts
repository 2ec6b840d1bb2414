import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { WHOLE_MONTH } from '../../src/lake/chunks.ts';
import { rowStorePathFor, type RowStore } from '../../src/lake/row-store.ts';
import { LakeRuntime } from '../../src/app/lake-runtime.ts';
import { loadConfig } from '../../src/config/config.ts';
import { TABLES, type TableName } from '../../src/schema/index.ts';
import { silentLogger, type Logger } from '../../src/util/logger.ts';
import { processDoc } from '../support/docs.ts';
import { readTable } from '../support/lake.ts';
import { crashBatch, firstBatch } from './fixtures/row-docs.ts';

const PROCESS_TABLES = TABLES.filter((t) => t.scope === 'process').map((t) => t.name as TableName);

/** Every row of every process-scoped table in the row store, as sorted JSON lines per table. */
async function dump(rows: RowStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of PROCESS_TABLES) {
    const lines: string[] = [];
    for (const m of rows.monthList()) {
      const r = await rows.connection.runAndReadAll(rows.chunkQuery(t, m, WHOLE_MONTH)!);
      for (const row of r.getRowObjectsJson()) lines.push(JSON.stringify({ month: m, ...row }));
    }
    out[t] = lines.sort();
  }
  return out;
}

describe('row store: typed rows derived from the staging store', () => {
  let dir: string;
  const writers: ParquetWriter[] = [];
  const stagings: StagingStore[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-rows-'));
  });
  after(() => {
    for (const s of stagings) s.close();
    for (const w of writers) w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const staging = (org: string) => {
    const s = StagingStore.open(join(dir, 'staging', `${org}.db`));
    stagings.push(s);
    return s;
  };
  const open = async (org: string, s: StagingStore, opts: { stepDocs?: number; log?: Logger; path?: string } = {}) => {
    const w = await ParquetWriter.create();
    writers.push(w);
    const rows = await w.rowStore({
      org, path: opts.path ?? rowStorePathFor(s.path), workDir: join(dir, 'tmp'), log: opts.log ?? silentLogger, ...(opts.stepDocs ? { stepDocs: opts.stepDocs } : {}),
    });
    return { writer: w, rows };
  };
  const catchUp = async (rows: RowStore, s: StagingStore) => {
    const reader = s.snapshotReader();
    try {
      return await rows.exclusive(() => rows.catchUp(reader));
    } finally {
      reader.close();
    }
  };
  /**
   * The same staging state flattened in one step into a fresh store: what incremental applying
   * must equal. Read through a second handle on the staging file, which has no in-memory log of
   * recent commits, so the documents come out of SQLite.
   */
  const fresh = async (org: string, s: StagingStore) => {
    const other = StagingStore.open(s.path);
    try {
      const { rows } = await open(org, other, { path: join(dir, 'fresh', `${org}-${Math.random().toString(36).slice(2)}.duckdb`) });
      await catchUp(rows, other);
      return await dump(rows);
    } finally {
      other.close();
    }
  };

  it('updates replace a process\'s rows, tombstones delete them, a new start month moves them; equal to flattening from scratch', async () => {
    const s = staging('upd');
    const { rows } = await open('upd', s, { stepDocs: 3 });
    s.applyProcesses(firstBatch());
    assert.equal((await catchUp(rows, s)).applied, 20);
    assert.deepEqual(await rows.counts(), { processes: 20, steps: 40, form_fields: 20, comments: 20, issues: 0, assignments: 40 });
    const b = crashBatch();
    s.applyProcesses(b.docs);
    for (const id of b.deleted) s.deleteProcess(id, '2025-03-01T00:00:00.000Z');
    assert.equal((await catchUp(rows, s)).applied, 21, 'ten updates, ten new processes, one tombstone');
    // 20 - 1 deleted + 10 new processes; 10 updated with one task, 9 old and 10 new with two.
    assert.deepEqual(await rows.counts(), { processes: 29, steps: 48, form_fields: 29, comments: 29, issues: 0, assignments: 48 });
    const d = await dump(rows);
    assert.ok(!d.processes!.some((l) => l.includes('"process_id":"p10"')), 'the deleted process has no row');
    assert.ok(!d.steps!.some((l) => l.includes('"task_id":"p3-t2"')), 'the task the update dropped is gone');
    const p0 = d.processes!.filter((l) => l.includes('"process_id":"p0"'));
    assert.equal(p0.length, 1);
    assert.match(p0[0]!, /"month":"2025-03".*"process_name":"updated 0"/);
    assert.ok(d.steps!.filter((l) => l.includes('"process_id":"p0"')).every((l) => l.includes('"month":"2025-03"')), 'moved with all its rows');
    assert.deepEqual(d, await fresh('upd', s), 'applying step by step gives the rows flattening from scratch gives');
    // Nothing new: catching up again applies nothing and changes nothing.
    assert.equal((await catchUp(rows, s)).applied, 0);
    assert.deepEqual(await dump(rows), d);
  });

  it('a catch-up in many steps keeps the staging read only until its last step has read, then lets it go', async () => {
    const s = staging('release');
    s.applyProcesses(firstBatch());
    const other = StagingStore.open(s.path); // no in-memory log: every step reads SQLite
    try {
      const { rows } = await open('release', other, { stepDocs: 3 });
      const reader = other.snapshotReader();
      let released = 0;
      let appliedWhenReleased: number | undefined;
      const r = await rows.exclusive(() =>
        rows.catchUp(reader, {
          doneReading: () => {
            released++;
            appliedWhenReleased = rows.appliedSeq;
            reader.close(); // a later read would throw: the connection is closed
          },
        }));
      assert.equal(r.applied, 20, 'seven steps of at most three processes');
      assert.equal(released, 1);
      assert.ok(appliedWhenReleased! < rows.appliedSeq!, 'released before the last step was applied');
      assert.deepEqual(await rows.counts(), { processes: 20, steps: 40, form_fields: 20, comments: 20, issues: 0, assignments: 40 });
    } finally {
      other.close();
    }
  });

  it('is rebuilt from the staging store when its file is lost', async () => {
    const s = staging('lost');
    s.applyProcesses(firstBatch());
    const first = await open('lost', s);
    await catchUp(first.rows, s);
    const before = await dump(first.rows);
    first.writer.close();
    writers.splice(writers.indexOf(first.writer), 1);
    const path = rowStorePathFor(s.path);
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
    const { rows } = await open('lost', s);
    assert.equal((await catchUp(rows, s)).applied, 20);
    assert.deepEqual(await dump(rows), before);
  });

  it('is deleted and rebuilt when its file is damaged', async () => {
    const s = staging('damaged');
    s.applyProcesses(firstBatch());
    const path = rowStorePathFor(s.path);
    writeFileSync(path, 'this is not a DuckDB database file, just some bytes that replaced it'.repeat(100));
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    const { rows } = await open('damaged', s, { log });
    assert.ok(warnings.some((w) => w.includes('row store file unreadable')), warnings.join('\n'));
    assert.equal((await catchUp(rows, s)).applied, 20);
    assert.deepEqual(await dump(rows), await fresh('damaged', s));
  });

  it('is rebuilt when it was built from another staging store, or is ahead of it', async () => {
    const s1 = StagingStore.open(join(dir, 'staging', 'other.db'));
    s1.applyProcesses(firstBatch());
    const first = await open('other', s1);
    await catchUp(first.rows, s1);
    first.writer.close();
    writers.splice(writers.indexOf(first.writer), 1);
    s1.close();
    // The staging store is deleted and started again; the row store file stays.
    for (const f of ['other.db', 'other.db-wal', 'other.db-shm']) rmSync(join(dir, 'staging', f), { force: true });
    const s2 = staging('other');
    s2.applyProcesses([processDoc('only', { month: '2025-05' })]);
    assert.ok(existsSync(rowStorePathFor(s2.path)));
    const { rows } = await open('other', s2);
    const r = await catchUp(rows, s2);
    assert.equal(r.rebuilt, 'it was built from another staging store');
    assert.deepEqual(await rows.counts(), { processes: 1, steps: 2, form_fields: 1, comments: 1, issues: 0, assignments: 2 });

    // A staging store put back from an older copy: the row store has changes it does not.
    const backup = join(dir, 'other-backup.db');
    s2.close(); // checkpoints the WAL into the file
    stagings.splice(stagings.indexOf(s2), 1);
    copyFileSync(join(dir, 'staging', 'other.db'), backup);
    const s3 = staging('other');
    s3.applyProcesses([processDoc('later', { month: '2025-06' })]);
    await catchUp(rows, s3);
    assert.equal((await rows.counts()).processes, 2);
    writers.pop()!.close();
    s3.close();
    stagings.splice(stagings.indexOf(s3), 1);
    for (const f of ['other.db-wal', 'other.db-shm']) rmSync(join(dir, 'staging', f), { force: true });
    copyFileSync(backup, join(dir, 'staging', 'other.db'));
    const s4 = staging('other');
    const again = await open('other', s4);
    assert.equal((await catchUp(again.rows, s4)).rebuilt, 'it is ahead of the staging store');
    assert.deepEqual((await dump(again.rows)).processes!.map((l) => JSON.parse(l).process_id), ['only']);
  });

  for (const point of ['after-staging-commit', 'apply-before-commit'] as const) {
    it(`catches up after a kill -9 ${point === 'after-staging-commit' ? 'between the staging commit and the row append' : 'inside an apply step, before its commit'}`, async () => {
      const org = `crash_${point.replaceAll('-', '_')}`;
      const s = staging(org);
      s.applyProcesses(firstBatch());
      const first = await open(org, s);
      await catchUp(first.rows, s);
      const applied = first.rows.appliedSeq;
      first.writer.close(); // the child process must be able to open the file
      writers.splice(writers.indexOf(first.writer), 1);
      const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'crash-apply.ts'), dir, org, point], { encoding: 'utf8' });
      assert.equal(child.signal, 'SIGKILL', `child should have been killed at ${point}: ${child.stdout}${child.stderr}`);
      // The staging store has the whole batch (it was acknowledged); the row store is where it was.
      assert.equal(s.counts().processes, 29);
      const { rows } = await open(org, s);
      const reader = s.snapshotReader();
      try {
        assert.equal(rows.behind(reader), true);
        const r = await rows.exclusive(() => rows.catchUp(reader));
        assert.equal(r.rebuilt, undefined, 'caught up, not rebuilt');
        assert.equal(r.applied, 21, `applied from seq ${applied}: exactly the batch`);
      } finally {
        reader.close();
      }
      assert.deepEqual(await rows.counts(), { processes: 29, steps: 48, form_fields: 29, comments: 29, issues: 0, assignments: 48 });
      assert.deepEqual(await dump(rows), await fresh(org, s));
    });
  }

  it('a publish catches up what the background applier has not, and publishes exactly the staged state', async () => {
    const s = staging('pub');
    const store = new LocalObjectStore(join(dir, 'lake'));
    const w = await ParquetWriter.create();
    writers.push(w);
    const publisher = new Publisher({ org: 'pub', staging: s, store, writer: w, log: silentLogger, workDir: join(dir, 'tmp') });
    s.applyProcesses(firstBatch());
    assert.equal(await publisher.applyStaged(), 20, 'the applier applied the batch');
    const b = crashBatch();
    s.applyProcesses(b.docs);
    for (const id of b.deleted) s.deleteProcess(id, '2025-03-01T00:00:00.000Z');
    const r = (await publisher.publish())!;
    assert.equal(r.caughtUp, 21, 'the publish applied the second batch itself');
    const procs = await readTable(store, 'pub', 'processes');
    assert.equal(procs.length, 29);
    assert.equal(procs.find((p) => p.process_id === 'p0')!.started_month, '2025-03');
    assert.equal((await readTable(store, 'pub', 'steps')).length, 48);
  });

  it('a publish pins its staging read only once it holds the row store, so an apply that got there first never puts the rows past it', async () => {
    const s = staging('race');
    const store = new LocalObjectStore(join(dir, 'lake'));
    const w = await ParquetWriter.create();
    writers.push(w);
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m) };
    const publisher = new Publisher({ org: 'race', staging: s, store, writer: w, log, workDir: join(dir, 'tmp') });
    // The publisher's row store (one per file and writer).
    const rows = await w.rowStore({ org: 'race', path: rowStorePathFor(s.path), workDir: join(dir, 'tmp', 'rows'), log });
    s.applyProcesses(firstBatch());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // An applier holds the store; while the publish waits for it, more is staged and applied.
    const applier = rows.exclusive(async () => {
      await gate;
      s.applyProcesses([processDoc('late', { month: '2025-04' })]);
      const reader = s.snapshotReader();
      try {
        await rows.catchUp(reader);
      } finally {
        reader.close();
      }
    });
    const published = publisher.publish();
    await new Promise((r) => setTimeout(r, 200));
    release();
    await applier;
    const r = (await published)!;
    assert.deepEqual(warnings, [], 'the row store was not emptied and rebuilt');
    assert.equal(r.caughtUp, 0, 'nothing left to apply: the applier went exactly as far as the publish reads');
    assert.equal((await readTable(store, 'race', 'processes')).length, 21, 'the publish has what was staged before it pinned its read');
  });

  it('the runtime applies committed changes in the background, so the publish has nothing left to apply', async () => {
    const dataDir = join(dir, 'runtime');
    const config = loadConfig({ dataDir }, {});
    const runtime = await LakeRuntime.open({ config, store: new LocalObjectStore(join(dataDir, 'lake')), log: silentLogger });
    try {
      runtime.staging('bg').applyProcesses(firstBatch());
      runtime.changed('bg');
      await runtime.applied('bg');
      const r = (await runtime.publish('bg'))!;
      assert.equal(r.caughtUp, 0);
      assert.equal((await readTable(runtime.store, 'bg', 'processes')).length, 20);
    } finally {
      await runtime.close();
    }
  });
});
