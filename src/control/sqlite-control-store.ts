/**
 * The embedded control plane: one SQLite file, `<data-dir>/control.db`.
 *
 * WAL journal (readers never block the writer), synchronous=FULL (an acknowledged change survives
 * power loss), foreign keys on, and a busy timeout so a second process that opens the same file
 * waits for SQLite's lock instead of failing. The schema is migrated forward on open, inside an
 * IMMEDIATE transaction, by the `user_version` pragma; a file written by a newer Runlake is refused.
 * better-sqlite3's types stay in this file.
 *
 * Query history goes through a second connection to the same file at synchronous=NORMAL: its
 * rows are an operational record written three times per query, not an acknowledgement to
 * anyone, so they are not worth an fsync each (that cost a small query ~10 ms). In WAL mode
 * NORMAL survives a crash of the process (the write is in the OS); a power loss may drop the last
 * history rows written since the previous sync — never the file's consistency, and never another
 * table's rows, whose FULL commits sync the whole log up to and including them.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RunlakeError } from '../util/errors.ts';
import type {
  AccessKey,
  ConsoleRole,
  ConsoleUser,
  ControlStore,
  IngestToken,
  OrgUpdate,
  Organization,
  QueryListFilter,
  QueryRecord,
  QueryRecordPatch,
  QueryState,
  StoredAccessKey,
  StoredConsoleUser,
  StoredIngestToken,
} from './control-store.ts';

export const CONTROL_DB_FILE = 'control.db';

/** Each entry moves the schema from version i to i + 1. Never edit one that has shipped; append. */
const MIGRATIONS: readonly string[] = [
  // 1: the initial schema.
  `
  CREATE TABLE orgs (
    name                    TEXT PRIMARY KEY,
    database_name           TEXT NOT NULL UNIQUE,
    analytics_enabled       INTEGER NOT NULL CHECK (analytics_enabled IN (0, 1)),
    timezone                TEXT NOT NULL,
    max_concurrent_queries  INTEGER NOT NULL,
    max_queued_queries      INTEGER NOT NULL,
    query_timeout_ms        INTEGER NOT NULL,
    scratch_quota_bytes     INTEGER NOT NULL,
    created_at              TEXT NOT NULL
  ) STRICT;

  CREATE TABLE access_keys (
    access_key_id      TEXT PRIMARY KEY,
    org                TEXT NOT NULL REFERENCES orgs (name),
    description        TEXT NOT NULL,
    secret_ciphertext  TEXT NOT NULL,
    scram_verifier     TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    last_used_at       TEXT,
    revoked_at         TEXT
  ) STRICT;
  CREATE INDEX access_keys_by_org ON access_keys (org, created_at);

  CREATE TABLE console_users (
    username       TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('operator', 'org_admin', 'viewer')),
    org            TEXT REFERENCES orgs (name),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    CHECK ((role = 'operator') = (org IS NULL))
  ) STRICT;
  CREATE INDEX console_users_by_org ON console_users (org);

  -- org is an organization name or '*' (every organization), so it has no foreign key.
  CREATE TABLE ingest_tokens (
    id           TEXT PRIMARY KEY,
    org          TEXT NOT NULL,
    description  TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
  ) STRICT;

  CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  ) STRICT;
  `,
  // 2: query history (src/service). Kept for the configured retention, then purged by time.
  `
  CREATE TABLE query_history (
    query_id          TEXT PRIMARY KEY,
    org               TEXT NOT NULL REFERENCES orgs (name),
    principal         TEXT NOT NULL,
    protocol          TEXT NOT NULL,
    dialect           TEXT NOT NULL,
    sql               TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    error_code        TEXT,
    error             TEXT,
    submitted_at      TEXT NOT NULL,
    started_at        TEXT,
    finished_at       TEXT,
    queue_ms          INTEGER,
    exec_ms           INTEGER,
    rows              INTEGER,
    bytes_scanned     INTEGER,
    snapshot_version  INTEGER,
    cached            INTEGER NOT NULL CHECK (cached IN (0, 1)),
    truncated         INTEGER NOT NULL CHECK (truncated IN (0, 1))
  ) STRICT;
  CREATE INDEX query_history_by_org ON query_history (org, submitted_at, query_id);
  CREATE INDEX query_history_by_time ON query_history (submitted_at);
  CREATE INDEX query_history_unfinished ON query_history (state) WHERE state IN ('QUEUED', 'RUNNING');
  `,
];

/** The schema version this code writes. */
export const CONTROL_SCHEMA_VERSION = MIGRATIONS.length;

export interface SqliteControlStoreOptions {
  /** How long to wait for another process's lock before failing (ms). */
  busyTimeoutMs?: number;
}

interface OrgRow {
  name: string;
  database_name: string;
  analytics_enabled: number;
  timezone: string;
  max_concurrent_queries: number;
  max_queued_queries: number;
  query_timeout_ms: number;
  scratch_quota_bytes: number;
  created_at: string;
}
interface AccessKeyRow {
  access_key_id: string;
  org: string;
  description: string;
  secret_ciphertext: string;
  scram_verifier: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}
interface UserRow {
  username: string;
  role: string;
  org: string | null;
  password_hash: string;
  created_at: string;
}
interface TokenRow {
  id: string;
  org: string;
  description: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

interface QueryRow {
  query_id: string;
  org: string;
  principal: string;
  protocol: string;
  dialect: string;
  sql: string;
  state: string;
  error_code: string | null;
  error: string | null;
  submitted_at: string;
  started_at: string | null;
  finished_at: string | null;
  queue_ms: number | null;
  exec_ms: number | null;
  rows: number | null;
  bytes_scanned: number | null;
  snapshot_version: number | null;
  cached: number;
  truncated: number;
}

/** QueryRecordPatch field → column (an exhaustive map: a new field is a compile error here). */
const QUERY_PATCH_COLUMNS: Record<keyof QueryRecordPatch, string> = {
  state: 'state',
  errorCode: 'error_code',
  error: 'error',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  queueMs: 'queue_ms',
  execMs: 'exec_ms',
  rows: 'rows',
  bytesScanned: 'bytes_scanned',
  snapshotVersion: 'snapshot_version',
  cached: 'cached',
  truncated: 'truncated',
};

export class SqliteControlStore implements ControlStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly historyStatements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    /** The query history's connection (synchronous=NORMAL; see above). */
    private readonly historyDb: Database.Database,
  ) {}

  /** A prepared statement, compiled once per connection (lookups run on every request). */
  private sql(text: string): Database.Statement {
    return prepared(this.db, this.statements, text);
  }

  /** A prepared statement on the query history's connection. */
  private historySql(text: string): Database.Statement {
    return prepared(this.historyDb, this.historyStatements, text);
  }

  /** Opens (creating if needed) `<dataDir>/control.db` and migrates it to the current schema. */
  static openInDataDir(dataDir: string, opts: SqliteControlStoreOptions = {}): SqliteControlStore {
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new RunlakeError('unavailable', `cannot create the data directory ${dataDir}: ${fsReason(e)}`);
    }
    return SqliteControlStore.open(join(dataDir, CONTROL_DB_FILE), opts);
  }

  /** Opens (creating if needed) the database file at `path` and migrates it. */
  static open(path: string, opts: SqliteControlStoreOptions = {}): SqliteControlStore {
    let db: Database.Database;
    try {
      // Create the file owner-only before SQLite does (its WAL and shm files inherit the mode).
      closeSync(openSync(path, 'a', 0o600));
      db = new Database(path, { timeout: opts.busyTimeoutMs ?? 10_000 });
    } catch (e) {
      throw new RunlakeError('unavailable', `cannot open the control database ${path}: ${fsReason(e)}`);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, path);
    } catch (e) {
      db.close();
      if (e instanceof RunlakeError) throw e;
      throw new RunlakeError('unavailable', `cannot open the control database ${path}: ${fsReason(e)}`);
    }
    let historyDb: Database.Database;
    try {
      historyDb = new Database(path, { timeout: opts.busyTimeoutMs ?? 10_000 });
      historyDb.pragma('synchronous = NORMAL');
      historyDb.pragma('foreign_keys = ON');
    } catch (e) {
      db.close();
      throw new RunlakeError('unavailable', `cannot open the control database ${path}: ${fsReason(e)}`);
    }
    return new SqliteControlStore(db, historyDb);
  }

  /** The schema version recorded in the file. */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async insertOrg(org: Organization): Promise<boolean> {
    const r = this
      .sql(
        `INSERT INTO orgs (name, database_name, analytics_enabled, timezone, max_concurrent_queries,
           max_queued_queries, query_timeout_ms, scratch_quota_bytes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        org.name,
        org.database,
        org.analyticsEnabled ? 1 : 0,
        org.timezone,
        org.limits.maxConcurrentQueries,
        org.limits.maxQueuedQueries,
        org.limits.queryTimeoutMs,
        org.limits.scratchQuotaBytes,
        org.createdAt,
      );
    return r.changes === 1;
  }

  async getOrg(name: string): Promise<Organization | undefined> {
    const row = this.sql('SELECT * FROM orgs WHERE name = ?').get(name) as OrgRow | undefined;
    return row ? orgFromRow(row) : undefined;
  }

  async listOrgs(): Promise<Organization[]> {
    return (this.sql('SELECT * FROM orgs ORDER BY name').all() as OrgRow[]).map(orgFromRow);
  }

  async updateOrg(name: string, update: OrgUpdate): Promise<Organization | undefined> {
    const sets: string[] = [];
    const values: (string | number)[] = [];
    const set = (column: string, value: string | number | undefined) => {
      if (value === undefined) return;
      sets.push(`${column} = ?`);
      values.push(value);
    };
    set('analytics_enabled', update.analyticsEnabled === undefined ? undefined : update.analyticsEnabled ? 1 : 0);
    set('timezone', update.timezone);
    set('max_concurrent_queries', update.limits?.maxConcurrentQueries);
    set('max_queued_queries', update.limits?.maxQueuedQueries);
    set('query_timeout_ms', update.limits?.queryTimeoutMs);
    set('scratch_quota_bytes', update.limits?.scratchQuotaBytes);
    if (sets.length === 0) return this.getOrg(name);
    const row = this.sql(`UPDATE orgs SET ${sets.join(', ')} WHERE name = ? RETURNING *`).get(...values, name) as
      | OrgRow
      | undefined;
    return row ? orgFromRow(row) : undefined;
  }

  async insertAccessKey(key: StoredAccessKey): Promise<boolean> {
    const r = this
      .sql(
        `INSERT INTO access_keys (access_key_id, org, description, secret_ciphertext, scram_verifier,
           created_at, last_used_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(key.accessKeyId, key.org, key.description, key.secretCiphertext, key.scramVerifier, key.createdAt, key.lastUsedAt, key.revokedAt);
    return r.changes === 1;
  }

  async getAccessKey(accessKeyId: string): Promise<StoredAccessKey | undefined> {
    const row = this.sql('SELECT * FROM access_keys WHERE access_key_id = ?').get(accessKeyId) as AccessKeyRow | undefined;
    return row ? { ...accessKeyFromRow(row), secretCiphertext: row.secret_ciphertext, scramVerifier: row.scram_verifier } : undefined;
  }

  async listAccessKeys(org: string): Promise<AccessKey[]> {
    const rows = this.sql('SELECT * FROM access_keys WHERE org = ? ORDER BY created_at, access_key_id').all(org) as AccessKeyRow[];
    return rows.map(accessKeyFromRow);
  }

  async revokeAccessKey(accessKeyId: string, at: string): Promise<boolean> {
    const r = this.sql('UPDATE access_keys SET revoked_at = ? WHERE access_key_id = ? AND revoked_at IS NULL').run(at, accessKeyId);
    return r.changes === 1;
  }

  async touchAccessKey(accessKeyId: string, at: string): Promise<void> {
    this
      .sql('UPDATE access_keys SET last_used_at = ? WHERE access_key_id = ? AND (last_used_at IS NULL OR last_used_at < ?)')
      .run(at, accessKeyId, at);
  }

  async insertUser(user: StoredConsoleUser): Promise<boolean> {
    const r = this
      .sql(
        `INSERT INTO console_users (username, role, org, password_hash, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(user.username, user.role, user.org, user.passwordHash, user.createdAt);
    return r.changes === 1;
  }

  async getUser(username: string): Promise<StoredConsoleUser | undefined> {
    const row = this.sql('SELECT * FROM console_users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? { ...userFromRow(row), passwordHash: row.password_hash } : undefined;
  }

  async listUsers(org?: string): Promise<ConsoleUser[]> {
    const rows = (
      org === undefined
        ? this.sql('SELECT * FROM console_users ORDER BY username').all()
        : this.sql('SELECT * FROM console_users WHERE org = ? ORDER BY username').all(org)
    ) as UserRow[];
    return rows.map(userFromRow);
  }

  async deleteUser(username: string): Promise<boolean> {
    return this.sql('DELETE FROM console_users WHERE username = ?').run(username).changes === 1;
  }

  async setUserPasswordHash(username: string, passwordHash: string): Promise<boolean> {
    return this.sql('UPDATE console_users SET password_hash = ? WHERE username = ?').run(passwordHash, username).changes === 1;
  }

  async insertIngestToken(token: StoredIngestToken): Promise<boolean> {
    const r = this
      .sql(
        `INSERT INTO ingest_tokens (id, org, description, token_hash, created_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(token.id, token.org, token.description, token.tokenHash, token.createdAt, token.revokedAt);
    return r.changes === 1;
  }

  async getIngestToken(id: string): Promise<IngestToken | undefined> {
    const row = this.sql('SELECT * FROM ingest_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row ? tokenFromRow(row) : undefined;
  }

  async findIngestTokenByHash(tokenHash: string): Promise<StoredIngestToken | undefined> {
    const row = this.sql('SELECT * FROM ingest_tokens WHERE token_hash = ?').get(tokenHash) as TokenRow | undefined;
    return row ? { ...tokenFromRow(row), tokenHash: row.token_hash } : undefined;
  }

  async listIngestTokens(): Promise<IngestToken[]> {
    return (this.sql('SELECT * FROM ingest_tokens ORDER BY created_at, id').all() as TokenRow[]).map(tokenFromRow);
  }

  async revokeIngestToken(id: string, at: string): Promise<boolean> {
    const r = this.sql('UPDATE ingest_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id);
    return r.changes === 1;
  }

  async recordQuery(q: QueryRecord): Promise<boolean> {
    const r = this
      .historySql(
        `INSERT INTO query_history (query_id, org, principal, protocol, dialect, sql, state, error_code, error,
           submitted_at, started_at, finished_at, queue_ms, exec_ms, rows, bytes_scanned, snapshot_version, cached, truncated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        q.queryId, q.org, q.principal, q.protocol, q.dialect, q.sql, q.state, q.errorCode, q.error,
        q.submittedAt, q.startedAt, q.finishedAt, q.queueMs, q.execMs, q.rows, q.bytesScanned, q.snapshotVersion,
        q.cached ? 1 : 0, q.truncated ? 1 : 0,
      );
    return r.changes === 1;
  }

  async updateQuery(queryId: string, patch: QueryRecordPatch): Promise<boolean> {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [key, column] of Object.entries(QUERY_PATCH_COLUMNS) as [keyof QueryRecordPatch, string][]) {
      const v = patch[key];
      if (v === undefined) continue;
      sets.push(`${column} = ?`);
      values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    if (sets.length === 0) return (await this.getQuery(queryId)) !== undefined;
    const r = this.historySql(`UPDATE query_history SET ${sets.join(', ')} WHERE query_id = ?`).run(...values, queryId);
    return r.changes === 1;
  }

  async getQuery(queryId: string): Promise<QueryRecord | undefined> {
    const row = this.historySql('SELECT * FROM query_history WHERE query_id = ?').get(queryId) as QueryRow | undefined;
    return row ? queryFromRow(row) : undefined;
  }

  async listQueries(org: string, filter: QueryListFilter = {}): Promise<QueryRecord[]> {
    const where = ['org = ?'];
    const values: (string | number)[] = [org];
    if (filter.before) {
      where.push('(submitted_at, query_id) < (?, ?)');
      values.push(filter.before.submittedAt, filter.before.queryId);
    }
    if (filter.since !== undefined) {
      where.push('submitted_at >= ?');
      values.push(filter.since);
    }
    if (filter.state !== undefined) {
      where.push('state = ?');
      values.push(filter.state);
    }
    let text = `SELECT * FROM query_history WHERE ${where.join(' AND ')} ORDER BY submitted_at DESC, query_id DESC`;
    if (filter.limit !== undefined) {
      text += ' LIMIT ?';
      values.push(Math.max(0, Math.floor(filter.limit)));
    }
    return (this.historySql(text).all(...values) as QueryRow[]).map(queryFromRow);
  }

  async deleteQueriesBefore(at: string): Promise<number> {
    return this.historySql('DELETE FROM query_history WHERE submitted_at < ?').run(at).changes;
  }

  async failUnfinishedQueries(at: string, errorCode: string, error: string): Promise<number> {
    const r = this
      .historySql(
        `UPDATE query_history SET state = 'FAILED', error_code = ?, error = ?, finished_at = ?
         WHERE state IN ('QUEUED', 'RUNNING')`,
      )
      .run(errorCode, error, at);
    return r.changes;
  }

  async bindMasterKeyId(keyId: string): Promise<string> {
    this.sql(`INSERT INTO settings (key, value) VALUES ('master_key_id', ?) ON CONFLICT DO NOTHING`).run(keyId);
    const row = this.sql(`SELECT value FROM settings WHERE key = 'master_key_id'`).get() as { value: string };
    return row.value;
  }

  async close(): Promise<void> {
    if (this.historyDb.open) this.historyDb.close();
    if (this.db.open) this.db.close();
  }
}

function prepared(db: Database.Database, cache: Map<string, Database.Statement>, text: string): Database.Statement {
  let stmt = cache.get(text);
  if (!stmt) {
    stmt = db.prepare(text);
    cache.set(text, stmt);
  }
  return stmt;
}

function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code && err.code !== 'SQLITE_ERROR' ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : String(err.message ?? e);
}

function migrate(db: Database.Database, path: string): void {
  const run = db.transaction(() => {
    // Read inside the IMMEDIATE transaction: another process may have migrated meanwhile.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new RunlakeError(
        'unavailable',
        `the control database ${path} has schema version ${current}, written by a newer Runlake; ` +
          `this version understands up to ${MIGRATIONS.length}. Upgrade Runlake to open it`,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    if (current !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  run.immediate();
}

function orgFromRow(r: OrgRow): Organization {
  return {
    name: r.name,
    database: r.database_name,
    analyticsEnabled: r.analytics_enabled === 1,
    timezone: r.timezone,
    limits: {
      maxConcurrentQueries: r.max_concurrent_queries,
      maxQueuedQueries: r.max_queued_queries,
      queryTimeoutMs: r.query_timeout_ms,
      scratchQuotaBytes: r.scratch_quota_bytes,
    },
    createdAt: r.created_at,
  };
}

function accessKeyFromRow(r: AccessKeyRow): AccessKey {
  return {
    accessKeyId: r.access_key_id,
    org: r.org,
    description: r.description,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

function userFromRow(r: UserRow): ConsoleUser {
  return { username: r.username, role: r.role as ConsoleRole, org: r.org, createdAt: r.created_at };
}

function queryFromRow(r: QueryRow): QueryRecord {
  return {
    queryId: r.query_id,
    org: r.org,
    principal: r.principal,
    protocol: r.protocol,
    dialect: r.dialect,
    sql: r.sql,
    state: r.state as QueryState,
    errorCode: r.error_code,
    error: r.error,
    submittedAt: r.submitted_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    queueMs: r.queue_ms,
    execMs: r.exec_ms,
    rows: r.rows,
    bytesScanned: r.bytes_scanned,
    snapshotVersion: r.snapshot_version,
    cached: r.cached === 1,
    truncated: r.truncated === 1,
  };
}

function tokenFromRow(r: TokenRow): IngestToken {
  return { id: r.id, org: r.org, description: r.description, createdAt: r.created_at, revokedAt: r.revoked_at };
}
