/**
 * The hot types' text output written straight into a DataRow (Int32 length, then the bytes),
 * without building strings: integers, dates, timestamps and timestamptz — what a large result is
 * mostly made of. Each writer produces exactly the bytes of its text.ts counterpart
 * (`String(n)`, formatDate, formatTimestamp, formatTimestamptz; test/pgwire/text-fast.test.ts
 * compares them) and returns false, writing nothing, for values off its fast path (years outside
 * 1..9999, infinities, instants beyond ±2^53 µs): the caller then uses text.ts.
 */
import { putInt32, type Writer } from './messages/bytes.ts';
import type { TimeZone } from './timezone.ts';

const DAY_US = 86_400_000_000;
/** |µs| below this is an exact double with room for a ±1 day zone shift. */
const FAST_US = 9_000_000_000_000_000;

/** 10^0 … 10^16 (a safe integer has at most 16 digits). */
const POW10 = Array.from({ length: 17 }, (_, k) => 10 ** k);

/** Decimal digits of a non-negative safe integer. */
function digitCount(a: number): number {
  let n = 1;
  while (n < 16 && a >= POW10[n]!) n++;
  return n;
}

/** The ASCII digits of 00 … 99, two bytes each. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

/**
 * Writes the digits of non-negative `a`, right-aligned to end just before `end`: two at a time
 * from a table, in 32-bit integer arithmetic (what does not fit 31 bits goes eight digits at a
 * time first).
 */
function putDigits(buf: Buffer, end: number, a: number): void {
  let p = end;
  while (a > 0x7fff_ffff) {
    const q = Math.floor(a / 1e8);
    let r = a - q * 1e8;
    for (let k = 0; k < 4; k++) {
      const t = (r / 100) | 0;
      const d = (r - t * 100) << 1;
      buf[--p] = PAIRS[d + 1]!;
      buf[--p] = PAIRS[d]!;
      r = t;
    }
    a = q;
  }
  let x = a | 0;
  while (x >= 100) {
    const t = (x / 100) | 0;
    const d = (x - t * 100) << 1;
    buf[--p] = PAIRS[d + 1]!;
    buf[--p] = PAIRS[d]!;
    x = t;
  }
  if (x >= 10) {
    buf[--p] = PAIRS[(x << 1) + 1]!;
    buf[--p] = PAIRS[x << 1]!;
  } else buf[--p] = 48 + x;
}

/** Two digits of 0 <= v < 100 at p. */
function put2(buf: Uint8Array, p: number, v: number): void {
  const d = v << 1;
  buf[p] = PAIRS[d]!;
  buf[p + 1] = PAIRS[d + 1]!;
}


/** int2/int4/int8 out of a safe integer: `String(n)`. */
export function writeIntText(w: Writer, n: number): void {
  const neg = n < 0;
  const a = neg ? -n : n;
  const len = digitCount(a) + (neg ? 1 : 0);
  const at = w.length;
  const buf = w.reserve(4 + len);
  putInt32(buf, at, len);
  if (neg) buf[at + 4] = 45; // '-'
  putDigits(buf, at + 4 + len, a);
  w.advance(4 + len);
}

/**
 * numeric_out of the decimal `scaled` × 10^-scale (`scaled` a safe integer, `factor` 10^scale):
 * decimalText's bytes (sign, whole part, '.', the fraction zero-padded to the scale).
 */
export function writeDecimalText(w: Writer, scaled: number, scale: number, factor: number): void {
  const neg = scaled < 0;
  const a = neg ? -scaled : scaled;
  const frac = a % factor;
  const whole = (a - frac) / factor;
  const wholeLen = digitCount(whole);
  const len = (neg ? 1 : 0) + wholeLen + (scale === 0 ? 0 : scale + 1);
  const at = w.length;
  const buf = w.reserve(4 + len);
  putInt32(buf, at, len);
  let p = at + 4;
  if (neg) buf[p++] = 45; // '-'
  putDigits(buf, p + wholeLen, whole);
  p += wholeLen;
  if (scale !== 0) {
    buf[p] = 46; // '.'
    let f = frac;
    for (let i = scale; i >= 1; i--) {
      const q = Math.floor(f / 10);
      buf[p + i] = 48 + (f - q * 10);
      f = q;
    }
  }
  w.advance(4 + len);
}

/** Days since 1970-01-01 of 1900-01-01 and 2200-01-01: the range of the date table. */
const TABLE_FIRST = -25_567;
const TABLE_END = 84_006;
let dateTable: Uint8Array | undefined;

/** `YYYY-MM-DD` of every day from 1900 to 2199, ten bytes each (1.1 MB, built on first use). */
function table(): Uint8Array {
  if (!dateTable) {
    const t = Buffer.alloc((TABLE_END - TABLE_FIRST) * 10);
    for (let d = TABLE_FIRST; d < TABLE_END; d++) civilDate(t, (d - TABLE_FIRST) * 10, d);
    dateTable = t;
  }
  return dateTable;
}

/**
 * `YYYY-MM-DD` of a day number at `p` (10 bytes), or false when the year is outside 1..9999:
 * from the table for 1900–2199, else the civil-from-days arithmetic of text.ts (civilFromDays).
 */
function putDate(buf: Buffer, p: number, days: number): boolean {
  if (days >= TABLE_FIRST && days < TABLE_END) {
    const t = table();
    const at = (days - TABLE_FIRST) * 10;
    for (let i = 0; i < 10; i++) buf[p + i] = t[at + i]!;
    return true;
  }
  return civilDate(buf, p, days);
}

function civilDate(buf: Uint8Array, p: number, days: number): boolean {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) return false;
  const hi = Math.floor(year / 100);
  put2(buf, p, hi);
  put2(buf, p + 2, year - hi * 100);
  buf[p + 4] = 45;
  put2(buf, p + 5, month);
  buf[p + 7] = 45;
  put2(buf, p + 8, day);
  return true;
}

/** date_out for days since 1970-01-01 (formatDate). */
export function writeDateText(w: Writer, days: number): boolean {
  const at = w.length;
  const buf = w.reserve(14);
  if (!putDate(buf, at + 4, days)) return false;
  putInt32(buf, at, 10);
  w.advance(14);
  return true;
}

/** Digits of the fraction `.ffffff` with trailing zeros removed (0 when there is no fraction). */
function fractionDigits(frac: number): number {
  if (frac === 0) return 0;
  let f = frac | 0;
  let n = 6;
  while (f % 10 === 0) {
    f = (f / 10) | 0;
    n--;
  }
  return n;
}

/**
 * timestamp_out (`zone` undefined: formatTimestamp) or timestamptz_out in `zone`
 * (formatTimestamptz): `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]`.
 */
export function writeTimestampText(w: Writer, micros: bigint, zone: TimeZone | undefined): boolean {
  return writeTimestampTextUs(w, Number(micros), zone);
}

/** writeTimestampText of µs as a number (exact when |µs| < 2^53; false, writing nothing, beyond). */
export function writeTimestampTextUs(w: Writer, us0: number, zone: TimeZone | undefined): boolean {
  if (!(us0 > -FAST_US && us0 < FAST_US)) return false;
  let offset = 0;
  if (zone !== undefined) {
    const sub = us0 % 1000; // BigInt division truncates: micros / 1000n
    offset = zone.offsetAt((us0 - sub) / 1000);
  }
  const us = us0 + offset * 1_000_000;
  const days = Math.floor(us / DAY_US);
  const tod = us - days * DAY_US;
  const secs = Math.floor(tod / 1_000_000);
  const frac = tod - secs * 1_000_000;
  const fd = fractionDigits(frac);
  let offLen = 0;
  let offAbs = 0;
  if (zone !== undefined) {
    offAbs = offset < 0 ? -offset : offset;
    offLen = offAbs % 60 !== 0 ? 9 : offAbs % 3600 !== 0 ? 6 : 3;
  }
  const len = 19 + (fd === 0 ? 0 : fd + 1) + offLen;
  const at = w.length;
  const buf = w.reserve(4 + len);
  let p = at + 4;
  if (!putDate(buf, p, days)) return false;
  putInt32(buf, at, len);
  p += 10;
  buf[p++] = 32; // ' '
  const h = (secs / 3600) | 0;
  const m = ((secs / 60) | 0) - h * 60;
  put2(buf, p, h);
  buf[p + 2] = 58; // ':'
  put2(buf, p + 3, m);
  buf[p + 5] = 58;
  put2(buf, p + 6, secs - h * 3600 - m * 60);
  p += 8;
  if (fd !== 0) {
    buf[p++] = 46; // '.'
    let f = frac | 0; // six digits, zero-padded on the left, of which the trailing zeros are dropped
    for (let i = 5; i >= 0; i--) {
      const q = (f / 10) | 0;
      if (i < fd) buf[p + i] = 48 + (f - q * 10);
      f = q;
    }
    p += fd;
  }
  if (zone !== undefined) {
    buf[p++] = offset >= 0 ? 43 : 45; // '+' / '-'
    const oh = Math.floor(offAbs / 3600);
    const om = Math.floor(offAbs / 60) - oh * 60;
    put2(buf, p, oh);
    p += 2;
    if (offLen >= 6) {
      buf[p++] = 58;
      put2(buf, p, om);
      p += 2;
    }
    if (offLen === 9) {
      buf[p++] = 58;
      put2(buf, p, offAbs - oh * 3600 - om * 60);
      p += 2;
    }
  }
  w.advance(4 + len);
  return true;
}
