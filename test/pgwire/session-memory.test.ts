/**
 * The session state machine without sockets: bytes in through `receive`, bytes out through an
 * in-memory PgSessionIO. Shows that any chunking of the client's bytes gives the same answer,
 * and that rows are pulled from the backend only after the output drained.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clientProof } from '../../src/control/crypto/scram.ts';
import { parseBackendMessage, type BackendMessage } from '../../src/protocols/pgwire/messages/backend.ts';
import { FrameSplitter } from '../../src/protocols/pgwire/messages/framer.ts';
import { PROTOCOL_3_0, frontendBytes, serializeAuthResponse, serializeStartupPacket, type FrontendMessage } from '../../src/protocols/pgwire/messages/frontend.ts';
import { PgSession, type PgSessionHost, type PgSessionIO } from '../../src/protocols/pgwire/session.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { DuckDBTestBackend } from './support/duckdb-test-backend.ts';
import { DATABASE, PASSWORD, SETUP, USER, sleep, until } from './support/harness.ts';

/** An in-memory connection; `blocked` makes write() report a full buffer until `unblock()`. */
class MemoryIO implements PgSessionIO {
  out: Buffer[] = [];
  ended = false;
  blocked = false;
  private drainWaiters: (() => void)[] = [];
  readonly tls = false;
  readonly remoteAddress = 'memory';
  write(data: Buffer): boolean {
    this.out.push(data);
    return !this.blocked;
  }
  drained(): Promise<void> {
    if (!this.blocked) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }
  unblock(): void {
    this.blocked = false;
    for (const w of this.drainWaiters.splice(0)) w();
  }
  pause(): void {}
  resume(): void {}
  end(): void {
    this.ended = true;
  }
  /** Everything written so far, as messages (from `from` bytes on). */
  messages(from = 0): BackendMessage[] {
    const f = new FrameSplitter({ maxMessageBytes: 1 << 30 });
    f.startupPhase = false;
    f.push(Buffer.concat(this.out).subarray(from));
    const ms: BackendMessage[] = [];
    for (let fr = f.next(); fr; fr = f.next()) ms.push(parseBackendMessage(fr.type!, fr.body));
    return ms;
  }
  get bytes(): number {
    return this.out.reduce((n, b) => n + b.length, 0);
  }
}

const host = (): PgSessionHost => ({
  registerCancel: () => () => {},
  cancelRequest: () => {},
  allocateProcessId: () => 4242,
  admit: () => true,
  closed: () => {},
});

async function settle(io: MemoryIO, session: PgSession, type: BackendMessage['type'] = 'ReadyForQuery', from = 0, count = 1): Promise<BackendMessage[]> {
  await until(() => io.messages(from).filter((m) => m.type === type).length >= count || session.isClosed, 10_000, type);
  await sleep(5);
  return io.messages(from);
}

/** Startup and SCRAM through the in-memory session; returns the byte offset after ReadyForQuery. */
async function login(io: MemoryIO, session: PgSession): Promise<number> {
  session.receive(serializeStartupPacket({ type: 'StartupMessage', protocolVersion: PROTOCOL_3_0, params: new Map([['user', USER], ['database', DATABASE]]) }));
  await settle(io, session, 'AuthenticationSASL');
  const nonce = randomBytes(12).toString('base64');
  const first = `n=,r=${nonce}`;
  session.receive(serializeAuthResponse({ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: Buffer.from(`n,,${first}`) }));
  const ms = await settle(io, session, 'AuthenticationSASLContinue');
  const cont = ms.find((m) => m.type === 'AuthenticationSASLContinue');
  assert.ok(cont?.type === 'AuthenticationSASLContinue');
  const serverFirst = cont.data.toString();
  const attrs = new Map(serverFirst.split(',').map((p) => [p[0]!, p.slice(2)]));
  const withoutProof = `c=biws,r=${attrs.get('r')}`;
  const proof = clientProof(PASSWORD, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), `${first},${serverFirst},${withoutProof}`);
  session.receive(serializeAuthResponse({ type: 'SASLResponse', data: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`) }));
  await settle(io, session);
  assert.equal(session.state.phase, 'ready');
  return io.bytes;
}

const BATCH: FrontendMessage[] = [
  { type: 'Query', sql: "SELECT i, s FROM t WHERE i < 3 ORDER BY i; SET TimeZone = 'Europe/Paris'; SHOW TimeZone" },
  { type: 'Parse', name: 'q', sql: 'SELECT d, f FROM t WHERE i = $1', paramTypes: [23] },
  { type: 'Describe', target: 'S', name: 'q' },
  { type: 'Bind', portal: 'p', statement: 'q', paramFormats: [0], params: [Buffer.from('4')], resultFormats: [1] },
  { type: 'Execute', portal: 'p', maxRows: 0 },
  { type: 'Sync' },
  { type: 'Query', sql: 'BEGIN; DECLARE c CURSOR FOR SELECT i FROM range(5) r(i); FETCH 2 FROM c; FETCH ALL FROM c; COMMIT' },
  { type: 'Query', sql: 'SELECT * FROM nope' },
];

describe('pgwire session without sockets', () => {
  let backend: DuckDBTestBackend;
  before(async () => {
    backend = await DuckDBTestBackend.create({ users: { [USER]: PASSWORD }, databases: [DATABASE], setup: SETUP, iterations: 4096 });
  });
  after(() => backend.close());

  it('answers the same whatever the chunking of the client\'s bytes: all at once, byte by byte, odd splits', async () => {
    const input = frontendBytes(...BATCH);
    const runs: BackendMessage[][] = [];
    for (const chunking of ['whole', 'bytes', 'sevens'] as const) {
      const io = new MemoryIO();
      const session = new PgSession(io, host(), { backend, logger: silentLogger });
      const start = await login(io, session);
      if (chunking === 'whole') session.receive(input);
      else {
        const step = chunking === 'bytes' ? 1 : 7;
        for (let i = 0; i < input.length; i += step) session.receive(input.subarray(i, i + step));
      }
      const ms = await settle(io, session, 'ReadyForQuery', start, 4);
      runs.push(ms);
      session.close();
      assert.ok(io.ended);
    }
    assert.deepEqual(runs[1], runs[0]);
    assert.deepEqual(runs[2], runs[0]);
    const kinds = runs[0]!.map((m) => m.type);
    assert.deepEqual(kinds, [
      'RowDescription', 'DataRow', 'DataRow', 'DataRow', 'CommandComplete', 'CommandComplete', 'RowDescription', 'DataRow', 'CommandComplete', 'ParameterStatus', 'ReadyForQuery',
      'ParseComplete', 'ParameterDescription', 'RowDescription', 'BindComplete', 'DataRow', 'CommandComplete', 'ReadyForQuery',
      'CommandComplete', 'CommandComplete', 'RowDescription', 'DataRow', 'DataRow', 'CommandComplete', 'RowDescription', 'DataRow', 'DataRow', 'DataRow', 'CommandComplete', 'CommandComplete', 'ReadyForQuery',
      'ErrorResponse', 'ReadyForQuery',
    ]);
  });

  it('pulls the next chunk of rows only after the output drained', async () => {
    const io = new MemoryIO();
    const session = new PgSession(io, host(), { backend, logger: silentLogger, batchBytes: 16 * 1024 });
    const start = await login(io, session);
    io.blocked = true;
    session.receive(frontendBytes({ type: 'Query', sql: "SELECT i, repeat('y', 50) AS pad FROM range(100000) r(i)" }));
    await until(() => session.stats.rowsOut > 0, 10_000, 'rows');
    await sleep(200);
    const pulledWhileBlocked = session.stats.rowsOut;
    assert.ok(pulledWhileBlocked <= 4096, `${pulledWhileBlocked} rows encoded while the socket was full (one engine chunk at most)`);
    assert.equal(session.state.busy, true);
    io.unblock();
    const ms = await settle(io, session, 'ReadyForQuery', start);
    assert.equal(ms.filter((m) => m.type === 'DataRow').length, 100_000);
    assert.deepEqual(ms.at(-2), { type: 'CommandComplete', tag: 'SELECT 100000' });
    session.close();
  });

  it('closes on a protocol violation with FATAL 08P01', async () => {
    const io = new MemoryIO();
    const session = new PgSession(io, host(), { backend, logger: silentLogger });
    const start = await login(io, session);
    session.receive(Buffer.from([0x7a, 0, 0, 0, 4])); // unknown message type 'z'
    const ms = await settle(io, session, 'ErrorResponse', start);
    const err = ms.find((m) => m.type === 'ErrorResponse');
    assert.ok(err?.type === 'ErrorResponse');
    assert.equal(err.fields.code, '08P01');
    assert.equal(err.fields.severity, 'FATAL');
    assert.ok(session.isClosed && io.ended);
  });

  it('closes an unauthenticated connection after the authentication timeout', async () => {
    const io = new MemoryIO();
    const session = new PgSession(io, host(), { backend, logger: silentLogger, authTimeoutMs: 50 });
    session.receive(serializeStartupPacket({ type: 'StartupMessage', protocolVersion: PROTOCOL_3_0, params: new Map([['user', USER]]) }));
    await until(() => session.isClosed, 5000, 'the timeout');
    const err = io.messages().find((m) => m.type === 'ErrorResponse');
    assert.ok(err?.type === 'ErrorResponse');
    assert.equal(err.fields.message, 'canceling authentication due to timeout');
  });
});
