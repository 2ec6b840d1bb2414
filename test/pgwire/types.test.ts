import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE_TYPE_KINDS, EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineType, type EngineValue } from '../../src/engine/engine.ts';
import { numericFromBinary, numericToBinary } from '../../src/protocols/pgwire/binary.ts';
import { Writer } from '../../src/protocols/pgwire/messages/bytes.ts';
import {
  formatFloat4, formatFloat8, formatInterval, formatDate, formatTime, formatTimestamp, formatTimestamptz, formatByteaEscape,
} from '../../src/protocols/pgwire/text.ts';
import { resolveTimeZone, UTC } from '../../src/protocols/pgwire/timezone.ts';
import {
  DEFAULT_FORMAT_CONTEXT, OID, ParamDecodeError, codecForOid, decodeParam, pgColumnType, type FormatContext,
} from '../../src/protocols/pgwire/types.ts';

const ctx = DEFAULT_FORMAT_CONTEXT;
const text = (t: EngineType, v: EngineValue, c: FormatContext = ctx): string => pgColumnType(t).codec.text(v, c);
const bin = (t: EngineType, v: EngineValue): string => {
  const w = new Writer();
  pgColumnType(t).codec.binary(v, ctx, w);
  return w.take().toString('hex');
};
const ts = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

describe('pgwire types: engine type → PostgreSQL type', () => {
  it('maps every engine type kind to a standard OID with a codec (exhaustive)', () => {
    const expected: Record<string, [number, number]> = {
      boolean: [16, 1], tinyint: [21, 2], smallint: [21, 2], utinyint: [21, 2], integer: [23, 4], usmallint: [23, 4],
      bigint: [20, 8], uinteger: [20, 8], ubigint: [1700, -1], hugeint: [1700, -1], decimal: [1700, -1], real: [700, 4],
      double: [701, 8], varchar: [25, -1], json: [114, -1], blob: [17, -1], uuid: [2950, 16], date: [1082, 4], time: [1083, 8],
      timestamp: [1114, 8], timestamptz: [1184, 8], interval: [1186, 16], list: [1009, -1], struct: [114, -1], map: [114, -1],
      null: [25, -1],
    };
    for (const kind of ENGINE_TYPE_KINDS) {
      const t: EngineType = kind === 'list' ? { kind, element: { kind: 'varchar' } } : { kind };
      const c = pgColumnType(t);
      assert.deepEqual([c.oid, c.typlen], expected[kind], kind);
      assert.ok(codecForOid(c.oid), `${kind}: OID ${c.oid} has a codec`);
      // Structs and maps print through a codec bound to their engine type (map vs struct); the rest share the OID's.
      if (kind !== 'struct' && kind !== 'map') assert.equal(c.codec, codecForOid(c.oid), kind);
    }
  });

  it('maps lists of scalars to array OIDs and nested/struct lists to json', () => {
    const arr = (element: EngineType) => pgColumnType({ kind: 'list', element }).oid;
    assert.equal(arr({ kind: 'boolean' }), 1000);
    assert.equal(arr({ kind: 'smallint' }), 1005);
    assert.equal(arr({ kind: 'integer' }), 1007);
    assert.equal(arr({ kind: 'bigint' }), 1016);
    assert.equal(arr({ kind: 'varchar' }), 1009);
    assert.equal(arr({ kind: 'real' }), 1021);
    assert.equal(arr({ kind: 'double' }), 1022);
    assert.equal(arr({ kind: 'decimal', precision: 10, scale: 2 }), 1231);
    assert.equal(arr({ kind: 'date' }), 1182);
    assert.equal(arr({ kind: 'timestamp' }), 1115);
    assert.equal(arr({ kind: 'timestamptz' }), 1185);
    assert.equal(arr({ kind: 'uuid' }), 2951);
    assert.equal(arr({ kind: 'json' }), 199);
    assert.equal(arr({ kind: 'list', element: { kind: 'integer' } }), 114);
    assert.equal(arr({ kind: 'struct', fields: [] }), 114);
    assert.equal(pgColumnType({ kind: 'decimal', precision: 18, scale: 2 }).typmod, ((18 << 16) | 2) + 4);
    assert.equal(pgColumnType({ kind: 'integer' }).typmod, -1);
  });
});

describe('pgwire types: text output is PostgreSQL 15\'s', () => {
  it('prints float8 as the shortest round-trip string (extra_float_digits >= 1)', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'], [1e20, '1e+20'], [1e15, '1e+15'], [1e14, '100000000000000'], [1.2345678901234568e17, '1.2345678901234568e+17'],
      [0.0001, '0.0001'], [0.00001, '1e-05'], [-0, '-0'], [0, '0'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
      [1 / 3, '0.3333333333333333'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-2.5, '-2.5'],
      [100, '100'], [12345.678, '12345.678'], [1.5e300, '1.5e+300'], [0.000123456, '0.000123456'],
    ];
    for (const [v, want] of cases) assert.equal(formatFloat8(v, 1), want, String(v));
    assert.equal(text({ kind: 'double' }, 0.1), '0.1');
  });

  it('prints float8 with %.{15+n}g when extra_float_digits <= 0', () => {
    assert.equal(formatFloat8(1 / 3, 0), '0.333333333333333');
    assert.equal(formatFloat8(1.2345678901234568e17, 0), '1.23456789012346e+17');
    assert.equal(formatFloat8(0.1, 0), '0.1');
    assert.equal(formatFloat8(1 / 3, -3), '0.333333333333');
    assert.equal(formatFloat8(1e20, 0), '1e+20');
  });

  it('prints float4 as the shortest string that reads back as the same float4', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'], [1e6, '1e+06'], [100000, '100000'], [Math.fround(3.4028235e38), '3.4028235e+38'], [1 / 3, '0.33333334'],
      [1.5, '1.5'], [0.00001, '1e-05'], [16777216, '1.6777216e+07'], [-0, '-0'],
    ];
    for (const [v, want] of cases) assert.equal(formatFloat4(v, 1), want, String(v));
    assert.equal(formatFloat4(1 / 3, 0), '0.333333');
    assert.equal(text({ kind: 'real' }, 0.1), '0.1', 'not 0.10000000149011612');
  });

  it('prints intervals in the postgres style', () => {
    const h = 3_600_000_000n;
    assert.equal(formatInterval(14, 3, 4n * h + 5n * 60_000_000n + 6_000_000n), '1 year 2 mons 3 days 04:05:06');
    assert.equal(formatInterval(0, 0, 0n), '00:00:00');
    assert.equal(formatInterval(-14, 3, -(4n * h + 5n * 60_000_000n + 6_000_000n)), '-1 years -2 mons +3 days -04:05:06');
    assert.equal(formatInterval(1, 0, 0n), '1 mon');
    assert.equal(formatInterval(2, 0, 0n), '2 mons');
    assert.equal(formatInterval(0, -1, 0n), '-1 days');
    assert.equal(formatInterval(0, 1, 0n), '1 day');
    assert.equal(formatInterval(0, 0, 1n), '00:00:00.000001');
    assert.equal(formatInterval(0, 0, -1_500_000n), '-00:00:01.5');
    assert.equal(formatInterval(25, -3, 25n * h), '2 years 1 mon -3 days +25:00:00');
    assert.equal(text({ kind: 'interval' }, new EngineInterval(2, 0, 0n)), '2 mons', 'not DuckDB\'s "2 months"');
  });

  it('prints dates, times and timestamps in ISO style, trailing zeros trimmed, BC and infinity', () => {
    assert.equal(formatDate(0), '1970-01-01');
    assert.equal(formatDate(20_090), '2025-01-02');
    assert.equal(formatDate(-719_162), '0001-01-01');
    assert.equal(formatDate(-719_163), '0001-12-31 BC');
    assert.equal(formatDate(2_932_896), '9999-12-31');
    assert.equal(formatDate(2_147_483_647), 'infinity');
    assert.equal(formatDate(-2_147_483_647), '-infinity');
    assert.equal(formatTime(0n), '00:00:00');
    assert.equal(formatTime(45_296_789_000n), '12:34:56.789');
    assert.equal(formatTime(86_400_000_000n), '24:00:00');
    assert.equal(formatTimestamp(ts('2025-01-02T03:04:05.123Z') + 456n), '2025-01-02 03:04:05.123456');
    assert.equal(formatTimestamp(ts('2025-01-02T03:04:05.120Z')), '2025-01-02 03:04:05.12');
    assert.equal(formatTimestamp(0n), '1970-01-01 00:00:00');
    assert.equal(formatTimestamp(-1n), '1969-12-31 23:59:59.999999');
    assert.equal(formatTimestamp(-62_167_219_200_000_000n), '0001-01-01 00:00:00 BC');
    assert.equal(formatTimestamp(-62_198_755_200_000_000n), '0002-01-01 00:00:00 BC');
    assert.equal(formatTimestamp(9_223_372_036_854_775_807n), 'infinity');
    assert.equal(formatTimestamp(-9_223_372_036_854_775_807n), '-infinity');
    assert.equal(text({ kind: 'date' }, new EngineDate(2_147_483_647)), 'infinity', 'not DuckDB\'s 5881580-07-11');
  });

  it('prints timestamptz in the session TimeZone with PostgreSQL\'s offset format', () => {
    const v = ts('2025-01-02T03:04:05.123Z') + 456n;
    assert.equal(formatTimestamptz(v, UTC), '2025-01-02 03:04:05.123456+00');
    assert.equal(formatTimestamptz(v, resolveTimeZone('America/New_York')!), '2025-01-01 22:04:05.123456-05');
    assert.equal(formatTimestamptz(v, resolveTimeZone('asia/kolkata')!), '2025-01-02 08:34:05.123456+05:30');
    assert.equal(formatTimestamptz(ts('2025-07-01T12:00:00Z'), resolveTimeZone('Europe/Paris')!), '2025-07-01 14:00:00+02');
    assert.equal(formatTimestamptz(ts('1800-01-01T00:00:00Z'), resolveTimeZone('America/New_York')!), '1799-12-31 19:03:58-04:56:02', 'LMT');
    assert.equal(text({ kind: 'timestamptz' }, new EngineTimestamp(v, true)), '2025-01-02 03:04:05.123456+00');
    assert.equal(resolveTimeZone('Not/AZone'), undefined);
    assert.equal(formatTimestamptz(v, resolveTimeZone('GMT-02:00')!), '2025-01-02 05:04:05.123456+02', 'POSIX: west-positive');
    assert.equal(formatTimestamptz(v, resolveTimeZone('-05:30')!), '2025-01-02 08:34:05.123456+05:30');
    assert.equal(formatTimestamptz(v, resolveTimeZone('+02')!), '2025-01-02 05:04:05.123456+02', 'a number: ISO hours east');
    assert.equal(resolveTimeZone('+02')?.name, '<+02>-02');
    assert.equal(resolveTimeZone('GMT-02:00')?.name, 'GMT-02:00');
    assert.equal(resolveTimeZone('utc')?.name, 'UTC');
    assert.equal(resolveTimeZone('europe/paris')?.name, 'Europe/Paris');
  });

  it('prints bytea, booleans, uuids, numerics and integers', () => {
    assert.equal(text({ kind: 'blob' }, new Uint8Array([0x61, 0x62, 0])), '\\x616200');
    assert.equal(text({ kind: 'blob' }, new Uint8Array([0x61, 0x62, 0]), { ...ctx, byteaOutput: 'escape' }), 'ab\\000');
    assert.equal(formatByteaEscape(Buffer.from('a\\b\xff', 'latin1')), 'a\\\\b\\377');
    assert.equal(text({ kind: 'boolean' }, true), 't');
    assert.equal(text({ kind: 'boolean' }, false), 'f');
    assert.equal(text({ kind: 'uuid' }, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    assert.equal(text({ kind: 'decimal', precision: 10, scale: 4 }, '123.4500'), '123.4500');
    assert.equal(text({ kind: 'decimal', precision: 10, scale: 4 }, '-0.0100'), '-0.0100');
    assert.equal(text({ kind: 'hugeint' }, 170141183460469231731687303715884105727n), '170141183460469231731687303715884105727');
    assert.equal(text({ kind: 'decimal' }, 1e-7), '0.0000001');
    assert.equal(text({ kind: 'bigint' }, -9_223_372_036_854_775_808n), '-9223372036854775808');
    assert.equal(text({ kind: 'integer' }, -42), '-42');
  });

  it('prints arrays with PostgreSQL\'s quoting rules', () => {
    const t = (element: EngineType, v: EngineValue[]) => text({ kind: 'list', element }, v);
    assert.equal(t({ kind: 'varchar' }, ['a', 'b,c', null, '', ' x', 'NULL', 'null', 'q"\\', '{}', 'tab\there']), '{a,"b,c",NULL,""," x","NULL","null","q\\"\\\\","{}","tab\there"}');
    assert.equal(t({ kind: 'integer' }, [1, 2, null]), '{1,2,NULL}');
    assert.equal(t({ kind: 'integer' }, []), '{}');
    assert.equal(t({ kind: 'double' }, [0.1, NaN, -Infinity]), '{0.1,NaN,-Infinity}');
    assert.equal(t({ kind: 'timestamp' }, [new EngineTimestamp(ts('2025-01-02T03:04:05Z'), false)]), '{"2025-01-02 03:04:05"}');
    assert.equal(t({ kind: 'blob' }, [new Uint8Array([0x61, 0x62])]), '{"\\\\x6162"}');
    assert.equal(t({ kind: 'boolean' }, [true, false]), '{t,f}');
    assert.equal(t({ kind: 'date' }, [new EngineDate(0)]), '{1970-01-01}');
  });

  it('prints structs, maps and nested lists as JSON', () => {
    const st: EngineType = { kind: 'struct', fields: [{ name: 'a', type: { kind: 'integer' } }, { name: 'b', type: { kind: 'varchar' } }, { name: 'c', type: { kind: 'list', element: { kind: 'bigint' } } }, { name: 'd', type: { kind: 'date' } }] };
    assert.equal(text(st, { a: 1, b: 'x"y', c: [1n, 2n], d: new EngineDate(0) }), '{"a":1,"b":"x\\"y","c":[1,2],"d":"1970-01-01"}');
    const map: EngineType = { kind: 'map', key: { kind: 'varchar' }, element: { kind: 'decimal', precision: 5, scale: 2 } };
    assert.equal(text(map, { entries: [['k', '1.50'], ['n', null]] }), '{"k":1.50,"n":null}');
    const nested: EngineType = { kind: 'list', element: { kind: 'list', element: { kind: 'integer' } } };
    assert.equal(text(nested, [[1, 2], [3]]), '[[1,2],[3]]');
    const entriesStruct: EngineType = { kind: 'struct', fields: [{ name: 'entries', type: { kind: 'list', element: { kind: 'integer' } } }] };
    assert.equal(text(entriesStruct, { entries: [1, 2] }), '{"entries":[1,2]}', 'a struct field named entries is not a map');
  });
});

describe('pgwire types: binary output', () => {
  it('writes fixed-size types big-endian with their length', () => {
    assert.equal(bin({ kind: 'integer' }, 42), '000000040000002a');
    assert.equal(bin({ kind: 'smallint' }, -2), '00000002fffe');
    assert.equal(bin({ kind: 'bigint' }, -1n), '00000008ffffffffffffffff');
    assert.equal(bin({ kind: 'uinteger' }, 4_000_000_000), '00000008' + '00000000ee6b2800');
    assert.equal(bin({ kind: 'double' }, 1.5), '000000083ff8000000000000');
    assert.equal(bin({ kind: 'real' }, 1.5), '000000043fc00000');
    assert.equal(bin({ kind: 'boolean' }, true), '0000000101');
    assert.equal(bin({ kind: 'varchar' }, 'hé'), '00000003' + '68c3a9');
    assert.equal(bin({ kind: 'blob' }, new Uint8Array([1, 2])), '000000020102');
    assert.equal(bin({ kind: 'uuid' }, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), '00000010a0eebc999c0b4ef8bb6d6bb9bd380a11');
  });

  it('shifts dates and timestamps to the 2000-01-01 epoch and maps infinity to the int limits', () => {
    assert.equal(bin({ kind: 'date' }, new EngineDate(10_957)), '0000000400000000');
    assert.equal(bin({ kind: 'date' }, new EngineDate(10_956)), '00000004ffffffff');
    assert.equal(bin({ kind: 'date' }, new EngineDate(2_147_483_647)), '000000047fffffff');
    assert.equal(bin({ kind: 'date' }, new EngineDate(-2_147_483_647)), '0000000480000000');
    assert.equal(bin({ kind: 'timestamp' }, new EngineTimestamp(946_684_800_000_001n, false)), '000000080000000000000001');
    assert.equal(bin({ kind: 'timestamptz' }, new EngineTimestamp(0n, true)), '00000008fffc7a87eb92c000'.replace('fffc7a87eb92c000', (-946_684_800_000_000n & 0xffffffffffffffffn).toString(16)));
    assert.equal(bin({ kind: 'timestamp' }, new EngineTimestamp(9_223_372_036_854_775_807n, false)), '000000087fffffffffffffff');
    assert.equal(bin({ kind: 'timestamp' }, new EngineTimestamp(-9_223_372_036_854_775_807n, false)), '000000088000000000000000');
    assert.equal(bin({ kind: 'time' }, new EngineTime(1n)), '000000080000000000000001');
    assert.equal(bin({ kind: 'interval' }, new EngineInterval(1, 2, 3n)), '00000010' + '0000000000000003' + '00000002' + '00000001');
  });

  it('writes numeric as base-10000 digits with weight, sign and display scale', () => {
    const hex = (s: string) => numericToBinary(s).toString('hex');
    assert.equal(hex('123.45'), '0002' + '0000' + '0000' + '0002' + '007b' + '1194');
    assert.equal(hex('-0.001'), '0001' + 'ffff' + '4000' + '0003' + '000a');
    assert.equal(hex('0'), '0000' + '0000' + '0000' + '0000');
    assert.equal(hex('0.00'), '0000' + '0000' + '0000' + '0002');
    assert.equal(hex('100000'), '0001' + '0001' + '0000' + '0000' + '000a');
    assert.equal(hex('NaN'), '0000' + '0000' + 'c000' + '0000');
    assert.equal(hex('Infinity'), '0000' + '0000' + 'd000' + '0020', 'dscale 32, as numeric_send does');
    for (const s of ['123.45', '-0.001', '0', '0.00', '100000', '12345678901234567890.0001', '-1', '0.00000001', '9999.9999', 'NaN', '-Infinity', '1.10']) {
      assert.equal(numericFromBinary(numericToBinary(s)), s, s);
    }
  });

  it('writes arrays with dimensions, null flag, element OID and length-prefixed elements', () => {
    assert.equal(bin({ kind: 'list', element: { kind: 'integer' } }, [1, null]),
      '00000020' + '00000001' + '00000001' + '00000017' + '00000002' + '00000001' + '00000004' + '00000001' + 'ffffffff');
    assert.equal(bin({ kind: 'list', element: { kind: 'integer' } }, []), '0000000c' + '00000000' + '00000000' + '00000017');
    assert.equal(bin({ kind: 'list', element: { kind: 'varchar' } }, ['ab']),
      '0000001a' + '00000001' + '00000000' + '00000019' + '00000001' + '00000001' + '00000002' + '6162');
  });

  it('writes jsonb with its version byte', () => {
    const w = new Writer();
    codecForOid(OID.jsonb)!.binary('{"a":1}', ctx, w);
    assert.equal(w.take().toString('hex'), '00000008' + '01' + Buffer.from('{"a":1}').toString('hex'));
  });
});

describe('pgwire types: Bind parameters', () => {
  const dec = (oid: number, s: string) => decodeParam(oid, 0, Buffer.from(s), ctx, 0);

  it('reads text parameters by their type', () => {
    assert.equal(dec(OID.int4, ' 42 '), 42);
    assert.equal(dec(OID.int8, '-9223372036854775808'), -9_223_372_036_854_775_808n);
    assert.equal(dec(OID.bool, 'yes'), true);
    assert.equal(dec(OID.bool, 'f'), false);
    assert.equal(dec(OID.float8, '1e-5'), 0.00001);
    assert.equal(dec(OID.float8, '-Infinity'), -Infinity);
    assert.equal(dec(OID.numeric, '1.5e3'), '1500');
    assert.equal(dec(OID.numeric, '-000.0100'), '-0.0100');
    assert.deepEqual(dec(OID.bytea, '\\x6162'), Buffer.from('ab'));
    assert.deepEqual(dec(OID.bytea, 'a\\\\b\\001'), Buffer.from([0x61, 0x5c, 0x62, 1]));
    assert.equal(dec(OID.uuid, '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    assert.deepEqual(dec(OID.date, '2025-01-02'), new EngineDate(20_090));
    assert.deepEqual(dec(OID.date, '0001-12-31 BC'), new EngineDate(-719_163));
    assert.deepEqual(dec(OID.time, '12:34:56.789'), new EngineTime(45_296_789_000n));
    assert.deepEqual(dec(OID.timestamp, '2025-01-02T03:04:05.5'), new EngineTimestamp(ts('2025-01-02T03:04:05.500Z'), false));
    assert.deepEqual(dec(OID.timestamptz, '2025-01-02 03:04:05+02'), new EngineTimestamp(ts('2025-01-02T01:04:05Z'), true));
    assert.deepEqual(dec(OID.timestamptz, '2025-01-02 03:04:05.123456Z'), new EngineTimestamp(ts('2025-01-02T03:04:05.123Z') + 456n, true));
    assert.deepEqual(
      decodeParam(OID.timestamptz, 0, Buffer.from('2025-07-01 14:00:00'), { ...ctx, timeZone: resolveTimeZone('Europe/Paris')! }, 0),
      new EngineTimestamp(ts('2025-07-01T12:00:00Z'), true),
      'no offset: the session TimeZone',
    );
    assert.deepEqual(dec(OID.interval, '1 day 02:00:00'), new EngineInterval(0, 1, 7_200_000_000n));
    assert.deepEqual(dec(OID.interval, '1 year 2 mons -3 days'), new EngineInterval(14, -3, 0n));
    assert.deepEqual(dec(OID.interval, 'P1Y2M3DT4H5M6S'), new EngineInterval(14, 3, 14_706_000_000n));
    assert.deepEqual(dec(1007, '{1,2,NULL}'), [1, 2, null]);
    assert.deepEqual(dec(1009, '{"a b",c,"NULL",NULL,"q\\"x"}'), ['a b', 'c', 'NULL', null, 'q"x']);
    assert.deepEqual(dec(1007, '{{1,2},{3,4}}'), [[1, 2], [3, 4]]);
    assert.equal(dec(0, 'anything'), 'anything', 'unknown type: the text');
    assert.equal(dec(OID.unknown, 'x'), 'x');
  });

  it('refuses bad text parameters with PostgreSQL\'s SQLSTATEs', () => {
    const code = (oid: number, s: string) => {
      try {
        dec(oid, s);
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof ParamDecodeError);
        return `${e.sqlstate} ${e.message}`;
      }
    };
    assert.equal(code(OID.int4, 'abc'), '22P02 invalid input syntax for type integer: "abc"');
    assert.equal(code(OID.int2, '40000'), '22003 value "40000" is out of range for type smallint');
    assert.equal(code(OID.bool, 'maybe'), '22P02 invalid input syntax for type boolean: "maybe"');
    assert.equal(code(OID.date, '2025-02-30'), '22008 date/time field value out of range: "2025-02-30"');
    assert.equal(code(OID.timestamp, 'yesterday-ish'), '22007 invalid input syntax for type timestamp without time zone: "yesterday-ish"');
    assert.match(code(1007, '{1,2'), /^22P02 malformed array literal/);
  });

  it('reads binary parameters: every codec reads back what it writes', () => {
    const samples: [number, EngineValue][] = [
      [OID.bool, true], [OID.int2, -3], [OID.int4, 123_456], [OID.int8, -5n], [OID.float4, 1.5], [OID.float8, 0.1],
      [OID.numeric, '-12.340'], [OID.text, 'héllo'], [OID.varchar, 'v'], [OID.bytea, Buffer.from([0, 1, 255])],
      [OID.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], [OID.date, new EngineDate(20_090)], [OID.time, new EngineTime(1_000_001n)],
      [OID.timestamp, new EngineTimestamp(1_735_787_045_123_456n, false)], [OID.timestamptz, new EngineTimestamp(-1n, true)],
      [OID.interval, new EngineInterval(-1, 2, 3n)], [OID.json, '{"a":[1]}'], [OID.jsonb, '{"a":[1]}'], [OID.oid, 4_000_000_000],
      [1007, [1, null, 3]], [1009, ['a', null]], [1016, [[1n, 2n], [3n, 4n]]], [1182, []],
    ];
    for (const [oid, v] of samples) {
      const c = codecForOid(oid)!;
      const w = new Writer();
      c.binary(v, ctx, w);
      const bytes = w.take().subarray(4);
      assert.deepEqual(decodeParam(oid, 1, bytes, ctx, 0), v, `oid ${oid}`);
    }
  });

  it('refuses malformed binary parameters with 22P03', () => {
    assert.throws(() => decodeParam(OID.int4, 1, Buffer.from([0, 1]), ctx, 0), (e: unknown) => e instanceof ParamDecodeError && e.sqlstate === '22P03' && /bind parameter 1/.test(e.message));
    assert.throws(() => decodeParam(0, 1, Buffer.from([0, 1]), ctx, 2), (e: unknown) => e instanceof ParamDecodeError && e.sqlstate === '22P03' && /\$3/.test(e.message));
    assert.throws(() => decodeParam(1007, 1, Buffer.from('00000001000000000000001900000001', 'hex'), ctx, 0), /bind parameter 1/);
  });
});
