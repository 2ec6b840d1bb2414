import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backendBytes, parseBackendMessage, type BackendMessage } from '../../src/protocols/pgwire/messages/backend.ts';
import { ProtocolViolation } from '../../src/protocols/pgwire/messages/bytes.ts';
import { FrameSplitter, type Frame } from '../../src/protocols/pgwire/messages/framer.ts';
import {
  PROTOCOL_3_0, frontendBytes, parseAuthResponse, parseFrontendMessage, parseStartupPacket, serializeAuthResponse,
  serializeStartupPacket, type AuthResponse, type FrontendMessage, type StartupPacket,
} from '../../src/protocols/pgwire/messages/frontend.ts';

const FRONTEND: FrontendMessage[] = [
  { type: 'Query', sql: 'select 1; select \'ü\'' },
  { type: 'Query', sql: '' },
  { type: 'Parse', name: 's1', sql: 'select $1::int, $2', paramTypes: [23, 0] },
  { type: 'Parse', name: '', sql: 'select 1', paramTypes: [] },
  { type: 'Parse', name: 'big-oid', sql: 'x', paramTypes: [4_294_967_295] },
  { type: 'Bind', portal: 'p', statement: 's1', paramFormats: [0, 1], params: [Buffer.from('42'), null], resultFormats: [1] },
  { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] },
  { type: 'Bind', portal: '', statement: 's', paramFormats: [1], params: [Buffer.from([0, 0, 0, 7]), Buffer.alloc(0)], resultFormats: [0, 1, 0] },
  { type: 'Describe', target: 'S', name: 's1' },
  { type: 'Describe', target: 'P', name: '' },
  { type: 'Execute', portal: 'p', maxRows: 100 },
  { type: 'Execute', portal: '', maxRows: 0 },
  { type: 'Sync' },
  { type: 'Flush' },
  { type: 'Close', target: 'S', name: 's1' },
  { type: 'Close', target: 'P', name: 'p' },
  { type: 'Terminate' },
  { type: 'CopyData', data: Buffer.from('a\tb\n') },
  { type: 'CopyDone' },
  { type: 'CopyFail', message: 'client gave up' },
  { type: 'AuthResponse', body: Buffer.from('secret\0') },
  { type: 'FunctionCall', body: Buffer.from([0, 0, 0, 1, 0, 0]) },
];

const BACKEND: BackendMessage[] = [
  { type: 'AuthenticationOk' },
  { type: 'AuthenticationCleartextPassword' },
  { type: 'AuthenticationMD5Password', salt: Buffer.from([1, 2, 3, 4]) },
  { type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] },
  { type: 'AuthenticationSASLContinue', data: Buffer.from('r=abc,s=c2FsdA==,i=4096') },
  { type: 'AuthenticationSASLFinal', data: Buffer.from('v=c2lnbmF0dXJl') },
  { type: 'ParameterStatus', name: 'TimeZone', value: 'Europe/Paris' },
  { type: 'BackendKeyData', processId: 12345, secretKey: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
  { type: 'ReadyForQuery', status: 'I' },
  { type: 'ReadyForQuery', status: 'T' },
  { type: 'ReadyForQuery', status: 'E' },
  {
    type: 'RowDescription',
    fields: [
      { name: 'a', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
      { name: 'ünïcode', tableOid: 16_386, columnAttr: 2, typeOid: 1700, typeSize: -1, typeModifier: (10 << 16 | 2) + 4, format: 1 },
    ],
  },
  { type: 'RowDescription', fields: [] },
  { type: 'DataRow', values: [Buffer.from('1'), null, Buffer.alloc(0), Buffer.from([0, 255])] },
  { type: 'DataRow', values: [] },
  { type: 'CommandComplete', tag: 'SELECT 42' },
  { type: 'EmptyQueryResponse' },
  {
    type: 'ErrorResponse',
    fields: {
      severity: 'ERROR', severityNonLocalized: 'ERROR', code: '42P01', message: 'relation "nope" does not exist', detail: 'd', hint: 'h',
      position: 15, internalPosition: 3, internalQuery: 'select 1', where: 'w', schema: 's', table: 't', column: 'c', dataType: 'int4',
      constraint: 'k', file: 'parse_relation.c', line: 1384, routine: 'parserOpenTable',
    },
  },
  { type: 'NoticeResponse', fields: { severity: 'WARNING', severityNonLocalized: 'WARNING', code: '25P01', message: 'there is no transaction in progress' } },
  { type: 'ParseComplete' },
  { type: 'BindComplete' },
  { type: 'CloseComplete' },
  { type: 'NoData' },
  { type: 'PortalSuspended' },
  { type: 'ParameterDescription', types: [23, 25, 4_294_967_295] },
  { type: 'CopyOutResponse', format: 0, columnFormats: [0, 0] },
  { type: 'CopyInResponse', format: 1, columnFormats: [1] },
  { type: 'CopyData', data: Buffer.from('1\t2\n') },
  { type: 'CopyDone' },
  { type: 'NegotiateProtocolVersion', newestMinor: 0, unrecognized: ['_pq_.compression'] },
  { type: 'NotificationResponse', processId: 7, channel: 'ch', payload: 'hello' },
];

const STARTUP: StartupPacket[] = [
  { type: 'SSLRequest' },
  { type: 'GSSENCRequest' },
  { type: 'CancelRequest', processId: 99, secretKey: Buffer.from([1, 2, 3, 4]) },
  { type: 'StartupMessage', protocolVersion: PROTOCOL_3_0, params: new Map([['user', 'alice'], ['database', 'acme'], ['options', '-c search_path=x']]) },
  { type: 'StartupMessage', protocolVersion: PROTOCOL_3_0, params: new Map() },
];

function drain(f: FrameSplitter): Frame[] {
  const out: Frame[] = [];
  for (let fr = f.next(); fr; fr = f.next()) out.push(fr);
  return out;
}

/** Feeds `bytes` split at `cut` (and byte by byte) and returns the frames. */
function framesWithCut(bytes: Buffer, cut: number, startup: boolean): Frame[] {
  const f = new FrameSplitter({ maxMessageBytes: 1 << 20 });
  f.startupPhase = startup;
  f.push(bytes.subarray(0, cut));
  const first = drain(f);
  f.push(bytes.subarray(cut));
  return [...first, ...drain(f)];
}

describe('pgwire codec: frontend messages', () => {
  it('round-trips every message through serialize → frame splitter (split at every byte boundary) → parse', () => {
    for (const m of FRONTEND) {
      const bytes = frontendBytes(m);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const frames = framesWithCut(bytes, cut, false);
        assert.equal(frames.length, 1, `${m.type} cut at ${cut}`);
        assert.deepEqual(parseFrontendMessage(frames[0]!.type!, frames[0]!.body), m, `${m.type} cut at ${cut}`);
      }
    }
  });

  it('reads many messages from one chunk, and the same stream fed one byte at a time', () => {
    const all = frontendBytes(...FRONTEND);
    const f = new FrameSplitter({ maxMessageBytes: 1 << 20 });
    f.startupPhase = false;
    f.push(all);
    assert.deepEqual(drain(f).map((fr) => parseFrontendMessage(fr.type!, fr.body)), FRONTEND);
    assert.equal(f.buffered, 0);
    const g = new FrameSplitter({ maxMessageBytes: 1 << 20 });
    g.startupPhase = false;
    const got: FrontendMessage[] = [];
    for (const b of all) {
      g.push(Buffer.from([b]));
      for (const fr of drain(g)) got.push(parseFrontendMessage(fr.type!, fr.body));
    }
    assert.deepEqual(got, FRONTEND);
  });

  it('matches hand-built bytes', () => {
    assert.deepEqual(frontendBytes({ type: 'Query', sql: 'select 1' }), Buffer.from('Q\0\0\0\x0dselect 1\0', 'latin1'));
    assert.deepEqual(frontendBytes({ type: 'Sync' }), Buffer.from([0x53, 0, 0, 0, 4]));
    assert.deepEqual(frontendBytes({ type: 'Execute', portal: '', maxRows: 5 }), Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 5]));
    // Bind "" "s": formats [1], one param 00000007, one NULL, result formats [] — as pg-protocol writes it
    const bind = Buffer.concat([
      Buffer.from('B'), Buffer.from([0, 0, 0, 27]), Buffer.from('\0s\0', 'latin1'), Buffer.from([0, 1, 0, 1]),
      Buffer.from([0, 2]), Buffer.from([0, 0, 0, 4, 0, 0, 0, 7]), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0, 0]),
    ]);
    assert.deepEqual(parseFrontendMessage(0x42, bind.subarray(5)), {
      type: 'Bind', portal: '', statement: 's', paramFormats: [1], params: [Buffer.from([0, 0, 0, 7]), null], resultFormats: [],
    });
  });

  it('round-trips startup-phase packets (no type byte), split at every boundary', () => {
    for (const p of STARTUP) {
      const bytes = serializeStartupPacket(p);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const frames = framesWithCut(bytes, cut, true);
        assert.equal(frames.length, 1);
        assert.equal(frames[0]!.type, undefined);
        assert.deepEqual(parseStartupPacket(frames[0]!.body), p);
      }
    }
    // SSLRequest is exactly the 8 bytes libpq sends.
    assert.deepEqual(serializeStartupPacket({ type: 'SSLRequest' }), Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
    assert.deepEqual(serializeStartupPacket({ type: 'GSSENCRequest' }), Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]));
  });

  it('reads the authentication responses of a p message by the step', () => {
    const cases: AuthResponse[] = [
      { type: 'PasswordMessage', password: 'pässword' },
      { type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: Buffer.from('n,,n=,r=abc') },
      { type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: null },
      { type: 'SASLResponse', data: Buffer.from('c=biws,r=abc,p=xyz') },
    ];
    for (const c of cases) {
      const bytes = serializeAuthResponse(c);
      assert.equal(bytes[0], 0x70);
      const m = parseFrontendMessage(0x70, bytes.subarray(5));
      assert.equal(m.type, 'AuthResponse');
      if (m.type === 'AuthResponse') assert.deepEqual(parseAuthResponse(c.type, m.body), c);
    }
  });

  it('refuses malformed messages as protocol violations', () => {
    const bad: [number, Buffer][] = [
      [0x51, Buffer.from('no terminator')],
      [0x51, Buffer.from('a\0extra')],
      [0x53, Buffer.from([1])],
      [0x42, Buffer.from('\0\0\0\x01\0')], // truncated format list
      [0x42, Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 1])], // a parameter longer than the message
      [0x42, Buffer.from([0, 0, 0, 1, 0, 2])], // format code 2
      [0x44, Buffer.from('X\0')],
      [0x7a, Buffer.alloc(0)], // unknown type 'z'
    ];
    for (const [type, body] of bad) assert.throws(() => parseFrontendMessage(type, body), ProtocolViolation, `type ${type}`);
    assert.throws(() => parseStartupPacket(Buffer.from([0, 2, 0, 0, 0])), /unsupported frontend protocol 2\.0/);
    assert.throws(() => parseStartupPacket(Buffer.from([0, 3, 0, 0, 0x75, 0x73, 0x65, 0x72, 0])), ProtocolViolation);
  });
});

describe('pgwire codec: backend messages', () => {
  it('round-trips every message, split at every byte boundary', () => {
    for (const m of BACKEND) {
      const bytes = backendBytes(m);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const frames = framesWithCut(bytes, cut, false);
        assert.equal(frames.length, 1, `${m.type} cut ${cut}`);
        assert.deepEqual(parseBackendMessage(frames[0]!.type!, frames[0]!.body), m, `${m.type} cut ${cut}`);
      }
    }
  });

  it('reads all of them from one chunk, and from every two-way split of the whole stream', () => {
    const all = backendBytes(...BACKEND);
    for (let cut = 0; cut <= all.length; cut += 7) {
      const frames = framesWithCut(all, cut, false);
      assert.deepEqual(frames.map((f) => parseBackendMessage(f.type!, f.body)), BACKEND);
    }
  });

  it('matches hand-built bytes', () => {
    assert.deepEqual(backendBytes({ type: 'ReadyForQuery', status: 'I' }), Buffer.from([0x5a, 0, 0, 0, 5, 0x49]));
    assert.deepEqual(backendBytes({ type: 'AuthenticationOk' }), Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]));
    assert.deepEqual(backendBytes({ type: 'CommandComplete', tag: 'SELECT 1' }), Buffer.from('C\0\0\0\x0dSELECT 1\0', 'latin1'));
    assert.deepEqual(backendBytes({ type: 'DataRow', values: [Buffer.from('1'), null] }), Buffer.from([0x44, 0, 0, 0, 15, 0, 2, 0, 0, 0, 1, 0x31, 0xff, 0xff, 0xff, 0xff]));
    assert.deepEqual(
      backendBytes({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] }),
      Buffer.concat([Buffer.from([0x52, 0, 0, 0, 23, 0, 0, 0, 10]), Buffer.from('SCRAM-SHA-256\0\0', 'latin1')]),
    );
    const err = backendBytes({ type: 'ErrorResponse', fields: { severity: 'ERROR', code: '42601', message: 'x', position: 3 } });
    assert.deepEqual(err, Buffer.from('E\0\0\0\x19SERROR\0C42601\0Mx\0P3\0\0', 'latin1'));
  });

  it('ignores unknown error fields, as clients must', () => {
    const body = Buffer.from('SERROR\0C42601\0Mx\0Zfuture\0\0', 'latin1');
    assert.deepEqual(parseBackendMessage(0x45, body), { type: 'ErrorResponse', fields: { severity: 'ERROR', code: '42601', message: 'x' } });
  });
});

describe('pgwire codec: frame splitter limits', () => {
  it('refuses a message larger than the limit as soon as its header arrives', () => {
    const f = new FrameSplitter({ maxMessageBytes: 1000 });
    f.startupPhase = false;
    f.push(Buffer.from([0x51, 0, 0, 0x03, 0xe9])); // length 1001, body not sent
    assert.throws(() => f.next(), (e: unknown) => e instanceof ProtocolViolation && /larger than this server's limit of 1000 bytes/.test(e.message));
    const ok = new FrameSplitter({ maxMessageBytes: 1000 });
    ok.startupPhase = false;
    ok.push(Buffer.from([0x51, 0, 0, 0x03, 0xe8]));
    assert.equal(ok.next(), undefined, 'exactly at the limit waits for the body');
  });

  it('refuses lengths below 4 and oversized or tiny startup packets', () => {
    const f = new FrameSplitter({ maxMessageBytes: 1000 });
    f.startupPhase = false;
    f.push(Buffer.from([0x51, 0, 0, 0, 3]));
    assert.throws(() => f.next(), /invalid message length 3/);
    const s = new FrameSplitter({ maxMessageBytes: 1000 });
    s.push(Buffer.from([0, 0, 0x27, 0x11])); // 10001
    assert.throws(() => s.next(), /invalid length of startup packet/);
    const t = new FrameSplitter({ maxMessageBytes: 1000 });
    t.push(Buffer.from([0, 0, 0, 4]));
    assert.throws(() => t.next(), /invalid length of startup packet/);
  });

  it('keeps bytes after a frame for the next call and reports what is buffered', () => {
    const f = new FrameSplitter({ maxMessageBytes: 1000 });
    const startup = serializeStartupPacket({ type: 'SSLRequest' });
    f.push(Buffer.concat([startup, Buffer.from([0x16, 0x03])]));
    assert.ok(f.next());
    assert.equal(f.buffered, 2, 'the TLS bytes that followed the SSLRequest are still there');
  });
});
