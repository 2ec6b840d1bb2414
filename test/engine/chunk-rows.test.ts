/**
 * chunkReader gives exactly the rows of node-api's getRows + engineValue, for every type it reads
 * itself and for those it hands on, over several chunks, with NULLs, from expressions and from
 * Parquet (strings pointing into page and dictionary memory, read in spans).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbFixture } from '../support/duckdb-fixture.ts';
import { chunkReader } from '../../src/engine/duckdb/chunk-rows.ts';
import { engineValue } from '../../src/engine/duckdb/convert.ts';
import type { EngineRow } from '../../src/engine/engine.ts';

/** Values with their classes and bigint-ness, so that 1 and 1n or a Date and a string differ. */
function canonical(rows: EngineRow[]): string {
  return JSON.stringify(rows, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return { class: v.constructor.name, ...v };
    return v;
  });
}

async function both(c: DuckDBConnection, sql: string): Promise<{ fast: EngineRow[]; slow: EngineRow[]; chunks: number }> {
  const a = await c.stream(sql);
  const read = chunkReader(a.columnTypes());
  const fast: EngineRow[] = [];
  let chunks = 0;
  for (let ch = await a.fetchChunk(); ch && ch.rowCount > 0; ch = await a.fetchChunk()) {
    fast.push(...read(ch));
    chunks++;
  }
  const b = await c.stream(sql);
  const slow: EngineRow[] = [];
  for (let ch = await b.fetchChunk(); ch && ch.rowCount > 0; ch = await b.fetchChunk()) slow.push(...ch.getRows().map((r) => r.map(engineValue)));
  return { fast, slow, chunks };
}

describe('chunkReader (DuckDB chunks → engine rows)', () => {
  const fx = duckdbFixture('runlake-chunk-rows-');
  let c: DuckDBConnection;
  let dir: string;
  before(() => {
    ({ c, dir } = fx);
  });

  it('matches getRows for every scalar type, with NULLs, over several chunks', async () => {
    const sql = `
      SELECT i,
        CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
        (i % 256 - 128)::TINYINT AS ti, (i % 256)::UTINYINT AS uti, (i * 37 % 65536 - 32768)::SMALLINT AS si,
        (i * 37 % 65536)::USMALLINT AS usi, (i * 7919 - 20000)::INTEGER AS ii, (i * 7919)::UINTEGER AS ui,
        CASE WHEN i % 5 = 0 THEN NULL ELSE i * 9007199254740 - 4611686018427387904 END::BIGINT AS bi,
        (i * 18446744073709)::UBIGINT AS ubi,
        (i / 3.0)::FLOAT AS f, CASE WHEN i % 3 = 0 THEN NULL ELSE i / 7.0 - 100 END::DOUBLE AS d,
        ((i % 2000 - 1000) / 10)::DECIMAL(4,1) AS d4, ((i * 12345 - 9999999) / 1000)::DECIMAL(9,3) AS d9,
        ((i * 100003 - 500000) / 100)::DECIMAL(12,2) AS d12, ((i::HUGEINT * 99999999999999 - 900000000000000000) / 1000000)::DECIMAL(18,6) AS d18big,
        (i * 3 - 100)::DECIMAL(18,0) AS d18s0, (i * 1234567)::DECIMAL(30,5) AS d30,
        DATE '1969-12-25' + i::INTEGER AS dt, TIMESTAMP '1969-12-31 23:00:00' + i * INTERVAL '1 minute 1.000123 second' AS ts,
        TIMESTAMPTZ '2024-03-10 00:00:00+00' + i * INTERVAL '17 second' AS tstz,
        CASE WHEN i % 11 = 0 THEN NULL ELSE 'v' || i END AS short_s, repeat('é', i % 20) AS unicode_s,
        CASE WHEN i % 13 = 0 THEN NULL WHEN i % 3 = 0 THEN '' ELSE 'a longer string number ' || i END AS long_s,
        ['a', NULL, 'b'][1 + i % 3] AS list_pick, [i, i + 1] AS list_col, {'k': i, 's': 'x' || i} AS struct_col,
        MAP {'m': i} AS map_col, INTERVAL (i) DAY AS iv, md5(i::VARCHAR)::UUID AS uv,
        ('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS blob_col, TIME '12:00:00' + i * INTERVAL '1 second' AS tm
      FROM range(5000) t(i)`;
    const { fast, slow, chunks } = await both(c, sql);
    assert.ok(chunks >= 3, `expected several chunks, got ${chunks}`);
    assert.equal(fast.length, 5000);
    assert.equal(canonical(fast), canonical(slow));
  });

  it('matches getRows at the edges: infinities, extremes, empty and all-NULL columns', async () => {
    const sql = `
      SELECT * FROM (VALUES
        ('infinity'::DATE, 'infinity'::TIMESTAMP, '-infinity'::TIMESTAMPTZ, (-9223372036854775808)::BIGINT, (-2147483648)::INTEGER, 0::DOUBLE, NULL::VARCHAR, (-999999999999999999)::DECIMAL(18,0)),
        ('-infinity'::DATE, '-infinity'::TIMESTAMP, 'infinity'::TIMESTAMPTZ, 9223372036854775807::BIGINT, 2147483647::INTEGER, -0.0::DOUBLE, '', 999999999999.999999::DECIMAL(18,6)),
        ('0001-01-01'::DATE, '0001-01-01 00:00:00'::TIMESTAMP, '9999-12-31 23:59:59.999999+00'::TIMESTAMPTZ, 0::BIGINT, 0::INTEGER, 'nan'::DOUBLE, 'x', (-0.000001)::DECIMAL(18,6)),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
      ) v(a, b, c, d, e, f, g, h)`;
    const { fast, slow } = await both(c, sql);
    assert.equal(canonical(fast), canonical(slow));
  });

  it('matches getRows for strings read from Parquet pages and dictionaries', async () => {
    const file = join(dir, 'strings.parquet');
    await c.run(`COPY (
        SELECT i, 'process number ' || i AS plain_long,
          ['a blueprint name that repeats', 'another long blueprint name', 'the third rather long name'][1 + i % 3] AS dict_long,
          CASE WHEN i % 4 = 0 THEN NULL ELSE repeat('ü', 1 + i % 9) || ' tail text ' || i END AS mixed,
          CASE WHEN i % 1000 = 0 THEN repeat('y', 5000) ELSE 'short' END AS huge
        FROM range(30000) t(i)
      ) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 7000)`);
    const { fast, slow } = await both(c, `SELECT * FROM read_parquet('${file}')`);
    assert.equal(fast.length, 30000);
    assert.equal(canonical(fast), canonical(slow));
    const shuffled = await both(c, `SELECT dict_long, plain_long FROM read_parquet('${file}') ORDER BY hash(i)`);
    assert.equal(canonical(shuffled.fast), canonical(shuffled.slow));
  });
});
