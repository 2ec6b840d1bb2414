/**
 * Console API for an organization's settings and for operators:
 *
 *   GET    /console/api/orgs/:org                    → { name, database, timezone, analyticsEnabled, freshness }
 *   GET    /console/api/orgs/:org/connection         → where and how BI tools connect (host, ports, database, workgroup…)
 *   GET    /console/api/orgs/:org/lookml.zip?dialect=athena|postgres → the generated Looker project (runlake lookml)
 *   GET    /console/api/orgs/:org/keys               → { keys: AccessKey[] }                   (org_admin, operator)
 *   POST   /console/api/orgs/:org/keys               { description? } → 201 key with its secret, shown once
 *   POST   /console/api/orgs/:org/keys/:id/rotate    → 201 a new key (secret shown once); the old one is revoked
 *   DELETE /console/api/orgs/:org/keys/:id           → the revoked key
 *   GET    /console/api/orgs/:org/users              → { users: ConsoleUser[] }                (org_admin, operator)
 *   POST   /console/api/orgs/:org/users              { username, password, role: org_admin | viewer } → 201
 *   DELETE /console/api/orgs/:org/users/:username    → ConsoleUser (removed; signed out)      (org_admin, operator)
 *   PUT    /console/api/orgs/:org/users/:username/password  { password } → ConsoleUser (signed out) (org_admin, operator)
 *   GET    /console/api/admin/orgs                   → { orgs: [{ …Organization, usage }] }   (operator)
 *   POST   /console/api/admin/orgs                   { name, timezone? } → 201 Organization
 *   PATCH  /console/api/admin/orgs/:org              { analyticsEnabled } → Organization
 *
 * Usage per organization: queries and bytes scanned in the last 30 days (query history), and the
 * bytes and rows of its current lake snapshot. Every change goes through AdminOps, so it is
 * validated and recorded exactly as the CLI's is.
 */
import type { IncomingMessage } from 'node:http';
import type { AdminOps } from '../../control/admin.ts';
import type { QueryRecord } from '../../control/control-store.ts';
import { RunlakeError } from '../../util/errors.ts';
import { lookmlZip } from '../../bi/lookml/project.ts';
import type { ConsoleAccess } from './console-access.ts';
import { bool, jsonBody, optStr, sendConsoleJson, str } from './console-http.ts';
import type { Router } from './router.ts';

export interface LakeStatus {
  version: number | null;
  publishedAt: string | null;
  pending: number;
  tables: Record<string, { files: number; rows: number; bytes: number }>;
}
export type LakeStatusOf = (org: string) => Promise<LakeStatus>;

export interface ConsoleEndpoints {
  /** The host name clients use; a wildcard listen address means "the host the browser used". */
  host: string;
  pgPort: number;
  /** The Athena-compatible API's HTTPS port. */
  athenaPort: number;
  region: string;
  scratchSchema: string;
  /** The Athena query-result location of an organization (its s3_staging_dir). */
  outputLocation(org: string): string;
}

interface AdminDeps {
  admin: AdminOps;
  queryRecords(org: string, since: string): Promise<QueryRecord[]>;
  lakeStatus: LakeStatusOf;
  endpoints(): ConsoleEndpoints;
}

const USAGE_DAYS = 30;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

export function addConsoleAdminRoutes(router: Router, access: ConsoleAccess, deps: AdminDeps): void {
  const p = '/console/api/orgs/:org';
  const { admin } = deps;

  router.add('GET', p, async (req, res, params) => {
    access.forOrg(req, params.org!, 'view');
    const org = await admin.getOrg(params.org!);
    const lake = await deps.lakeStatus(org.name);
    sendConsoleJson(res, 200, {
      name: org.name, database: org.database, timezone: org.timezone, analyticsEnabled: org.analyticsEnabled,
      freshness: { publishedAt: lake.publishedAt, version: lake.version, pending: lake.pending },
    });
  });

  router.add('GET', `${p}/connection`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'view');
    const org = await admin.getOrg(params.org!);
    const e = deps.endpoints();
    const host = WILDCARD_HOSTS.has(e.host) ? requestHostName(req) : e.host;
    sendConsoleJson(res, 200, {
      org: org.name,
      database: org.database,
      workgroup: org.name,
      catalog: 'AwsDataCatalog',
      scratchSchema: e.scratchSchema,
      pgwire: { host, port: e.pgPort, sslmode: 'require' },
      athena: { host, port: e.athenaPort, endpoint: `https://${host}:${e.athenaPort}`, region: e.region, outputLocation: e.outputLocation(org.name) },
    });
  });

  router.add('GET', `${p}/lookml.zip`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'view');
    const org = await admin.getOrg(params.org!);
    const dialect = new URL(req.url ?? '/', 'http://console').searchParams.get('dialect') ?? 'athena';
    if (dialect !== 'athena' && dialect !== 'postgres') throw new RunlakeError('bad_request', 'dialect must be athena or postgres');
    const zip = lookmlZip(org.name, dialect, { scratchSchema: deps.endpoints().scratchSchema });
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': zip.length,
      'content-disposition': `attachment; filename="runlake_${org.name}-lookml-${dialect}.zip"`,
      'cache-control': 'no-store',
    });
    res.end(zip);
  });

  // --- access keys --------------------------------------------------------------------------

  router.add('GET', `${p}/keys`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'admin');
    sendConsoleJson(res, 200, { keys: await admin.listAccessKeys(params.org!) });
  });
  router.add('POST', `${p}/keys`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'admin');
    const b = await jsonBody(req);
    sendConsoleJson(res, 201, await admin.createAccessKey(params.org!, optStr(b, 'description') ?? ''));
  });
  router.add('POST', `${p}/keys/:id/rotate`, async (req, res, params) => {
    const { session } = access.forOrg(req, params.org!, 'admin');
    const org = params.org!;
    const old = (await admin.listAccessKeys(org)).find((k) => k.accessKeyId === params.id);
    if (!old) throw new RunlakeError('not_found', `access key "${params.id}" does not exist in organization "${org}"`);
    if (old.revokedAt !== null) throw new RunlakeError('conflict', `access key "${old.accessKeyId}" is revoked; create a new key instead`);
    const description = `${old.description === '' ? 'key' : old.description.slice(0, 150)} (rotated by ${session.user.username.slice(0, 30)})`;
    const created = await admin.createAccessKey(org, description);
    await admin.revokeAccessKey(org, old.accessKeyId);
    sendConsoleJson(res, 201, { ...created, replaces: old.accessKeyId });
  });
  router.add('DELETE', `${p}/keys/:id`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'admin');
    sendConsoleJson(res, 200, await admin.revokeAccessKey(params.org!, params.id!));
  });

  // --- console users -------------------------------------------------------------------------

  router.add('GET', `${p}/users`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'admin');
    sendConsoleJson(res, 200, { users: await admin.listUsers(params.org!) });
  });
  router.add('POST', `${p}/users`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'admin');
    const b = await jsonBody(req);
    const role = str(b, 'role', 'a role');
    if (role !== 'org_admin' && role !== 'viewer') throw new RunlakeError('bad_request', 'the role must be org_admin or viewer');
    const user = await admin.createUser({ username: str(b, 'username', 'a username'), password: str(b, 'password', 'a password'), role, org: params.org! });
    sendConsoleJson(res, 201, user);
  });
  router.add('DELETE', `${p}/users/:username`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'admin');
    sendConsoleJson(res, 200, await admin.deleteUser(params.username!, params.org!));
  });
  router.add('PUT', `${p}/users/:username/password`, async (req, res, params) => {
    access.forOrg(req, params.org!, 'admin');
    const b = await jsonBody(req);
    sendConsoleJson(res, 200, await admin.setUserPassword(params.username!, str(b, 'password', 'a password'), params.org!));
  });

  // --- operators ----------------------------------------------------------------------------

  router.add('GET', '/console/api/admin/orgs', async (req, res) => {
    access.operator(req);
    const since = new Date(Date.now() - USAGE_DAYS * 24 * 60 * 60 * 1000).toISOString();
    const orgs = await admin.listOrgs();
    const out = await Promise.all(
      orgs.map(async (o) => {
        const [records, lake, users, keys] = await Promise.all([
          deps.queryRecords(o.name, since), deps.lakeStatus(o.name), admin.listUsers(o.name), admin.listAccessKeys(o.name),
        ]);
        const tables = Object.values(lake.tables);
        return {
          ...o,
          usage: {
            days: USAGE_DAYS,
            queries: records.length,
            failedQueries: records.filter((r) => r.state === 'FAILED').length,
            bytesScanned: records.reduce((s, r) => s + (r.bytesScanned ?? 0), 0),
            storageBytes: tables.reduce((s, t) => s + t.bytes, 0),
            storageFiles: tables.reduce((s, t) => s + t.files, 0),
            rows: tables.reduce((s, t) => s + t.rows, 0),
            publishedAt: lake.publishedAt,
            users: users.length,
            activeKeys: keys.filter((k) => k.revokedAt === null).length,
          },
        };
      }),
    );
    sendConsoleJson(res, 200, { orgs: out });
  });
  router.add('POST', '/console/api/admin/orgs', async (req, res) => {
    access.operator(req);
    const b = await jsonBody(req);
    const timezone = optStr(b, 'timezone');
    sendConsoleJson(res, 201, await admin.createOrg({ name: str(b, 'name', 'an organization name'), ...(timezone ? { timezone } : {}) }));
  });
  router.add('PATCH', '/console/api/admin/orgs/:org', async (req, res, params) => {
    access.operator(req);
    const b = await jsonBody(req);
    sendConsoleJson(res, 200, await admin.setAnalyticsEnabled(params.org!, bool(b, 'analyticsEnabled')));
  });
}

/** The host name of the request's Host header (for connection guides when listening on a wildcard). */
function requestHostName(req: IncomingMessage): string {
  const h = req.headers.host ?? '127.0.0.1';
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/.exec(h);
  return m ? m[1]! : '127.0.0.1';
}
