/**
 * A raw PostgreSQL wire client for tests: sends frontend messages built with the codec and reads
 * backend messages one by one, so tests can assert exact message sequences. Speaks SCRAM-SHA-256
 * (with scram.ts's client-side proof), cleartext passwords and TLS.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { clientProof } from '../../../src/control/crypto/scram.ts';
import { parseBackendMessage, type BackendMessage } from '../../../src/protocols/pgwire/messages/backend.ts';
import { FrameSplitter } from '../../../src/protocols/pgwire/messages/framer.ts';
import {
  PROTOCOL_3_0, frontendBytes, serializeAuthResponse, serializeStartupPacket, type FrontendMessage, type StartupPacket,
} from '../../../src/protocols/pgwire/messages/frontend.ts';

export type Msg = BackendMessage;

export class WireClient {
  private socket: Socket | TLSSocket;
  private readonly framer = new FrameSplitter({ maxMessageBytes: 1 << 30 });
  private raw: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;
  /** Bytes received so far (for backpressure tests). */
  bytesIn = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.framer.startupPhase = false;
    this.attach(socket);
  }

  private attach(s: Socket | TLSSocket): void {
    s.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      this.raw.push(chunk);
      this.wake();
    });
    s.on('close', () => {
      this.ended = true;
      this.wake();
    });
    s.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    const socket = netConnect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new WireClient(socket);
  }

  get closed(): boolean {
    return this.ended;
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  send(...messages: FrontendMessage[]): void {
    this.write(frontendBytes(...messages));
  }

  sendStartupPacket(p: StartupPacket): void {
    this.write(serializeStartupPacket(p));
  }

  sendStartup(params: Record<string, string>, protocolVersion = PROTOCOL_3_0): void {
    this.sendStartupPacket({ type: 'StartupMessage', protocolVersion, params: new Map(Object.entries(params)) });
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Waits for `n` raw bytes (before framing; the SSLRequest answer). */
  async readRawBytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = Buffer.concat(this.raw);
      if (all.length >= n) {
        this.raw = all.length > n ? [all.subarray(n)] : [];
        return all.subarray(0, n);
      }
      if (this.ended) throw new Error('connection closed');
      await this.waitData(deadline);
    }
  }

  private async waitData(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('timed out waiting for the server');
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** The next backend message (throws on timeout or close). */
  async read(timeoutMs = 10_000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const c of this.raw.splice(0)) this.framer.push(c);
      const f = this.framer.next();
      if (f) return parseBackendMessage(f.type!, f.body);
      if (this.ended) throw new Error('connection closed');
      await this.waitData(deadline);
    }
  }

  /** Messages up to and including the first of `type`. */
  async readUntil(type: Msg['type'] = 'ReadyForQuery', timeoutMs = 10_000): Promise<Msg[]> {
    const out: Msg[] = [];
    for (;;) {
      const m = await this.read(timeoutMs);
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** Resolves once the server closed the connection (after reading what it sent). */
  async readToEnd(timeoutMs = 10_000): Promise<Msg[]> {
    const out: Msg[] = [];
    for (;;) {
      try {
        out.push(await this.read(timeoutMs));
      } catch (e) {
        if (this.ended) return out;
        throw e;
      }
    }
  }

  /** SSLRequest, then a TLS handshake when the server answers 'S'. Returns the answer. */
  async requestTls(): Promise<'S' | 'N'> {
    this.sendStartupPacket({ type: 'SSLRequest' });
    const answer = (await this.readRawBytes(1)).toString('latin1');
    if (answer !== 'S') return answer as 'N';
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    const t = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      t.once('secureConnect', resolve);
      t.once('error', reject);
    });
    this.socket = t;
    this.attach(t);
    return 'S';
  }

  /**
   * Startup and authentication (SCRAM-SHA-256 or cleartext, whichever the server asks for).
   * Returns every message up to ReadyForQuery, or the ErrorResponse that ended it.
   */
  async login(user: string, password: string, database: string, extra: Record<string, string> = {}): Promise<Msg[]> {
    this.sendStartup({ user, database, ...extra });
    const out: Msg[] = [];
    let clientFirstBare = '';
    let nonce = '';
    for (;;) {
      const m = await this.read();
      out.push(m);
      switch (m.type) {
        case 'AuthenticationSASL': {
          nonce = randomBytes(18).toString('base64');
          clientFirstBare = `n=,r=${nonce}`;
          this.write(serializeAuthResponse({ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: Buffer.from(`n,,${clientFirstBare}`) }));
          break;
        }
        case 'AuthenticationSASLContinue': {
          const serverFirst = m.data.toString();
          const attrs = new Map(serverFirst.split(',').map((p) => [p[0]!, p.slice(2)]));
          const withoutProof = `c=biws,r=${attrs.get('r')}`;
          const authMsg = `${clientFirstBare},${serverFirst},${withoutProof}`;
          const proof = clientProof(password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), authMsg);
          this.write(serializeAuthResponse({ type: 'SASLResponse', data: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`) }));
          break;
        }
        case 'AuthenticationCleartextPassword':
          this.write(serializeAuthResponse({ type: 'PasswordMessage', password }));
          break;
        case 'ReadyForQuery':
        case 'ErrorResponse':
          return out;
        default:
          break;
      }
    }
  }

  /** Sends a simple Query and returns the messages up to ReadyForQuery. */
  async query(sql: string): Promise<Msg[]> {
    this.send({ type: 'Query', sql });
    return this.readUntil('ReadyForQuery');
  }

  close(): void {
    if (!this.ended) {
      this.socket.write(frontendBytes({ type: 'Terminate' }));
      this.socket.end();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Message types, for compact sequence assertions. */
export const types = (ms: Msg[]): string[] => ms.map((m) => m.type);

/** The text of each DataRow's fields. */
export const rows = (ms: Msg[]): (string | null)[][] =>
  ms.filter((m): m is Extract<Msg, { type: 'DataRow' }> => m.type === 'DataRow').map((m) => m.values.map((v) => (v === null ? null : v.toString('utf8'))));

export const errorOf = (ms: Msg[]): { code: string; message: string; severity: string; position?: number; hint?: string } | undefined => {
  const e = ms.find((m) => m.type === 'ErrorResponse');
  return e?.type === 'ErrorResponse' ? e.fields : undefined;
};
