/**
 * bench/lib/raw-pg-client — a minimal PostgreSQL wire client that measures servers, not client
 * parsing: it frames backend messages straight off the socket and only counts DataRows (and
 * their bytes), optionally feeding each DataRow's bytes to a hash to compare two servers' output.
 * Frontend messages come from Runlake's own codec. Speaks trust, cleartext and SCRAM-SHA-256
 * authentication, the simple and the extended protocol (text or binary results), and COPY: a
 * `COPY … TO STDOUT` from one connection can be forwarded, CopyData frame by CopyData frame, into
 * a `COPY … FROM STDIN` on another (with backpressure), which is how bench/pgwire loads
 * PostgreSQL with exactly the rows Runlake serves. Plain TCP only (the bench runs TLS off).
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { clientProof } from '../../src/control/crypto/scram.ts';
import { frontendBytes, serializeAuthResponse, serializeStartupPacket, PROTOCOL_3_0 } from '../../src/protocols/pgwire/messages/frontend.ts';

export interface RawConnectOptions {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** Extra startup parameters (settings such as TimeZone). */
  params?: Record<string, string>;
}

export interface RawResult {
  rows: number;
  /** Bytes of the DataRow messages (type byte and length included). */
  dataBytes: number;
  /** The last CommandComplete tag. */
  tag: string;
  /** Hex SHA-256 of every DataRow's bytes in order, when asked for. */
  digest?: string;
}

export interface RunOptions {
  protocol: 'simple' | 'extended';
  /** Result format for every column (extended only): 0 text, 1 binary. */
  format?: 0 | 1;
  /** Hash the DataRows (verification; costs client time). */
  digest?: boolean;
}

type Handler = (type: number, buf: Buffer, start: number, end: number) => void;

export class PgServerError extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(`${fields.S ?? 'ERROR'} ${fields.C ?? ''}: ${fields.M ?? 'unknown error'}`);
    this.name = 'PgServerError';
  }
}

function errorFields(buf: Buffer, start: number, end: number): Record<string, string> {
  const out: Record<string, string> = {};
  let p = start;
  while (p < end && buf[p] !== 0) {
    const code = String.fromCharCode(buf[p]!);
    const nul = buf.indexOf(0, p + 1);
    out[code] = buf.toString('utf8', p + 1, nul);
    p = nul + 1;
  }
  return out;
}

export class RawPgClient {
  private leftover: Buffer | undefined;
  private handler: Handler = () => {};
  private failure: ((e: Error) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.failure?.(e));
    socket.on('close', () => this.failure?.(new Error('the server closed the connection')));
  }

  static async connect(o: RawConnectOptions): Promise<RawPgClient> {
    const socket = connect({ host: o.host, port: o.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const c = new RawPgClient(socket);
    await c.startup(o);
    return c;
  }

  private startup(o: RawConnectOptions): Promise<void> {
    const params = new Map<string, string>([['user', o.user], ['database', o.database], ...Object.entries(o.params ?? {})]);
    let clientFirstBare = '';
    return this.until((type, buf, start, end, done) => {
      if (type !== 0x52 /* R */) return;
      const code = buf.readInt32BE(start);
      const password = o.password ?? '';
      if (code === 3) this.socket.write(serializeAuthResponse({ type: 'PasswordMessage', password }));
      else if (code === 10) {
        clientFirstBare = `n=,r=${randomBytes(18).toString('base64')}`;
        this.socket.write(serializeAuthResponse({ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: Buffer.from(`n,,${clientFirstBare}`) }));
      } else if (code === 11) {
        const serverFirst = buf.toString('utf8', start + 4, end);
        const attrs = new Map(serverFirst.split(',').map((p) => [p[0]!, p.slice(2)]));
        const withoutProof = `c=biws,r=${attrs.get('r')}`;
        const proof = clientProof(password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), `${clientFirstBare},${serverFirst},${withoutProof}`);
        this.socket.write(serializeAuthResponse({ type: 'SASLResponse', data: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`) }));
      } else if (code !== 0 && code !== 12) done(new Error(`authentication method ${code} is not supported by this client`));
    }, () => this.socket.write(serializeStartupPacket({ type: 'StartupMessage', protocolVersion: PROTOCOL_3_0, params })));
  }

  /** Runs one statement and counts its rows; resolves at ReadyForQuery. */
  async run(sql: string, o: RunOptions): Promise<RawResult> {
    const hash: Hash | undefined = o.digest ? createHash('sha256') : undefined;
    const r: RawResult = { rows: 0, dataBytes: 0, tag: '' };
    await this.until((type, buf, start, end) => {
      if (type === 0x44 /* D */) {
        r.rows++;
        r.dataBytes += end - start + 5;
        hash?.update(buf.subarray(start, end));
      } else if (type === 0x43 /* C */) r.tag = buf.toString('utf8', start, end - 1);
    }, () => {
      if (o.protocol === 'simple') this.socket.write(frontendBytes({ type: 'Query', sql }));
      else {
        this.socket.write(frontendBytes(
          { type: 'Parse', name: '', sql, paramTypes: [] },
          { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [o.format ?? 0] },
          { type: 'Describe', target: 'P', name: '' },
          { type: 'Execute', portal: '', maxRows: 0 },
          { type: 'Sync' },
        ));
      }
    });
    if (hash) r.digest = hash.digest('hex');
    return r;
  }

  /** The first field of the first row of a simple query, as text ('' for NULL or no row). */
  async first(sql: string): Promise<string> {
    let value: string | undefined;
    await this.until((type, buf, start) => {
      if (type !== 0x44 || value !== undefined) return;
      const len = buf.readInt32BE(start + 2);
      value = len < 0 ? '' : buf.toString('utf8', start + 6, start + 6 + len);
    }, () => this.socket.write(frontendBytes({ type: 'Query', sql })));
    return value ?? '';
  }

  /**
   * Runs `copyOutSql` (a `COPY … TO STDOUT`) here and forwards its CopyData into `target`, where
   * `copyInSql` (a `COPY … FROM STDIN`) is running. Resolves with target's CommandComplete tag.
   */
  async copyInto(target: RawPgClient, copyOutSql: string, copyInSql: string): Promise<string> {
    let targetTag = '';
    let copyIn!: () => void;
    const ready = new Promise<void>((resolve) => (copyIn = resolve));
    const targetDone = target.until((type, buf, start, end) => {
      if (type === 0x47 /* G */) copyIn();
      else if (type === 0x43) targetTag = buf.toString('utf8', start, end - 1);
    }, () => target.socket.write(frontendBytes({ type: 'Query', sql: copyInSql })));
    await Promise.race([ready, targetDone]);
    let paused = false;
    await this.until((type, buf, start, end) => {
      if (type === 0x64 /* d */) {
        if (!target.socket.write(buf.subarray(start - 5, end)) && !paused) {
          paused = true;
          this.socket.pause();
          target.socket.once('drain', () => {
            paused = false;
            this.socket.resume();
          });
        }
      } else if (type === 0x63 /* c */) target.socket.write(frontendBytes({ type: 'CopyDone' }));
    }, () => this.socket.write(frontendBytes({ type: 'Query', sql: copyOutSql })));
    await targetDone;
    return targetTag;
  }

  async close(): Promise<void> {
    this.failure = undefined;
    this.socket.end(frontendBytes({ type: 'Terminate' }));
    await new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
  }

  /**
   * Sends with `start`, hands every message to `on` until ReadyForQuery; an ErrorResponse
   * rejects (after ReadyForQuery, so the connection stays usable).
   */
  private until(on: (type: number, buf: Buffer, start: number, end: number, done: (e?: Error) => void) => void, start: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let error: Error | undefined;
      const done = (e?: Error) => {
        this.handler = () => {};
        this.failure = undefined;
        if (e ?? error) reject(e ?? error);
        else resolve();
      };
      this.failure = done;
      this.handler = (type, buf, s, e) => {
        if (type === 0x5a /* Z */) done();
        else if (type === 0x45 /* E */) {
          const fields = errorFields(buf, s, e);
          error = new PgServerError(fields);
          // A FATAL error ends the connection: there is no ReadyForQuery to wait for.
          if (fields.S === 'FATAL') done();
        } else on(type, buf, s, e, done);
      };
      start();
    });
  }

  /** Frames messages out of socket chunks; a message split across chunks is reassembled alone. */
  private onData(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    if (this.leftover) {
      const left = this.leftover;
      if (left.length < 5) {
        buf = Buffer.concat([left, chunk]);
        this.leftover = undefined;
      } else {
        const need = left.readInt32BE(1) + 1 - left.length;
        if (chunk.length < need) {
          this.leftover = Buffer.concat([left, chunk]);
          return;
        }
        const frame = Buffer.concat([left, chunk.subarray(0, need)]);
        this.leftover = undefined;
        this.handler(frame[0]!, frame, 5, frame.length);
        pos = need;
      }
    }
    const n = buf.length;
    while (n - pos >= 5) {
      const end = pos + 1 + buf.readInt32BE(pos + 1);
      if (end > n) break;
      this.handler(buf[pos]!, buf, pos + 5, end);
      pos = end;
    }
    if (pos < n) this.leftover = buf.subarray(pos);
  }
}
