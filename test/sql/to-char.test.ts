/**
 * `to_char(timestamp, template)`: the DuckDB expression src/sql/postgres/to-char.ts compiles gives
 * the same text as a real PostgreSQL 15 for every accepted pattern, and unsupported templates are
 * refused instead of printed wrong.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { toCharExpression, ToCharUnsupported } from '../../src/sql/postgres/to-char.ts';
import { startRealPostgres, type RealPostgres } from '../pgwire/support/postgres.ts';

const VALUES = ['2024-01-07 00:00:00', '2025-03-31 13:05:09.123456', '2026-12-31 23:59:59.5', '2021-01-03 09:00:00', '1999-10-10 12:00:00'];
const TEMPLATES = [
  'YYYY-MM', 'YYYY-MM-DD', 'YYYY-MM-DD HH24:MI', 'YYYY-MM-DD HH24:MI:SS', 'YYYY', 'YYYY-"Q"Q', 'IYYY-IW',
  'Mon DD, YYYY', 'Month', 'FMMonth', 'MONTH', 'month', 'Day', 'FMDay', 'DY', 'Dy', 'dy', 'D', 'ID', 'DDD', 'FMDDD',
  'HH12:MI AM', 'HH:MI pm', 'FMHH12', 'FMMM/FMDD/YY', 'YYY', 'Y', 'WW', 'MS', 'US', 'HH24"h"MI', 'Q', '"week "IW', 'YYYY\\-MM', '"a\\"b"YYYY', '100%"%"MM',
];

describe('to_char compiled for DuckDB against PostgreSQL 15', () => {
  let real: RealPostgres | undefined;
  let client: pg.Client | undefined;
  let duck: DuckDBConnection;

  before(async () => {
    real = await startRealPostgres();
    if (real) {
      client = new pg.Client({ host: '127.0.0.1', port: real.port, user: 'postgres', database: 'postgres' });
      await client.connect();
    }
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  });
  after(async () => {
    await client?.end();
    real?.stop();
  });

  it('matches PostgreSQL for every template and value', async (t) => {
    if (!client) return t.skip('no PostgreSQL server binaries (apt-get install postgresql)');
    let checked = 0;
    for (const v of VALUES) {
      for (const tpl of TEMPLATES) {
        const want: string = (await client.query<{ s: string }>('select to_char($1::timestamp, $2) as s', [v, tpl])).rows[0]!.s;
        const expr = toCharExpression(`TIMESTAMP '${v}'`, tpl);
        const got = (await duck.runAndReadAll(`select ${expr} as s`)).getRowObjects()[0]!.s;
        assert.equal(got, want, `to_char('${v}', '${tpl}') → ${expr}`);
        checked++;
      }
    }
    assert.equal(checked, VALUES.length * TEMPLATES.length);
  });

  it('formats dates, and NULL gives NULL', async () => {
    const d = (await duck.runAndReadAll(`select ${toCharExpression(`DATE '2024-02-29'`, 'YYYY-MM-DD')} as s`)).getRowObjects()[0]!.s;
    assert.equal(d, '2024-02-29');
    const n = (await duck.runAndReadAll(`select ${toCharExpression('NULL', 'YYYY')} as s`)).getRowObjects()[0]!.s;
    assert.equal(n, null);
  });

  it('refuses number formats and patterns it does not compile', () => {
    for (const tpl of ['999', 'FM999,999.00', '0000', 'TZ', 'YYYY-MM-DD"T"HH24:MI:SSOF', 'CC', 'J', 'RM', 'DDth']) {
      assert.throws(() => toCharExpression('x', tpl), ToCharUnsupported, tpl);
    }
  });
});
