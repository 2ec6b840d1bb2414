/**
 * Console sessions: who is signed in to the web console, kept in this process's memory.
 *
 * Invariants:
 * - A session id is 32 random bytes (base64url) and lives only in the browser's cookie; the store
 *   keys sessions by the id's SHA-256, so no id is ever held in clear after login.
 * - The cookie is `HttpOnly`, `SameSite=Strict`, `Path=/`; over TLS it is also `Secure` and named
 *   with the `__Host-` prefix. Logging out, or expiry, deletes the session at once.
 * - A session ends after `idleMs` without a request or `maxAgeMs` after login, whichever is first.
 * - Each session has its own CSRF token (32 random bytes); every state-changing console request
 *   must echo it in the `x-csrf-token` header (compared in constant time).
 * - A server restart ends every session (the store is memory only): people sign in again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { ConsoleUser } from '../../control/control-store.ts';
import { secretsEqual } from '../../util/secrets-equal.ts';

export interface Session {
  user: ConsoleUser;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionOptions {
  /** A session unused this long ends (default 2 hours). */
  idleMs?: number;
  /** A session ends this long after login whatever happens (default 12 hours). */
  maxAgeMs?: number;
  /** Sessions kept at most; the least recently used ends first (default 10,000). */
  maxSessions?: number;
  now?: () => number;
}

export const COOKIE_NAME = 'runlake_session';
export const SECURE_COOKIE_NAME = `__Host-${COOKIE_NAME}`;
export const CSRF_HEADER = 'x-csrf-token';

const hash = (id: string): string => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(opts: SessionOptions = {}) {
    this.idleMs = opts.idleMs ?? 2 * 60 * 60 * 1000;
    this.maxAgeMs = opts.maxAgeMs ?? 12 * 60 * 60 * 1000;
    this.maxSessions = opts.maxSessions ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Starts a session for the user; its id (for the cookie only) and the session. */
  create(user: ConsoleUser): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    const session: Session = { user, csrfToken: randomBytes(32).toString('base64url'), createdAt: t, lastSeenAt: t };
    this.sessions.set(hash(id), session);
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return { id, session };
  }

  /** The live session with this id (refreshing its idle time), or undefined. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined || id === '') return undefined;
    const key = hash(id);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastSeenAt > this.idleMs || t - s.createdAt > this.maxAgeMs) {
      this.sessions.delete(key);
      return undefined;
    }
    s.lastSeenAt = t;
    // Least recently used last, so eviction takes the stalest.
    this.sessions.delete(key);
    this.sessions.set(key, s);
    return s;
  }

  /** Ends the session with this id (no-op when there is none). */
  end(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(hash(id));
  }

  /** Ends every session of the user (e.g. after a password change). */
  endAllOf(username: string): void {
    for (const [k, s] of this.sessions) if (s.user.username === username) this.sessions.delete(k);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** True when the request came in over TLS (then cookies are Secure). */
export function isTls(req: IncomingMessage): boolean {
  return req.socket instanceof TLSSocket;
}

/** The session id the request's cookie carries, if any. */
export function sessionIdOf(req: IncomingMessage): string | undefined {
  const cookies = parseCookies(req.headers.cookie);
  return isTls(req) ? (cookies.get(SECURE_COOKIE_NAME) ?? undefined) : cookies.get(COOKIE_NAME);
}

/** The Set-Cookie value that stores the session id. */
export function sessionCookie(req: IncomingMessage, id: string): string {
  return isTls(req)
    ? `${SECURE_COOKIE_NAME}=${id}; Path=/; HttpOnly; SameSite=Strict; Secure`
    : `${COOKIE_NAME}=${id}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(req: IncomingMessage): string {
  return isTls(req)
    ? `${SECURE_COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0`
    : `${COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** True when the request carries the session's CSRF token. */
export function csrfMatches(req: IncomingMessage, session: Session): boolean {
  const given = req.headers[CSRF_HEADER];
  return typeof given === 'string' && given.length > 0 && secretsEqual(given, session.csrfToken);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}
