/**
 * The PostgreSQL listener: a node:net server whose connections are PgSessions, upgraded to TLS
 * in place when a client sends SSLRequest and a certificate is configured. This file is the only
 * one in pgwire that touches sockets; it also holds the cancel-key registry (CancelRequests
 * arrive on a connection of their own) and the connection limit, and shuts down gracefully.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContextOptions } from 'node:tls';
import { silentLogger, type Logger } from '../../util/logger.ts';
import type { PgBackend } from './pg-backend.ts';

/** Bytes a session may have queued in its socket before it waits for the client to read (per connection). */
const SEND_AHEAD_BYTES = 1024 * 1024;
import { PgSession, type PgSessionHost, type PgSessionIO, type PgSessionOptions } from './session.ts';

export interface PgListenerOptions extends Partial<Omit<PgSessionOptions, 'backend' | 'logger'>> {
  backend: PgBackend;
  logger?: Logger;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port; `port` on the result says which. */
  port: number;
  /** A key and certificate (PEM) to offer TLS on SSLRequest; without it SSLRequest is answered 'N'. */
  tls?: SecureContextOptions;
  /** Authenticated sessions at once; the next one gets 53300. Default 100. */
  maxConnections?: number;
}

export interface PgListener {
  readonly host: string;
  readonly port: number;
  /** Live sessions (for tests and monitoring). */
  sessions(): readonly PgSession[];
  /**
   * Stops accepting, lets running statements finish for up to `graceMs` (default 5000), then
   * ends every session with FATAL 57P01 and closes every socket.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

export async function startPgListener(opts: PgListenerOptions): Promise<PgListener> {
  const log = opts.logger ?? silentLogger;
  if (opts.requireTls && !opts.tls) throw new Error('pgwire: requireTls needs a tls key and certificate');
  const secureContext = opts.tls ? createSecureContext(opts.tls) : undefined;
  const maxConnections = opts.maxConnections ?? 100;
  const sessions = new Set<PgSession>();
  const sockets = new Set<Socket>();
  const admitted = new Set<PgSession>();
  const cancelKeys = new Map<number, { secret: Buffer; cancel: () => void }>();
  let closing = false;

  const hostFor = (getSession: () => PgSession | undefined): PgSessionHost => ({
    registerCancel(processId, secretKey, cancel) {
      cancelKeys.set(processId, { secret: secretKey, cancel });
      return () => {
        if (cancelKeys.get(processId)?.cancel === cancel) cancelKeys.delete(processId);
      };
    },
    cancelRequest(processId, secretKey) {
      const entry = cancelKeys.get(processId);
      // Compare in constant time, and as long for an unknown process id as for a known one.
      const expected = entry?.secret ?? randomBytes(secretKey.length);
      const ok = expected.length === secretKey.length && timingSafeEqual(expected, secretKey) && entry !== undefined;
      if (ok) entry.cancel();
      else log.debug('pgwire: cancel request did not match a session', { processId });
    },
    allocateProcessId() {
      for (;;) {
        const pid = randomInt(1, 2 ** 31 - 1);
        if (!cancelKeys.has(pid)) return pid;
      }
    },
    admit() {
      const s = getSession();
      if (!s || closing || admitted.size >= maxConnections) return false;
      admitted.add(s);
      return true;
    },
    closed(session) {
      admitted.delete(session);
      sessions.delete(session);
    },
  });

  const server: Server = createServer({ noDelay: true }, (raw) => {
    if (closing) {
      raw.destroy();
      return;
    }
    sockets.add(raw);
    raw.setKeepAlive(true, 60_000);
    let socket: Socket | TLSSocket = raw;
    let tls = false;
    const io: PgSessionIO = {
      // Up to SEND_AHEAD_BYTES may wait in the socket while the session encodes more (the
      // stream default, 16 KiB, made it stop at every batch until the kernel took the last one).
      write: (data) => {
        if (socket.destroyed || !socket.writable) return true;
        socket.write(data);
        return socket.writableLength < SEND_AHEAD_BYTES;
      },
      drained: () =>
        new Promise<void>((resolve) => {
          const s = socket;
          if (s.destroyed || !s.writableNeedDrain) {
            resolve();
            return;
          }
          const done = () => {
            s.off('drain', done);
            s.off('close', done);
            resolve();
          };
          s.on('drain', done);
          s.on('close', done);
        }),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      end: () => {
        if (socket.destroyed) return;
        socket.end();
        // A client that does not close its side is cut off.
        setTimeout(() => socket.destroy(), 5000).unref();
      },
      get tls() {
        return tls;
      },
      remoteAddress: raw.remoteAddress,
    };
    const session: PgSession = new PgSession(io, hostFor(() => session), { ...opts, logger: log });
    const onData = (chunk: Buffer) => session.receive(chunk);
    const onClose = () => {
      sockets.delete(raw);
      session.disconnected();
    };
    if (secureContext) {
      io.startTls = () =>
        new Promise<void>((resolve, reject) => {
          raw.off('data', onData);
          const t = new TLSSocket(raw, { isServer: true, secureContext });
          const fail = (e: Error) => {
            log.debug('pgwire: TLS handshake failed', { error: e.message, remote: raw.remoteAddress });
            reject(e);
            t.destroy();
          };
          t.once('error', fail);
          t.once('secure', () => {
            t.off('error', fail);
            t.on('error', (e) => log.debug('pgwire: socket error', { error: e.message }));
            t.on('data', onData);
            t.on('close', onClose);
            socket = t;
            tls = true;
            resolve();
          });
        });
    }
    sessions.add(session);
    raw.on('data', onData);
    raw.on('close', onClose);
    raw.on('error', (e) => log.debug('pgwire: socket error', { error: e.message }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  log.info('pgwire: listening', { host: addr.address, port: addr.port, tls: secureContext !== undefined, requireTls: opts.requireTls === true });

  return {
    host: addr.address,
    port: addr.port,
    sessions: () => [...sessions],
    async close({ graceMs = 5000 } = {}) {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const busy = [...sessions].map((s) => s.whenIdle());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(busy), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const s of sessions) s.shutdown();
      // Sockets that do not close within a second of being told are destroyed.
      const deadline = Date.now() + 1000;
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.destroy();
      await stopped;
      log.info('pgwire: listener closed', { port: addr.port });
    },
  };
}
