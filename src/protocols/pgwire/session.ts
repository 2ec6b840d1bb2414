/**
 * One PostgreSQL connection as an explicit state machine, without sockets: bytes in through
 * `receive`, bytes out through a `PgSessionIO`, SQL through a `PgBackend`.
 *
 *   startup ──SSLRequest/GSSENCRequest──► startup (TLS upgraded or 'N')
 *      │ CancelRequest ──► closed
 *      ▼ StartupMessage
 *   sasl-initial ─► sasl-continue ─► (AuthenticationOk) connecting ─► ready ◄─┐
 *   password ──────────────────────┘                                  │ error in an extended batch
 *                                                                      └─► skip-to-sync ─Sync─┘
 *   any ── FATAL / Terminate / socket closed ──► closed
 *
 * In `ready` the transaction status (I / T / E) is tracked separately; "in query" is the
 * message loop awaiting a statement. Messages are handled strictly in order; rows are pulled
 * from the backend only after the previous batch was handed to the socket and the socket drained.
 */
import { randomBytes } from 'node:crypto';
import { createHmac } from 'node:crypto';
import {
  checkClientFinal, newServerNonce, parseClientFirstMessage, parseScramVerifier, scramVerifierMatches, serverFirstMessage,
  ScramProtocolError, SCRAM_DEFAULT_ITERATIONS, SCRAM_MECHANISM, type ClientFirstMessage, type ScramVerifier,
} from '../../control/crypto/scram.ts';
import { rowsChunk, type EngineChunk, type EngineRow } from '../../engine/engine.ts';
import { isRunlakeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import type { FetchDirection, SessionCommand } from './commands.ts';
import { PgError, SQLSTATE, fatal, noticeFields, toPgError, type PgErrorFields } from './errors.ts';
import { serializeBackend, type BackendMessage, type FieldDescription, type TransactionStatus } from './messages/backend.ts';
import { ProtocolViolation, Writer } from './messages/bytes.ts';
import { FrameSplitter } from './messages/framer.ts';
import { parseAuthResponse, parseFrontendMessage, parseStartupPacket, type FrontendMessage } from './messages/frontend.ts';
import type {
  PgBackend, PgBackendSession, PgColumn, PgDescription, PgParam, PgQuery, PgQueryContext, PgStartupRequest, PgStatement,
} from './pg-backend.ts';
import { REPORTED_SETTINGS, SessionSettings, type SettingChange } from './settings.ts';
import { OID, ParamDecodeError, codecForOid, decodeParam, pgColumnType, writeValue, type FormatContext, type PgTypeCodec } from './types.ts';
import { fieldWriters, writeDataRows, type FieldColumn, type FieldWriter } from './vector-fields.ts';
import { nativeColumns, nativeRowsAvailable, writeNativeRows, type NativeColumn } from './native-rows.ts';

export interface PgSessionIO {
  /** Hands bytes to the socket; false when its buffer is full (then wait for `drained`). */
  write(data: Buffer): boolean;
  /** Resolves when the socket's buffer has drained (or the socket closed). */
  drained(): Promise<void>;
  /** Stop / resume reading from the client (input backpressure). */
  pause(): void;
  resume(): void;
  /**
   * Upgrades the connection to TLS after the session wrote 'S'; resolves once the handshake is
   * done. Absent when no certificate is configured.
   */
  startTls?(): Promise<void>;
  /** Ends the connection once pending writes are flushed. */
  end(): void;
  readonly tls: boolean;
  readonly remoteAddress: string | undefined;
}

/** What the session needs from its listener. */
export interface PgSessionHost {
  /** Makes this session reachable by CancelRequests; returns the unregister function. */
  registerCancel(processId: number, secretKey: Buffer, cancel: () => void): () => void;
  /** A CancelRequest arrived on this connection. */
  cancelRequest(processId: number, secretKey: Buffer): void;
  /** A free process id for BackendKeyData (unique among live sessions). */
  allocateProcessId(): number;
  /** Whether one more authenticated session fits (false: 53300). Called once per session. */
  admit(): boolean;
  /** The session ended (release its slot). */
  closed(session: PgSession): void;
}

export interface PgSessionOptions {
  backend: PgBackend;
  logger: Logger;
  /** Reported as server_version; the catalog emulation must match it. */
  serverVersion: string;
  /** The TimeZone a session starts with unless the client sends one. */
  timeZone: string;
  /**
   * 'scram-sha-256' (default) or 'password' (cleartext, used only over TLS; over plain
   * connections SCRAM is used instead).
   */
  authMethod: 'scram-sha-256' | 'password';
  /** Refuse startups that are not over TLS. */
  requireTls: boolean;
  /** Largest frontend message accepted (bytes). */
  maxMessageBytes: number;
  /** Unauthenticated connections are closed after this long. */
  authTimeoutMs: number;
  /** Server cap for idle sessions (0 = none; a client's idle_session_timeout may lower it). */
  idleSessionTimeoutMs: number;
  /** Server cap for statements (0 = none; a client's statement_timeout may lower it). */
  statementTimeoutMs: number;
  /** Output is handed to the socket in batches of about this many bytes. */
  batchBytes: number;
}

export const DEFAULT_SESSION_OPTIONS = {
  serverVersion: '15.18',
  timeZone: 'UTC',
  authMethod: 'scram-sha-256',
  requireTls: false,
  maxMessageBytes: 64 * 1024 * 1024,
  authTimeoutMs: 60_000,
  idleSessionTimeoutMs: 0,
  statementTimeoutMs: 0,
  batchBytes: 64 * 1024,
} as const satisfies Omit<PgSessionOptions, 'backend' | 'logger'>;

type Phase =
  | { name: 'startup' }
  | { name: 'sasl-initial'; auth: AuthAttempt }
  | { name: 'sasl-continue'; auth: AuthAttempt; clientFirst: ClientFirstMessage; serverFirst: string }
  | { name: 'password'; auth: AuthAttempt }
  | { name: 'connecting' }
  | { name: 'ready' }
  | { name: 'skip-to-sync' }
  | { name: 'closed' };

interface AuthAttempt {
  req: PgStartupRequest;
  /** A mock verifier when the user is unknown: the exchange then fails like a wrong password. */
  verifier: ScramVerifier;
  known: boolean;
}

interface PreparedStatement {
  name: string;
  sql: string;
  statement: PgStatement;
  /** The client's parameter types from Parse (0 = unspecified). */
  paramTypes: number[];
  described?: PgDescription;
}

/** What a portal runs: rows pulled in chunks (or none), and its command tag. */
interface Exec {
  columns: readonly PgColumn[] | null;
  next(): Promise<EngineChunk | undefined>;
  close(): Promise<void>;
  tag(rows: number): string;
}

/** A result in progress: the rows pulled but not yet sent. Cursors and suspended portals keep one. */
class RowSource {
  pending: EngineChunk = NO_ROWS;
  at = 0;
  done = false;
  constructor(readonly exec: Exec) {}
}

interface Portal {
  name: string;
  statement: PreparedStatement;
  params: PgParam[];
  resultFormats: number[];
  /** Created by a simple Query (text results; DECLARE BINARY cursors are binary). */
  simple: boolean;
  /** A DECLAREd cursor (cursors and portals share one namespace, as in PostgreSQL). */
  cursor?: { hold: boolean; binary: boolean };
  controller: AbortController;
  source?: RowSource;
  /** A statement on it failed or was cancelled: a cursor is unusable after that. */
  failed: boolean;
}

interface ColumnEncoder extends FieldColumn {
  codec: PgTypeCodec;
  format: number;
}

const NO_ROWS: EngineChunk = rowsChunk([]);

/** How long encoded rows may wait for the engine's next chunk before they are written on their own. */
const FLUSH_WAIT_MS = 2;

/** Rows written from vectors between two checks of the output batch's size. */
const VECTOR_RUN_ROWS = 256;

/** A backend's batch of rows as a chunk. */
const asChunk = (b: EngineChunk | EngineRow[]): EngineChunk => (Array.isArray(b) ? rowsChunk(b) : b);

type AbortReason = 'cancel' | 'timeout' | 'shutdown' | 'disconnect';

class Aborted extends Error {
  constructor(readonly reason: AbortReason) {
    super(`aborted: ${reason}`);
  }
}

const EMPTY_STATEMENT: PgStatement = { kind: 'empty' };

/** A per-process key for mock SCRAM salts, so an unknown user always gets the same salt. */
const MOCK_KEY = randomBytes(32);

export class PgSession {
  private phase: Phase = { name: 'startup' };
  private readonly framer: FrameSplitter;
  private readonly out: Writer;
  private readonly opts: PgSessionOptions;
  private readonly log: Logger;
  private backend: PgBackendSession | undefined;
  private settings: SessionSettings | undefined;
  private user = '';
  private txStatus: TransactionStatus = 'I';
  private txSnapshot: Map<string, string> | undefined;
  private savepoints: { name: string; snapshot: Map<string, string> }[] = [];
  /** Values before a SET LOCAL, restored when the transaction ends. */
  private readonly localOriginals = new Map<string, string | undefined>();
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();
  private processId = 0;
  private secretKey = Buffer.alloc(0);
  private unregisterCancel: (() => void) | undefined;
  private running = false;
  private inputPaused = false;
  private authTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private stmtTimer: NodeJS.Timeout | undefined;
  /** The statement being served: its abort controller and why it was aborted. */
  private active: { controller: AbortController; reason?: AbortReason; portal?: Portal } | undefined;
  private pendingReports: SettingChange[] = [];
  /** The SQL of the extended-protocol message in hand (for error positions and logs). */
  private currentSql: string | undefined;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly startedAt = Date.now();
  /** Bytes handed to the socket, rows sent: for tests and monitoring. */
  readonly stats = { bytesOut: 0, rowsOut: 0, statements: 0 };

  constructor(private readonly io: PgSessionIO, private readonly host: PgSessionHost, opts: Pick<PgSessionOptions, 'backend' | 'logger'> & Partial<PgSessionOptions>) {
    this.opts = { ...DEFAULT_SESSION_OPTIONS, ...opts };
    this.log = this.opts.logger;
    this.framer = new FrameSplitter({ maxMessageBytes: this.opts.maxMessageBytes });
    this.out = new Writer(Math.min(this.opts.batchBytes * 2, 1 << 20));
    this.authTimer = setTimeout(() => this.authTimedOut(), this.opts.authTimeoutMs);
    this.authTimer.unref();
  }

  /** The session's state, for tests and logs. */
  get state(): { phase: Phase['name']; transaction: TransactionStatus; processId: number; busy: boolean } {
    return { phase: this.phase.name, transaction: this.txStatus, processId: this.processId, busy: this.running };
  }

  get isClosed(): boolean {
    return this.phase.name === 'closed';
  }

  // ---- input ------------------------------------------------------------------------------------

  /** Bytes from the client, in any chunking. */
  receive(chunk: Buffer): void {
    if (this.phase.name === 'closed') return;
    this.framer.push(chunk);
    if (!this.inputPaused && this.framer.buffered > Math.max(this.opts.batchBytes * 4, 1 << 20)) {
      this.inputPaused = true;
      this.io.pause();
    }
    if (!this.running) void this.loop();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.phase.name !== 'closed') {
        let frame;
        try {
          frame = this.framer.next();
        } catch (e) {
          if (e instanceof ProtocolViolation) {
            await this.fatalAndClose(fatal(SQLSTATE.protocolViolation, e.message));
            return;
          }
          throw e;
        }
        if (!frame) break;
        if (this.inputPaused && this.framer.buffered < this.opts.batchBytes) {
          this.inputPaused = false;
          this.io.resume();
        }
        this.clearIdleTimer();
        try {
          if (frame.type === undefined) await this.onStartupPacket(frame.body);
          else await this.onMessage(frame.type, frame.body);
        } catch (e) {
          await this.onLoopError(e);
        }
      }
    } finally {
      this.running = false;
      if (this.inputPaused && this.phase.name !== 'closed') {
        this.inputPaused = false;
        this.io.resume();
      }
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Errors that escaped a handler: protocol violations and FATALs end the connection. */
  private async onLoopError(e: unknown): Promise<void> {
    if (this.phase.name === 'closed') return;
    if (e instanceof ProtocolViolation) return this.fatalAndClose(fatal(SQLSTATE.protocolViolation, e.message));
    if (e instanceof Aborted && (e.reason === 'shutdown' || e.reason === 'disconnect')) return this.terminate(e.reason);
    // Statement errors are answered where they happen; what reaches here leaves the protocol in
    // no known state (authentication failures, FATALs, bugs): the connection ends.
    const err = toPgError(e, this.log, { processId: this.processId });
    return this.fatalAndClose(err.severity === 'FATAL' ? err : fatal(err.sqlstate, err.message, err.fields));
  }

  // ---- startup and authentication ----------------------------------------------------------

  private async onStartupPacket(body: Buffer): Promise<void> {
    if (this.phase.name !== 'startup') throw new ProtocolViolation('unexpected startup packet');
    const p = parseStartupPacket(body);
    switch (p.type) {
      case 'SSLRequest': {
        if (this.io.tls || !this.io.startTls) {
          this.io.write(Buffer.from('N'));
          return;
        }
        // Bytes after the SSLRequest and before the handshake would be unencrypted data
        // smuggled into the TLS session (CVE-2021-23214): refuse them.
        if (this.framer.buffered > 0) throw new ProtocolViolation('received unencrypted data after SSL request');
        this.io.write(Buffer.from('S'));
        await this.io.startTls();
        return;
      }
      case 'GSSENCRequest':
        this.io.write(Buffer.from('N'));
        return;
      case 'CancelRequest':
        this.host.cancelRequest(p.processId, p.secretKey);
        this.close();
        return;
      case 'StartupMessage':
        this.framer.startupPhase = false;
        await this.onStartupMessage(p.protocolVersion, p.params);
        return;
    }
  }

  private async onStartupMessage(version: number, params: Map<string, string>): Promise<void> {
    const unrecognized = [...params.keys()].filter((k) => k.startsWith('_pq_.'));
    if ((version & 0xffff) !== 0 || unrecognized.length > 0) {
      this.send({ type: 'NegotiateProtocolVersion', newestMinor: 0, unrecognized });
    }
    const user = params.get('user');
    if (!user) throw fatal(SQLSTATE.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet');
    const replication = params.get('replication');
    if (replication !== undefined && !['false', 'off', 'no', '0'].includes(replication.toLowerCase())) {
      throw fatal(SQLSTATE.featureNotSupported, 'replication connections are not supported by this server');
    }
    if (this.opts.requireTls && !this.io.tls) {
      throw fatal(SQLSTATE.invalidAuthorizationSpecification, 'this server requires an encrypted (TLS) connection', {
        hint: 'Connect with sslmode=require (or verify-ca / verify-full).',
      });
    }
    if (!this.host.admit()) throw fatal(SQLSTATE.tooManyConnections, 'sorry, too many clients already');
    this.user = user;
    const req: PgStartupRequest = {
      user,
      database: params.get('database') || user,
      params,
      tls: this.io.tls,
      remoteAddress: this.io.remoteAddress,
    };
    const creds = await this.opts.backend.credentials(user, req);
    let verifier: ScramVerifier | undefined;
    if (creds) verifier = typeof creds.scramVerifier === 'string' ? parseScramVerifier(creds.scramVerifier) : creds.scramVerifier;
    const auth: AuthAttempt = { req, verifier: verifier ?? mockVerifier(user), known: verifier !== undefined };
    if (this.opts.authMethod === 'password' && this.io.tls) {
      this.send({ type: 'AuthenticationCleartextPassword' });
      this.phase = { name: 'password', auth };
    } else {
      this.send({ type: 'AuthenticationSASL', mechanisms: [SCRAM_MECHANISM] });
      this.phase = { name: 'sasl-initial', auth };
    }
    await this.flush();
  }

  private async onAuthMessage(m: FrontendMessage): Promise<void> {
    const phase = this.phase;
    if (m.type === 'Terminate') {
      this.close();
      return;
    }
    if (m.type !== 'AuthResponse') {
      throw fatal(SQLSTATE.protocolViolation, `expected password response, got message type ${m.type}`);
    }
    switch (phase.name) {
      case 'sasl-initial': {
        const r = parseAuthResponse('SASLInitialResponse', m.body);
        if (r.type !== 'SASLInitialResponse') throw new ProtocolViolation('expected SASLInitialResponse');
        if (r.mechanism !== SCRAM_MECHANISM) {
          throw fatal(SQLSTATE.protocolViolation, 'client selected an invalid SASL authentication mechanism');
        }
        if (r.data === null) throw fatal(SQLSTATE.protocolViolation, 'malformed SCRAM message: empty client-first-message');
        let clientFirst: ClientFirstMessage;
        try {
          clientFirst = parseClientFirstMessage(r.data.toString('utf8'));
        } catch (e) {
          if (e instanceof ScramProtocolError) throw fatal(SQLSTATE.protocolViolation, `malformed SCRAM message: ${e.message}`);
          throw e;
        }
        const serverFirst = serverFirstMessage(clientFirst.clientNonce, newServerNonce(), phase.auth.verifier);
        this.phase = { name: 'sasl-continue', auth: phase.auth, clientFirst, serverFirst };
        this.send({ type: 'AuthenticationSASLContinue', data: Buffer.from(serverFirst, 'utf8') });
        await this.flush();
        return;
      }
      case 'sasl-continue': {
        const r = parseAuthResponse('SASLResponse', m.body);
        if (r.type !== 'SASLResponse') throw new ProtocolViolation('expected SASLResponse');
        const check = checkClientFinal(phase.auth.verifier, phase.clientFirst, phase.serverFirst, r.data.toString('utf8'));
        if (!check.ok || !phase.auth.known) return this.authFailed(phase.auth, phase.auth.known ? check.reason : 'unknown user');
        this.send({ type: 'AuthenticationSASLFinal', data: Buffer.from(check.serverFinal!, 'utf8') });
        return this.authenticated(phase.auth.req);
      }
      case 'password': {
        const r = parseAuthResponse('PasswordMessage', m.body);
        if (r.type !== 'PasswordMessage') throw new ProtocolViolation('expected PasswordMessage');
        if (!phase.auth.known || !scramVerifierMatches(phase.auth.verifier, r.password)) {
          return this.authFailed(phase.auth, phase.auth.known ? 'wrong password' : 'unknown user');
        }
        return this.authenticated(phase.auth.req);
      }
      default:
        throw new ProtocolViolation('unexpected authentication message');
    }
  }

  private async authFailed(auth: AuthAttempt, reason: string | undefined): Promise<void> {
    this.log.warn('pgwire: authentication failed', { user: auth.req.user, remote: auth.req.remoteAddress, reason });
    await this.fatalAndClose(fatal(SQLSTATE.invalidPassword, `password authentication failed for user "${auth.req.user}"`));
  }

  private async authenticated(req: PgStartupRequest): Promise<void> {
    clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.send({ type: 'AuthenticationOk' });
    this.phase = { name: 'connecting' };
    try {
      this.backend = await this.opts.backend.connect(req);
    } catch (e) {
      let err: PgError;
      if (isRunlakeError(e) && e.code === 'not_found') err = fatal(SQLSTATE.invalidCatalogName, e.message);
      else {
        const pe = toPgError(e, this.log, { user: req.user });
        err = fatal(pe.sqlstate, pe.message, pe.fields);
      }
      await this.fatalAndClose(err);
      return;
    }
    this.settings = new SessionSettings({ user: req.user, serverVersion: this.opts.serverVersion, timeZone: this.opts.timeZone });
    try {
      for (const [name, value] of startupSettings(req.params)) await this.applySet(name, value, false);
    } catch (e) {
      const pe = toPgError(e, this.log, { user: req.user });
      await this.fatalAndClose(fatal(pe.sqlstate, pe.message, pe.fields));
      return;
    }
    this.pendingReports = [];
    for (const name of REPORTED_SETTINGS) this.send({ type: 'ParameterStatus', name, value: this.settings.get(name) ?? '' });
    this.processId = this.host.allocateProcessId();
    this.secretKey = randomBytes(4);
    this.unregisterCancel = this.host.registerCancel(this.processId, this.secretKey, () => this.cancelRequested());
    this.send({ type: 'BackendKeyData', processId: this.processId, secretKey: this.secretKey });
    this.phase = { name: 'ready' };
    this.log.info('pgwire: session started', { user: req.user, database: req.database, remote: req.remoteAddress, tls: req.tls, processId: this.processId });
    await this.readyForQuery();
  }

  private authTimedOut(): void {
    if (this.phase.name === 'closed' || this.phase.name === 'ready' || this.phase.name === 'skip-to-sync') return;
    void this.fatalAndClose(fatal(SQLSTATE.protocolViolation, 'canceling authentication due to timeout'));
  }

  // ---- message dispatch -----------------------------------------------------------------------

  private async onMessage(type: number, body: Buffer): Promise<void> {
    const m = parseFrontendMessage(type, body);
    switch (this.phase.name) {
      case 'startup':
        throw new ProtocolViolation('expected a startup packet');
      case 'sasl-initial':
      case 'sasl-continue':
      case 'password':
        return this.onAuthMessage(m);
      case 'connecting':
        throw new ProtocolViolation('message received before authentication completed');
      case 'closed':
        return;
      case 'skip-to-sync':
        if (m.type === 'Sync') return this.onSync();
        if (m.type === 'Terminate') return this.close();
        return; // discarded, as after any error in an extended-protocol batch
      case 'ready':
        return this.onReadyMessage(m);
    }
  }

  private async onReadyMessage(m: FrontendMessage): Promise<void> {
    switch (m.type) {
      case 'Query':
        return this.simpleQuery(m.sql);
      case 'Parse':
      case 'Bind':
      case 'Describe':
      case 'Execute':
      case 'Close':
        try {
          await this.extended(m);
        } catch (e) {
          await this.extendedError(e);
        }
        return;
      case 'Sync':
        return this.onSync();
      case 'Flush':
        return this.flush();
      case 'Terminate':
        return this.close();
      case 'CopyData':
      case 'CopyDone':
      case 'CopyFail':
        return; // outside COPY FROM STDIN these are ignored, as the protocol says
      case 'FunctionCall':
        this.sendError(new PgError(SQLSTATE.featureNotSupported, 'the fast-path function call interface is not supported'));
        return this.readyForQuery();
      case 'AuthResponse':
        throw new ProtocolViolation('unexpected password message after authentication');
    }
  }

  // ---- simple query ----------------------------------------------------------------------------

  private async simpleQuery(sql: string): Promise<void> {
    await this.dropPortal('');
    this.statements.delete('');
    let statements: PgStatement[];
    try {
      statements = await this.parseSql(sql);
    } catch (e) {
      this.queryFailed(e, sql);
      return this.readyForQuery();
    }
    const real = statements.filter((s) => s.kind !== 'empty');
    if (real.length === 0) {
      this.send({ type: 'EmptyQueryResponse' });
      return this.readyForQuery();
    }
    let searchFrom = 0;
    for (const statement of real) {
      const stmt: PreparedStatement = { name: '', sql: statement.sql, statement, paramTypes: [] };
      // Where the statement starts in the query string: PostgreSQL counts error positions from there.
      const at = sql.indexOf(statement.sql, searchFrom);
      if (at >= 0) searchFrom = at + statement.sql.length;
      const portal = this.newPortal('', stmt, [], [], true);
      this.portals.set('', portal);
      try {
        await this.runStatement(portal, 0, true);
      } catch (e) {
        await this.dropPortal('');
        if (e instanceof Aborted && (e.reason === 'shutdown' || e.reason === 'disconnect')) throw e;
        this.queryFailed(e, stmt.sql, at > 0 ? [...sql.slice(0, at)].length : 0);
        break;
      }
      await this.dropPortal('');
    }
    return this.readyForQuery();
  }

  /** An error in a statement: ErrorResponse, and a transaction block becomes failed (E). */
  private queryFailed(e: unknown, sql: string, charsBefore = 0): void {
    if (e instanceof Aborted && (e.reason === 'shutdown' || e.reason === 'disconnect')) throw e;
    let err = e instanceof Aborted ? abortedError(e.reason) : toPgError(e, this.log, { processId: this.processId, sql: truncate(sql) }, sql);
    // A statement after the first of a query string: its position counts from the string's start.
    if (charsBefore > 0 && err.fields.position !== undefined) err = new PgError(err.sqlstate, err.message, { ...err.fields, position: err.fields.position + charsBefore });
    if (err.severity === 'FATAL') throw err;
    this.sendError(err);
    if (this.txStatus === 'T') this.txStatus = 'E';
  }

  // ---- extended query --------------------------------------------------------------------------

  private async extended(m: Extract<FrontendMessage, { type: 'Parse' | 'Bind' | 'Describe' | 'Execute' | 'Close' }>): Promise<void> {
    this.currentSql = m.type === 'Parse' ? m.sql : m.type === 'Bind' ? this.statements.get(m.statement)?.sql : m.type === 'Execute' ? this.portals.get(m.portal)?.statement.sql : undefined;
    switch (m.type) {
      case 'Parse': {
        if (m.name !== '' && this.statements.has(m.name)) {
          throw new PgError(SQLSTATE.duplicatePreparedStatement, `prepared statement "${m.name}" already exists`);
        }
        // As in PostgreSQL, the old unnamed statement is gone even if this Parse fails.
        if (m.name === '') this.statements.delete('');
        const parsed = await this.parseSql(m.sql);
        const real = parsed.filter((s) => s.kind !== 'empty');
        if (real.length > 1) throw new PgError(SQLSTATE.syntaxError, 'cannot insert multiple commands into a prepared statement');
        const statement = real[0] ?? EMPTY_STATEMENT;
        this.checkNotAborted(statement);
        this.statements.set(m.name, { name: m.name, sql: m.sql, statement, paramTypes: m.paramTypes });
        this.send({ type: 'ParseComplete' });
        return;
      }
      case 'Bind': {
        const stmt = this.statements.get(m.statement);
        if (!stmt) throw new PgError(SQLSTATE.invalidSqlStatementName, `prepared statement "${m.statement}" does not exist`);
        this.checkNotAborted(stmt.statement);
        if (m.portal !== '' && this.portals.has(m.portal)) throw new PgError(SQLSTATE.duplicateCursor, `portal "${m.portal}" already exists`);
        if (m.paramFormats.length > 1 && m.paramFormats.length !== m.params.length) {
          throw new PgError(SQLSTATE.protocolViolation, `bind message has ${m.paramFormats.length} parameter formats but ${m.params.length} parameters`);
        }
        const params = await this.decodeParams(stmt, m.paramFormats, m.params);
        await this.dropPortal(m.portal);
        this.portals.set(m.portal, this.newPortal(m.portal, stmt, params, m.resultFormats, false));
        this.send({ type: 'BindComplete' });
        return;
      }
      case 'Describe': {
        if (m.target === 'S') return this.describeStatement(m.name);
        return this.describePortal(m.name);
      }
      case 'Execute': {
        const portal = this.portals.get(m.portal);
        if (!portal) throw new PgError(SQLSTATE.invalidCursorName, `portal "${m.portal}" does not exist`);
        this.checkNotAborted(portal.statement.statement);
        try {
          await this.runStatement(portal, m.maxRows, false);
        } catch (e) {
          portal.failed = true;
          throw e;
        }
        return;
      }
      case 'Close': {
        if (m.target === 'S') {
          if (this.statements.delete(m.name)) {
            for (const [name, p] of this.portals) if (p.statement.name === m.name && !p.cursor) await this.dropPortal(name);
          }
        } else await this.dropPortal(m.name);
        this.send({ type: 'CloseComplete' });
        return;
      }
    }
  }

  private async extendedError(e: unknown): Promise<void> {
    if (e instanceof Aborted && (e.reason === 'shutdown' || e.reason === 'disconnect')) throw e;
    if (e instanceof ProtocolViolation) throw e;
    const sql = this.currentSql;
    const err = e instanceof Aborted ? abortedError(e.reason) : toPgError(e, this.log, { processId: this.processId, ...(sql ? { sql: truncate(sql) } : {}) }, sql);
    if (err.severity === 'FATAL') throw err;
    this.sendError(err);
    if (this.txStatus === 'T') this.txStatus = 'E';
    this.phase = { name: 'skip-to-sync' };
  }

  private async onSync(): Promise<void> {
    if (this.phase.name === 'skip-to-sync') this.phase = { name: 'ready' };
    // Outside a transaction block each Sync ends the implicit transaction: portals go away.
    if (this.txStatus === 'I') await this.closePortals((p) => !p.cursor?.hold);
    return this.readyForQuery();
  }

  private async decodeParams(stmt: PreparedStatement, formats: number[], raw: (Buffer | null)[]): Promise<PgParam[]> {
    const fmt = (i: number): number => (formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[i]!);
    const typeOf = (i: number): number => stmt.paramTypes[i] || stmt.described?.paramTypes[i] || 0;
    if (stmt.statement.kind === 'query' && raw.some((b, i) => b !== null && fmt(i) === 1 && typeOf(i) === 0)) {
      stmt.described ??= await this.describeQuery(stmt.statement, stmt.paramTypes);
    }
    if (stmt.described && stmt.described.paramTypes.length !== raw.length) {
      throw new PgError(SQLSTATE.protocolViolation, `bind message supplies ${raw.length} parameters, but prepared statement "${stmt.name}" requires ${stmt.described.paramTypes.length}`);
    }
    const ctx = this.formatContext();
    return raw.map((b, i) => {
      const type = typeOf(i);
      if (b === null) return { type, value: null };
      try {
        return { type, value: decodeParam(type, fmt(i), b, ctx, i) };
      } catch (e) {
        if (e instanceof ParamDecodeError) throw new PgError(e.sqlstate, e.message);
        throw e;
      }
    });
  }

  private async describeStatement(name: string): Promise<void> {
    const stmt = this.statements.get(name);
    if (!stmt) throw new PgError(SQLSTATE.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
    const s = stmt.statement;
    if (s.kind === 'query') {
      this.checkNotAborted(s);
      stmt.described ??= await this.describeQuery(s, stmt.paramTypes);
      const types = stmt.described.paramTypes.map((t, i) => stmt.paramTypes[i] || t || OID.text);
      this.send({ type: 'ParameterDescription', types });
      const cols = stmt.described.columns;
      this.send(cols === null ? { type: 'NoData' } : { type: 'RowDescription', fields: this.fields(cols, []) });
      return;
    }
    this.send({ type: 'ParameterDescription', types: stmt.paramTypes.map((t) => t || OID.text) });
    const cols = s.kind === 'command' ? this.commandColumns(s.command) : null;
    this.send(cols === null ? { type: 'NoData' } : { type: 'RowDescription', fields: this.fields(cols, []) });
  }

  private async describePortal(name: string): Promise<void> {
    const portal = this.portals.get(name);
    if (!portal) throw new PgError(SQLSTATE.invalidCursorName, `portal "${name}" does not exist`);
    const s = portal.statement.statement;
    let cols: readonly PgColumn[] | null;
    if (s.kind === 'query') {
      this.checkNotAborted(s);
      await this.withStatement(portal, () => this.startPortal(portal));
      cols = portal.source!.exec.columns;
    } else cols = s.kind === 'command' ? this.commandColumns(s.command) : null;
    if (cols === null) {
      this.send({ type: 'NoData' });
      return;
    }
    this.send({ type: 'RowDescription', fields: this.fields(cols, this.formatsFor(portal, cols.length)) });
  }

  private async describeQuery(q: PgQuery, paramTypes: number[]): Promise<PgDescription> {
    const controller = new AbortController();
    return this.withActive(controller, undefined, () => this.backend!.describe(q, paramTypes, this.queryContext(controller.signal)));
  }

  // ---- running statements ------------------------------------------------------------------------

  private newPortal(name: string, statement: PreparedStatement, params: PgParam[], resultFormats: number[], simple: boolean): Portal {
    return { name, statement, params, resultFormats, simple, controller: new AbortController(), failed: false };
  }

  /**
   * Runs a portal's statement: a query streams up to `maxRows` rows (0 = all; then
   * PortalSuspended if the limit was hit), a command runs once. `describe` sends the
   * RowDescription first (simple query).
   */
  private async runStatement(portal: Portal, maxRows: number, describe: boolean): Promise<void> {
    const s = portal.statement.statement;
    this.stats.statements++;
    if (s.kind === 'empty') {
      this.send({ type: 'EmptyQueryResponse' });
      return;
    }
    if (s.kind === 'query' && this.txStatus === 'E') throw abortedTransaction();
    await this.withStatement(portal, async () => {
      if (s.kind === 'command') {
        await this.runCommand(portal, s.command, describe);
        return;
      }
      await this.startPortal(portal);
      const src = portal.source!;
      const cols = src.exec.columns;
      const encoders = cols === null ? [] : this.encoders(cols, this.formatsFor(portal, cols.length));
      if (describe && cols !== null) this.send({ type: 'RowDescription', fields: this.fields(cols, this.formatsFor(portal, cols.length)) });
      const r = await this.streamRows(src, encoders, maxRows);
      if (r.suspended) this.send({ type: 'PortalSuspended' });
      else this.send({ type: 'CommandComplete', tag: src.exec.tag(r.sent) });
    });
  }

  /** Starts a query portal's execution (once). */
  private async startPortal(portal: Portal): Promise<void> {
    if (portal.source) return;
    const s = portal.statement.statement;
    if (s.kind !== 'query') throw new Error('startPortal on a non-query');
    const result = await this.backend!.execute(s, portal.params, this.queryContext(portal.controller.signal));
    let exec: Exec;
    if (result.kind === 'command') {
      exec = { columns: null, next: async () => undefined, close: async () => {}, tag: () => result.tag };
    } else {
      const base = result.tag ?? 'SELECT';
      exec = {
        columns: result.columns,
        next: async () => {
          const b = await result.next();
          return b === undefined ? undefined : asChunk(b);
        },
        close: () => result.close(),
        tag: (n) => (base === 'SELECT' ? `SELECT ${n}` : base),
      };
    }
    portal.source = new RowSource(exec);
    if (exec.columns !== null) this.validateFormats(portal, exec.columns.length);
  }

  /**
   * Streams rows from `src` as DataRows: pulls a chunk only when the previous ones were handed to
   * the socket and it drained. Stops after `limit` rows (0 = no limit): `suspended`.
   */
  private async streamRows(src: RowSource, encoders: ColumnEncoder[], limit: number, copy?: CopyFormat): Promise<{ sent: number; suspended: boolean }> {
    let sent = 0;
    const ctx = this.formatContext();
    // DataRows of the current chunk straight from its vectors when every column has a writer
    // (vector-fields.ts), else from its rows; COPY always from its rows.
    const writersOf = (chunk: EngineChunk): FieldWriter[] | undefined => (copy || chunk.length === 0 ? undefined : fieldWriters(chunk, encoders, ctx));
    // Rows natively when the encoder is built and takes every column (native-rows.ts).
    const nativeOf = (chunk: EngineChunk): NativeColumn[] | undefined => (copy || !nativeRowsAvailable || chunk.length === 0 ? undefined : nativeColumns(chunk, encoders, ctx));
    let native = src.at < src.pending.length ? nativeOf(src.pending) : undefined;
    let writers = src.at < src.pending.length && native === undefined ? writersOf(src.pending) : undefined;
    for (;;) {
      if (limit > 0 && sent >= limit) return { sent, suspended: true };
      if (src.at >= src.pending.length) {
        src.pending = NO_ROWS;
        src.at = 0;
        if (src.done) return { sent, suspended: false };
        this.throwIfAborted();
        let chunk: EngineChunk | undefined;
        try {
          chunk = await this.nextChunk(src, sent > 0);
        } catch (e) {
          this.throwIfAborted();
          throw e;
        }
        this.throwIfAborted();
        if (chunk === undefined) {
          src.done = true;
          return { sent, suspended: false };
        }
        src.pending = chunk;
        native = nativeOf(chunk);
        writers = native === undefined ? writersOf(chunk) : undefined;
        continue;
      }
      if (native !== undefined) {
        // Rows up to the limit or a batch's worth of bytes, then the batch check.
        let end = src.pending.length;
        if (limit > 0) end = Math.min(end, src.at + (limit - sent));
        const chunk = src.pending;
        const n = this.encodeNativeRows(native, src.at, end, () => (writers ??= writersOf(chunk)), chunk, encoders, ctx);
        sent += n;
        this.stats.rowsOut += n;
        src.at += n;
      } else if (writers !== undefined) {
        // A run of rows at once (up to the limit), then the batch check.
        let end = Math.min(src.pending.length, src.at + VECTOR_RUN_ROWS);
        if (limit > 0) end = Math.min(end, src.at + (limit - sent));
        this.encodeVectorRows(writers, src.at, end);
        sent += end - src.at;
        this.stats.rowsOut += end - src.at;
        src.at = end;
      } else {
        const row = src.pending.rows()[src.at++]!;
        if (copy) this.encodeCopyRow(row, encoders, copy, ctx);
        else this.encodeRow(row, encoders, ctx);
        sent++;
        this.stats.rowsOut++;
      }
      if (this.out.length >= this.opts.batchBytes) await this.flush();
    }
  }

  /**
   * The source's next chunk. Rows already encoded (`rowsWaiting`) go out if the engine takes
   * longer than FLUSH_WAIT_MS: a client sees rows while a slow query goes on, and a next chunk
   * or the end that comes sooner rides in the same write (a small result is one write).
   */
  private async nextChunk(src: RowSource, rowsWaiting: boolean): Promise<EngineChunk | undefined> {
    const next = src.exec.next();
    if (!rowsWaiting || this.out.length === 0) return next;
    let timer: NodeJS.Timeout | undefined;
    const slow = await Promise.race([
      next.then(() => false, () => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), FLUSH_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (slow) await this.flush();
    return next;
  }

  /** writeNativeRows into the output up to a batch; a row it leaves to JavaScript goes through the vector or row path. */
  private encodeNativeRows(native: readonly NativeColumn[], from: number, to: number, writersFor: () => FieldWriter[] | undefined, chunk: EngineChunk, encoders: ColumnEncoder[], ctx: FormatContext): number {
    const start = this.out.length;
    try {
      return writeNativeRows(this.out, native, from, to, this.opts.batchBytes, (r) => {
        const writers = writersFor();
        if (writers !== undefined) writeDataRows(this.out, writers, r, r + 1);
        else this.encodeRow(chunk.rows()[r]!, encoders, ctx);
      });
    } catch (err) {
      this.out.truncate(start);
      throw err;
    }
  }

  private encodeVectorRows(writers: readonly FieldWriter[], from: number, to: number): void {
    const start = this.out.length;
    try {
      writeDataRows(this.out, writers, from, to);
    } catch (err) {
      this.out.truncate(start);
      throw err;
    }
  }

  private encodeRow(row: EngineRow, encoders: ColumnEncoder[], ctx: FormatContext): void {
    const start = this.out.length;
    try {
      this.out.begin(0x44).int16(encoders.length);
      for (let i = 0; i < encoders.length; i++) {
        const e = encoders[i]!;
        writeValue(this.out, e.codec, row[i] ?? null, e.format, ctx);
      }
      this.out.finish();
    } catch (err) {
      this.out.truncate(start);
      throw err;
    }
  }

  /** Runs `fn` as the active statement: cancel and statement_timeout abort it. */
  private async withStatement<T>(portal: Portal, fn: () => Promise<T>): Promise<T> {
    return this.withActive(portal.controller, portal, fn);
  }

  private async withActive<T>(controller: AbortController, portal: Portal | undefined, fn: () => Promise<T>): Promise<T> {
    const outer = this.active;
    this.active = { controller, ...(portal ? { portal } : {}) };
    if (outer?.reason) this.active.reason = outer.reason;
    const timeout = this.statementTimeoutMs();
    if (timeout > 0 && !outer) {
      this.stmtTimer = setTimeout(() => this.abortActive('timeout'), timeout);
      this.stmtTimer.unref();
    }
    try {
      if (this.active.reason) throw new Aborted(this.active.reason);
      return await fn();
    } catch (e) {
      const reason = this.active?.reason;
      if (reason && !(e instanceof Aborted)) throw new Aborted(reason);
      throw e;
    } finally {
      if (!outer) {
        clearTimeout(this.stmtTimer);
        this.stmtTimer = undefined;
      }
      const reason = this.active?.reason;
      this.active = outer;
      if (outer && reason) outer.reason = reason;
    }
  }

  private throwIfAborted(): void {
    const reason = this.active?.reason;
    if (reason) throw new Aborted(reason);
  }

  private abortActive(reason: AbortReason): void {
    const a = this.active;
    if (!a || a.reason) return;
    a.reason = reason;
    a.controller.abort(new Aborted(reason));
    if (a.portal && a.portal.controller !== a.controller) a.portal.controller.abort(new Aborted(reason));
  }

  /** A CancelRequest matched this session: cancel the running statement (if any). */
  cancelRequested(): void {
    this.log.info('pgwire: cancel request', { processId: this.processId, running: this.active !== undefined });
    this.abortActive('cancel');
  }

  private statementTimeoutMs(): number {
    const client = this.settings?.durationMs('statement_timeout') ?? 0;
    const server = this.opts.statementTimeoutMs;
    if (client > 0 && server > 0) return Math.min(client, server);
    return client || server;
  }

  // ---- session commands --------------------------------------------------------------------------

  /** The columns a command returns (for Describe), or null. */
  private commandColumns(cmd: SessionCommand): PgColumn[] | null {
    switch (cmd.type) {
      case 'show':
        if (cmd.name === null) return ['name', 'setting', 'description'].map((name) => ({ name, type: { kind: 'varchar' } }));
        return [{ name: SessionSettings.canonicalName(cmd.name), type: { kind: 'varchar' } }];
      case 'fetch': {
        if (cmd.move) return null;
        const cursor = this.portals.get(cmd.name);
        return cursor?.source ? [...(cursor.source.exec.columns ?? [])] : null;
      }
      default:
        return null;
    }
  }

  private async runCommand(portal: Portal, cmd: SessionCommand, describe: boolean): Promise<void> {
    if (this.txStatus === 'E' && !isTransactionExit(cmd)) throw abortedTransaction();
    switch (cmd.type) {
      case 'set': {
        if (cmd.local && this.txStatus === 'I') {
          this.notice('WARNING', SQLSTATE.noActiveSqlTransaction, 'SET LOCAL can only be used in transaction blocks');
        } else await this.applySet(cmd.name, cmd.value, cmd.local);
        return this.complete('SET');
      }
      case 'reset': {
        if (cmd.name === null) {
          const changes = this.settings!.resetAll();
          for (const c of changes) {
            await this.backend!.applySetting?.(c.key, c.value);
            if (c.reported) this.pendingReports.push(c);
          }
        } else await this.applySet(cmd.name, null, false);
        return this.complete('RESET');
      }
      case 'show':
        return this.show(portal, cmd.name, describe);
      case 'begin':
        if (this.txStatus !== 'I') {
          this.notice('WARNING', SQLSTATE.activeSqlTransaction, 'there is already a transaction in progress');
        } else {
          this.txStatus = 'T';
          this.txSnapshot = this.settings!.snapshot();
          this.savepoints = [];
        }
        return this.complete(cmd.tag);
      case 'commit': {
        if (this.txStatus === 'I') {
          this.notice('WARNING', SQLSTATE.noActiveSqlTransaction, 'there is no transaction in progress');
          return this.complete('COMMIT');
        }
        const failed = this.txStatus === 'E';
        await this.endTransaction(failed);
        return this.complete(failed ? 'ROLLBACK' : 'COMMIT');
      }
      case 'rollback':
        if (this.txStatus === 'I') this.notice('WARNING', SQLSTATE.noActiveSqlTransaction, 'there is no transaction in progress');
        else await this.endTransaction(true);
        return this.complete('ROLLBACK');
      case 'savepoint':
        if (this.txStatus === 'I') throw new PgError(SQLSTATE.noActiveSqlTransaction, 'SAVEPOINT can only be used in transaction blocks');
        this.savepoints.push({ name: cmd.name, snapshot: this.settings!.snapshot() });
        return this.complete('SAVEPOINT');
      case 'release': {
        if (this.txStatus === 'I') throw new PgError(SQLSTATE.noActiveSqlTransaction, 'RELEASE SAVEPOINT can only be used in transaction blocks');
        const at = this.findSavepoint(cmd.name);
        this.savepoints.splice(at);
        return this.complete('RELEASE');
      }
      case 'rollback-to': {
        if (this.txStatus === 'I') throw new PgError(SQLSTATE.noActiveSqlTransaction, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        const at = this.findSavepoint(cmd.name);
        const sp = this.savepoints[at]!;
        this.savepoints.splice(at + 1);
        await this.queueReports(this.settings!.restore(new Map(sp.snapshot)));
        this.txStatus = 'T';
        return this.complete('ROLLBACK');
      }
      case 'set-transaction':
        return this.complete('SET');
      case 'discard':
        if (cmd.what === 'ALL') {
          if (this.txStatus !== 'I') throw new PgError(SQLSTATE.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
          await this.closePortals((p) => p !== portal);
          for (const name of [...this.statements.keys()]) if (name !== '') this.statements.delete(name);
          const changes = this.settings!.resetAll();
          for (const c of changes) {
            await this.backend!.applySetting?.(c.key, c.value);
            if (c.reported) this.pendingReports.push(c);
          }
        }
        return this.complete(`DISCARD ${cmd.what}`);
      case 'deallocate':
        if (cmd.name === null) {
          for (const name of [...this.statements.keys()]) if (name !== '') this.statements.delete(name);
          return this.complete('DEALLOCATE ALL');
        }
        if (!this.statements.delete(cmd.name)) throw new PgError(SQLSTATE.invalidSqlStatementName, `prepared statement "${cmd.name}" does not exist`);
        return this.complete('DEALLOCATE');
      case 'declare':
        return this.declare(portal, cmd);
      case 'fetch':
        return this.fetch(portal, cmd.name, cmd.direction, cmd.move, describe);
      case 'close':
        if (cmd.name === null) await this.closePortals((p) => p !== portal);
        else {
          const target = this.portals.get(cmd.name);
          if (!target || target === portal) throw new PgError(SQLSTATE.invalidCursorName, `cursor "${cmd.name}" does not exist`);
          await this.dropPortal(cmd.name);
        }
        return this.complete(cmd.name === null ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR');
      case 'noop':
        return this.complete(cmd.tag);
      case 'copy-out':
        return this.copyOut(portal, cmd);
    }
  }

  private complete(tag: string): void {
    this.send({ type: 'CommandComplete', tag });
  }

  private findSavepoint(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    throw new PgError(SQLSTATE.invalidSavepointSpecification, `savepoint "${name}" does not exist`);
  }

  private async endTransaction(rollback: boolean): Promise<void> {
    if (rollback && this.txSnapshot) await this.queueReports(this.settings!.restore(this.txSnapshot));
    else if (this.localOriginals.size > 0) {
      const snap = this.settings!.snapshot();
      for (const [key, value] of this.localOriginals) {
        if (value === undefined) snap.delete(key);
        else snap.set(key, value);
      }
      await this.queueReports(this.settings!.restore(snap));
    }
    this.localOriginals.clear();
    this.txSnapshot = undefined;
    this.savepoints = [];
    this.txStatus = 'I';
    // Cursors without HOLD end with their transaction (all of them on rollback).
    await this.closePortals((p) => p.name !== '' && (rollback || !p.cursor?.hold));
  }

  /** SET (value null = DEFAULT) or RESET of one setting, validated; reported ones queue a ParameterStatus. */
  private async applySet(name: string, value: string | null, local: boolean): Promise<void> {
    const key = name.toLowerCase();
    if (key === 'role' || key === 'session_authorization') {
      if (value !== null && value !== this.user && !(key === 'role' && value.toLowerCase() === 'none')) {
        throw new PgError(SQLSTATE.insufficientPrivilege, key === 'role' ? `permission denied to set role "${value}"` : 'permission denied to set session authorization');
      }
      return;
    }
    const change = this.settings!.check(name, value);
    // SET LOCAL lasts until the end of the transaction: COMMIT undoes it too.
    if (local && !this.localOriginals.has(change.key)) this.localOriginals.set(change.key, this.settings!.get(change.key));
    await this.backend!.applySetting?.(change.key, change.value);
    this.settings!.apply(change);
    if (change.reported) this.pendingReports.push(change);
  }

  /** Settings restored by ROLLBACK / end of SET LOCAL: the backend is told, reported ones queued. */
  private async queueReports(changes: SettingChange[]): Promise<void> {
    for (const c of changes) {
      try {
        await this.backend?.applySetting?.(c.key, c.value);
      } catch (e) {
        // The transaction ends either way; a backend that cannot follow is logged, not fatal.
        this.log.warn('pgwire: backend refused a restored setting', { name: c.key, error: e instanceof Error ? e.message : String(e) });
      }
      if (c.reported) this.pendingReports.push(c);
    }
  }

  private async show(portal: Portal, name: string | null, describe: boolean): Promise<void> {
    let rows: EngineRow[];
    if (name === null) rows = this.settings!.all();
    else {
      const key = name.toLowerCase();
      if (key === 'role' || key === 'session_authorization') rows = [[key === 'role' ? 'none' : this.user]];
      else rows = [[this.settings!.show(name).value]];
    }
    const cols = this.commandColumns({ type: 'show', name })!;
    const formats = this.formatsFor(portal, cols.length);
    if (describe) this.send({ type: 'RowDescription', fields: this.fields(cols, formats) });
    const src = new RowSource({ columns: cols, next: async () => undefined, close: async () => {}, tag: () => 'SHOW' });
    src.pending = rowsChunk(rows);
    src.done = true;
    await this.streamRows(src, this.encoders(cols, formats), 0);
    this.complete('SHOW');
  }

  private async declare(portal: Portal, cmd: Extract<SessionCommand, { type: 'declare' }>): Promise<void> {
    if (this.portals.has(cmd.name)) throw new PgError(SQLSTATE.duplicateCursor, `cursor "${cmd.name}" already exists`);
    if (!cmd.hold && this.txStatus === 'I') throw new PgError(SQLSTATE.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    if (cmd.scroll) throw new PgError(SQLSTATE.featureNotSupported, 'scrollable cursors are not supported', { hint: 'Declare the cursor NO SCROLL and fetch forward.' });
    const query = await this.singleQuery(cmd.query, 'DECLARE CURSOR');
    const stmt: PreparedStatement = { name: '', sql: cmd.query, statement: query, paramTypes: portal.statement.paramTypes };
    const cursor = this.newPortal(cmd.name, stmt, portal.params, cmd.binary ? [1] : [0], false);
    cursor.cursor = { hold: cmd.hold, binary: cmd.binary };
    if (this.active) this.active.portal = cursor;
    // The query starts now (errors surface at DECLARE, as in PostgreSQL); rows are read by FETCH.
    await this.startPortal(cursor);
    this.portals.set(cmd.name, cursor);
    this.complete('DECLARE CURSOR');
  }

  private async fetch(portal: Portal, name: string, direction: FetchDirection, move: boolean, describe: boolean): Promise<void> {
    const cursor = this.portals.get(name);
    if (!cursor || cursor === portal || !cursor.source) throw new PgError(SQLSTATE.invalidCursorName, `cursor "${name}" does not exist`);
    if (direction.kind !== 'forward') {
      throw new PgError(SQLSTATE.objectNotInPrerequisiteState, 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.' });
    }
    if (cursor.failed) throw new PgError(SQLSTATE.invalidCursorState, `cursor "${name}" is not usable after an error`);
    const limit = direction.count === 'all' ? 0 : direction.count;
    if (limit === 0 && direction.count !== 'all') return this.complete(move ? 'MOVE 0' : 'FETCH 0');
    const src = cursor.source;
    const cols = src.exec.columns ?? [];
    // The active statement must abort the cursor's query too (cancel, statement_timeout).
    if (this.active) this.active.portal = cursor;
    try {
      if (move) {
        let moved = 0;
        for (;;) {
          if (limit > 0 && moved >= limit) break;
          if (src.at < src.pending.length) {
            const take = limit > 0 ? Math.min(limit - moved, src.pending.length - src.at) : src.pending.length - src.at;
            src.at += take;
            moved += take;
            continue;
          }
          if (src.done) break;
          this.throwIfAborted();
          const chunk = await src.exec.next();
          if (chunk === undefined) src.done = true;
          else {
            src.pending = chunk;
            src.at = 0;
          }
        }
        return this.complete(`MOVE ${moved}`);
      }
      const formats = portal.simple || portal.resultFormats.length === 0 ? this.formatsFor(cursor, cols.length) : this.formatsFor(portal, cols.length);
      if (describe) this.send({ type: 'RowDescription', fields: this.fields(cols, formats) });
      const r = await this.streamRows(src, this.encoders(cols, formats), limit);
      this.complete(`FETCH ${r.sent}`);
    } catch (e) {
      cursor.failed = true;
      throw e;
    }
  }

  private async copyOut(portal: Portal, cmd: Extract<SessionCommand, { type: 'copy-out' }>): Promise<void> {
    const query = await this.singleQuery(cmd.query, 'COPY');
    const stmt: PreparedStatement = { name: '', sql: cmd.query, statement: query, paramTypes: [] };
    const inner = this.newPortal('', stmt, portal.params, [0], false);
    inner.controller = portal.controller;
    await this.startPortal(inner);
    const src = inner.source!;
    try {
      const cols = src.exec.columns ?? [];
      this.send({ type: 'CopyOutResponse', format: 0, columnFormats: cols.map(() => 0) });
      const format: CopyFormat = { kind: cmd.format, delimiter: cmd.delimiter, null: cmd.null, quote: cmd.quote };
      if (cmd.header) this.writeCopyLine(cols.map((c) => c.name), format);
      const r = await this.streamRows(src, this.encoders(cols, cols.map(() => 0)), 0, format);
      this.send({ type: 'CopyDone' });
      this.complete(`COPY ${r.sent}`);
    } finally {
      await src.exec.close().catch(() => {});
    }
  }

  private encodeCopyRow(row: EngineRow, encoders: ColumnEncoder[], f: CopyFormat, ctx: FormatContext): void {
    const fields = encoders.map((e, i) => {
      const v = row[i] ?? null;
      return v === null ? null : e.codec.text(v, ctx);
    });
    this.writeCopyLine(fields, f);
  }

  private writeCopyLine(fields: (string | null)[], f: CopyFormat): void {
    const text = fields.map((v) => copyField(v, f)).join(f.delimiter);
    this.out.begin(0x64).utf8(text).byte(0x0a).finish();
  }

  /** The one query a DECLARE or COPY wraps. */
  private async singleQuery(sql: string, what: string): Promise<PgQuery> {
    const parsed = (await this.parseSql(sql)).filter((s) => s.kind !== 'empty');
    const q = parsed[0];
    if (parsed.length !== 1 || q?.kind !== 'query') throw new PgError(SQLSTATE.syntaxError, `${what} needs exactly one query (SELECT, VALUES…)`);
    return q;
  }

  // ---- portals -------------------------------------------------------------------------------------

  private async dropPortal(name: string): Promise<void> {
    const p = this.portals.get(name);
    if (!p) return;
    this.portals.delete(name);
    await this.releasePortal(p);
  }

  private async releasePortal(p: Portal): Promise<void> {
    // A query read to its end has finished: nothing to stop or close.
    if (p.source?.done) return;
    if (!p.controller.signal.aborted) p.controller.abort(new Aborted('disconnect'));
    if (p.source) {
      try {
        await p.source.exec.close();
      } catch (e) {
        this.log.debug('pgwire: closing a portal failed', { error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private async closePortals(which: (p: Portal) => boolean): Promise<void> {
    for (const [name, p] of [...this.portals]) {
      if (!which(p)) continue;
      this.portals.delete(name);
      await this.releasePortal(p);
    }
  }

  private formatsFor(portal: Portal, n: number): number[] {
    const f = portal.resultFormats;
    if (f.length === 0) return new Array<number>(n).fill(0);
    if (f.length === 1) return new Array<number>(n).fill(f[0]!);
    return f.slice(0, n);
  }

  private validateFormats(portal: Portal, n: number): void {
    const f = portal.resultFormats;
    if (f.length > 1 && f.length !== n) {
      throw new PgError(SQLSTATE.protocolViolation, `bind message has ${f.length} result formats but query has ${n} columns`);
    }
  }

  private columnType(col: PgColumn): { oid: number; typlen: number; typmod: number; codec: PgTypeCodec } {
    if (col.typeOid !== undefined) {
      const codec = codecForOid(col.typeOid);
      if (codec) return { oid: codec.oid, typlen: codec.typlen, typmod: col.typeModifier ?? -1, codec };
    }
    const t = pgColumnType(col.type);
    return col.typeModifier !== undefined ? { ...t, typmod: col.typeModifier } : t;
  }

  private fields(cols: readonly PgColumn[], formats: number[]): FieldDescription[] {
    return cols.map((c, i) => {
      const t = this.columnType(c);
      return {
        name: c.name,
        tableOid: c.tableOid ?? 0,
        columnAttr: c.columnAttr ?? 0,
        typeOid: t.oid,
        typeSize: t.typlen,
        typeModifier: t.typmod,
        format: formats[i] ?? 0,
      };
    });
  }

  private encoders(cols: readonly PgColumn[], formats: number[]): ColumnEncoder[] {
    return cols.map((c, i) => ({ column: c, codec: this.columnType(c).codec, format: formats[i] ?? 0 }));
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private async parseSql(sql: string): Promise<PgStatement[]> {
    return this.backend!.parse(sql);
  }

  private checkNotAborted(s: PgStatement): void {
    if (this.txStatus !== 'E') return;
    if (s.kind === 'command' && isTransactionExit(s.command)) return;
    if (s.kind === 'empty') return;
    throw abortedTransaction();
  }

  private formatContext(): FormatContext {
    return this.settings!.formatContext();
  }

  private queryContext(signal: AbortSignal): PgQueryContext {
    return {
      signal,
      settings: this.settings!.view,
      inTransaction: this.txStatus !== 'I',
      notice: (f) => this.send({ type: 'NoticeResponse', fields: { ...f, severityNonLocalized: f.severity } }),
    };
  }

  private notice(severity: 'WARNING' | 'NOTICE', code: string, message: string, fields: PgErrorFields = {}): void {
    this.send({ type: 'NoticeResponse', fields: noticeFields(severity, code, message, fields) });
  }

  private sendError(err: PgError): void {
    this.send({ type: 'ErrorResponse', fields: err.toNotice() });
  }

  private send(m: BackendMessage): void {
    if (this.phase.name === 'closed') return;
    serializeBackend(m, this.out);
  }

  /** Hands buffered output to the socket and waits until it drained. */
  private async flush(): Promise<void> {
    if (this.out.length === 0 || this.phase.name === 'closed') return;
    const buf = this.out.take();
    this.stats.bytesOut += buf.length;
    if (!this.io.write(buf)) await this.io.drained();
  }

  private async readyForQuery(): Promise<void> {
    if (this.phase.name === 'closed') return;
    // Reported settings changed by this query: one ParameterStatus each, before ReadyForQuery.
    const seen = new Set<string>();
    for (const c of this.pendingReports.reverse()) {
      if (seen.has(c.key)) continue;
      seen.add(c.key);
      this.send({ type: 'ParameterStatus', name: c.name, value: this.settings!.get(c.key) ?? '' });
    }
    this.pendingReports = [];
    this.send({ type: 'ReadyForQuery', status: this.txStatus });
    await this.flush();
    this.armIdleTimer();
    if (this.closing) this.terminate('shutdown');
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    const client = this.settings?.durationMs(this.txStatus === 'I' ? 'idle_session_timeout' : 'idle_in_transaction_session_timeout') ?? 0;
    const server = this.opts.idleSessionTimeoutMs;
    const ms = client > 0 && server > 0 ? Math.min(client, server) : client || server;
    if (ms <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.running || this.phase.name === 'closed') return;
      const err = this.txStatus === 'I'
        ? fatal(SQLSTATE.idleSessionTimeout, 'terminating connection due to idle-session timeout')
        : fatal(SQLSTATE.idleInTransactionSessionTimeout, 'terminating connection due to idle-in-transaction timeout');
      void this.fatalAndClose(err);
    }, ms);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private async fatalAndClose(err: PgError): Promise<void> {
    if (this.phase.name === 'closed') return;
    this.send({ type: 'ErrorResponse', fields: err.toNotice() });
    await this.flush().catch(() => {});
    this.close();
  }

  /** Ends the session: the connection closes after pending output. */
  close(): void {
    if (this.phase.name === 'closed') return;
    this.phase = { name: 'closed' };
    clearTimeout(this.authTimer);
    this.clearIdleTimer();
    clearTimeout(this.stmtTimer);
    this.abortActive('disconnect');
    this.unregisterCancel?.();
    this.io.end();
    void this.cleanup();
  }

  private async cleanup(): Promise<void> {
    for (const p of this.portals.values()) await this.releasePortal(p);
    this.portals.clear();
    this.statements.clear();
    if (this.backend) {
      try {
        await this.backend.close();
      } catch (e) {
        this.log.warn('pgwire: backend close failed', { error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (this.processId !== 0) this.log.info('pgwire: session ended', { processId: this.processId, seconds: Math.round((Date.now() - this.startedAt) / 1000) });
    this.host.closed(this);
  }

  /** The socket closed under us (client went away): abort whatever runs. */
  disconnected(): void {
    if (this.phase.name === 'closed') {
      return;
    }
    this.phase = { name: 'closed' };
    clearTimeout(this.authTimer);
    this.clearIdleTimer();
    clearTimeout(this.stmtTimer);
    this.abortActive('disconnect');
    this.unregisterCancel?.();
    void this.cleanup();
  }

  private terminate(reason: 'shutdown' | 'disconnect'): void {
    if (reason === 'disconnect') {
      this.close();
      return;
    }
    void this.fatalAndClose(fatal(SQLSTATE.adminShutdown, 'terminating connection due to administrator command'));
  }

  /**
   * Server shutdown: an idle session is told 57P01 and closed at once; a busy one has its
   * statement aborted and is then closed the same way.
   */
  shutdown(): void {
    if (this.phase.name === 'closed') return;
    this.closing = true;
    if (!this.running) {
      this.terminate('shutdown');
      return;
    }
    this.abortActive('shutdown');
  }

  /** Resolves when no message is being handled. */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

// ---- module helpers ------------------------------------------------------------------------------

interface CopyFormat {
  kind: 'text' | 'csv';
  delimiter: string;
  null: string;
  quote: string;
}

/** One COPY field: text format escapes backslash, control characters and the delimiter; CSV quotes. */
function copyField(v: string | null, f: CopyFormat): string {
  if (v === null) return f.null;
  if (f.kind === 'text') {
    let out = '';
    for (const ch of v) {
      switch (ch) {
        case '\\':
          out += '\\\\';
          break;
        case '\n':
          out += '\\n';
          break;
        case '\r':
          out += '\\r';
          break;
        case '\t':
          out += f.delimiter === '\t' ? '\\t' : '\t';
          break;
        case '\b':
          out += '\\b';
          break;
        case '\f':
          out += '\\f';
          break;
        case '\v':
          out += '\\v';
          break;
        default:
          out += ch === f.delimiter ? `\\${ch}` : ch;
      }
    }
    return out;
  }
  const needsQuote = v === f.null || v.includes(f.delimiter) || v.includes(f.quote) || /[\r\n]/.test(v) || v === '\\.';
  return needsQuote ? `${f.quote}${v.split(f.quote).join(f.quote + f.quote)}${f.quote}` : v;
}

function isTransactionExit(cmd: SessionCommand): boolean {
  return cmd.type === 'rollback' || cmd.type === 'commit' || cmd.type === 'rollback-to';
}

function abortedTransaction(): PgError {
  return new PgError(SQLSTATE.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
}

function abortedError(reason: AbortReason): PgError {
  switch (reason) {
    case 'cancel':
      return new PgError(SQLSTATE.queryCanceled, 'canceling statement due to user request');
    case 'timeout':
      return new PgError(SQLSTATE.queryCanceled, 'canceling statement due to statement timeout');
    case 'shutdown':
    case 'disconnect':
      return fatal(SQLSTATE.adminShutdown, 'terminating connection due to administrator command');
  }
}

/** The startup parameters that are settings: all but user, database, replication and options (whose -c pairs are settings too). */
function startupSettings(params: ReadonlyMap<string, string>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of params) {
    if (k === 'user' || k === 'database' || k === 'replication') continue;
    if (k === 'options') {
      out.push(...parseOptions(v));
      continue;
    }
    out.push([k, v]);
  }
  return out;
}

/** The `options` startup parameter: `-c name=value` and `--name=value`, backslash-escaped spaces. */
export function parseOptions(options: string): [string, string][] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < options.length; i++) {
    const ch = options[i]!;
    if (ch === '\\' && i + 1 < options.length) {
      cur += options[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) words.push(cur);
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === '-c') w = words[++i] ?? '';
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else throw fatal(SQLSTATE.featureNotSupported, `unsupported startup option "${w}": only -c name=value is supported`);
    const eq = w.indexOf('=');
    if (eq <= 0) throw fatal(SQLSTATE.syntaxError, `invalid startup option "${w}"`);
    out.push([w.slice(0, eq).replace(/-/g, '_'), w.slice(eq + 1)]);
  }
  return out;
}

/**
 * A deterministic fake verifier for an unknown user (PostgreSQL's scram_mock_salt idea): the
 * same salt every time for the same name, and keys that never match any password.
 */
function mockVerifier(user: string): ScramVerifier {
  const h = createHmac('sha256', MOCK_KEY).update(user).digest();
  return { iterations: SCRAM_DEFAULT_ITERATIONS, salt: h.subarray(0, 16), storedKey: randomBytes(32), serverKey: randomBytes(32) };
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

