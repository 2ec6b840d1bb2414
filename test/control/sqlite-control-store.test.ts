import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { tempDir } from './helpers.ts';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CONTROL_DB_FILE, CONTROL_SCHEMA_VERSION, SqliteControlStore } from '../../src/control/sqlite-control-store.ts';
import { RunlakeError } from '../../src/util/errors.ts';
import { controlStoreContract, org } from './store-contract.ts';

controlStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runlake-control-'));
  return { store: SqliteControlStore.openInDataDir(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe('SqliteControlStore', () => {
  it('creates <data-dir>/control.db owner-only, in WAL mode with synchronous=FULL, at the current schema version', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = SqliteControlStore.openInDataDir(dir);
    try {
      assert.equal(store.schemaVersion(), CONTROL_SCHEMA_VERSION);
      assert.ok(CONTROL_SCHEMA_VERSION >= 1);
    } finally {
      await store.close();
    }
    const path = join(dir, CONTROL_DB_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), CONTROL_SCHEMA_VERSION);
    } finally {
      db.close();
    }
    // synchronous is per connection: check what the store's own connection uses.
    const again = SqliteControlStore.openInDataDir(dir);
    try {
      const conn = (again as unknown as { db: Database.Database }).db;
      assert.equal(conn.pragma('synchronous', { simple: true }), 2, 'FULL');
      assert.equal(conn.pragma('foreign_keys', { simple: true }), 1);
      assert.ok((conn.pragma('busy_timeout', { simple: true }) as number) >= 1000);
      // Query history has its own connection without an fsync per write (see the store's doc).
      const history = (again as unknown as { historyDb: Database.Database }).historyDb;
      assert.equal(history.pragma('synchronous', { simple: true }), 1, 'NORMAL');
      assert.equal(history.pragma('foreign_keys', { simple: true }), 1);
      assert.ok((history.pragma('busy_timeout', { simple: true }) as number) >= 1000);
    } finally {
      await again.close();
    }
  });

  it('query history written just before the process is killed (SIGKILL) is there after reopening', async () => {
    const dir = tempDir();
    const first = SqliteControlStore.openInDataDir(dir);
    await first.insertOrg(org('acme'));
    await first.close();
    const script = `
      import { SqliteControlStore } from ${JSON.stringify(resolve('src/control/sqlite-control-store.ts'))};
      const s = SqliteControlStore.openInDataDir(${JSON.stringify(dir)});
      const at = new Date().toISOString();
      for (let i = 0; i < 50; i++) {
        await s.recordQuery({ queryId: 'q' + i, org: 'acme', principal: 'k', protocol: 'pgwire', dialect: 'postgres', sql: 'SELECT ' + i,
          state: 'QUEUED', errorCode: null, error: null, submittedAt: at, startedAt: null, finishedAt: null, queueMs: null, execMs: null,
          rows: null, bytesScanned: null, snapshotVersion: null, cached: false, truncated: false });
        await s.updateQuery('q' + i, { state: 'SUCCEEDED', rows: i, finishedAt: at });
      }
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise((done) => child.on('close', done));
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && done());
      child.on('close', () => fail(new Error(`child exited before writing: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await closed;
    const s = SqliteControlStore.openInDataDir(dir);
    try {
      const rows = await s.listQueries('acme');
      assert.equal(rows.length, 50);
      assert.ok(rows.every((r) => r.state === 'SUCCEEDED'));
      assert.equal((await s.getQuery('q49'))?.rows, 49);
    } finally {
      await s.close();
    }
  });

  it('keeps data across reopen; migrating an up-to-date file is a no-op', async () => {
    const dir = tempDir();
    const a = SqliteControlStore.openInDataDir(dir);
    await a.insertOrg(org('acme'));
    await a.close();
    const b = SqliteControlStore.openInDataDir(dir);
    try {
      assert.equal(b.schemaVersion(), CONTROL_SCHEMA_VERSION);
      assert.deepEqual(await b.getOrg('acme'), org('acme'));
    } finally {
      await b.close();
    }
  });

  it('migrates a file created at version 0 (empty) and refuses a file from a newer Runlake', async () => {
    const dir = tempDir();
    const path = join(dir, CONTROL_DB_FILE);
    const raw = new Database(path);
    raw.exec('CREATE TABLE unrelated (x INTEGER)');
    raw.close();
    const s = SqliteControlStore.open(path);
    assert.equal(s.schemaVersion(), CONTROL_SCHEMA_VERSION);
    await s.close();

    const newer = new Database(path);
    newer.pragma(`user_version = ${CONTROL_SCHEMA_VERSION + 1}`);
    newer.close();
    assert.throws(
      () => SqliteControlStore.open(path),
      (e: unknown) => e instanceof RunlakeError && /written by a newer Runlake/.test(e.message) && e.message.includes(`version ${CONTROL_SCHEMA_VERSION + 1}`),
    );
  });

  it('two processes can open, migrate and write the same file at once (SQLite locking)', async () => {
    const dir = tempDir();
    const storeModule = resolve('src/control/sqlite-control-store.ts');
    const script = (prefix: string) => `
      import { SqliteControlStore } from ${JSON.stringify(storeModule)};
      import { DEFAULT_ORG_LIMITS } from ${JSON.stringify(resolve('src/control/control-store.ts'))};
      const s = SqliteControlStore.openInDataDir(${JSON.stringify(dir)});
      for (let i = 0; i < 40; i++) {
        const name = '${prefix}' + i;
        await s.insertOrg({ name, database: name, analyticsEnabled: true, timezone: 'UTC', limits: { ...DEFAULT_ORG_LIMITS }, createdAt: new Date().toISOString() });
      }
      await s.close();
    `;
    const run = (prefix: string) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(prefix)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => done({ code, stderr }));
      });
    const results = await Promise.all([run('a'), run('b'), run('c')]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const s = SqliteControlStore.openInDataDir(dir);
    try {
      assert.equal((await s.listOrgs()).length, 120);
    } finally {
      await s.close();
    }
  });
});
