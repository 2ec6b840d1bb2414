/**
 * Who may do what in the web console. Every console API handler asks this module first.
 *
 * Roles (control-store.ts CONSOLE_ROLES):
 *   operator   every organization: dashboards, SQL, history, keys, users; creates organizations and
 *              turns analytics on or off; sees usage.
 *   org_admin  their own organization: dashboards, SQL, history, access keys and console users.
 *   viewer     their own organization: dashboards, SQL and history; no keys, no users.
 *
 * Invariants:
 * - A request without a live session is `unauthenticated` (401); the console shows its login page.
 * - An organization that is not the user's answers `forbidden` with the same message whether or
 *   not it exists, so the console never reveals other organizations' names.
 * - Every state-changing request (POST, PUT, PATCH, DELETE) must carry the session's CSRF token
 *   and, when the browser sends an Origin, come from this server's own origin. Login, which has
 *   no session yet, is held to the origin check.
 * - Queries run as `{ org, name: username }`: the organization in the URL after the checks above,
 *   never one taken from a request body.
 */
import type { IncomingMessage } from 'node:http';
import type { ConsoleRole } from '../../control/control-store.ts';
import type { Principal } from '../../service/types.ts';
import { RunlakeError } from '../../util/errors.ts';
import { csrfMatches, sessionIdOf, type Session, type SessionStore } from './console-session.ts';

/** What a request needs in an organization: to read (dashboards, SQL, history) or to administer (keys, users). */
export type OrgNeed = 'view' | 'admin';

const MAY: Record<ConsoleRole, Record<OrgNeed, boolean>> = {
  operator: { view: true, admin: true },
  org_admin: { view: true, admin: true },
  viewer: { view: true, admin: false },
};

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ConsoleAccess {
  constructor(readonly sessions: SessionStore) {}

  /** The request's live session, or `unauthenticated`; state-changing requests also pass the CSRF and origin checks. */
  session(req: IncomingMessage): Session {
    const s = this.sessions.get(sessionIdOf(req));
    if (!s) throw new RunlakeError('unauthenticated', 'you are not signed in, or your session has expired; sign in again');
    if (UNSAFE_METHODS.has(req.method ?? '')) {
      checkOrigin(req);
      if (!csrfMatches(req, s)) {
        throw new RunlakeError('forbidden', 'this request is missing the console\'s CSRF token (or it is out of date); reload the page and try again');
      }
    }
    return s;
  }

  /** The session, when its user may do `need` in `org`; the principal queries run as. */
  forOrg(req: IncomingMessage, org: string, need: OrgNeed): { session: Session; principal: Principal } {
    const s = this.session(req);
    const u = s.user;
    if (u.role !== 'operator' && u.org !== org) {
      throw new RunlakeError('forbidden', `you can only see your own organization${u.org ? ` (${u.org})` : ''}`);
    }
    if (!MAY[u.role][need]) {
      throw new RunlakeError('forbidden', `managing access keys and users needs the org_admin role; you are a ${u.role}. Ask an administrator of ${org}`);
    }
    return { session: s, principal: { org, name: u.username } };
  }

  /** The session of an operator, or `forbidden`. */
  operator(req: IncomingMessage): Session {
    const s = this.session(req);
    if (s.user.role !== 'operator') throw new RunlakeError('forbidden', 'only operators can manage organizations');
    return s;
  }
}

/** May `role` administer (keys, users) in its organization? For the client's navigation. */
export function mayAdminister(role: ConsoleRole): boolean {
  return MAY[role].admin;
}

/**
 * Refuses a request whose Origin header names another site. Browsers send Origin on every
 * cross-site POST, so a page elsewhere cannot drive the console even with a stolen CSRF token
 * layout; non-browser clients without Origin still need the session cookie and token.
 */
export function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new RunlakeError('forbidden', 'the request comes from another site; use the console itself');
  }
  if (host !== req.headers.host) throw new RunlakeError('forbidden', 'the request comes from another site; use the console itself');
}
