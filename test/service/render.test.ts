/** Engine values as JSON and CSV text, edge cases by hand. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineType } from '../../src/engine/engine.ts';
import { csvField, csvFormat, ndjsonFormat } from '../../src/protocols/http/query-routes.ts';
import { formatDate, formatInterval, formatTime, formatTimestamp, jsonValue, textValue, typeName } from '../../src/service/render.ts';

describe('value rendering', () => {
  it('keeps numbers JSON-safe', () => {
    assert.equal(jsonValue(9007199254740991n), 9007199254740991);
    assert.equal(jsonValue(-9007199254740991n), -9007199254740991);
    assert.equal(jsonValue(9007199254740992n), '9007199254740992');
    assert.equal(jsonValue(-170141183460469231731687303715884105728n), '-170141183460469231731687303715884105728');
    assert.equal(jsonValue(1.5), 1.5);
    assert.equal(jsonValue(Number.NaN), 'NaN');
    assert.equal(jsonValue(Number.POSITIVE_INFINITY), 'Infinity');
    assert.equal(jsonValue(Number.NEGATIVE_INFINITY), '-Infinity');
    assert.equal(jsonValue('12345678901234567890.12'), '12345678901234567890.12');
  });

  it('writes dates, timestamps and times in ISO 8601', () => {
    assert.equal(formatDate(0), '1970-01-01');
    assert.equal(formatDate(19797), '2024-03-15');
    assert.equal(formatDate(-1), '1969-12-31');
    assert.equal(formatDate(2932897), '+010000-01-01');
    assert.equal(formatDate(2147483647), 'infinity');
    assert.equal(formatTimestamp(1710513000000000n, false), '2024-03-15T14:30:00');
    assert.equal(formatTimestamp(1710513000123000n, true), '2024-03-15T14:30:00.123Z');
    assert.equal(formatTimestamp(1710513000123456n, false), '2024-03-15T14:30:00.123456');
    assert.equal(formatTimestamp(-1n, false), '1969-12-31T23:59:59.999999');
    assert.equal(formatTimestamp(9223372036854775807n, false), 'infinity');
    assert.equal(formatTime(0n), '00:00:00');
    assert.equal(formatTime(52_200_500_000n), '14:30:00.500');
    assert.equal(formatTime(86_400_000_000n), '24:00:00');
    assert.equal(jsonValue(new EngineDate(19797)), '2024-03-15');
    assert.equal(jsonValue(new EngineTimestamp(0n, true)), '1970-01-01T00:00:00Z');
    assert.equal(jsonValue(new EngineTime(1n)), '00:00:00.000001');
  });

  it('writes intervals as ISO 8601 durations', () => {
    assert.equal(formatInterval(new EngineInterval(14, 3, 14_706_500_000n)), 'P1Y2M3DT4H5M6.5S');
    assert.equal(formatInterval(new EngineInterval(0, 0, 0n)), 'PT0S');
    assert.equal(formatInterval(new EngineInterval(-1, 2, -3_600_000_000n)), 'P-1M2DT-1H');
    assert.equal(formatInterval(new EngineInterval(0, 0, 1n)), 'PT0.000001S');
  });

  it('renders nested values by their type: lists, structs, maps (keyed by the key text), blobs', () => {
    const map: EngineType = { kind: 'map', key: { kind: 'integer' }, element: { kind: 'date' } };
    assert.deepEqual(jsonValue({ entries: [[1, new EngineDate(0)], [2, null]] }, map), { '1': '1970-01-01', '2': null });
    const struct: EngineType = { kind: 'struct', fields: [{ name: 'entries', type: { kind: 'bigint' } }] };
    assert.deepEqual(jsonValue({ entries: 5n }, struct), { entries: 5 });
    assert.deepEqual(jsonValue([1n, null, [2n]]), [1, null, [2]]);
    assert.equal(jsonValue(new Uint8Array([0, 255, 1])), 'AP8B');
    assert.equal(typeName(map), 'map(integer, date)');
    assert.equal(typeName({ kind: 'list', element: { kind: 'decimal', precision: 18, scale: 3 } }), 'list(decimal(18,3))');
    assert.equal(typeName(struct), 'struct("entries" bigint)');
  });

  it('writes CSV fields per RFC 4180, NULL empty and the empty string quoted', () => {
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(''), '""');
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('a\r\nb'), '"a\r\nb"');
    assert.equal(textValue(null), undefined);
    assert.equal(textValue([1n, 'x']), '[1,"x"]');
    assert.equal(textValue(true), 'true');
    const csv = csvFormat([{ name: 'a', type: { kind: 'varchar' } }, { name: 'b b', type: { kind: 'list', element: { kind: 'integer' } } }]);
    assert.equal(csv.head, 'a,b b\r\n');
    assert.equal(csv.rows([['x', [1, 2]], [null, null]]), 'x,"[1,2]"\r\n,\r\n');
    assert.equal(csv.errorLine, undefined);
  });

  it('writes NDJSON lines: header, rows, and the error line', () => {
    const f = ndjsonFormat([{ name: 'n', type: { kind: 'bigint' } }], 'q1');
    assert.equal(f.head, '{"columns":[{"name":"n","type":"bigint"}],"queryId":"q1"}\n');
    assert.equal(f.rows([[1n], [2n ** 60n]]), '[1]\n["1152921504606846976"]\n');
  });
});
