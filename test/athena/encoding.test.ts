/**
 * The pure parts of the Athena layer, byte for byte: the `.metadata` protobuf (the published
 * hexdump of a live Athena file), the result CSV (written and read back from any offset, split at
 * every byte), value rendering (research §3), ColumnInfo types, Hive spellings (agreeing with the
 * schema's HIVE_TYPE), statement classification, ExecutionParameters, and Hive's DESCRIBE layout.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineType } from '../../src/engine/engine.ts';
import { HIVE_TYPE } from '../../src/schema/physical.ts';
import type { ColumnType } from '../../src/schema/types.ts';
import { columnInfo } from '../../src/protocols/athena/column-info.ts';
import { hiveType, parseTypeText } from '../../src/protocols/athena/hive-types.ts';
import { decodeMetadata, encodeMetadata } from '../../src/protocols/athena/metadata-protobuf.ts';
import { csvLine, parseCsvRows } from '../../src/protocols/athena/result-csv.ts';
import { checkOutputLocation, storeKeyForS3 } from '../../src/protocols/athena/result-location.ts';
import { bindParameters, classifyStatement } from '../../src/protocols/athena/statements.ts';
import { describeResult, showColumnsResult } from '../../src/protocols/athena/utility-rows.ts';
import { athenaText, javaDouble, javaFloat } from '../../src/protocols/athena/values.ts';

describe('.metadata protobuf', () => {
  it('matches the published hexdump of a one-column result (ary array)', () => {
    const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
    const expected =
      '0a1b' + hex('20190423_125128_00001_ehtur') + '2219' + '0a04' + hex('hive') + '2203' + hex('ary') + '2a03' + hex('ary') + '3205' + hex('array') + '4803';
    const bytes = encodeMetadata({ queryId: '20190423_125128_00001_ehtur', columns: [columnInfo({ name: 'ary', type: { kind: 'list', element: { kind: 'integer' } } })] });
    assert.equal(bytes.toString('hex'), expected);
  });

  it('writes precision, scale and case sensitivity by type, and the update count of DML; reads it all back', () => {
    const columns = [
      columnInfo({ name: 'i', type: { kind: 'integer' } }),
      columnInfo({ name: 's', type: { kind: 'varchar' } }),
      columnInfo({ name: 'b', type: { kind: 'boolean' } }),
      columnInfo({ name: 'dt', type: { kind: 'date' } }),
      columnInfo({ name: 'dc', type: { kind: 'decimal', precision: 10, scale: 2 } }),
      columnInfo({ name: 'название', type: { kind: 'varchar' } }),
    ];
    const bytes = encodeMetadata({ queryId: 'q1', columns, update: { type: 'CREATE_TABLE_AS_SELECT', count: 0 } });
    // integer: 7 (precision 10), 8 (scale 0), 9 (UNKNOWN), 10 (false) all written although 0/false.
    assert.ok(bytes.includes(Buffer.from('380a400048035000', 'hex')));
    // boolean: only 9 and 10.
    assert.ok(bytes.includes(Buffer.concat([Buffer.from('3207', 'hex'), Buffer.from('boolean'), Buffer.from('48035000', 'hex')])));
    // date: 8, 9 and 10, no precision.
    assert.ok(bytes.includes(Buffer.concat([Buffer.from('3204', 'hex'), Buffer.from('date'), Buffer.from('400048035000', 'hex')])));
    const back = decodeMetadata(bytes);
    assert.equal(back.queryId, 'q1');
    assert.deepEqual(back.update, { type: 'CREATE_TABLE_AS_SELECT', count: 0 });
    assert.deepEqual(back.columns.map((c) => [c.Name, c.Type, c.Precision, c.Scale, c.CaseSensitive]), [
      ['i', 'integer', 10, 0, false],
      ['s', 'varchar', 2147483647, 0, true],
      ['b', 'boolean', 0, 0, false],
      ['dt', 'date', 0, 0, false],
      ['dc', 'decimal', 10, 2, false],
      ['название', 'varchar', 2147483647, 0, true],
    ]);
  });
});

describe('result CSV', () => {
  it('quotes every value, leaves NULL empty, doubles quotes, ends every line with \\n', () => {
    assert.equal(csvLine(['i', 's', 'n', 'e', 'a']) + csvLine(['1', 'a"b', undefined, '', '[1, 2]']), '"i","s","n","e","a"\n"1","a""b",,"","[1, 2]"\n');
  });

  it('reads rows back from any offset and never returns a row cut by the end of the buffer', () => {
    const rows: (string | undefined)[][] = [['id', 'text'], ['1', 'multi\nline, "quoted"'], [undefined, ''], ['3', 'ünïcödé ✓'], [undefined, undefined]];
    const text = Buffer.from(rows.map(csvLine).join(''), 'utf8');
    const all = parseCsvRows(text, 0, 100);
    assert.deepEqual(all.rows, rows);
    assert.equal(all.next, text.length);
    // Paging two rows at a time from the returned offsets gives the same rows.
    const paged: (string | undefined)[][] = [];
    for (let at = 0; at < text.length; ) {
      const p = parseCsvRows(text, at, 2);
      paged.push(...p.rows);
      at = p.next;
    }
    assert.deepEqual(paged, rows);
    // Cut anywhere: only complete rows, and `next` is where the first incomplete one starts.
    for (let cut = 0; cut <= text.length; cut++) {
      const p = parseCsvRows(text.subarray(0, cut), 0, 100);
      assert.deepEqual(p.rows, rows.slice(0, p.rows.length), `cut at ${cut}`);
      assert.equal(text.subarray(0, p.next).toString('utf8'), rows.slice(0, p.rows.length).map(csvLine).join(''));
    }
  });
});

describe('values as Athena renders them', () => {
  const t = (kind: EngineType['kind'], extra: Partial<EngineType> = {}): EngineType => ({ kind, ...extra });
  it('doubles like Java, floats by their shortest decimal', () => {
    const cases: [number, string][] = [
      [0.5, '0.5'], [100, '100.0'], [0.1 + 0.2, '0.30000000000000004'], [1e20, '1.0E20'], [1e-7, '1.0E-7'], [1234567.5, '1234567.5'],
      [12345678.9, '1.23456789E7'], [0.001, '0.001'], [0.0001, '1.0E-4'], [-2.5e-5, '-2.5E-5'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-0, '-0.0'],
    ];
    for (const [x, s] of cases) assert.equal(javaDouble(x), s, String(x));
    assert.equal(javaFloat(Math.fround(0.1)), '0.1');
    assert.equal(javaFloat(Math.fround(3.4e10)), '3.4E10');
  });

  it('every type of research §3', () => {
    const micros = BigInt(Date.UTC(2017, 0, 1, 0, 0, 0)) * 1000n;
    assert.equal(athenaText(null, t('varchar')), undefined);
    assert.equal(athenaText('', t('varchar')), '');
    assert.equal(athenaText(true, t('boolean')), 'true');
    assert.equal(athenaText(127, t('tinyint')), '127');
    assert.equal(athenaText(9007199254740993n, t('bigint')), '9007199254740993');
    assert.equal(athenaText(100, t('double')), '100.0');
    assert.equal(athenaText('1.50', t('decimal', { precision: 3, scale: 2 })), '1.50');
    assert.equal(athenaText(new EngineDate(17168), t('date')), '2017-01-02');
    assert.equal(athenaText(new EngineTimestamp(micros, false), t('timestamp')), '2017-01-01 00:00:00.000');
    assert.equal(athenaText(new EngineTimestamp(micros + 123_456n, false), t('timestamp')), '2017-01-01 00:00:00.123');
    assert.equal(athenaText(new EngineTimestamp(micros, true), t('timestamptz')), '2017-01-01 00:00:00.000 UTC');
    assert.equal(athenaText(new EngineTime(3_723_004_000n), t('time')), '01:02:03.004');
    assert.equal(athenaText(new Uint8Array([0x31, 0x32, 0x33]), t('blob')), '31 32 33');
    assert.equal(athenaText([1, 2], t('list', { element: t('integer') })), '[1, 2]');
    assert.equal(athenaText(['a', null], t('list', { element: t('varchar') })), '[a, null]');
    assert.equal(athenaText([[1], [2, 3]], t('list', { element: t('list', { element: t('integer') }) })), '[[1], [2, 3]]');
    assert.equal(athenaText({ entries: [[10, 'b'], [9, 'a']] }, t('map', { key: t('integer'), element: t('varchar') })), '{9=a, 10=b}');
    assert.equal(athenaText({ a: 1, b: 2.5 }, t('struct', { fields: [{ name: 'a', type: t('integer') }, { name: 'b', type: t('double') }] })), '{a=1, b=2.5}');
    assert.equal(athenaText(new EngineInterval(0, 2, 10_800_000_000n), t('interval')), '2 03:00:00.000');
    assert.equal(athenaText(new EngineInterval(41, 0, 0n), t('interval')), '3-5');
  });

  it('ColumnInfo types, precision and case sensitivity', () => {
    const info = (type: EngineType) => {
      const c = columnInfo({ name: 'c', type });
      return [c.Type, c.Precision, c.Scale, c.CaseSensitive];
    };
    assert.deepEqual(info(t('integer')), ['integer', 10, 0, false]);
    assert.deepEqual(info(t('hugeint')), ['bigint', 19, 0, false]);
    assert.deepEqual(info(t('double')), ['double', 17, 0, false]);
    assert.deepEqual(info(t('real')), ['float', 17, 0, false]);
    assert.deepEqual(info(t('varchar')), ['varchar', 2147483647, 0, true]);
    assert.deepEqual(info(t('decimal', { precision: 10, scale: 2 })), ['decimal', 10, 2, false]);
    assert.deepEqual(info(t('timestamp')), ['timestamp', 3, 0, false]);
    assert.deepEqual(info(t('timestamptz')), ['timestamp with time zone', 3, 0, false]);
    assert.deepEqual(info(t('blob')), ['varbinary', 1073741824, 0, false]);
    assert.deepEqual(info(t('list', { element: t('integer') })), ['array', 0, 0, false]);
    const c = columnInfo({ name: 'x', type: t('date') });
    assert.deepEqual([c.CatalogName, c.SchemaName, c.TableName, c.Label, c.Nullable], ['hive', '', '', 'x', 'UNKNOWN']);
  });
});

describe('Hive type spellings', () => {
  it('agree with the schema for every stored column type', () => {
    const engineOf: Record<ColumnType, EngineType> = {
      varchar: { kind: 'varchar' }, integer: { kind: 'integer' }, bigint: { kind: 'bigint' }, double: { kind: 'double' },
      boolean: { kind: 'boolean' }, timestamp: { kind: 'timestamp' }, 'varchar[]': { kind: 'list', element: { kind: 'varchar' } },
    };
    for (const [ct, hive] of Object.entries(HIVE_TYPE)) assert.equal(hiveType(engineOf[ct as ColumnType]), hive, ct);
  });

  it('parse the engine type text information_schema shows', () => {
    const cases: [string, string][] = [
      ['VARCHAR', 'string'], ['INTEGER', 'int'], ['BIGINT', 'bigint'], ['HUGEINT', 'bigint'], ['DOUBLE', 'double'], ['FLOAT', 'float'],
      ['BOOLEAN', 'boolean'], ['TIMESTAMP', 'timestamp'], ['TIMESTAMP WITH TIME ZONE', 'timestamp'], ['DATE', 'date'], ['BLOB', 'binary'],
      ['DECIMAL(18,3)', 'decimal(18,3)'], ['VARCHAR[]', 'array<string>'], ['INTEGER[][]', 'array<array<int>>'],
      ['MAP(VARCHAR, INTEGER)', 'map<string,int>'], ['STRUCT(a INTEGER, "b c" VARCHAR[])', 'struct<a:int,b c:array<string>>'],
      ['STRUCT(x STRUCT(y DOUBLE))', 'struct<x:struct<y:double>>'],
    ];
    for (const [text, hive] of cases) assert.equal(hiveType(parseTypeText(text)), hive, text);
  });
});

describe('statements', () => {
  it('classifies as Athena does, skipping leading comments', () => {
    const cls = (sql: string) => {
      const c = classifyStatement(sql);
      return [c.statementType, c.substatementType ?? null, c.resultKind];
    };
    assert.deepEqual(cls('SELECT 1'), ['DML', 'SELECT', 'rows']);
    assert.deepEqual(cls('-- Looker Query Context\n/* x */ WITH a AS (SELECT 1) SELECT * FROM a'), ['DML', 'SELECT', 'rows']);
    assert.deepEqual(cls("CREATE TABLE looker_scratch.t WITH (format='PARQUET') AS SELECT 1 AS a"), ['DDL', 'CREATE_TABLE_AS_SELECT', 'ctas']);
    assert.deepEqual(cls('DROP TABLE IF EXISTS looker_scratch.t'), ['DDL', 'DROP_TABLE', 'ddl']);
    assert.deepEqual(cls('CREATE VIEW looker_scratch.v AS SELECT 1 AS a'), ['DDL', 'CREATE_VIEW', 'ddl']);
    assert.deepEqual(cls('DESCRIBE processes'), ['UTILITY', 'DESCRIBE_TABLE', 'utility']);
    assert.deepEqual(cls('SHOW TABLES'), ['UTILITY', 'SHOW_TABLES', 'utility']);
    assert.deepEqual(cls('show columns from processes'), ['UTILITY', 'SHOW_COLUMNS', 'utility']);
  });

  it('binds ExecutionParameters into ? placeholders only', () => {
    const sql = "SELECT '?' AS q, \"?\" AS r FROM t WHERE a = ? /* ? */ AND b = ? AND c = ? AND d = ?";
    assert.equal(
      bindParameters(sql, ['10', "'x'", 'DATE \'2024-01-01\'', 'hello world']),
      "SELECT '?' AS q, \"?\" AS r FROM t WHERE a = 10 /* ? */ AND b = 'x' AND c = DATE '2024-01-01' AND d = 'hello world'",
    );
    // A column name is a string, not a reference; quotes inside are escaped.
    assert.equal(bindParameters('SELECT ?', ['process_id']), "SELECT 'process_id'");
    assert.equal(bindParameters('SELECT ?', ["it's"]), "SELECT 'it''s'");
    assert.equal(bindParameters('SELECT 1', ['ignored']), 'SELECT 1');
    assert.throws(() => bindParameters('SELECT ?, ?', ['1']), /2 parameter placeholders \(\?\) but 1 ExecutionParameter was sent/);
  });
});

describe('Hive utility layouts', () => {
  it('DESCRIBE: name, type and comment padded to 20 characters in one value; partition block', () => {
    const r = describeResult({
      rows: [['c19_aaaaaaaaaaaaaaa', 'INTEGER', ''], ['c21_aaaaaaaaaaaaaaaaa', 'VARCHAR[]', ''], ['m_abc', 'BIGINT', 'abc'], ['started_month', 'VARCHAR', '']],
      partitionKeys: ['started_month'],
    });
    assert.deepEqual(r.columns, ['col_name', 'data_type', 'comment']);
    assert.deepEqual(r.rows.map((x) => x[0]), [
      'c19_aaaaaaaaaaaaaaa \tint                 \t                    ',
      'c21_aaaaaaaaaaaaaaaaa\tarray<string>       \t                    ',
      'm_abc               \tbigint              \tabc                 ',
      'started_month       \tstring              \t                    ',
      '\t \t ',
      '# Partition Information\t \t ',
      '# col_name            \tdata_type           \tcomment             ',
      '\t \t ',
      'started_month       \tstring              \t                    ',
    ]);
    assert.deepEqual(showColumnsResult([['n'], ['c20_aaaaaaaaaaaaaaaa']]).rows, [['n                   '], ['c20_aaaaaaaaaaaaaaaa']]);
  });
});

describe('result locations', () => {
  it("maps s3://runlake-results/<org>/… to the organization's area and refuses anything else", () => {
    assert.deepEqual(checkOutputLocation('s3://runlake-results/acme/', 'acme'), { org: 'acme', uri: 's3://runlake-results/acme/', path: '' });
    assert.deepEqual(checkOutputLocation('s3://runlake-results/acme/looker/daily', 'acme').uri, 's3://runlake-results/acme/looker/daily/');
    for (const bad of ['s3://runlake-results/', 's3://runlake-results/globex/', 's3://other-bucket/acme/', 'https://x/acme/', 's3://runlake-results/acme/../globex/']) {
      assert.throws(() => checkOutputLocation(bad, 'acme'), /Unable to verify\/create output bucket .* may write query results only under s3:\/\/runlake-results\/acme\//, bad);
    }
    assert.equal(storeKeyForS3('runlake-results', 'acme/x/1.csv', 'acme'), 'orgs/acme/athena-results/x/1.csv');
    assert.equal(storeKeyForS3('runlake-results', 'globex/1.csv', 'acme'), undefined);
    assert.equal(storeKeyForS3('runlake-results', 'acme/../globex/1.csv', 'acme'), undefined);
  });
});
