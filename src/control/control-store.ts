/**
 * The control plane's storage seam: organizations, console users, access keys, ingest tokens and
 * query history.
 *
 * The embedded implementation is one SQLite file (sqlite-control-store.ts); a PostgreSQL one
 * follows for multi-node deployments. The interface is async and speaks only domain types, so
 * neither implementation's driver types leak out. The store keeps whatever it is given: it does
 * no crypto and no validation beyond uniqueness. Secrets arrive already encrypted or hashed
 * (see admin.ts and CONTEXT.md).
 *
 * Timestamps are ISO 8601 strings in UTC with millisecond precision (`2024-03-15T14:30:00.000Z`),
 * so a value looks the same whether it came from this process or through the HTTP admin API.
 */

export interface OrgLimits {
  /** Queries of this organization running at once. */
  maxConcurrentQueries: number;
  /** Queries waiting for a slot before new ones are refused. */
  maxQueuedQueries: number;
  /** A query running longer than this is cancelled (ms). */
  queryTimeoutMs: number;
  /** Bytes the organization's scratch schema (Looker PDTs) may hold. */
  scratchQuotaBytes: number;
}

export const DEFAULT_ORG_LIMITS: Readonly<OrgLimits> = Object.freeze({
  maxConcurrentQueries: 20,
  maxQueuedQueries: 100,
  queryTimeoutMs: 30 * 60 * 1000,
  scratchQuotaBytes: 1024 * 1024 * 1024,
});

export interface Organization {
  /** Lower-case `[a-z][a-z0-9_]{0,62}`; also the Athena workgroup. */
  name: string;
  /** The database BI tools see; equal to the name. */
  database: string;
  /** When false the organization can neither be queried nor ingested into. */
  analyticsEnabled: boolean;
  /** IANA time zone name, e.g. `UTC` or `Europe/Berlin`. */
  timezone: string;
  limits: OrgLimits;
  createdAt: string;
}

export const CONSOLE_ROLES = ['operator', 'org_admin', 'viewer'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export interface ConsoleUser {
  username: string;
  role: ConsoleRole;
  /** The organization the user belongs to; null for operators, who see every organization. */
  org: string | null;
  createdAt: string;
}

export interface AccessKey {
  accessKeyId: string;
  org: string;
  description: string;
  createdAt: string;
  /** Updated at most about once a minute (see LocalAdminOps.touchAccessKey). */
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** `'*'` is an operator token that may ingest into every organization. */
export type IngestTokenScope = string;
export const ALL_ORGS = '*';

export interface IngestToken {
  id: string;
  org: IngestTokenScope;
  description: string;
  createdAt: string;
  revokedAt: string | null;
}

/** An access key as stored: the secret encrypted under the master key, plus its SCRAM verifier. */
export interface StoredAccessKey extends AccessKey {
  secretCiphertext: string;
  scramVerifier: string;
}

/** A console user as stored: the password only as a scrypt hash. */
export interface StoredConsoleUser extends ConsoleUser {
  passwordHash: string;
}

/** An ingest token as stored: only the SHA-256 of the token (hex). */
export interface StoredIngestToken extends IngestToken {
  tokenHash: string;
}

export interface OrgUpdate {
  analyticsEnabled?: boolean;
  timezone?: string;
  limits?: Partial<OrgLimits>;
}

export const QUERY_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type QueryState = (typeof QUERY_STATES)[number];

/** One query of the history (src/service owns it; the `query_history` view shows these rows). */
export interface QueryRecord {
  queryId: string;
  org: string;
  /** An access key id or a console user name. */
  principal: string;
  /** http, pgwire, athena or console. */
  protocol: string;
  /** trino or postgres. */
  dialect: string;
  sql: string;
  state: QueryState;
  /** The RunlakeError code of a failed or cancelled query. */
  errorCode: string | null;
  error: string | null;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  queueMs: number | null;
  execMs: number | null;
  rows: number | null;
  bytesScanned: number | null;
  snapshotVersion: number | null;
  cached: boolean;
  /** The result was cut at an interactive row or byte cap. */
  truncated: boolean;
}

/** What changes over a query's life (identity, SQL and submission time never do). */
export type QueryRecordPatch = Partial<
  Pick<
    QueryRecord,
    | 'state' | 'errorCode' | 'error' | 'startedAt' | 'finishedAt' | 'queueMs' | 'execMs' | 'rows' | 'bytesScanned'
    | 'snapshotVersion' | 'cached' | 'truncated'
  >
>;

export interface QueryListFilter {
  /** At most this many rows (default: all). */
  limit?: number;
  /** Only rows older than this position (exclusive): a page's last row gives the next page. */
  before?: { submittedAt: string; queryId: string };
  /** Only rows submitted at or after this time. */
  since?: string;
  state?: QueryState;
}

export interface ControlStore {
  /** Adds an organization; false when one with that name already exists. */
  insertOrg(org: Organization): Promise<boolean>;
  getOrg(name: string): Promise<Organization | undefined>;
  /** All organizations, ordered by name. */
  listOrgs(): Promise<Organization[]>;
  /** Applies the given changes; the updated organization, or undefined when it does not exist. */
  updateOrg(name: string, update: OrgUpdate): Promise<Organization | undefined>;

  /** Adds an access key; false when the id is taken. The organization must exist. */
  insertAccessKey(key: StoredAccessKey): Promise<boolean>;
  getAccessKey(accessKeyId: string): Promise<StoredAccessKey | undefined>;
  /** The organization's keys, revoked ones included, oldest first. Never the secrets. */
  listAccessKeys(org: string): Promise<AccessKey[]>;
  /** Marks the key revoked at `at`; false when it does not exist or is already revoked. */
  revokeAccessKey(accessKeyId: string, at: string): Promise<boolean>;
  /** Records that the key was used at `at`. */
  touchAccessKey(accessKeyId: string, at: string): Promise<void>;

  /** Adds a console user; false when the username is taken. */
  insertUser(user: StoredConsoleUser): Promise<boolean>;
  getUser(username: string): Promise<StoredConsoleUser | undefined>;
  /** Users ordered by username; only one organization's when `org` is given. */
  listUsers(org?: string): Promise<ConsoleUser[]>;
  /** Removes the user; false when there is none. */
  deleteUser(username: string): Promise<boolean>;
  /** Replaces the user's password hash; false when there is no such user. */
  setUserPasswordHash(username: string, passwordHash: string): Promise<boolean>;

  /** Adds an ingest token; false when its id or hash is taken. */
  insertIngestToken(token: StoredIngestToken): Promise<boolean>;
  getIngestToken(id: string): Promise<IngestToken | undefined>;
  /** The token (revoked or not) whose SHA-256 is `tokenHash`. */
  findIngestTokenByHash(tokenHash: string): Promise<StoredIngestToken | undefined>;
  /** All tokens, revoked ones included, oldest first. Never the hashes. */
  listIngestTokens(): Promise<IngestToken[]>;
  /** Marks the token revoked at `at`; false when it does not exist or is already revoked. */
  revokeIngestToken(id: string, at: string): Promise<boolean>;

  /** Adds a query to the history; false when its id is taken. */
  recordQuery(q: QueryRecord): Promise<boolean>;
  /** Applies the changes to a recorded query; false when there is none with that id. */
  updateQuery(queryId: string, patch: QueryRecordPatch): Promise<boolean>;
  getQuery(queryId: string): Promise<QueryRecord | undefined>;
  /** The organization's queries, newest first (by submittedAt, then queryId). */
  listQueries(org: string, filter?: QueryListFilter): Promise<QueryRecord[]>;
  /** Deletes every organization's queries submitted before `at`; how many were deleted. */
  deleteQueriesBefore(at: string): Promise<number>;
  /**
   * Marks queries still QUEUED or RUNNING as FAILED with `error` (code `errorCode`), finished at
   * `at`: a process that stopped (or crashed) left them so. How many were marked.
   */
  failUnfinishedQueries(at: string, errorCode: string, error: string): Promise<number>;

  /**
   * Records the id of the master key that encrypts this store's secrets, unless one is recorded
   * already; returns the recorded id (which differs from `keyId` when another key was used).
   */
  bindMasterKeyId(keyId: string): Promise<string>;

  close(): Promise<void>;
}
