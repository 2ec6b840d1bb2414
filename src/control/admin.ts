/**
 * Control-plane operations: what an operator does (AdminOps — the same whether it runs in this
 * process or through a running server's HTTP admin API) and what the protocols look up to
 * authenticate a request (CredentialResolver — in-process only; secrets never travel over the
 * admin API).
 *
 * Every failure a user can cause is a RunlakeError with a message that says what to do next.
 * Generated credentials:
 *   access key id      `RLAK` + 16 upper-case base32 (20 characters, like AWS's `AKIA…`)
 *   secret access key  40 characters of base64url (30 random bytes), shown once
 *   ingest token       `rlit_` + 32 base62 (190 bits), shown once
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config/config.ts';
import { RunlakeError } from '../util/errors.ts';
import {
  ALL_ORGS,
  CONSOLE_ROLES,
  DEFAULT_ORG_LIMITS,
  type AccessKey,
  type ConsoleRole,
  type ConsoleUser,
  type ControlStore,
  type IngestToken,
  type OrgLimits,
  type Organization,
} from './control-store.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from './crypto/passwords.ts';
import { createScramVerifier } from './crypto/scram.ts';
import { MASTER_KEY_FILE, type SecretBox } from './crypto/secrets.ts';

export interface CreateOrgInput {
  name: string;
  /** IANA time zone; default `UTC`. */
  timezone?: string;
  /** Default true. */
  analyticsEnabled?: boolean;
  /** Any limit not given takes its default (DEFAULT_ORG_LIMITS). */
  limits?: Partial<OrgLimits>;
}

export interface CreatedAccessKey extends AccessKey {
  /** Shown once; only its ciphertext and SCRAM verifier are stored. */
  secretAccessKey: string;
}

export interface CreateUserInput {
  username: string;
  password: string;
  role: ConsoleRole;
  /** Required for `org_admin` and `viewer`; must be absent (or null) for `operator`. */
  org?: string | null;
}

export interface CreatedIngestToken extends IngestToken {
  /** Shown once; only its SHA-256 is stored. */
  token: string;
}

/** What an operator can do to the control plane. */
export interface AdminOps {
  createOrg(input: CreateOrgInput): Promise<Organization>;
  listOrgs(): Promise<Organization[]>;
  /** The organization, or a not_found error. */
  getOrg(name: string): Promise<Organization>;
  setAnalyticsEnabled(name: string, enabled: boolean): Promise<Organization>;

  createAccessKey(org: string, description?: string): Promise<CreatedAccessKey>;
  listAccessKeys(org: string): Promise<AccessKey[]>;
  /** Revokes the organization's key; the key as it now is. */
  revokeAccessKey(org: string, accessKeyId: string): Promise<AccessKey>;

  createUser(input: CreateUserInput): Promise<ConsoleUser>;
  listUsers(org?: string): Promise<ConsoleUser[]>;
  /**
   * Removes a console user, ending their console sessions; the user as it was. With `org`, only a
   * user of that organization (an organization's administrators manage only their own users).
   */
  deleteUser(username: string, org?: string): Promise<ConsoleUser>;
  /** Sets a console user's password, ending their console sessions; `org` as for deleteUser. */
  setUserPassword(username: string, password: string, org?: string): Promise<ConsoleUser>;

  /** `org` is an organization name or `'*'` for every organization. */
  createIngestToken(org: string, description?: string): Promise<CreatedIngestToken>;
  listIngestTokens(): Promise<IngestToken[]>;
  revokeIngestToken(id: string): Promise<IngestToken>;
}

export interface ResolvedAccessKey {
  accessKeyId: string;
  org: string;
  /** In clear, for SigV4 and for pgwire's cleartext-password check. */
  secretAccessKey: string;
  /** For pgwire SCRAM-SHA-256 (crypto/scram.ts). */
  scramVerifier: string;
}

/** Lookups the protocols make to authenticate a request. Never exposed over HTTP. */
export interface CredentialResolver {
  /** The token's scope when it is a live ingest token; undefined otherwise. */
  verifyIngestToken(token: string): Promise<{ org: string } | undefined>;
  /** The key when it exists and is not revoked; undefined otherwise. */
  resolveAccessKey(accessKeyId: string): Promise<ResolvedAccessKey | undefined>;
  /** Records use of the key (at most about once a minute per key). */
  touchAccessKey(accessKeyId: string): Promise<void>;
  /** The user when the password is right; undefined otherwise (unknown users take as long). */
  verifyConsoleUser(username: string, password: string): Promise<ConsoleUser | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Names and formats

export const ORG_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Names an organization cannot take: they are, or would be confused with, system schemas and
 * catalogs of PostgreSQL, Athena/Trino and DuckDB, the scratch schema, or SQL reserved words
 * that every BI tool would have to quote.
 */
export const RESERVED_ORG_NAMES: ReadonlySet<string> = new Set([
  // schemas and catalogs
  'information_schema', 'pg_catalog', 'pg_toast', 'pg_temp', 'looker_scratch', 'default', 'public',
  'awsdatacatalog', 'system', 'main', 'temp', 'memory', 'postgres', 'template0', 'template1', 'sys',
  'runlake', 'admin', 'all_orgs',
  // SQL reserved words (PostgreSQL and Trino)
  'all', 'alter', 'and', 'any', 'array', 'as', 'asc', 'between', 'both', 'by', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'cross', 'cube', 'current_catalog', 'current_date',
  'current_path', 'current_role', 'current_schema', 'current_time', 'current_timestamp', 'current_user',
  'deallocate', 'delete', 'describe', 'desc', 'distinct', 'do', 'drop', 'else', 'end', 'escape', 'except',
  'execute', 'exists', 'extract', 'false', 'fetch', 'for', 'foreign', 'from', 'full', 'grant', 'group',
  'grouping', 'having', 'in', 'inner', 'insert', 'intersect', 'into', 'is', 'join', 'json_array',
  'json_exists', 'json_object', 'json_query', 'json_table', 'json_value', 'lateral', 'leading', 'left',
  'like', 'limit', 'listagg', 'localtime', 'localtimestamp', 'natural', 'normalize', 'not', 'null',
  'offset', 'on', 'only', 'or', 'order', 'outer', 'over', 'placing', 'prepare', 'primary', 'recursive',
  'references', 'returning', 'right', 'rollup', 'select', 'session_user', 'skip', 'some', 'symmetric',
  'table', 'then', 'to', 'trailing', 'trim', 'true', 'uescape', 'union', 'unique', 'unnest', 'user',
  'using', 'values', 'variadic', 'when', 'where', 'window', 'with',
]);

/** Throws bad_request unless `name` can be an organization (and so a database) name. */
export function validateOrgName(name: string, extraReserved: Iterable<string> = []): void {
  if (!ORG_NAME_PATTERN.test(name)) {
    throw new RunlakeError(
      'bad_request',
      `organization name ${JSON.stringify(name)} is invalid: use 1 to 63 lower-case letters, digits and ` +
        `underscores, starting with a letter (e.g. "acme" or "acme_corp")`,
    );
  }
  if (RESERVED_ORG_NAMES.has(name) || name.startsWith('pg_') || [...extraReserved].includes(name)) {
    throw new RunlakeError(
      'bad_request',
      `organization name "${name}" is reserved (a system schema, catalog or SQL keyword); choose another name`,
    );
  }
}

export const ACCESS_KEY_ID_PATTERN = /^RLAK[A-Z2-7]{16}$/;
export const SECRET_ACCESS_KEY_PATTERN = /^[A-Za-z0-9_-]{40}$/;
export const INGEST_TOKEN_PATTERN = /^rlit_[0-9A-Za-z]{32}$/;
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;
const MAX_DESCRIPTION_LENGTH = 200;

function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new RunlakeError('bad_request', `the password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new RunlakeError('bad_request', `the password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  }
}

function noSuchUser(username: string, org?: string): RunlakeError {
  const who = `console user "${String(username).slice(0, 128)}"`;
  // Scoped to an organization (its administrators in the console): the same answer whether the
  // name is another organization's user or no one's.
  if (org !== undefined) return new RunlakeError('not_found', `there is no ${who} in organization "${org}"`);
  return new RunlakeError('not_found', `there is no ${who}; \`runlake users list\` shows them`);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function base62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(62)];
  return out;
}

export function newAccessKeyId(): string {
  return `RLAK${base32(randomBytes(10))}`;
}
/** Never begins with '-': pasted after a command-line flag (`--secret-key -x…`) it would read as an option. */
export function newSecretAccessKey(): string {
  for (;;) {
    const secret = randomBytes(30).toString('base64url');
    if (!secret.startsWith('-')) return secret;
  }
}
export function newIngestToken(): string {
  return `rlit_${base62(32)}`;
}
function newIngestTokenId(): string {
  return `it_${base32(randomBytes(10)).toLowerCase()}`;
}
function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------

export interface LocalAdminOptions {
  /** The clock (tests). */
  now?: () => Date;
  /** Names refused for organizations besides RESERVED_ORG_NAMES (e.g. a configured scratch schema). */
  reservedOrgNames?: Iterable<string>;
  /** Minimum interval between lastUsedAt writes for one key (ms); default one minute. */
  touchIntervalMs?: number;
}

/** AdminOps and CredentialResolver over a ControlStore, in this process. */
export class LocalAdminOps implements AdminOps, CredentialResolver {
  private readonly now: () => Date;
  private readonly reserved: string[];
  private readonly touchIntervalMs: number;
  private readonly lastTouch = new Map<string, number>();
  private readonly userListeners: ((username: string) => void)[] = [];

  constructor(
    private readonly store: ControlStore,
    private readonly secrets: SecretBox,
    opts: LocalAdminOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.reserved = [...(opts.reservedOrgNames ?? [])];
    this.touchIntervalMs = opts.touchIntervalMs ?? 60_000;
  }

  /**
   * Checks that `secrets` holds the master key this store's secrets are encrypted with
   * (recording it on first use), then returns the operations.
   */
  static async open(store: ControlStore, secrets: SecretBox, opts: LocalAdminOptions = {}): Promise<LocalAdminOps> {
    const bound = await store.bindMasterKeyId(secrets.keyId);
    if (bound !== secrets.keyId) {
      throw new ConfigError([
        `the master key (id ${secrets.keyId}) is not the one this data dir's secrets are encrypted with (id ${bound}); ` +
          `configure the original key (masterKey / RUNLAKE_MASTER_KEY) or restore <data-dir>/${MASTER_KEY_FILE}`,
      ]);
    }
    return new LocalAdminOps(store, secrets, opts);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  // --- organizations ----------------------------------------------------------------------

  async createOrg(input: CreateOrgInput): Promise<Organization> {
    const name = input.name;
    validateOrgName(name, this.reserved);
    const org: Organization = {
      name,
      database: name,
      analyticsEnabled: input.analyticsEnabled ?? true,
      timezone: canonicalTimezone(input.timezone ?? 'UTC'),
      limits: validLimits(input.limits ?? {}),
      createdAt: this.stamp(),
    };
    if (!(await this.store.insertOrg(org))) {
      throw new RunlakeError('conflict', `organization "${name}" already exists; \`runlake org list\` shows the organizations`);
    }
    return org;
  }

  listOrgs(): Promise<Organization[]> {
    return this.store.listOrgs();
  }

  async getOrg(name: string): Promise<Organization> {
    const org = await this.store.getOrg(name);
    if (!org) throw unknownOrg(name);
    return org;
  }

  async setAnalyticsEnabled(name: string, enabled: boolean): Promise<Organization> {
    const org = await this.store.updateOrg(name, { analyticsEnabled: enabled });
    if (!org) throw unknownOrg(name);
    return org;
  }

  // --- access keys -------------------------------------------------------------------------

  async createAccessKey(org: string, description = ''): Promise<CreatedAccessKey> {
    await this.getOrg(org);
    const desc = validDescription(description);
    for (;;) {
      const accessKeyId = newAccessKeyId();
      const secretAccessKey = newSecretAccessKey();
      const key: AccessKey = { accessKeyId, org, description: desc, createdAt: this.stamp(), lastUsedAt: null, revokedAt: null };
      const stored = {
        ...key,
        secretCiphertext: this.secrets.encrypt(secretAccessKey, accessKeyId),
        scramVerifier: createScramVerifier(secretAccessKey),
      };
      // An id collision (80 random bits) is practically impossible; draw again if it happens.
      if (await this.store.insertAccessKey(stored)) return { ...key, secretAccessKey };
    }
  }

  async listAccessKeys(org: string): Promise<AccessKey[]> {
    await this.getOrg(org);
    return this.store.listAccessKeys(org);
  }

  async revokeAccessKey(org: string, accessKeyId: string): Promise<AccessKey> {
    await this.getOrg(org);
    const key = await this.store.getAccessKey(accessKeyId);
    if (!key || key.org !== org) {
      throw new RunlakeError(
        'not_found',
        `access key "${accessKeyId}" does not exist in organization "${org}"; \`runlake keys list --org ${org}\` shows its keys`,
      );
    }
    if (key.revokedAt !== null) {
      throw new RunlakeError('conflict', `access key "${accessKeyId}" was already revoked at ${key.revokedAt}`);
    }
    const at = this.stamp();
    if (!(await this.store.revokeAccessKey(accessKeyId, at))) {
      const now = await this.store.getAccessKey(accessKeyId);
      throw new RunlakeError('conflict', `access key "${accessKeyId}" was already revoked at ${now?.revokedAt ?? at}`);
    }
    this.lastTouch.delete(accessKeyId);
    return { ...publicKey(key), revokedAt: at };
  }

  // --- console users -----------------------------------------------------------------------

  async createUser(input: CreateUserInput): Promise<ConsoleUser> {
    const { username, password, role } = input;
    const org = input.org ?? null;
    if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) {
      throw new RunlakeError(
        'bad_request',
        `username ${JSON.stringify(username)} is invalid: use 1 to 128 letters, digits and . _ @ + - , starting with a letter or digit`,
      );
    }
    if (!(CONSOLE_ROLES as readonly string[]).includes(role)) {
      throw new RunlakeError('bad_request', `role ${JSON.stringify(role)} is invalid: use one of ${CONSOLE_ROLES.join(', ')}`);
    }
    if (role === 'operator' && org !== null) {
      throw new RunlakeError('bad_request', 'an operator belongs to no organization (operators see all of them); leave out the organization');
    }
    if (role !== 'operator' && org === null) {
      throw new RunlakeError('bad_request', `a user with role ${role} belongs to one organization; give it (--org <name>)`);
    }
    checkPassword(password);
    if (org !== null) await this.getOrg(org);
    const user: ConsoleUser = { username, role, org, createdAt: this.stamp() };
    if (!(await this.store.insertUser({ ...user, passwordHash: await hashPassword(password) }))) {
      throw new RunlakeError('conflict', `console user "${username}" already exists; choose another username (\`runlake users list\` shows them)`);
    }
    return user;
  }

  async listUsers(org?: string): Promise<ConsoleUser[]> {
    if (org !== undefined) await this.getOrg(org);
    return this.store.listUsers(org);
  }

  async deleteUser(username: string, org?: string): Promise<ConsoleUser> {
    const user = await this.userIn(username, org);
    if (!(await this.store.deleteUser(username))) throw noSuchUser(username);
    this.credentialsChanged(username);
    return user;
  }

  async setUserPassword(username: string, password: string, org?: string): Promise<ConsoleUser> {
    checkPassword(password);
    const user = await this.userIn(username, org);
    if (!(await this.store.setUserPasswordHash(username, await hashPassword(password)))) throw noSuchUser(username);
    this.credentialsChanged(username);
    return user;
  }

  /**
   * Calls `listener` with the username whenever a console user is removed or their password
   * changes (the console ends their sessions).
   */
  onUserCredentialsChanged(listener: (username: string) => void): void {
    this.userListeners.push(listener);
  }

  private credentialsChanged(username: string): void {
    for (const l of this.userListeners) l(username);
  }

  /** The user, when it exists and (with `org`) belongs to that organization; else not_found. */
  private async userIn(username: string, org: string | undefined): Promise<ConsoleUser> {
    if (org !== undefined) await this.getOrg(org);
    const stored = typeof username === 'string' ? await this.store.getUser(username) : undefined;
    // Another organization's user is answered as a missing one: no hint that the name exists.
    if (!stored || (org !== undefined && stored.org !== org)) throw noSuchUser(username, org);
    return consoleUser(stored);
  }

  // --- ingest tokens -----------------------------------------------------------------------

  async createIngestToken(org: string, description = ''): Promise<CreatedIngestToken> {
    if (org !== ALL_ORGS) await this.getOrg(org);
    const desc = validDescription(description);
    for (;;) {
      const token = newIngestToken();
      const row: IngestToken = { id: newIngestTokenId(), org, description: desc, createdAt: this.stamp(), revokedAt: null };
      if (await this.store.insertIngestToken({ ...row, tokenHash: sha256Hex(token) })) return { ...row, token };
    }
  }

  listIngestTokens(): Promise<IngestToken[]> {
    return this.store.listIngestTokens();
  }

  async revokeIngestToken(id: string): Promise<IngestToken> {
    const token = await this.store.getIngestToken(id);
    if (!token) throw new RunlakeError('not_found', `ingest token "${id}" does not exist; \`runlake tokens list\` shows the tokens`);
    const at = this.stamp();
    if (token.revokedAt !== null || !(await this.store.revokeIngestToken(id, at))) {
      const now = await this.store.getIngestToken(id);
      throw new RunlakeError('conflict', `ingest token "${id}" was already revoked at ${now?.revokedAt ?? at}`);
    }
    return { ...token, revokedAt: at };
  }

  // --- lookups for the protocols -----------------------------------------------------------

  async verifyIngestToken(token: string): Promise<{ org: string } | undefined> {
    if (typeof token !== 'string' || !INGEST_TOKEN_PATTERN.test(token)) return undefined;
    const hash = sha256Hex(token);
    const row = await this.store.findIngestTokenByHash(hash);
    // The lookup is by hash of a high-entropy token, so its timing reveals nothing useful; the
    // constant-time compare guards a store whose lookup is not exact.
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
    if (row.revokedAt !== null) return undefined;
    return { org: row.org };
  }

  async resolveAccessKey(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID_PATTERN.test(accessKeyId)) return undefined;
    const key = await this.store.getAccessKey(accessKeyId);
    if (!key || key.revokedAt !== null) return undefined;
    return {
      accessKeyId,
      org: key.org,
      secretAccessKey: this.secrets.decrypt(key.secretCiphertext, accessKeyId),
      scramVerifier: key.scramVerifier,
    };
  }

  async touchAccessKey(accessKeyId: string): Promise<void> {
    const now = this.now();
    const last = this.lastTouch.get(accessKeyId);
    if (last !== undefined && now.getTime() - last < this.touchIntervalMs) return;
    this.lastTouch.set(accessKeyId, now.getTime());
    await this.store.touchAccessKey(accessKeyId, now.toISOString());
  }

  async verifyConsoleUser(username: string, password: string): Promise<ConsoleUser | undefined> {
    const user = typeof username === 'string' ? await this.store.getUser(username) : undefined;
    if (!user || typeof password !== 'string') {
      await burnPasswordCheck(typeof password === 'string' ? password : '');
      return undefined;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return undefined;
    return consoleUser(user);
  }
}

/** The user without its password hash. */
function consoleUser(u: ConsoleUser): ConsoleUser {
  return { username: u.username, role: u.role, org: u.org, createdAt: u.createdAt };
}

function unknownOrg(name: string): RunlakeError {
  return new RunlakeError('not_found', `organization "${name}" does not exist; \`runlake org list\` shows the organizations`);
}

function publicKey(k: AccessKey): AccessKey {
  return {
    accessKeyId: k.accessKeyId,
    org: k.org,
    description: k.description,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}

function canonicalTimezone(tz: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new RunlakeError('bad_request', `time zone ${JSON.stringify(tz)} is not an IANA time zone name (e.g. "UTC", "Europe/Berlin", "America/New_York")`);
  }
}

function validLimits(given: Partial<OrgLimits>): OrgLimits {
  const out = { ...DEFAULT_ORG_LIMITS };
  for (const k of Object.keys(DEFAULT_ORG_LIMITS) as (keyof OrgLimits)[]) {
    const v = given[k];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0) throw new RunlakeError('bad_request', `limit ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function validDescription(d: string): string {
  if (typeof d !== 'string') throw new RunlakeError('bad_request', 'description must be a string');
  const t = d.trim();
  if (t.length > MAX_DESCRIPTION_LENGTH) {
    throw new RunlakeError('bad_request', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${t.length}`);
  }
  if ([...t].some((ch) => ch.charCodeAt(0) < 0x20)) throw new RunlakeError('bad_request', 'description must not contain control characters');
  return t;
}
