/**
 * The web console's HTTP surface, on the server's HTTP listener:
 *
 *   GET    /                          the console (src/web, bundled by the server; console-assets.ts)
 *   GET    /assets/:name              its scripts, styles and icons
 *   GET    /console/api/session       → { user, csrfToken, orgs, canAdminister } | 401
 *   POST   /console/api/session       { username, password } → the same, and the session cookie (rate-limited)
 *   DELETE /console/api/session       signs out (clears the cookie)
 *   PUT    /console/api/session/password { currentPassword, newPassword } → a new session (the user's
 *                                     other sessions end), and its cookie (rate-limited as sign-in)
 *   …/orgs/:org/…                     dashboards, SQL editor, history, schema, keys, users, connection
 *                                     (console-dashboard-routes.ts, console-query-routes.ts, console-admin-routes.ts)
 *   …/admin/orgs…                     operators: organizations, analytics on/off, usage
 *
 * Errors are problem JSON (router.ts) with a message written for a person; the console shows the
 * message, never the JSON. Access rules: console-access.ts. Sessions: console-session.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminOps, CredentialResolver } from '../../control/admin.ts';
import type { ConsoleUser, QueryRecord } from '../../control/control-store.ts';
import type { QueryService } from '../../service/query-service.ts';
import { RunlakeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import { ConsoleAccess, checkOrigin, mayAdminister } from './console-access.ts';
import { addConsoleAdminRoutes, type ConsoleEndpoints, type LakeStatusOf } from './console-admin-routes.ts';
import { addConsoleAssetRoutes, type ConsoleBundle } from './console-assets.ts';
import { addConsoleDashboardRoutes } from './console-dashboard-routes.ts';
import { CONSOLE_HEADERS, clientAddress, jsonBody, sendConsoleJson, str } from './console-http.ts';
import { LoginLimiter, type LoginLimiterOptions } from './console-login-limiter.ts';
import { addConsoleQueryRoutes } from './console-query-routes.ts';
import { SessionStore, clearedSessionCookie, sessionCookie, sessionIdOf, type Session, type SessionOptions } from './console-session.ts';
import type { Router } from './router.ts';

export const CONSOLE_API_PREFIX = '/console/api';

export interface ConsoleDeps {
  queries: QueryService;
  admin: AdminOps;
  credentials: Pick<CredentialResolver, 'verifyConsoleUser'>;
  /** The organization's recorded queries since an instant (operator usage). */
  queryRecords(org: string, since: string): Promise<QueryRecord[]>;
  lakeStatus: LakeStatusOf;
  /** Where clients connect (read per request: ports are known only once listeners are up). */
  endpoints(): ConsoleEndpoints;
  /** The built console (src/web/build.ts); built on first use. */
  bundle(): Promise<ConsoleBundle>;
  log: Logger;
  sessions?: SessionOptions;
  loginLimits?: LoginLimiterOptions;
}

export function addConsoleRoutes(router: Router, deps: ConsoleDeps): { sessions: SessionStore } {
  const sessions = new SessionStore(deps.sessions);
  const limiter = new LoginLimiter(deps.loginLimits);
  const access = new ConsoleAccess(sessions);
  const p = CONSOLE_API_PREFIX;

  const sessionInfo = async (s: Session) => ({
    user: publicUser(s.user),
    csrfToken: s.csrfToken,
    orgs: s.user.role === 'operator' ? (await deps.admin.listOrgs()).map((o) => o.name) : [s.user.org!],
    canAdminister: mayAdminister(s.user.role),
  });

  /**
   * A password check under the sign-in limiter: the seconds to wait while this address and
   * username are locked out, else the user (undefined for a wrong password, counted as a failure).
   */
  const verifyLimited = async (req: IncomingMessage, username: string, password: string): Promise<{ wait: number } | { user: ConsoleUser | undefined }> => {
    const address = clientAddress(req);
    const wait = limiter.retryAfter(address, username);
    if (wait !== undefined) return { wait };
    const user = await deps.credentials.verifyConsoleUser(username, password);
    if (user) limiter.succeeded(address, username);
    else limiter.failed(address, username);
    return { user };
  };
  /** Starts a session for the user and answers with it and its cookie. */
  const startSession = async (req: IncomingMessage, res: ServerResponse, user: ConsoleUser) => {
    const { id, session } = sessions.create(user);
    sendConsoleJson(res, 200, await sessionInfo(session), { 'set-cookie': sessionCookie(req, id) });
  };

  router.add('GET', `${p}/session`, async (req, res) => {
    sendConsoleJson(res, 200, await sessionInfo(access.session(req)));
  });

  router.add('POST', `${p}/session`, async (req, res) => {
    checkOrigin(req);
    const b = await jsonBody(req);
    const username = str(b, 'username', 'a username');
    const password = str(b, 'password', 'a password');
    const checked = await verifyLimited(req, username, password);
    if ('wait' in checked) return tooManyLogins(res, checked.wait);
    const { user } = checked;
    if (!user) {
      deps.log.warn('console login failed', { username: username.slice(0, 128), address: clientAddress(req) });
      throw new RunlakeError('unauthenticated', 'the username or password is wrong');
    }
    sessions.end(sessionIdOf(req));
    deps.log.info('console login', { username: user.username, role: user.role });
    await startSession(req, res, user);
  });

  router.add('PUT', `${p}/session/password`, async (req, res) => {
    const s = access.session(req);
    const b = await jsonBody(req);
    const current = str(b, 'currentPassword', 'your current password');
    const next = str(b, 'newPassword', 'a new password');
    const username = s.user.username;
    const checked = await verifyLimited(req, username, current);
    if ('wait' in checked) return tooManyLogins(res, checked.wait);
    if (!checked.user) {
      deps.log.warn('console password change with a wrong current password', { username, address: clientAddress(req) });
      throw new RunlakeError('bad_request', 'your current password is wrong; nothing was changed');
    }
    // Every session of the user ends (admin ops notify the store); this browser gets a new one.
    const user = await deps.admin.setUserPassword(username, next);
    deps.log.info('console password changed', { username });
    await startSession(req, res, user);
  });

  router.add('DELETE', `${p}/session`, (req, res) => {
    access.session(req);
    sessions.end(sessionIdOf(req));
    sendConsoleJson(res, 204, undefined, { 'set-cookie': clearedSessionCookie(req) });
  });

  addConsoleDashboardRoutes(router, access, deps.queries);
  addConsoleQueryRoutes(router, access, deps.queries);
  addConsoleAdminRoutes(router, access, deps);
  addConsoleAssetRoutes(router, deps.bundle, deps.log);
  return { sessions };
}

function publicUser(u: ConsoleUser): { username: string; role: string; org: string | null } {
  return { username: u.username, role: u.role, org: u.org };
}

function tooManyLogins(res: ServerResponse, waitSeconds: number): void {
  const minutes = Math.ceil(waitSeconds / 60);
  const detail = `too many failed sign-in attempts; wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again`;
  const body = JSON.stringify({ type: 'urn:runlake:error:too_many_requests', title: 'too_many_requests', status: 429, detail });
  res.writeHead(429, {
    ...CONSOLE_HEADERS,
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': String(waitSeconds),
    'cache-control': 'no-store',
  });
  res.end(body);
}

