/**
 * The HTTP admin API, `/admin/v1/...`: what `runlake org|keys|users|tokens` do when a server is
 * running on the data dir (src/app/admin-client.ts is the client). Every route needs
 * `Authorization: Bearer <admin token>` (the per-run token in `<data-dir>/server.json`).
 *
 *   GET    /admin/v1/orgs                         → { orgs: Organization[] }
 *   POST   /admin/v1/orgs                         { name, timezone?, analyticsEnabled?, limits? } → 201 Organization
 *   GET    /admin/v1/orgs/:org                    → Organization
 *   PATCH  /admin/v1/orgs/:org                    { analyticsEnabled } → Organization
 *   GET    /admin/v1/orgs/:org/keys               → { keys: AccessKey[] }
 *   POST   /admin/v1/orgs/:org/keys               { description? } → 201 CreatedAccessKey (secret shown once)
 *   DELETE /admin/v1/orgs/:org/keys/:id           → AccessKey (revoked)
 *   GET    /admin/v1/users[?org=]                 → { users: ConsoleUser[] }
 *   POST   /admin/v1/users                        { username, password, role, org? } → 201 ConsoleUser
 *   DELETE /admin/v1/users/:username[?org=]       → ConsoleUser (removed; their console sessions end)
 *   PUT    /admin/v1/users/:username/password     { password, org? } → ConsoleUser (their console sessions end)
 *   GET    /admin/v1/tokens                       → { tokens: IngestToken[] }
 *   POST   /admin/v1/tokens                       { org, description? } → 201 CreatedIngestToken (token shown once)
 *   DELETE /admin/v1/tokens/:id                   → IngestToken (revoked)
 *
 * Errors are problem JSON (router.ts) carrying the RunlakeError's code and message.
 */
import { secretsEqual } from '../../util/secrets-equal.ts';
import type { IncomingMessage } from 'node:http';
import type { AdminOps, CreateOrgInput, CreateUserInput } from '../../control/admin.ts';
import { CONSOLE_ROLES, DEFAULT_ORG_LIMITS, type ConsoleRole, type OrgLimits } from '../../control/control-store.ts';
import { RunlakeError } from '../../util/errors.ts';
import { bearerToken, readBody, sendJson, type Handler, type Router } from './router.ts';

export const ADMIN_API_PREFIX = '/admin/v1';
const MAX_BODY_BYTES = 64 * 1024;

export function addAdminRoutes(router: Router, admin: AdminOps, adminToken: string): void {
  if (adminToken.length < 16) throw new Error('the admin token must be at least 16 characters');
  const authed =
    (handler: Handler): Handler =>
    (req, res, params, url) => {
      const given = bearerToken(req);
      if (given === undefined || !secretsEqual(given, adminToken)) {
        throw new RunlakeError(
          'unauthenticated',
          'the admin API needs `Authorization: Bearer <admin token>` with the token in <data-dir>/server.json',
        );
      }
      return handler(req, res, params, url);
    };
  const p = ADMIN_API_PREFIX;

  router.add('GET', `${p}/orgs`, authed(async (_req, res) => sendJson(res, 200, { orgs: await admin.listOrgs() })));
  router.add(
    'POST',
    `${p}/orgs`,
    authed(async (req, res) => {
      const b = await jsonBody(req);
      const input: CreateOrgInput = { name: str(b, 'name') };
      const timezone = optStr(b, 'timezone');
      if (timezone !== undefined) input.timezone = timezone;
      const enabled = optBool(b, 'analyticsEnabled');
      if (enabled !== undefined) input.analyticsEnabled = enabled;
      const limits = optLimits(b);
      if (limits !== undefined) input.limits = limits;
      sendJson(res, 201, await admin.createOrg(input));
    }),
  );
  router.add('GET', `${p}/orgs/:org`, authed(async (_req, res, params) => sendJson(res, 200, await admin.getOrg(params.org!))));
  router.add(
    'PATCH',
    `${p}/orgs/:org`,
    authed(async (req, res, params) => {
      const b = await jsonBody(req);
      const unknown = Object.keys(b).filter((k) => k !== 'analyticsEnabled');
      if (unknown.length > 0) throw new RunlakeError('bad_request', `cannot change ${unknown.join(', ')}; only analyticsEnabled can be changed`);
      const enabled = optBool(b, 'analyticsEnabled');
      if (enabled === undefined) throw new RunlakeError('bad_request', 'give "analyticsEnabled": true or false');
      sendJson(res, 200, await admin.setAnalyticsEnabled(params.org!, enabled));
    }),
  );

  router.add('GET', `${p}/orgs/:org/keys`, authed(async (_req, res, params) => sendJson(res, 200, { keys: await admin.listAccessKeys(params.org!) })));
  router.add(
    'POST',
    `${p}/orgs/:org/keys`,
    authed(async (req, res, params) => {
      const b = await jsonBody(req);
      sendJson(res, 201, await admin.createAccessKey(params.org!, optStr(b, 'description') ?? ''));
    }),
  );
  router.add(
    'DELETE',
    `${p}/orgs/:org/keys/:id`,
    authed(async (_req, res, params) => sendJson(res, 200, await admin.revokeAccessKey(params.org!, params.id!))),
  );

  router.add(
    'GET',
    `${p}/users`,
    authed(async (_req, res, _params, url) => {
      const org = url.searchParams.get('org');
      sendJson(res, 200, { users: await admin.listUsers(org === null || org === '' ? undefined : org) });
    }),
  );
  router.add(
    'POST',
    `${p}/users`,
    authed(async (req, res) => {
      const b = await jsonBody(req);
      const role = str(b, 'role');
      if (!(CONSOLE_ROLES as readonly string[]).includes(role)) {
        throw new RunlakeError('bad_request', `role ${JSON.stringify(role)} is invalid: use one of ${CONSOLE_ROLES.join(', ')}`);
      }
      const input: CreateUserInput = { username: str(b, 'username'), password: str(b, 'password'), role: role as ConsoleRole };
      if (b.org !== undefined && b.org !== null) input.org = str(b, 'org');
      sendJson(res, 201, await admin.createUser(input));
    }),
  );
  router.add(
    'DELETE',
    `${p}/users/:username`,
    authed(async (_req, res, params, url) => {
      const org = url.searchParams.get('org');
      sendJson(res, 200, await admin.deleteUser(params.username!, org === null || org === '' ? undefined : org));
    }),
  );
  router.add(
    'PUT',
    `${p}/users/:username/password`,
    authed(async (req, res, params) => {
      const b = await jsonBody(req);
      sendJson(res, 200, await admin.setUserPassword(params.username!, str(b, 'password'), b.org === undefined || b.org === null ? undefined : str(b, 'org')));
    }),
  );

  router.add('GET', `${p}/tokens`, authed(async (_req, res) => sendJson(res, 200, { tokens: await admin.listIngestTokens() })));
  router.add(
    'POST',
    `${p}/tokens`,
    authed(async (req, res) => {
      const b = await jsonBody(req);
      sendJson(res, 201, await admin.createIngestToken(str(b, 'org'), optStr(b, 'description') ?? ''));
    }),
  );
  router.add('DELETE', `${p}/tokens/:id`, authed(async (_req, res, params) => sendJson(res, 200, await admin.revokeIngestToken(params.id!))));
}

type Body = Record<string, unknown>;

async function jsonBody(req: IncomingMessage): Promise<Body> {
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RunlakeError('bad_request', 'the request body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RunlakeError('bad_request', 'the request body must be a JSON object');
  return v as Body;
}

function str(b: Body, key: string): string {
  const v = b[key];
  if (typeof v !== 'string') throw new RunlakeError('bad_request', `"${key}" is required and must be a string`);
  return v;
}

function optStr(b: Body, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RunlakeError('bad_request', `"${key}" must be a string`);
  return v;
}

function optBool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new RunlakeError('bad_request', `"${key}" must be true or false`);
  return v;
}

function optLimits(b: Body): Partial<OrgLimits> | undefined {
  const v = b.limits;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new RunlakeError('bad_request', '"limits" must be an object');
  const known = Object.keys(DEFAULT_ORG_LIMITS);
  const out: Partial<OrgLimits> = {};
  for (const [k, n] of Object.entries(v)) {
    if (!known.includes(k)) throw new RunlakeError('bad_request', `unknown limit "${k}"; the limits are ${known.join(', ')}`);
    if (typeof n !== 'number') throw new RunlakeError('bad_request', `limit ${k} must be a number`);
    out[k as keyof OrgLimits] = n;
  }
  return out;
}
