/**
 * The session state machine over real sockets, message by message: a raw wire client asserts
 * exact backend message sequences against the listener and the DuckDB test backend.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_3_0 } from '../../src/protocols/pgwire/messages/frontend.ts';
import { DATABASE, PASSWORD, USER, selfSignedCert, sleep, startHarness, until, type Harness } from './support/harness.ts';
import { WireClient, errorOf, rows, types, type Msg } from './support/wire-client.ts';

const cert = selfSignedCert();
const noTls = cert ? false : 'openssl is not installed';

const tags = (ms: Msg[]) => ms.flatMap((m) => (m.type === 'CommandComplete' ? [m.tag] : []));
const statusOf = (ms: Msg[]) => {
  const last = ms.at(-1);
  return last?.type === 'ReadyForQuery' ? last.status : undefined;
};
const params = (ms: Msg[]) => Object.fromEntries(ms.flatMap((m) => (m.type === 'ParameterStatus' ? [[m.name, m.value]] : [])));
const notices = (ms: Msg[]) => ms.flatMap((m) => (m.type === 'NoticeResponse' ? [`${m.fields.severity} ${m.fields.code} ${m.fields.message}`] : []));

describe('pgwire session: startup and authentication', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('authenticates with SCRAM-SHA-256 and reports the full ParameterStatus set and BackendKeyData', async () => {
    const { client, startup } = await h.connect({ application_name: 'wire-test', extra_float_digits: '3', DateStyle: 'ISO' });
    assert.deepEqual(types(startup).slice(0, 4), ['AuthenticationSASL', 'AuthenticationSASLContinue', 'AuthenticationSASLFinal', 'AuthenticationOk']);
    assert.deepEqual(startup[0], { type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] });
    assert.deepEqual(types(startup).slice(-2), ['BackendKeyData', 'ReadyForQuery']);
    assert.deepEqual(params(startup), {
      application_name: 'wire-test',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      default_transaction_read_only: 'on',
      in_hot_standby: 'off',
      integer_datetimes: 'on',
      IntervalStyle: 'postgres',
      is_superuser: 'off',
      server_encoding: 'UTF8',
      server_version: '15.18',
      session_authorization: USER,
      standard_conforming_strings: 'on',
      TimeZone: 'UTC',
    });
    const key = startup.find((m) => m.type === 'BackendKeyData');
    assert.ok(key?.type === 'BackendKeyData' && key.processId > 0 && key.secretKey.length === 4);
    assert.deepEqual(startup.at(-1), { type: 'ReadyForQuery', status: 'I' });
    const show = await client.query('SHOW extra_float_digits');
    assert.deepEqual(rows(show), [['3']]);
    client.close();
  });

  it('fails a wrong password and an unknown user alike with FATAL 28P01, and closes', async () => {
    for (const [user, password] of [[USER, 'wrong'], ['mallory', PASSWORD]] as const) {
      const c = await WireClient.connect(h.port);
      const ms = await c.login(user, password, DATABASE);
      assert.deepEqual(types(ms), ['AuthenticationSASL', 'AuthenticationSASLContinue', 'ErrorResponse'], user);
      assert.deepEqual(errorOf(ms), { severity: 'FATAL', severityNonLocalized: 'FATAL', code: '28P01', message: `password authentication failed for user "${user}"` });
      await c.readToEnd();
      assert.ok(c.closed);
    }
  });

  it('refuses an unknown database after authentication with FATAL 3D000', async () => {
    const c = await WireClient.connect(h.port);
    const ms = await c.login(USER, PASSWORD, 'globex');
    assert.deepEqual(types(ms).slice(-2), ['AuthenticationOk', 'ErrorResponse']);
    assert.equal(errorOf(ms)?.code, '3D000');
    assert.equal(errorOf(ms)?.message, 'database "globex" does not exist');
    await c.readToEnd();
    assert.ok(c.closed);
  });

  it('refuses a startup without a user, and unsupported startup options', async () => {
    const c = await WireClient.connect(h.port);
    c.sendStartup({ database: DATABASE });
    const ms = await c.readToEnd();
    assert.equal(errorOf(ms)?.code, '28000');
    const d = await WireClient.connect(h.port);
    const ms2 = await d.login(USER, PASSWORD, DATABASE, { options: '-c client_encoding=LATIN1' });
    assert.equal(errorOf(ms2)?.code, '0A000');
    assert.equal(errorOf(ms2)?.severity, 'FATAL');
  });

  it('answers GSSENCRequest and SSLRequest with N when no certificate is configured', async () => {
    const c = await WireClient.connect(h.port);
    c.sendStartupPacket({ type: 'GSSENCRequest' });
    assert.equal((await c.readRawBytes(1)).toString(), 'N');
    assert.equal(await c.requestTls(), 'N');
    const ms = await c.login(USER, PASSWORD, DATABASE);
    assert.equal(statusOf(ms), 'I');
    c.close();
  });

  it('negotiates protocol 3.2 and _pq_ options down to 3.0', async () => {
    const c = await WireClient.connect(h.port);
    c.sendStartup({ user: USER, database: DATABASE, '_pq_.compression': 'on' }, PROTOCOL_3_0 | 2);
    const first = await c.read();
    assert.deepEqual(first, { type: 'NegotiateProtocolVersion', newestMinor: 0, unrecognized: ['_pq_.compression'] });
    c.destroy();
  });

  it('passes a CancelRequest with a wrong key without effect and closes that connection silently', async () => {
    const c = await WireClient.connect(h.port);
    c.sendStartupPacket({ type: 'CancelRequest', processId: 1, secretKey: Buffer.from([1, 2, 3, 4]) });
    assert.deepEqual(await c.readToEnd(), []);
  });
});

describe('pgwire session: queries', () => {
  let h: Harness;
  let c: WireClient;
  before(async () => {
    h = await startHarness();
    c = (await h.connect()).client;
  });
  after(async () => {
    c.close();
    await h.close();
  });

  it('runs a multi-statement simple query: one result per statement, stopping at the first error', async () => {
    const ms = await c.query('SELECT 1 AS a; SELECT s FROM t WHERE i < 2 ORDER BY i; SELECT * FROM nope; SELECT 3');
    assert.deepEqual(types(ms), ['RowDescription', 'DataRow', 'CommandComplete', 'RowDescription', 'DataRow', 'DataRow', 'CommandComplete', 'ErrorResponse', 'ReadyForQuery']);
    assert.deepEqual(rows(ms), [['1'], ['x0'], ['x1']]);
    assert.deepEqual(tags(ms), ['SELECT 1', 'SELECT 2']);
    assert.equal(errorOf(ms)?.code, '42P01');
    assert.equal(statusOf(ms), 'I');
  });

  it('answers an empty query with EmptyQueryResponse, and a syntax error with 42601 and a position', async () => {
    assert.deepEqual(types(await c.query('')), ['EmptyQueryResponse', 'ReadyForQuery']);
    assert.deepEqual(types(await c.query(' ; -- nothing\n')), ['EmptyQueryResponse', 'ReadyForQuery']);
    const ms = await c.query('SELECT 1 FROM t WHER i = 1');
    assert.equal(errorOf(ms)?.code, '42601');
    assert.equal(errorOf(ms)?.position, 22);
  });

  it('refuses writes with 25006 (the backend classifies them)', async () => {
    const ms = await c.query('INSERT INTO t VALUES (1)');
    assert.deepEqual(errorOf(ms), { severity: 'ERROR', severityNonLocalized: 'ERROR', code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
  });

  it('runs the extended protocol: named statement, Describe S and P, binary results, Execute with a row limit', async () => {
    c.send(
      { type: 'Parse', name: 's1', sql: 'SELECT i, s, d FROM t WHERE i < $1 ORDER BY i', paramTypes: [] },
      { type: 'Describe', target: 'S', name: 's1' },
      { type: 'Sync' },
    );
    const d = await c.readUntil();
    assert.deepEqual(types(d), ['ParseComplete', 'ParameterDescription', 'RowDescription', 'ReadyForQuery']);
    assert.deepEqual(d[1], { type: 'ParameterDescription', types: [23] });
    const rd = d[2];
    assert.ok(rd?.type === 'RowDescription');
    assert.deepEqual(rd.fields.map((f) => [f.name, f.typeOid, f.format]), [['i', 23, 0], ['s', 25, 0], ['d', 1082, 0]]);

    c.send(
      { type: 'Bind', portal: 'p1', statement: 's1', paramFormats: [1], params: [Buffer.from([0, 0, 0, 5])], resultFormats: [1, 0, 1] },
      { type: 'Describe', target: 'P', name: 'p1' },
      { type: 'Execute', portal: 'p1', maxRows: 2 },
      { type: 'Execute', portal: 'p1', maxRows: 2 },
      { type: 'Execute', portal: 'p1', maxRows: 0 },
      { type: 'Execute', portal: 'p1', maxRows: 0 },
      { type: 'Sync' },
    );
    const ms = await c.readUntil();
    assert.deepEqual(types(ms), ['BindComplete', 'RowDescription', 'DataRow', 'DataRow', 'PortalSuspended', 'DataRow', 'DataRow', 'PortalSuspended', 'DataRow', 'CommandComplete', 'CommandComplete', 'ReadyForQuery']);
    const desc = ms[1];
    assert.ok(desc?.type === 'RowDescription');
    assert.deepEqual(desc.fields.map((f) => f.format), [1, 0, 1]);
    const first = ms[2];
    assert.ok(first?.type === 'DataRow');
    assert.deepEqual(first.values, [Buffer.from([0, 0, 0, 0]), Buffer.from('x0'), Buffer.from('000023ac', 'hex')], 'int4 0, text, date 2025-01-01 as 9132 days since 2000');
    assert.deepEqual(tags(ms), ['SELECT 1', 'SELECT 0'], 'an exhausted portal answers SELECT 0, as PostgreSQL does');

    // The named statement is reused with Bind only.
    c.send(
      { type: 'Bind', portal: '', statement: 's1', paramFormats: [], params: [Buffer.from('2')], resultFormats: [] },
      { type: 'Execute', portal: '', maxRows: 0 },
      { type: 'Sync' },
    );
    const again = await c.readUntil();
    assert.deepEqual(rows(again), [['0', 'x0', '2025-01-01'], ['1', 'x1', '2025-01-02']]);
  });

  it('skips every message after an error until Sync, then is ready again', async () => {
    c.send(
      { type: 'Parse', name: '', sql: 'SELECT nope FROM t', paramTypes: [] },
      { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] },
      { type: 'Execute', portal: '', maxRows: 0 },
      { type: 'Parse', name: '', sql: 'SELECT 1', paramTypes: [] },
      { type: 'Sync' },
    );
    const ms = await c.readUntil();
    // This backend finds the unknown column when the query runs (PostgreSQL finds it at Parse);
    // either way the rest of the batch, the second Parse included, is skipped.
    assert.deepEqual(types(ms), ['ParseComplete', 'BindComplete', 'ErrorResponse', 'ReadyForQuery']);
    assert.equal(errorOf(ms)?.code, '42703');
    assert.deepEqual(rows(await c.query('SELECT 2')), [['2']]);
  });

  it('checks Bind against the statement: unknown statement 26000, parameter count 08P01, duplicate names', async () => {
    c.send({ type: 'Bind', portal: '', statement: 'nope', paramFormats: [], params: [], resultFormats: [] }, { type: 'Sync' });
    assert.equal(errorOf(await c.readUntil())?.code, '26000');
    c.send(
      { type: 'Parse', name: 'two', sql: 'SELECT $1::int + $2::int', paramTypes: [] },
      { type: 'Describe', target: 'S', name: 'two' },
      { type: 'Bind', portal: '', statement: 'two', paramFormats: [], params: [Buffer.from('1')], resultFormats: [] },
      { type: 'Sync' },
    );
    const ms = await c.readUntil();
    assert.equal(errorOf(ms)?.code, '08P01');
    assert.equal(errorOf(ms)?.message, 'bind message supplies 1 parameters, but prepared statement "two" requires 2');
    c.send({ type: 'Parse', name: 'two', sql: 'SELECT 1', paramTypes: [] }, { type: 'Sync' });
    assert.equal(errorOf(await c.readUntil())?.code, '42P05');
    c.send({ type: 'Parse', name: '', sql: 'SELECT 1; SELECT 2', paramTypes: [] }, { type: 'Sync' });
    assert.equal(errorOf(await c.readUntil())?.message, 'cannot insert multiple commands into a prepared statement');
    c.send({ type: 'Close', target: 'S', name: 'two' }, { type: 'Close', target: 'S', name: 'never-existed' }, { type: 'Sync' });
    assert.deepEqual(types(await c.readUntil()), ['CloseComplete', 'CloseComplete', 'ReadyForQuery']);
    c.send({ type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] }, { type: 'Sync' });
    assert.equal(errorOf(await c.readUntil())?.code, '26000', 'a failed Parse of the unnamed statement dropped the old one');
    c.send(
      { type: 'Parse', name: '', sql: 'SELECT $1::int', paramTypes: [23] },
      { type: 'Bind', portal: '', statement: '', paramFormats: [1], params: [Buffer.from([1])], resultFormats: [] },
      { type: 'Sync' },
    );
    const bad = await c.readUntil();
    assert.equal(errorOf(bad)?.code, '22P03');
    assert.equal(errorOf(bad)?.message, 'incorrect binary data format in bind parameter 1');
  });

  it('answers Describe of a statement without rows with NoData and of an empty one likewise', async () => {
    c.send(
      { type: 'Parse', name: '', sql: 'SET search_path = public', paramTypes: [] },
      { type: 'Describe', target: 'S', name: '' },
      { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] },
      { type: 'Execute', portal: '', maxRows: 1 },
      { type: 'Parse', name: '', sql: '', paramTypes: [] },
      { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] },
      { type: 'Describe', target: 'P', name: '' },
      { type: 'Execute', portal: '', maxRows: 0 },
      { type: 'Sync' },
    );
    const ms = await c.readUntil();
    assert.deepEqual(types(ms), ['ParseComplete', 'ParameterDescription', 'NoData', 'BindComplete', 'CommandComplete', 'ParseComplete', 'BindComplete', 'NoData', 'EmptyQueryResponse', 'ReadyForQuery']);
  });

  it('tracks the transaction status byte and refuses commands in a failed transaction with 25P02', async () => {
    assert.equal(statusOf(await c.query('BEGIN')), 'T');
    assert.deepEqual(notices(await c.query('BEGIN')), ['WARNING 25001 there is already a transaction in progress']);
    assert.equal(statusOf(await c.query('SELECT 1')), 'T');
    const failed = await c.query('SELECT * FROM nope');
    assert.equal(statusOf(failed), 'E');
    const ignored = await c.query('SELECT 1');
    assert.equal(errorOf(ignored)?.code, '25P02');
    assert.equal(statusOf(ignored), 'E');
    const end = await c.query('COMMIT');
    assert.deepEqual(tags(end), ['ROLLBACK'], 'COMMIT of a failed transaction rolls back');
    assert.equal(statusOf(end), 'I');
    assert.deepEqual(notices(await c.query('COMMIT')), ['WARNING 25P01 there is no transaction in progress']);
    assert.deepEqual(notices(await c.query('ROLLBACK')), ['WARNING 25P01 there is no transaction in progress']);
    const sp = await c.query('BEGIN; SAVEPOINT a; SELECT * FROM nope');
    assert.equal(statusOf(sp), 'E');
    const back = await c.query('ROLLBACK TO SAVEPOINT a; SELECT 1; RELEASE a; COMMIT');
    assert.deepEqual(tags(back), ['ROLLBACK', 'SELECT 1', 'RELEASE', 'COMMIT']);
    assert.equal(statusOf(back), 'I');
    assert.equal(errorOf(await c.query('SAVEPOINT x'))?.code, '25P01');
    assert.equal(statusOf(await c.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')), 'T');
    assert.equal(statusOf(await c.query('END')), 'I');
  });

  it('emulates DECLARE / FETCH / MOVE / CLOSE cursors over portals', async () => {
    assert.equal(errorOf(await c.query('DECLARE c CURSOR FOR SELECT 1'))?.code, '25P01', 'outside a transaction block');
    await c.query('BEGIN');
    const decl = await c.query('DECLARE c NO SCROLL CURSOR FOR SELECT i FROM range(250) r(i)');
    assert.deepEqual(tags(decl), ['DECLARE CURSOR']);
    const f1 = await c.query('FETCH FORWARD 100 FROM c');
    assert.deepEqual(types(f1).slice(0, 2), ['RowDescription', 'DataRow']);
    assert.equal(rows(f1).length, 100);
    assert.deepEqual(rows(f1)[0], ['0']);
    assert.deepEqual(tags(f1), ['FETCH 100']);
    assert.deepEqual(tags(await c.query('MOVE 100 IN c')), ['MOVE 100']);
    const f3 = await c.query('FETCH 100 c');
    assert.deepEqual(rows(f3)[0], ['200']);
    assert.deepEqual(tags(f3), ['FETCH 50']);
    assert.deepEqual(tags(await c.query('FETCH NEXT FROM c')), ['FETCH 0']);
    assert.equal(errorOf(await c.query('FETCH BACKWARD 1 FROM c'))?.code, '55000');
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    await c.query('DECLARE "Big" BINARY CURSOR WITHOUT HOLD FOR SELECT 7::INTEGER AS n');
    const bin = await c.query('FETCH ALL FROM "Big"');
    const desc = bin.find((m) => m.type === 'RowDescription');
    assert.ok(desc?.type === 'RowDescription' && desc.fields[0]!.format === 1);
    assert.deepEqual(bin.find((m) => m.type === 'DataRow'), { type: 'DataRow', values: [Buffer.from([0, 0, 0, 7])] });
    assert.deepEqual(tags(await c.query('CLOSE "Big"')), ['CLOSE CURSOR']);
    assert.equal(errorOf(await c.query('FETCH 1 FROM "Big"'))?.code, '34000');
    await c.query('ROLLBACK');
    // WITH HOLD cursors outlive COMMIT; CLOSE ALL closes them.
    await c.query('DECLARE h CURSOR WITH HOLD FOR SELECT 1 UNION ALL SELECT 2');
    assert.deepEqual(rows(await c.query('FETCH 1 FROM h')), [['1']]);
    assert.deepEqual(tags(await c.query('CLOSE ALL')), ['CLOSE CURSOR ALL']);
    assert.equal(errorOf(await c.query('FETCH 1 FROM h'))?.code, '34000');
  });

  it('handles SET / SHOW / RESET itself, reporting changed settings with ParameterStatus', async () => {
    const set = await c.query("SET TimeZone TO 'america/new_york'");
    assert.deepEqual(types(set), ['CommandComplete', 'ParameterStatus', 'ReadyForQuery']);
    assert.deepEqual(params(set), { TimeZone: 'America/New_York' });
    assert.deepEqual(rows(await c.query('SHOW timezone')), [['America/New_York']]);
    const show = await c.query('SHOW TIME ZONE');
    const desc = show.find((m) => m.type === 'RowDescription');
    assert.ok(desc?.type === 'RowDescription' && desc.fields[0]!.name === 'TimeZone');
    assert.deepEqual(rows(await c.query("SELECT TIMESTAMPTZ '2025-01-02 03:04:05+00' AS x")), [['2025-01-01 22:04:05-05']], 'rendered in the session TimeZone');
    assert.equal(errorOf(await c.query("SET TimeZone = 'Mars/Olympus'"))?.code, '22023');
    assert.equal(errorOf(await c.query("SET client_encoding = 'LATIN1'"))?.code, '0A000');
    assert.deepEqual(params(await c.query("SET NAMES 'utf-8'")), { client_encoding: 'UTF8' });
    assert.equal(errorOf(await c.query("SET DateStyle = 'German'"))?.code, '0A000');
    assert.deepEqual(params(await c.query("SET datestyle = 'iso, dmy'")), { DateStyle: 'ISO, DMY' });
    assert.equal(errorOf(await c.query('SET standard_conforming_strings = off'))?.code, '0A000');
    assert.equal(errorOf(await c.query('SET server_version = 9'))?.code, '0A000');
    assert.deepEqual(params(await c.query("SET application_name = 'metabase'")), { application_name: 'metabase' });
    assert.deepEqual(rows(await c.query('SHOW transaction isolation level')), [['read committed']]);
    assert.deepEqual(rows(await c.query("SET my.custom = 'x'; SHOW my.custom")), [['x']]);
    assert.equal(errorOf(await c.query('SHOW no_such_setting'))?.code, '42704');
    assert.deepEqual(tags(await c.query('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED')), ['SET']);
    assert.deepEqual(tags(await c.query('SET SESSION AUTHORIZATION DEFAULT; SET ROLE NONE')), ['SET', 'SET']);
    assert.equal(errorOf(await c.query('SET ROLE postgres'))?.code, '42501');
    assert.deepEqual(notices(await c.query("SET LOCAL TimeZone = 'UTC'")), ['WARNING 25P01 SET LOCAL can only be used in transaction blocks']);
    // Settings changed in a rolled-back transaction are undone (and reported again).
    const rb = await c.query("BEGIN; SET TimeZone = 'Asia/Tokyo'; ROLLBACK");
    assert.deepEqual(params(rb), { TimeZone: 'America/New_York' });
    const local = await c.query("BEGIN; SET LOCAL extra_float_digits = 0; SHOW extra_float_digits; COMMIT; SHOW extra_float_digits");
    assert.deepEqual(rows(local), [['0'], ['1']]);
    const reset = await c.query('RESET ALL');
    assert.deepEqual(params(reset), { TimeZone: 'UTC', application_name: '', DateStyle: 'ISO, MDY' });
    const all = await c.query('SHOW ALL');
    assert.ok(rows(all).some((r) => r[0] === 'server_version' && r[1] === '15.18'));
    assert.ok(h.backend.log.settings.some(([k, v]) => k === 'timezone' && v === 'America/New_York'), 'the backend is told');
  });

  it('no-ops DISCARD / DEALLOCATE / LISTEN with the right tags, DISCARD ALL resetting the session', async () => {
    c.send({ type: 'Parse', name: 'keep', sql: 'SELECT 1', paramTypes: [] }, { type: 'Sync' });
    await c.readUntil();
    await c.query("SET application_name = 'x'");
    const ms = await c.query('DISCARD ALL');
    assert.deepEqual(tags(ms), ['DISCARD ALL']);
    assert.deepEqual(params(ms), { application_name: '' });
    c.send({ type: 'Bind', portal: '', statement: 'keep', paramFormats: [], params: [], resultFormats: [] }, { type: 'Sync' });
    assert.equal(errorOf(await c.readUntil())?.code, '26000', 'DISCARD ALL deallocated it');
    const pool = await c.query('SET SESSION AUTHORIZATION DEFAULT;RESET ALL;CLOSE ALL;UNLISTEN *;DISCARD SEQUENCES;DISCARD TEMP;DEALLOCATE ALL;LISTEN x');
    assert.deepEqual(tags(pool), ['SET', 'RESET', 'CLOSE CURSOR ALL', 'UNLISTEN', 'DISCARD SEQUENCES', 'DISCARD TEMP', 'DEALLOCATE ALL', 'LISTEN']);
    assert.equal(errorOf(await c.query('DEALLOCATE nope'))?.code, '26000');
  });

  it('streams COPY (query) TO STDOUT in text and CSV', async () => {
    const ms = await c.query("COPY (SELECT i, s, NULL AS n, 'a\tb' AS tab FROM t WHERE i < 2 ORDER BY i) TO STDOUT");
    assert.deepEqual(types(ms), ['CopyOutResponse', 'CopyData', 'CopyData', 'CopyDone', 'CommandComplete', 'ReadyForQuery']);
    const data = ms.flatMap((m) => (m.type === 'CopyData' ? [m.data.toString()] : []));
    assert.deepEqual(data, ['0\tx0\t\\N\ta\\tb\n', '1\tx1\t\\N\ta\\tb\n']);
    assert.deepEqual(tags(ms), ['COPY 2']);
    const csv = await c.query("COPY (SELECT 'a,b' AS x, '' AS e, NULL AS n, 'q\"' AS q) TO STDOUT WITH (FORMAT csv, HEADER)");
    assert.deepEqual(csv.flatMap((m) => (m.type === 'CopyData' ? [m.data.toString()] : [])), ['x,e,n,q\n', '"a,b","",,"q"""\n']);
  });

  it('refuses the fast-path function call and ignores stray CopyData', async () => {
    c.send({ type: 'FunctionCall', body: Buffer.from([0, 0, 0, 1]) });
    const ms = await c.readUntil();
    assert.deepEqual(types(ms), ['ErrorResponse', 'ReadyForQuery']);
    assert.equal(errorOf(ms)?.code, '0A000');
    c.send({ type: 'CopyData', data: Buffer.from('x') }, { type: 'CopyDone' }, { type: 'Query', sql: 'SELECT 1' });
    assert.deepEqual(rows(await c.readUntil()), [['1']]);
  });
});

describe('pgwire session: cancel, timeouts, limits, shutdown', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ maxConnections: 3, maxMessageBytes: 4096 });
  });
  after(() => h.close());

  const LONG = 'SELECT count(*) FROM range(100000000000) a(x) WHERE x % 7 = 3';

  it('cancels a running query through a CancelRequest on another connection (57014), matched by pid and secret', async () => {
    const { client, startup } = await h.connect();
    const key = startup.find((m) => m.type === 'BackendKeyData');
    assert.ok(key?.type === 'BackendKeyData');
    client.send({ type: 'Query', sql: LONG });
    await until(() => h.backend.log.running > 0, 10_000, 'the query to start');
    // A wrong secret does nothing.
    const bad = await WireClient.connect(h.port);
    bad.sendStartupPacket({ type: 'CancelRequest', processId: key.processId, secretKey: Buffer.from(key.secretKey.map((b) => b ^ 0xff)) });
    await bad.readToEnd();
    await sleep(100);
    assert.equal(h.backend.log.running, 1, 'still running');
    const cancel = await WireClient.connect(h.port);
    cancel.sendStartupPacket({ type: 'CancelRequest', processId: key.processId, secretKey: key.secretKey });
    assert.deepEqual(await cancel.readToEnd(), []);
    const ms = await client.readUntil();
    assert.deepEqual(types(ms), ['ErrorResponse', 'ReadyForQuery']);
    assert.deepEqual(errorOf(ms), { severity: 'ERROR', severityNonLocalized: 'ERROR', code: '57014', message: 'canceling statement due to user request' });
    assert.deepEqual(rows(await client.query('SELECT 1')), [['1']], 'the session goes on');
    client.close();
  });

  it('stops a statement at statement_timeout with 57014', async () => {
    const { client } = await h.connect({ statement_timeout: '150ms' });
    const ms = await client.query(LONG);
    assert.deepEqual(errorOf(ms), { severity: 'ERROR', severityNonLocalized: 'ERROR', code: '57014', message: 'canceling statement due to statement timeout' });
    await client.query('SET statement_timeout = 0');
    assert.deepEqual(rows(await client.query('SELECT 1')), [['1']]);
    client.close();
  });

  it('ends an idle session at idle_session_timeout with FATAL 57P05', async () => {
    const { client } = await h.connect();
    await client.query("SET idle_session_timeout = '100ms'");
    const ms = await client.readToEnd(5000);
    assert.equal(errorOf(ms)?.code, '57P05');
    assert.equal(errorOf(ms)?.severity, 'FATAL');
    assert.ok(client.closed);
  });

  it('refuses a message larger than the limit with FATAL 08P01 and closes', async () => {
    const { client } = await h.connect();
    client.send({ type: 'Query', sql: `SELECT '${'x'.repeat(5000)}'` });
    const ms = await client.readToEnd();
    assert.equal(errorOf(ms)?.code, '08P01');
    assert.match(errorOf(ms)?.message ?? '', /larger than this server's limit of 4096 bytes/);
    assert.ok(client.closed);
  });

  it('refuses a connection over the limit with FATAL 53300', async () => {
    const held = [await h.connect(), await h.connect(), await h.connect()];
    const c = await WireClient.connect(h.port);
    c.sendStartup({ user: USER, database: DATABASE });
    const ms = await c.readToEnd();
    assert.deepEqual(errorOf(ms), { severity: 'FATAL', severityNonLocalized: 'FATAL', code: '53300', message: 'sorry, too many clients already' });
    for (const x of held) x.client.close();
    await until(() => h.listener.sessions().length === 0, 5000, 'sessions to end');
    const ok = await h.connect();
    ok.client.close();
  });

  it('shuts down gracefully: a running statement is aborted, every session gets FATAL 57P01', async () => {
    const h2 = await startHarness();
    const idle = await h2.connect();
    const busy = await h2.connect();
    busy.client.send({ type: 'Query', sql: LONG });
    await until(() => h2.backend.log.running > 0, 10_000, 'the query to start');
    await h2.listener.close({ graceMs: 50 });
    for (const c of [idle.client, busy.client]) {
      const ms = await c.readToEnd();
      assert.deepEqual(errorOf(ms), { severity: 'FATAL', severityNonLocalized: 'FATAL', code: '57P01', message: 'terminating connection due to administrator command' });
      assert.ok(c.closed);
    }
    await until(() => h2.backend.log.running === 0, 5000, 'the query to stop');
    assert.equal(h2.backend.log.sessionsClosed, 2);
    h2.backend.close();
  });
});

describe('pgwire session: TLS', { skip: noTls }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ tls: cert!, requireTls: true, authMethod: 'password' });
  });
  after(() => h.close());

  it('upgrades on SSLRequest and then allows a cleartext password (TLS only)', async () => {
    const c = await WireClient.connect(h.port);
    assert.equal(await c.requestTls(), 'S');
    const ms = await c.login(USER, PASSWORD, DATABASE);
    assert.deepEqual(types(ms).slice(0, 2), ['AuthenticationCleartextPassword', 'AuthenticationOk']);
    assert.deepEqual(rows(await c.query('SELECT 42')), [['42']]);
    c.close();
    const w = await WireClient.connect(h.port);
    await w.requestTls();
    assert.equal(errorOf(await w.login(USER, 'nope', DATABASE))?.code, '28P01');
  });

  it('refuses a plaintext startup when TLS is required', async () => {
    const c = await WireClient.connect(h.port);
    c.sendStartup({ user: USER, database: DATABASE });
    const ms = await c.readToEnd();
    assert.equal(errorOf(ms)?.code, '28000');
    assert.equal(errorOf(ms)?.message, 'this server requires an encrypted (TLS) connection');
    assert.match(errorOf(ms)?.hint ?? '', /sslmode=require/);
  });

  it('refuses plaintext bytes sent after SSLRequest before the handshake (08P01)', async () => {
    const c = await WireClient.connect(h.port);
    c.write(Buffer.concat([
      Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
      Buffer.from([0, 0, 0, 9, 0, 3, 0, 0, 0]),
    ]));
    const ms = await c.readToEnd();
    assert.equal(errorOf(ms)?.code, '08P01');
    assert.equal(errorOf(ms)?.message, 'received unencrypted data after SSL request');
  });

  it('uses SCRAM over a plain connection even when cleartext is preferred', async () => {
    const h2 = await startHarness({ authMethod: 'password' });
    const c = await WireClient.connect(h2.port);
    const ms = await c.login(USER, PASSWORD, DATABASE);
    assert.equal(ms[0]?.type, 'AuthenticationSASL');
    c.close();
    await h2.close();
  });
});
