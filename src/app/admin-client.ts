/**
 * Reaching the control plane from a command: through the running server's HTTP admin API when a
 * server is alive on the data dir (so the data dir keeps one writer), else by opening the
 * embedded control store directly.
 */
import { ADMIN_API_PREFIX } from '../protocols/http/admin-routes.ts';
import type { RunlakeConfig } from '../config/config.ts';
import {
  LocalAdminOps,
  type AdminOps,
  type CreateOrgInput,
  type CreateUserInput,
  type CreatedAccessKey,
  type CreatedIngestToken,
  type LocalAdminOptions,
} from '../control/admin.ts';
import type { AccessKey, ConsoleUser, ControlStore, IngestToken, Organization } from '../control/control-store.ts';
import { SecretBox } from '../control/crypto/secrets.ts';
import { SqliteControlStore } from '../control/sqlite-control-store.ts';
import { ERROR_CODES, RunlakeError, type ErrorCode } from '../util/errors.ts';
import { readServerInfo } from './server-info.ts';

/** AdminOps over a server's `/admin/v1` API; errors come back as the server's RunlakeErrors. */
export class RemoteAdminOps implements AdminOps {
  private readonly base: string;

  constructor(
    httpUrl: string,
    private readonly adminToken: string,
    private readonly opts: { timeoutMs?: number } = {},
  ) {
    this.base = httpUrl.replace(/\/+$/, '') + ADMIN_API_PREFIX;
  }

  createOrg(input: CreateOrgInput): Promise<Organization> {
    return this.call('POST', '/orgs', input);
  }
  async listOrgs(): Promise<Organization[]> {
    return (await this.call<{ orgs: Organization[] }>('GET', '/orgs')).orgs;
  }
  getOrg(name: string): Promise<Organization> {
    return this.call('GET', `/orgs/${seg(name)}`);
  }
  setAnalyticsEnabled(name: string, enabled: boolean): Promise<Organization> {
    return this.call('PATCH', `/orgs/${seg(name)}`, { analyticsEnabled: enabled });
  }

  createAccessKey(org: string, description?: string): Promise<CreatedAccessKey> {
    return this.call('POST', `/orgs/${seg(org)}/keys`, { description: description ?? '' });
  }
  async listAccessKeys(org: string): Promise<AccessKey[]> {
    return (await this.call<{ keys: AccessKey[] }>('GET', `/orgs/${seg(org)}/keys`)).keys;
  }
  revokeAccessKey(org: string, accessKeyId: string): Promise<AccessKey> {
    return this.call('DELETE', `/orgs/${seg(org)}/keys/${seg(accessKeyId)}`);
  }

  createUser(input: CreateUserInput): Promise<ConsoleUser> {
    return this.call('POST', '/users', input);
  }
  async listUsers(org?: string): Promise<ConsoleUser[]> {
    const q = org === undefined ? '' : `?org=${encodeURIComponent(org)}`;
    return (await this.call<{ users: ConsoleUser[] }>('GET', `/users${q}`)).users;
  }
  deleteUser(username: string, org?: string): Promise<ConsoleUser> {
    return this.call('DELETE', `/users/${seg(username)}${org === undefined ? '' : `?org=${encodeURIComponent(org)}`}`);
  }
  setUserPassword(username: string, password: string, org?: string): Promise<ConsoleUser> {
    return this.call('PUT', `/users/${seg(username)}/password`, { password, ...(org === undefined ? {} : { org }) });
  }

  createIngestToken(org: string, description?: string): Promise<CreatedIngestToken> {
    return this.call('POST', '/tokens', { org, description: description ?? '' });
  }
  async listIngestTokens(): Promise<IngestToken[]> {
    return (await this.call<{ tokens: IngestToken[] }>('GET', '/tokens')).tokens;
  }
  revokeIngestToken(id: string): Promise<IngestToken> {
    return this.call('DELETE', `/tokens/${seg(id)}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.base + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.adminToken}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 60_000),
      });
    } catch (e) {
      throw new RunlakeError(
        'unavailable',
        `cannot reach the Runlake server at ${this.base} (${causeOf(e)}); is it still running? ` +
          `If it stopped uncleanly, remove <data-dir>/server.json`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok) {
      if (parsed === undefined) throw new RunlakeError('internal', `the server answered ${method} ${path} with no JSON body`);
      return parsed as T;
    }
    throw problemToError(res.status, parsed);
  }
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

function causeOf(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
    return e.name === 'TimeoutError' ? 'timed out' : e.message;
  }
  return String(e);
}

/** Problem JSON (router.ts's sendError) back to the RunlakeError the server threw. */
function problemToError(status: number, body: unknown): RunlakeError {
  if (typeof body === 'object' && body !== null) {
    const { title, detail } = body as Record<string, unknown>;
    if (typeof title === 'string' && title in ERROR_CODES && typeof detail === 'string') {
      const details: Record<string, unknown> = { ...body };
      for (const k of ['type', 'title', 'status', 'detail']) delete details[k];
      return new RunlakeError(title as ErrorCode, detail, Object.keys(details).length > 0 ? details : undefined);
    }
  }
  const code = (Object.entries(ERROR_CODES).find(([, s]) => s === status)?.[0] ?? 'internal') as ErrorCode;
  return new RunlakeError(code, `the Runlake server answered HTTP ${status}`);
}

export interface LocalControlPlane {
  admin: LocalAdminOps;
  store: ControlStore;
  close(): Promise<void>;
}

/**
 * Opens the embedded control plane of `config.dataDir` (control.db + master key) in this process.
 * A server uses this; commands use openAdmin.
 */
export async function openLocalAdmin(config: RunlakeConfig, opts: LocalAdminOptions = {}): Promise<LocalControlPlane> {
  const store = SqliteControlStore.openInDataDir(config.dataDir);
  try {
    const secrets = SecretBox.load({ dataDir: config.dataDir, masterKey: config.masterKey });
    const admin = await LocalAdminOps.open(store, secrets, { reservedOrgNames: [config.scratchSchema], ...opts });
    return { admin, store, close: () => store.close() };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** The control plane for a command: the running server's admin API if there is one, else local. */
export async function openAdmin(config: RunlakeConfig): Promise<{ admin: AdminOps; close(): Promise<void>; remote: boolean }> {
  const info = readServerInfo(config.dataDir);
  if (info) return { admin: new RemoteAdminOps(info.httpUrl, info.adminToken), close: async () => {}, remote: true };
  const local = await openLocalAdmin(config);
  return { admin: local.admin, close: local.close, remote: false };
}
