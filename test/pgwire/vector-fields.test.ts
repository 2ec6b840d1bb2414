/**
 * DataRows written from a chunk's vectors (vector-fields.ts) are byte for byte the DataRows
 * written from its rows (writeValue per value, as the session did before), for every hot type in
 * text and binary, in UTC and in zones with odd offsets: NULLs, empty strings, multi-byte UTF-8,
 * long strings (pointed-to, read in spans), extreme and negative values, values off the fast
 * paths (infinities, far years, int8 beyond 2^53), over several chunks, from expressions and
 * from Parquet. Types without a writer make fieldWriters answer undefined. The native encoder
 * (native-rows.ts), when built, must write the same bytes for the same chunks.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbFixture } from '../support/duckdb-fixture.ts';
import { chunkMaker } from '../../src/engine/duckdb/chunk-rows.ts';
import { engineType } from '../../src/engine/duckdb/convert.ts';
import type { EngineColumn } from '../../src/engine/engine.ts';
import { Writer } from '../../src/protocols/pgwire/messages/bytes.ts';
import { resolveTimeZone, UTC } from '../../src/protocols/pgwire/timezone.ts';
import { codecForOid, DEFAULT_FORMAT_CONTEXT, OID, pgColumnType, writeValue, type FormatContext } from '../../src/protocols/pgwire/types.ts';
import { fieldWriters, writeDataRows, type FieldColumn, type FieldWriter } from '../../src/protocols/pgwire/vector-fields.ts';
import { nativeColumns, nativeRowsAvailable, writeNativeRows, type NativeColumn } from '../../src/protocols/pgwire/native-rows.ts';

interface Compared {
  chunks: number;
  rows: number;
  /** Chunks written from vectors. */
  vectored: number;
  /** Chunks the native text encoder wrote (native-rows.ts), when it is built. */
  native: number;
}

/** The native encoder must be built where the tests gate a change (CI); elsewhere it may be absent. */
const NATIVE_REQUIRED = process.env.CI === 'true';

/** Writes rows [from, to) natively in batches of `soft` bytes, rows it leaves to JavaScript through `writers`. */
function writeNative(w: Writer, native: NativeColumn[], writers: FieldWriter[] | undefined, from: number, to: number, soft: number): void {
  let r = from;
  while (r < to) {
    r += writeNativeRows(w, native, r, to, w.length + soft, (row) => writeDataRows(w, writers!, row, row + 1));
  }
}

function assertSameBytes(a: Buffer, e: Buffer, what: string): void {
  if (a.equals(e)) return;
  let at = 0;
  while (at < a.length && a[at] === e[at]) at++;
  assert.fail(`${what}: bytes differ at ${at}: ${a.subarray(at, at + 40).toString('hex')} vs ${e.subarray(at, at + 40).toString('hex')}`);
}

/**
 * Streams `sql`, writing each chunk both ways in `format`, and asserts the bytes are equal.
 * `announce` gives a column another PostgreSQL type than its engine type's (as the front-end pins
 * PostgreSQL's own result types).
 */
async function compare(c: DuckDBConnection, sql: string, format: number, ctx: FormatContext, announce: Record<number, number> = {}): Promise<Compared> {
  const result = await c.stream(sql);
  const columns: EngineColumn[] = result.columnNames().map((name, i) => ({ name, type: engineType(result.columnType(i)) }));
  const fields: FieldColumn[] = columns.map((column, i) => ({ column, codec: announce[i] === undefined ? pgColumnType(column.type).codec : codecForOid(announce[i])!, format }));
  const make = chunkMaker(result.columnTypes());
  const out: Compared = { chunks: 0, rows: 0, vectored: 0, native: 0 };
  for (let ch = await result.fetchChunk(); ch && ch.rowCount > 0; ch = await result.fetchChunk()) {
    const chunk = make(ch);
    const writers = fieldWriters(chunk, fields, ctx);
    const rows = chunk.rows();
    const expected = new Writer(1024);
    for (const row of rows) {
      expected.begin(0x44).int16(fields.length);
      for (let i = 0; i < fields.length; i++) writeValue(expected, fields[i]!.codec, row[i] ?? null, format, ctx);
      expected.finish();
    }
    out.chunks++;
    out.rows += chunk.length;
    if (writers === undefined) continue;
    out.vectored++;
    // In two halves: the session writes rows one at a time from any position.
    const actual = new Writer(16);
    const half = chunk.length >> 1;
    writeDataRows(actual, writers, 0, half);
    writeDataRows(actual, writers, half, chunk.length);
    const e = expected.take();
    assertSameBytes(actual.take(), e, `format ${format}, chunk ${out.chunks}`);
    const native = nativeColumns(chunk, fields, ctx);
    if (native === undefined) continue;
    out.native++;
    // In small batches into a small writer (the encoder's room and batch ends are exercised).
    const viaNative = new Writer(16);
    writeNative(viaNative, native, writers, 0, half, 700);
    writeNative(viaNative, native, writers, half, chunk.length, 1 << 20);
    assertSameBytes(viaNative.take(), e, `native, format ${format}, chunk ${out.chunks}`);
  }
  return out;
}

const ZONES: FormatContext[] = [
  DEFAULT_FORMAT_CONTEXT,
  { ...DEFAULT_FORMAT_CONTEXT, timeZone: resolveTimeZone('America/St_Johns') ?? UTC },
  { ...DEFAULT_FORMAT_CONTEXT, timeZone: resolveTimeZone('Asia/Kathmandu') ?? UTC },
  { ...DEFAULT_FORMAT_CONTEXT, extraFloatDigits: 0 },
];

/** Every hot type over 5,000 rows (three chunks), a third of each column NULL, edge values mixed in. */
const HOT = `
  SELECT
    i::INTEGER AS id,
    CASE WHEN i % 3 = 0 THEN NULL ELSE (CASE i % 7 WHEN 1 THEN 2147483647 WHEN 2 THEN -2147483648 ELSE (i * 7919) % 200001 - 100000 END)::INTEGER END AS int4,
    CASE WHEN i % 3 = 1 THEN NULL ELSE (CASE i % 5 WHEN 1 THEN 32767 WHEN 2 THEN -32768 ELSE i % 1000 - 500 END)::SMALLINT END AS int2,
    CASE WHEN i % 3 = 2 THEN NULL ELSE (CASE i % 9
      WHEN 1 THEN 9223372036854775807 WHEN 2 THEN -9223372036854775808 WHEN 3 THEN 9007199254740993
      WHEN 4 THEN -9007199254740993 WHEN 5 THEN 9007199254740991 ELSE i::BIGINT * 1234567891 - 3000000000000 END)::BIGINT END AS int8,
    CASE WHEN i % 4 = 0 THEN NULL ELSE (CASE i % 11
      WHEN 1 THEN 'infinity'::DOUBLE WHEN 2 THEN '-infinity'::DOUBLE WHEN 3 THEN 'nan'::DOUBLE WHEN 4 THEN 1e300
      WHEN 5 THEN -2.5e-310 WHEN 6 THEN 0.0001 WHEN 7 THEN -0.0 ELSE (i * 0.37 - 900) / 7 END)::DOUBLE END AS float8,
    CASE WHEN i % 5 = 0 THEN NULL ELSE (((i * 7919) % 2000000 - 1000000) / 100)::DECIMAL(12,2) END AS num12,
    CASE WHEN i % 5 = 1 THEN NULL ELSE (((i * 31) % 19999 - 9999) / 10)::DECIMAL(4,1) END AS num4,
    CASE WHEN i % 5 = 2 THEN NULL ELSE (((i * 131) % 2000000 - 1000000) / 1000)::DECIMAL(9,3) END AS num9,
    CASE WHEN i % 6 = 3 THEN NULL ELSE (CASE i % 4 WHEN 0 THEN 999999999999999999 WHEN 1 THEN -999999999999999999 ELSE i * 10007 END)::DECIMAL(18,0) END AS num18,
    (i / 7)::DECIMAL(18,6) AS num18s,
    CASE WHEN i % 3 = 0 THEN NULL
         WHEN i % 7 = 1 THEN ''
         WHEN i % 7 = 2 THEN 'ünïcødé ✓ 日本語 🎉 ' || i
         WHEN i % 7 = 3 THEN repeat('long string ' || i || ' ', 1 + i % 40)
         WHEN i % 7 = 4 THEN 'twelve bytes'
         WHEN i % 7 = 5 THEN 'thirteen byte'
         ELSE 's' || i END AS txt,
    CASE WHEN i % 3 = 1 THEN NULL ELSE i % 2 = 0 END AS flag,
    CASE WHEN i % 3 = 2 THEN NULL ELSE (CASE i % 13
      WHEN 1 THEN 'infinity'::DATE WHEN 2 THEN '-infinity'::DATE WHEN 3 THEN DATE '0001-01-01' WHEN 4 THEN DATE '9999-12-31'
      WHEN 5 THEN DATE '1899-12-31' WHEN 6 THEN DATE '2200-01-01' ELSE DATE '1970-01-01' + ((i * 37) % 80000 - 30000)::INTEGER END) END AS day,
    CASE WHEN i % 4 = 1 THEN NULL ELSE (CASE i % 13
      WHEN 1 THEN 'infinity'::TIMESTAMP WHEN 2 THEN '-infinity'::TIMESTAMP WHEN 3 THEN TIMESTAMP '0001-01-01 00:00:00'
      WHEN 4 THEN TIMESTAMP '9999-12-31 23:59:59.999999' WHEN 5 THEN TIMESTAMP '1969-12-31 23:59:59.5'
      ELSE TIMESTAMP '2000-01-01' + to_microseconds((i::BIGINT * 7777777777) % 4000000000000000 - 2000000000000000) END) END AS ts,
    CASE WHEN i % 4 = 2 THEN NULL ELSE (CASE i % 13
      WHEN 1 THEN 'infinity'::TIMESTAMPTZ WHEN 2 THEN '-infinity'::TIMESTAMPTZ WHEN 3 THEN TIMESTAMPTZ '0001-01-01 00:00:00+00'
      WHEN 4 THEN TIMESTAMPTZ '9999-12-31 23:59:59.999999+00' WHEN 5 THEN TIMESTAMPTZ '1883-11-18 12:00:00+00'
      ELSE TIMESTAMPTZ '2000-01-01 00:00:00+00' + to_microseconds((i::BIGINT * 7777777777) % 4000000000000000 - 2000000000000000) END) END AS tstz
  FROM range(5000) t(i)`;

describe('pgwire DataRows from vectors', () => {
  const fx = duckdbFixture('runlake-vector-fields-');
  let c: DuckDBConnection;
  let dir: string;
  before(() => {
    ({ c, dir } = fx);
  });

  it('writes the bytes of the row path for every hot type, text and binary, in several zones', async () => {
    for (const ctx of ZONES) {
      for (const format of [0, 1]) {
        const r = await compare(c, HOT, format, ctx);
        assert.equal(r.rows, 5000);
        assert.ok(r.chunks >= 3, `${r.chunks} chunks`);
        assert.equal(r.vectored, r.chunks, 'every chunk of hot types is written from its vectors');
        // Natively too (float8 text only with extra_float_digits > 0), far years, infinities and
        // integers too wide for their binary type left to JavaScript row by row.
        const nativeExpected = nativeRowsAvailable && (format === 1 || ctx.extraFloatDigits > 0) ? r.chunks : 0;
        assert.equal(r.native, nativeExpected, `chunks written natively (${JSON.stringify(ctx.timeZone)})`);
      }
    }
  });

  it('has the native row encoder built where changes are gated (CI)', { skip: NATIVE_REQUIRED ? false : 'not in CI: the native encoder is optional here' }, () => {
    assert.ok(nativeRowsAvailable, 'native/pgrows is not built: npm install builds it (scripts/build-native.mjs)');
  });

  it('writes float8 natively as JavaScript does, over random bit patterns and every decimal exponent, text and binary', { skip: nativeRowsAvailable ? false : 'native encoder not built' }, async () => {
    // Random doubles from their bits (subnormals, huge and tiny exponents), powers of ten and
    // their neighbours around the fixed/exponent layout boundaries (1e-5 … 1e-4, 1e14 … 1e16).
    const bits = new BigUint64Array(20000);
    let seed = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < bits.length; i++) {
      seed ^= seed << 13n; seed &= 0xffffffffffffffffn; seed ^= seed >> 7n; seed ^= seed << 17n; seed &= 0xffffffffffffffffn;
      bits[i] = seed;
    }
    const doubles = Array.from(new Float64Array(bits.buffer));
    for (let e = -325; e <= 308; e++) {
      const p = Number(`1e${e}`);
      doubles.push(p, -p, p * (1 + Number.EPSILON), p * (1 - Number.EPSILON / 2), 1.5 * p, 123456789012345.6 * p / 1e14);
    }
    const values = doubles.map((x) => (Number.isNaN(x) ? `'nan'::DOUBLE` : x === Infinity ? `'infinity'::DOUBLE` : x === -Infinity ? `'-infinity'::DOUBLE` : `${Object.is(x, -0) ? '-0.0' : x.toExponential(16)}::DOUBLE`));
    await c.run(`CREATE OR REPLACE TEMP TABLE doubles AS SELECT * FROM (VALUES ${values.map((v, i) => `(${i}, ${v})`).join(', ')}) t(i, x)`);
    for (const format of [0, 1]) {
      const r = await compare(c, 'SELECT x FROM doubles ORDER BY i', format, DEFAULT_FORMAT_CONTEXT);
      assert.equal(r.rows, doubles.length);
      assert.equal(r.native, r.chunks);
    }
  });

  it('writes the bytes of the row path from Parquet (strings in page and dictionary memory)', async () => {
    const file = join(dir, 'hot.parquet');
    await c.run(`COPY (${HOT}) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 1500)`);
    // Dictionary-encoded repeats and long strings side by side.
    const sql = `SELECT *, CASE WHEN id % 2 = 0 THEN 'repeated value of some length' ELSE txt END AS dict FROM '${file}' ORDER BY id`;
    for (const format of [0, 1]) {
      const r = await compare(c, sql, format, ZONES[1]!);
      assert.equal(r.rows, 5000);
      assert.equal(r.vectored, r.chunks);
      assert.equal(r.native, nativeRowsAvailable ? r.chunks : 0);
    }
  });

  it('writes decimals of every width and scale, zeros, signs and group boundaries as numeric_out and numeric_send do', async () => {
    const values = ['0', '1', '-1', '9999', '10000', '-10000', '12345678', '100000000', '0.5', '-0.5', '0.0001', '-0.0001', '0.00001', '1.0001', '9999.9999', '10000.0001', '123456789012.345678'];
    const decl = [
      'DECIMAL(4,0)', 'DECIMAL(4,1)', 'DECIMAL(4,4)', 'DECIMAL(9,0)', 'DECIMAL(9,3)', 'DECIMAL(9,9)', 'DECIMAL(12,2)', 'DECIMAL(18,0)',
      'DECIMAL(18,4)', 'DECIMAL(18,5)', 'DECIMAL(18,8)', 'DECIMAL(18,17)', 'DECIMAL(18,18)',
    ];
    const cols = decl.map((d, k) => `CASE WHEN i % 2 = 0 THEN TRY_CAST(v AS ${d}) ELSE -TRY_CAST(v AS ${d}) END AS d${k}`);
    // Out-of-range values are NULL (TRY_CAST); extremes of each width are added by their own rows.
    const extremes = decl.map((d) => {
      const [p, sc] = d.slice(8, -1).split(',').map(Number) as [number, number];
      const digits = '9'.repeat(p - sc) + (sc > 0 ? '.' + '9'.repeat(sc) : '');
      return `('${digits.startsWith('.') ? '0' + digits : digits}')`;
    });
    const sql = `SELECT ${cols.join(', ')} FROM (SELECT v, row_number() OVER () AS i FROM (VALUES ${values.map((v) => `('${v}')`).join(', ')}, ${extremes.join(', ')}) t(v)) u, range(3) r(k)`;
    for (const format of [0, 1]) {
      const r = await compare(c, sql, format, DEFAULT_FORMAT_CONTEXT);
      assert.equal(r.rows, (values.length + extremes.length) * 3);
      assert.equal(r.vectored, r.chunks);
      assert.equal(r.native, nativeRowsAvailable ? r.chunks : 0);
    }
  });

  it('writes integers announced as another integer type (generate_series is int4 in PostgreSQL, BIGINT in the engine) as the row path does', async () => {
    const sql = `SELECT
        CASE WHEN i % 5 = 0 THEN NULL WHEN i % 7 = 1 THEN 2147483647 WHEN i % 7 = 2 THEN -2147483648 ELSE i * 65537 - 100000000 END::BIGINT AS big_as_int4,
        CASE WHEN i % 5 = 1 THEN NULL WHEN i % 7 = 1 THEN 32767 WHEN i % 7 = 2 THEN -32768 ELSE i % 60000 - 30000 END::BIGINT AS big_as_int2,
        CASE WHEN i % 5 = 2 THEN NULL WHEN i % 7 = 1 THEN 2147483647 WHEN i % 7 = 2 THEN -2147483648 ELSE i * 7919 - 1000000 END::INTEGER AS int_as_int8,
        CASE WHEN i % 5 = 3 THEN NULL WHEN i % 7 = 1 THEN 32767 WHEN i % 7 = 2 THEN -32768 ELSE i % 1000 - 500 END::SMALLINT AS small_as_int4,
        (i % 100)::INTEGER AS int_as_int2
      FROM range(5000) t(i)`;
    const announce = { 0: OID.int4, 1: OID.int2, 2: OID.int8, 3: OID.int4, 4: OID.int2 };
    for (const format of [0, 1]) {
      const r = await compare(c, sql, format, DEFAULT_FORMAT_CONTEXT, announce);
      assert.equal(r.rows, 5000);
      assert.equal(r.vectored, r.chunks, 'every chunk is written from its vectors');
      assert.equal(r.native, nativeRowsAvailable ? r.chunks : 0, 'and natively, values too wide for their binary type by JavaScript');
    }
  });

  it('leaves chunks with a column it has no writer for to the row path', async () => {
    const sql = `SELECT i::INTEGER AS id, [i, i + 1] AS list, INTERVAL (i) DAY AS span, i::REAL AS f4, i::HUGEINT AS h FROM range(3000) t(i)`;
    for (const format of [0, 1]) {
      const r = await compare(c, sql, format, DEFAULT_FORMAT_CONTEXT);
      assert.equal(r.rows, 3000);
      assert.equal(r.vectored, 0);
    }
  });

  it('writes nothing but the row for an empty-string-only and an all-NULL column', async () => {
    const sql = `SELECT '' AS e, NULL::VARCHAR AS n, NULL::INTEGER AS ni, NULL::TIMESTAMPTZ AS nt FROM range(10)`;
    for (const format of [0, 1]) {
      const r = await compare(c, sql, format, DEFAULT_FORMAT_CONTEXT);
      assert.equal(r.rows, 10);
      assert.equal(r.vectored, r.chunks);
    }
  });
});
