/**
 * Differential tests against a real PostgreSQL 15: for each value, PostgreSQL's own text and
 * binary output are the expectation. Our codec reads PostgreSQL's binary bytes, then must print
 * exactly PostgreSQL's text and write exactly PostgreSQL's bytes. Skipped when no PostgreSQL
 * server is installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writer } from '../../src/protocols/pgwire/messages/bytes.ts';
import { resolveTimeZone } from '../../src/protocols/pgwire/timezone.ts';
import { DEFAULT_FORMAT_CONTEXT, codecForOid, type FormatContext } from '../../src/protocols/pgwire/types.ts';
import { postgresBinDir, startRealPostgres, type RealPostgres } from './support/postgres.ts';
import { WireClient, errorOf, types } from './support/wire-client.ts';

const skip = postgresBinDir() === undefined ? 'no PostgreSQL server installed (apt-get install postgresql)' : false;

/** SQL literals by type; each is selected as `<literal>::<type>`. */
const VALUES: [string, string[]][] = [
  ['float8', ['0.1', '1e20', '1e15', '1e14', '123456789012345678', '0.0001', '0.00001', '-0', '0', 'NaN', 'Infinity', '-Infinity', '0.3333333333333333', '5e-324', '1.7976931348623157e308', '-2.5', '12345.678', '1.5e300', '4.35', '2e-7']],
  ['float4', ['0.1', '1e6', '100000', '3.4028235e38', '0.33333334', '1.5', '0.00001', '16777216', '-0', 'NaN', '1.17549435e-38', '7.1e-5']],
  ['numeric', ['123.45', '-0.001', '0', '0.00', '100000', '12345678901234567890.0001', 'NaN', '1e-10', '-5.5000', '9999.9999', '0.1', '1000000.000001', 'Infinity', '-Infinity']],
  ['int2', ['0', '-32768', '32767']],
  ['int4', ['0', '-2147483648', '2147483647']],
  ['int8', ['0', '-9223372036854775808', '9223372036854775807']],
  ['bool', ['true', 'false']],
  ['text', ["'héllo wörld'", "''", "'tab\tnew\nline'"]],
  ['bytea', ["'\\x616200ff'", "''", "'\\x5c'"]],
  ['uuid', ["'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"]],
  ['date', ["'2025-01-02'", "'0001-01-01'", "'0044-03-15 BC'", "'infinity'", "'-infinity'", "'5874897-12-31'", "'2000-01-01'", "'1999-12-31'"]],
  ['time', ["'00:00'", "'12:34:56.789'", "'24:00:00'", "'23:59:59.999999'", "'01:02:03.1'"]],
  ['timestamp', ["'2025-01-02 03:04:05.123456'", "'2025-01-02 03:04:05.12'", "'0001-01-01 00:00:00 BC'", "'294276-12-31 23:59:59'", "'infinity'", "'-infinity'", "'2000-01-01'", "'1969-12-31 23:59:59.999999'"]],
  ['timestamptz', ["'2025-01-02 03:04:05.123456+00'", "'2025-07-01 12:00:00+00'", "'1960-01-01 00:00:00+00'", "'infinity'", "'2024-03-10 07:30:00+00'"]],
  ['interval', ["'1 year 2 mons 3 days 04:05:06'", "'-1 year -2 mons +3 days -04:05:06'", "'0'", "'1 mon'", "'-1 days'", "'00:00:00.000001'", "'25:00:00'", "'-1.5 seconds'", "'2 years 1 mon -3 days 25:00:00'", "'178956970 years 7 mons'", "'-3 days +04:00'", "'1 day -00:00:01'"]],
  ['json', [`'{"a": [1, 2.5, "x"]}'`]],
  ['jsonb', [`'{"b": 1, "a": [1, 2.5, "x"]}'`]],
  ['int4[]', ["'{1,2,NULL}'", "'{}'", "'{{1,2},{3,4}}'"]],
  ['int8[]', ["'{9223372036854775807,-1}'"]],
  ['text[]', [`'{a,"b,c",NULL,""," x","NULL","q\\"\\\\","{}"}'`, "'{\"tab\there\"}'"]],
  ['float8[]', ["'{0.1,NaN,-Infinity,1e20}'"]],
  ['float4[]', ["'{0.1,1e6}'"]],
  ['numeric[]', ["'{1.50,-2,NaN}'"]],
  ['bool[]', ["'{t,f,NULL}'"]],
  ['date[]', ["'{2025-01-02,infinity}'"]],
  ['timestamp[]', ["'{\"2025-01-02 03:04:05\",\"2025-01-02 03:04:05.5\"}'"]],
  ['timestamptz[]', ["'{\"2025-01-02 03:04:05+00\"}'"]],
  ['bytea[]', ["'{\"\\\\x6162\",NULL}'"]],
  ['uuid[]', ["'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"]],
  ['interval[]', ["'{\"1 day\",\"-00:00:01\"}'"]],
  ['varchar[]', ["'{x,\"y z\"}'"]],
  ['json[]', [`ARRAY['{"a":1}'::json, '[]'::json]`]],
];

/** A literal as a typed SQL value (bare words and numbers are quoted, as PostgreSQL's input expects). */
const sqlValue = (l: string, type: string): string => (l.startsWith('ARRAY') ? l : l.startsWith("'") ? `${l}::${type}` : `'${l}'::${type}`);

/**
 * Zone names and offsets as clients send them. (Zones whose pre-1970 history differs between the
 * tz database versions of PostgreSQL and of Node's ICU, such as EST5EDT, are left out.)
 */
const TIME_ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Paris', 'GMT-02:00', 'UTC+3', '+02', '-05:30', '5.5', 'Etc/GMT-2', 'europe/berlin'];

describe('pgwire types vs a real PostgreSQL 15', { skip }, () => {
  let server: RealPostgres | undefined;
  let pgc: WireClient;

  before(async () => {
    server = await startRealPostgres();
    pgc = await WireClient.connect(server!.port);
    pgc.sendStartup({ user: 'postgres', database: 'postgres' });
    await pgc.readUntil('ReadyForQuery');
  });

  after(() => {
    pgc?.close();
    server?.stop();
  });

  async function exec(sql: string): Promise<void> {
    const r = await pgc.query(sql);
    assert.equal(errorOf(r), undefined, sql);
  }

  /** OIDs, text and binary of one row, as PostgreSQL sends them (raw bytes off the wire). */
  async function fetchBoth(sql: string, params: string[] = []): Promise<{ oids: number[]; text: (string | null)[]; binary: (Buffer | null)[] }> {
    const run = async (format: number) => {
      pgc.send(
        { type: 'Parse', name: '', sql, paramTypes: [] },
        { type: 'Bind', portal: '', statement: '', paramFormats: [], params: params.map((p) => Buffer.from(p)), resultFormats: [format] },
        { type: 'Describe', target: 'P', name: '' },
        { type: 'Execute', portal: '', maxRows: 0 },
        { type: 'Sync' },
      );
      const ms = await pgc.readUntil();
      assert.equal(errorOf(ms), undefined, `${sql}: ${errorOf(ms)?.message}`);
      const desc = ms.find((m) => m.type === 'RowDescription');
      const row = ms.find((m) => m.type === 'DataRow');
      assert.ok(desc?.type === 'RowDescription' && row?.type === 'DataRow');
      return { oids: desc.fields.map((f) => f.typeOid), values: row.values };
    };
    const t = await run(0);
    const b = await run(1);
    return { oids: t.oids, text: t.values.map((v) => (v === null ? null : v.toString('utf8'))), binary: b.values };
  }

  async function check(ctx: FormatContext, label: string): Promise<number> {
    let checked = 0;
    for (const [type, literals] of VALUES) {
      const sql = `SELECT ${literals.map((l) => sqlValue(l, type)).join(', ')}`;
      const got = await fetchBoth(sql);
      got.oids.forEach((oid, i) => {
        const codec = codecForOid(oid);
        assert.ok(codec, `no codec for ${type} (oid ${oid})`);
        const binary = got.binary[i]!;
        const v = codec.parseBinary(binary, ctx);
        const where = `${label} ${literals[i]}::${type}`;
        assert.equal(codec.text(v, ctx), got.text[i], `text of ${where}`);
        const w = new Writer();
        codec.binary(v, ctx, w);
        assert.equal(w.take().subarray(4).toString('hex'), binary.toString('hex'), `binary of ${where}`);
        checked++;
      });
    }
    return checked;
  }

  it('prints and sends every value exactly as PostgreSQL does (UTC, extra_float_digits 1)', async () => {
    await exec("SET TimeZone = 'UTC'");
    await exec('SET extra_float_digits = 1');
    const n = await check(DEFAULT_FORMAT_CONTEXT, 'UTC');
    assert.ok(n > 100, `${n} values checked`);
  });

  it('prints timestamptz in other session time zones exactly as PostgreSQL does', async () => {
    for (const tz of TIME_ZONES) {
      await exec(`SET TimeZone = '${tz}'`);
      const zone = resolveTimeZone(tz);
      assert.ok(zone, tz);
      const shown = await fetchBoth('SELECT current_setting(\'TimeZone\')');
      assert.equal(zone.name, shown.text[0], `SHOW TimeZone after SET TimeZone = '${tz}'`);
      const ctx = { ...DEFAULT_FORMAT_CONTEXT, timeZone: zone };
      const got = await fetchBoth(
        "SELECT '2025-01-02 03:04:05.123456+00'::timestamptz, '2025-07-01 12:00:00+00'::timestamptz, '1960-06-01 00:00:00+00'::timestamptz, " +
          "'2024-10-06 15:45:00+00'::timestamptz, '{\"2025-01-02 03:04:05+00\"}'::timestamptz[]",
      );
      got.oids.forEach((oid, i) => {
        const c = codecForOid(oid)!;
        assert.equal(c.text(c.parseBinary(got.binary[i]!, ctx), ctx), got.text[i], `${tz} #${i}`);
      });
    }
    await exec("SET TimeZone = 'UTC'");
  });

  it('prints floats as PostgreSQL does for every extra_float_digits', async () => {
    for (const efd of [3, 2, 0, -3, -15]) {
      await exec(`SET extra_float_digits = ${efd}`);
      const ctx = { ...DEFAULT_FORMAT_CONTEXT, extraFloatDigits: efd };
      const got = await fetchBoth(`SELECT ${VALUES[0]![1].map((l) => sqlValue(l, 'float8')).join(', ')}, ${VALUES[1]![1].map((l) => sqlValue(l, 'float4')).join(', ')}`);
      got.oids.forEach((oid, i) => {
        const c = codecForOid(oid)!;
        assert.equal(c.text(c.parseBinary(got.binary[i]!, ctx), ctx), got.text[i], `extra_float_digits ${efd} #${i}`);
      });
    }
    await exec('SET extra_float_digits = 1');
  });

  it('reads text parameters as PostgreSQL\'s input functions do', async () => {
    const inputs: [string, string][] = [
      ['int4', ' 42 '], ['int8', '-9223372036854775808'], ['bool', 'yes'], ['float8', '1e-5'], ['numeric', '1.5e3'], ['numeric', '-000.0100'],
      ['date', '2025-01-02'], ['date', '0001-12-31 BC'], ['time', '12:34:56.789'], ['timestamp', '2025-01-02T03:04:05.5'],
      ['timestamptz', '2025-01-02 03:04:05+02'], ['timestamptz', '2025-01-02 03:04:05.123456Z'], ['interval', '1 day 02:00:00'],
      ['interval', 'P1Y2M3DT4H5M6S'], ['interval', '@ 1 hour ago'], ['int4[]', '{1,2,NULL}'], ['text[]', '{"a b",c,"NULL",NULL}'],
      ['bytea', '\\x6162'], ['uuid', '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'],
    ];
    for (const [type, input] of inputs) {
      const r = await fetchBoth(`SELECT $1::${type}`, [input]);
      const c = codecForOid(r.oids[0]!)!;
      const ours = c.parseText(input, DEFAULT_FORMAT_CONTEXT);
      const theirs = c.parseBinary(r.binary[0]!, DEFAULT_FORMAT_CONTEXT);
      assert.deepEqual(ours, theirs, `${type} '${input}'`);
    }
  });

  it('answers protocol corner cases the way our session does (reference sequences)', async () => {
    const w = pgc;
    // Execute with a row limit that is exactly the row count: PortalSuspended, then 0 rows.
    w.send(
      { type: 'Query', sql: 'BEGIN' },
    );
    await w.readUntil();
    w.send(
      { type: 'Parse', name: '', sql: 'SELECT * FROM generate_series(1,2)', paramTypes: [] },
      { type: 'Bind', portal: 'p', statement: '', paramFormats: [], params: [], resultFormats: [] },
      { type: 'Execute', portal: 'p', maxRows: 2 },
      { type: 'Execute', portal: 'p', maxRows: 2 },
      { type: 'Execute', portal: 'p', maxRows: 2 },
      { type: 'Sync' },
    );
    const seq = await w.readUntil();
    assert.deepEqual(types(seq), ['ParseComplete', 'BindComplete', 'DataRow', 'DataRow', 'PortalSuspended', 'CommandComplete', 'CommandComplete', 'ReadyForQuery']);
    assert.deepEqual(seq.filter((m) => m.type === 'CommandComplete').map((m) => (m.type === 'CommandComplete' ? m.tag : '')), ['SELECT 0', 'SELECT 0']);
    // An error in a batch: everything up to Sync is skipped.
    w.send(
      // A run-time error (1/0 as a constant fails already at Bind, when PostgreSQL plans).
      { type: 'Parse', name: '', sql: 'SELECT 1/(x-1) FROM generate_series(1,1) x', paramTypes: [] },
      { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] },
      { type: 'Execute', portal: '', maxRows: 0 },
      { type: 'Parse', name: '', sql: 'SELECT 1', paramTypes: [] },
      { type: 'Sync' },
    );
    const err = await w.readUntil();
    assert.deepEqual(types(err), ['ParseComplete', 'BindComplete', 'ErrorResponse', 'ReadyForQuery']);
    assert.deepEqual(err.at(-1), { type: 'ReadyForQuery', status: 'E' });
    const multi = await w.query('ROLLBACK; SELECT 1; SELECT 1/0; SELECT 2');
    assert.deepEqual(types(multi), ['CommandComplete', 'RowDescription', 'DataRow', 'CommandComplete', 'ErrorResponse', 'ReadyForQuery']);
    const empty = await w.query('');
    assert.deepEqual(types(empty), ['EmptyQueryResponse', 'ReadyForQuery']);
    const onlySemis = await w.query(' ; ;');
    assert.deepEqual(types(onlySemis), ['EmptyQueryResponse', 'ReadyForQuery']);
  });
});
