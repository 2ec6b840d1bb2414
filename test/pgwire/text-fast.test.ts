/**
 * The fast DataRow writers give the same bytes as the string formatters they stand in for:
 * writeValue through a codec's writeText (ints, dates, timestamps, timestamptz in several zones)
 * against `lengthPrefixedUtf8(codec.text(v))`, writeNumericBinary against numericToBinary, the
 * ASCII path of lengthPrefixedUtf8 against Buffer's encoder, and formatFloat8's shortcut against
 * PostgreSQL's layout rule applied to the shortest digits. Values are edge cases plus a seeded
 * random sweep.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineDate, EngineTimestamp, type EngineValue } from '../../src/engine/engine.ts';
import { numericToBinary, writeNumericBinary } from '../../src/protocols/pgwire/binary.ts';
import { Writer } from '../../src/protocols/pgwire/messages/bytes.ts';
import { formatFloat8 } from '../../src/protocols/pgwire/text.ts';
import { resolveTimeZone, UTC, type TimeZone } from '../../src/protocols/pgwire/timezone.ts';
import { DEFAULT_FORMAT_CONTEXT, OID, codecForOid, writeValue, type FormatContext } from '../../src/protocols/pgwire/types.ts';

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function viaFast(oid: number, v: EngineValue, ctx: FormatContext): string {
  const w = new Writer(16);
  writeValue(w, codecForOid(oid)!, v, 0, ctx);
  return w.take().toString('hex');
}

function viaText(oid: number, v: EngineValue, ctx: FormatContext): string {
  const w = new Writer(16);
  w.lengthPrefixedUtf8(codecForOid(oid)!.text(v, ctx));
  return w.take().toString('hex');
}

function same(oid: number, values: EngineValue[], ctx: FormatContext = DEFAULT_FORMAT_CONTEXT): void {
  for (const v of values) {
    assert.equal(viaFast(oid, v, ctx), viaText(oid, v, ctx), `${oid} ${typeof v === 'object' && v !== null ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) : String(v)}`);
  }
}

const rnd = random(20261128);
const MICROS_9999 = 253_402_300_799_999_999n;

describe('pgwire fast text writers', () => {
  it('writes integers as String(n) does (int2, int4, int8; numbers and bigints)', () => {
    const ints = [0, -0, 1, -1, 9, 10, -10, 99, 100, 32767, -32768, 2147483647, -2147483648, 123456789, 2147483648, -2147483649];
    // Every digit count, at its edges (the writer works two digits and eight digits at a time).
    for (let k = 1; k <= 15; k++) ints.push(10 ** k - 1, 10 ** k, 10 ** k + 1, -(10 ** k), 10 ** k * 3 + 7);
    ints.push(2 ** 53 - 1, -(2 ** 53 - 1), 1e15 + 12345678, 4294967296, 100000000, 99999999);
    for (let i = 0; i < 2000; i++) ints.push(Math.floor((rnd() - 0.5) * 2 ** (1 + Math.floor(rnd() * 31))));
    same(OID.int2, ints.filter((n) => Math.abs(n) <= 32768));
    same(OID.int4, ints);
    const bigs: EngineValue[] = [0n, -1n, 9007199254740991n, -9007199254740991n, 9007199254740992n, -9223372036854775808n, 9223372036854775807n];
    for (let i = 0; i < 2000; i++) bigs.push(BigInt(Math.floor((rnd() - 0.5) * 2 ** 53)) * (rnd() < 0.2 ? 4099n : 1n));
    same(OID.int8, [...bigs, ...ints]);
    // Values off the fast path still print (through text()).
    same(OID.int4, [1.5, true]);
  });

  it('writes dates as formatDate does, BC and infinities included', () => {
    const days = [0, -1, 1, 10957, -719162, -719163, -719528, 2932896, 2932897, 2147483647, -2147483647, -2147483648];
    for (let i = 0; i < 3000; i++) days.push(Math.floor((rnd() - 0.5) * 2 * 3_000_000));
    same(OID.date, days.map((d) => new EngineDate(d)));
  });

  it('writes timestamps and timestamptz as formatTimestamp(tz) does, in several zones', () => {
    const micros: bigint[] = [
      0n, -1n, 1n, 999_999n, 1_000_000n, -1_000_001n, 86_399_999_999n, -86_400_000_000n, 1_700_000_000_123_450n,
      -62_135_596_800_000_000n, -62_135_596_800_000_001n, MICROS_9999, MICROS_9999 + 1n, -210_866_803_200_000_000n,
      9_223_372_036_854_775_807n, -9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, 8_999_999_999_999_999n,
    ];
    for (let i = 0; i < 3000; i++) {
      const whole = BigInt(Math.floor((rnd() - 0.5) * 2 * 4e11)) * 1_000_000n;
      const frac = [0n, 500_000n, 120n, 1n, BigInt(Math.floor(rnd() * 1e6))][Math.floor(rnd() * 5)]!;
      micros.push(whole + frac);
    }
    const zones: TimeZone[] = [UTC, ...['America/New_York', 'Asia/Kolkata', 'Europe/Amsterdam', 'Australia/Lord_Howe', '+05:45', '-3.5'].map((z) => resolveTimeZone(z)!)];
    same(OID.timestamp, micros.map((m) => new EngineTimestamp(m, false)));
    for (const timeZone of zones) {
      same(OID.timestamptz, micros.map((m) => new EngineTimestamp(m, true)), { ...DEFAULT_FORMAT_CONTEXT, timeZone });
    }
  });

  it('writes numeric binary as numericToBinary does', () => {
    const texts = ['0', '-0', '0.00', '-0.00', '1', '-1', '10000', '0.0001', '79.19', '-12.340', '00012.5000', '123456789.123456789',
      '99999999', '100000000', '0.00000001', '-100000000.00000001', 'NaN', 'Infinity', '-Infinity', '12.', '.5'];
    for (let i = 0; i < 3000; i++) {
      const int = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 16)));
      const scale = Math.floor(rnd() * 12);
      const frac = scale ? `.${String(Math.floor(rnd() * 10 ** scale)).padStart(scale, '0')}` : '';
      texts.push(`${rnd() < 0.3 ? '-' : ''}${int}${frac}`);
    }
    for (const t of texts) {
      const w = new Writer(16);
      writeNumericBinary(w, t);
      const b = numericToBinary(t);
      const expected = Buffer.concat([Buffer.from([b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255]), b]);
      assert.equal(w.take().toString('hex'), expected.toString('hex'), t);
    }
  });

  it('writes short ASCII strings like the UTF-8 encoder, and falls back for others', () => {
    for (const s of ['', 'a', 'process 12345', 'x'.repeat(64), 'x'.repeat(65), 'é', 'abcé', '日本語', '\u007f', 'emoji 🎉', 'a\u0000b']) {
      const w = new Writer(4);
      w.lengthPrefixedUtf8(s);
      const bytes = Buffer.from(s, 'utf8');
      assert.equal(w.take().toString('hex'), Buffer.concat([Buffer.from([0, 0, bytes.length >> 8, bytes.length & 255]), bytes]).toString('hex'), s);
    }
  });

  it("keeps float8's layout: the shortest digits, fixed in [1e-4, 1e15), else exponent", () => {
    const layout = (x: number): string => {
      // PostgreSQL's rule (float8out with extra_float_digits > 0) on JavaScript's shortest digits.
      const [mant, e] = x.toExponential().split('e') as [string, string];
      const digits = mant.replace('-', '').replace('.', '');
      const exp = Number(e);
      const sign = x < 0 ? '-' : '';
      if (exp >= -4 && exp < 15) {
        if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
        return sign + (digits.length <= exp + 1 ? digits.padEnd(exp + 1, '0') : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`);
      }
      return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    };
    const xs = [1e-4, 9.999999999999999e-5, 1e15, 999999999999999.9, 0.1, 1 / 3, 123.456, 1e14, 5e-324, 1.7976931348623157e308, 0.00012, 1e21];
    for (let i = 0; i < 5000; i++) xs.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20));
    for (const x of xs) assert.equal(formatFloat8(x, 1), layout(x), String(x));
  });
});
