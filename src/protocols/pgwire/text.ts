/**
 * PostgreSQL's text output, exactly: the strings a PostgreSQL 15 server sends in text-format
 * DataRows (DateStyle ISO, IntervalStyle postgres, bytea_output hex), built from engine values.
 * Pure functions; every rule cites the PostgreSQL routine it follows.
 */
import type { TimeZone } from './timezone.ts';

export const MICROS_PER_DAY = 86_400_000_000n;
/** DuckDB's date infinity (date_t::infinity()); -infinity is its negation. */
export const DATE_INFINITY = 2_147_483_647;
/** DuckDB's and PostgreSQL's timestamp infinity (INT64 max); DuckDB's -infinity is -(INT64 max). */
export const TIMESTAMP_INFINITY = 9_223_372_036_854_775_807n;
export const TIMESTAMP_NEG_INFINITY_PG = -9_223_372_036_854_775_808n;

// ---- numbers -----------------------------------------------------------------------------------

/**
 * float8out / float4out. With extra_float_digits > 0 (every client since PostgreSQL 12), the
 * shortest string that reads back as the same value (Ryu): fixed notation when the decimal
 * exponent is in [-4, 15) for float8 or [-4, 6) for float4, else `d.ddde+XX`. With
 * extra_float_digits <= 0, `%.{15|6 + extra_float_digits}g`.
 */
export function formatFloat8(x: number, extraFloatDigits = 1): string {
  const special = floatSpecial(x);
  if (special !== undefined) return special;
  if (extraFloatDigits > 0) {
    // In [1e-4, 1e15) PostgreSQL's layout is fixed notation, which is also JavaScript's there:
    // String(x) is then the same shortest digits laid out the same way.
    const a = x < 0 ? -x : x;
    if (a >= 1e-4 && a < 1e15) return String(x);
    return layoutShortest(x, x.toExponential(), 15);
  }
  return formatG(x, Math.max(1, 15 + extraFloatDigits));
}

export function formatFloat4(x: number, extraFloatDigits = 1): string {
  const f = Math.fround(x);
  const special = floatSpecial(f);
  if (special !== undefined) return special;
  if (extraFloatDigits > 0) {
    for (let p = 1; p <= 9; p++) {
      const y = Number(f.toPrecision(p));
      if (Math.fround(y) === f) return layoutShortest(f, y.toExponential(), 6);
    }
    return layoutShortest(f, f.toExponential(8), 6);
  }
  return formatG(f, Math.max(1, 6 + extraFloatDigits));
}

function floatSpecial(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return undefined;
}

/** `exponential` is a JS toExponential() string of the digits to print ("-1.25e+21"). */
function layoutShortest(x: number, exponential: string, fixedBelow: number): string {
  const [mant, e] = exponential.split('e') as [string, string];
  const digits = mant.replace('-', '').replace('.', '');
  const exp = Number(e);
  const sign = x < 0 ? '-' : '';
  if (exp >= -4 && exp < fixedBelow) return sign + fixedDigits(digits, exp);
  return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function fixedDigits(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return digits.padEnd(intLen, '0');
  return `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/**
 * C's `%.{p}g` as glibc prints it: p significant digits of the exact binary value (ties to even),
 * trailing zeros removed, exponent form outside [-4, p).
 */
export function formatG(x: number, p: number): string {
  const special = floatSpecial(x);
  if (special !== undefined) return special;
  const { digits, exp } = roundHalfEven(Math.abs(x), p);
  const sign = x < 0 ? '-' : '';
  const trimmed = digits.replace(/0+$/, '') || '0';
  if (exp < -4 || exp >= p) {
    return `${sign}${trimmed[0]}${trimmed.length > 1 ? `.${trimmed.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return sign + fixedDigits(trimmed, exp);
}

/** The first p significant digits of a positive double, rounded half to even on exact ties. */
function roundHalfEven(x: number, p: number): { digits: string; exp: number } {
  // 100 significant digits show a double's exact value far enough to tell a true tie.
  const [m, e] = x.toExponential(99).split('e') as [string, string];
  const all = m.replace('.', '');
  let exp = Number(e);
  let head = all.slice(0, p);
  const rest = all.slice(p);
  const up = rest[0]! > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[p - 1]) % 2 === 1));
  if (up) {
    const bumped = (BigInt(head) + 1n).toString();
    if (bumped.length > p) {
      head = bumped.slice(0, p);
      exp++;
    } else head = bumped.padStart(p, '0');
  }
  return { digits: head, exp };
}

/**
 * numeric_out: the exact decimal text. Engine decimals arrive as exact strings; a number (from
 * an engine without exact decimals) prints as its shortest decimal in fixed notation.
 */
export function formatNumeric(v: string | number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return expandExponent(String(v));
  }
  if (PLAIN_DECIMAL.test(v)) return v; // the common case, as engines hand decimals over
  const s = v.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return s.replace(/^\+/, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(s)) return expandExponent(s);
  const lower = s.toLowerCase();
  if (lower === 'nan') return 'NaN';
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf') return 'Infinity';
  if (lower === '-infinity' || lower === '-inf') return '-Infinity';
  return s;
}

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** "1.5e-7" → "0.00000015" (numeric never prints an exponent). */
function expandExponent(s: string): string {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:e([+-]?\d+))?$/i.exec(s);
  if (!m) return s;
  const sign = m[1] === '-' ? '-' : '';
  let intPart = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    const moved = frac.slice(0, exp).padEnd(exp, '0');
    intPart += moved;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const padded = intPart.padStart(-exp + 1, '0');
    frac = padded.slice(padded.length + exp) + frac;
    intPart = padded.slice(0, padded.length + exp);
  }
  intPart = intPart.replace(/^0+(?=\d)/, '') || '0';
  return `${sign}${intPart}${frac ? `.${frac}` : ''}`;
}

// ---- dates and times ---------------------------------------------------------------------------

/** Proleptic Gregorian date of a day number (days since 1970-01-01); astronomical years (0 = 1 BC). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = year - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DD`, and the ` BC` suffix for years before 1 (DateStyle ISO). */
function datePart(days: number): { text: string; bc: boolean } {
  const { year, month, day } = civilFromDays(days);
  const bc = year <= 0;
  const y = bc ? 1 - year : year;
  return { text: `${String(y).padStart(4, '0')}-${p2(month)}-${p2(day)}`, bc };
}

/** date_out. */
export function formatDate(days: number): string {
  if (days === DATE_INFINITY) return 'infinity';
  if (days === -DATE_INFINITY || days === -DATE_INFINITY - 1) return '-infinity';
  const d = datePart(days);
  return d.bc ? `${d.text} BC` : d.text;
}

/** `.ffffff` with trailing zeros removed, or nothing (AppendSeconds with fillzeros). */
function fraction(micros: number): string {
  if (micros === 0) return '';
  return `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
}

/** time_out: `HH:MM:SS[.ffffff]` (24:00:00 allowed). */
export function formatTime(micros: bigint | number): string {
  const us = Number(micros);
  const totalSecs = Math.floor(us / 1_000_000);
  const frac = us - totalSecs * 1_000_000;
  const h = Math.floor(totalSecs / 3600);
  const m = Math.floor((totalSecs % 3600) / 60);
  const s = totalSecs % 60;
  return `${p2(h)}:${p2(m)}:${p2(s)}${fraction(frac)}`;
}

function splitMicros(micros: bigint): { days: number; timeOfDay: number } {
  let days = micros / MICROS_PER_DAY;
  let rem = micros - days * MICROS_PER_DAY;
  if (rem < 0n) {
    days -= 1n;
    rem += MICROS_PER_DAY;
  }
  return { days: Number(days), timeOfDay: Number(rem) };
}

/** timestamp_out: `YYYY-MM-DD HH:MM:SS[.ffffff][ BC]`. */
export function formatTimestamp(micros: bigint): string {
  if (micros === TIMESTAMP_INFINITY) return 'infinity';
  if (micros === -TIMESTAMP_INFINITY || micros === TIMESTAMP_NEG_INFINITY_PG) return '-infinity';
  const { days, timeOfDay } = splitMicros(micros);
  const d = datePart(days);
  return `${d.text} ${formatTime(timeOfDay)}${d.bc ? ' BC' : ''}`;
}

/** EncodeTimezone: `+HH`, `+HH:MM` or `+HH:MM:SS` (seconds east of UTC). */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds >= 0 ? '+' : '-';
  let s = Math.abs(offsetSeconds);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (s !== 0) return `${sign}${p2(h)}:${p2(m)}:${p2(s)}`;
  if (m !== 0) return `${sign}${p2(h)}:${p2(m)}`;
  return `${sign}${p2(h)}`;
}

/** timestamptz_out in the session TimeZone: `YYYY-MM-DD HH:MM:SS[.ffffff]+TZ[ BC]`. */
export function formatTimestamptz(micros: bigint, zone: TimeZone): string {
  if (micros === TIMESTAMP_INFINITY) return 'infinity';
  if (micros === -TIMESTAMP_INFINITY || micros === TIMESTAMP_NEG_INFINITY_PG) return '-infinity';
  const offset = zone.offsetAt(Number(micros / 1000n));
  const { days, timeOfDay } = splitMicros(micros + BigInt(offset) * 1_000_000n);
  const d = datePart(days);
  return `${d.text} ${formatTime(timeOfDay)}${formatOffset(offset)}${d.bc ? ' BC' : ''}`;
}

/**
 * interval_out with IntervalStyle postgres (EncodeInterval, INTSTYLE_POSTGRES):
 * `1 year 2 mons 3 days 04:05:06.5`, `-1 years -2 mons +3 days -04:05:06`, `00:00:00`.
 */
export function formatInterval(months: number, days: number, micros: bigint): string {
  const year = Math.trunc(months / 12);
  const mon = months % 12;
  let out = '';
  let isZero = true;
  let isBefore = false;
  const part = (value: number, unit: string): void => {
    if (value === 0) return;
    out += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
    isBefore = value < 0;
    isZero = false;
  };
  part(year, 'year');
  part(mon, 'mon');
  part(days, 'day');
  if (isZero || micros !== 0n) {
    const neg = micros < 0n;
    const abs = neg ? -micros : micros;
    const hours = abs / 3_600_000_000n;
    const rem = abs - hours * 3_600_000_000n;
    const minutes = Number(rem / 60_000_000n);
    const secMicros = Number(rem % 60_000_000n);
    const secs = Math.floor(secMicros / 1_000_000);
    const frac = secMicros - secs * 1_000_000;
    const h = hours < 10n ? `0${hours}` : String(hours);
    out += `${isZero ? '' : ' '}${neg ? '-' : isBefore ? '+' : ''}${h}:${p2(minutes)}:${p2(secs)}${fraction(frac)}`;
  }
  return out;
}

// ---- bytes, uuids, booleans ---------------------------------------------------------------------

/** byteaout with bytea_output = hex: `\x` then lowercase hex. */
export function formatByteaHex(b: Uint8Array): string {
  return `\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
}

/** byteaout with bytea_output = escape: printable ASCII as is, `\\` for a backslash, `\ooo` else. */
export function formatByteaEscape(b: Uint8Array): string {
  let out = '';
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c < 0x20 || c > 0x7e) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

export function formatBool(v: boolean): string {
  return v ? 't' : 'f';
}

// ---- arrays ------------------------------------------------------------------------------------

/**
 * array_out's element quoting: an element is double-quoted when it is empty, spells NULL (any
 * case), or holds `"`, `\`, `{`, `}`, the delimiter `,` or white space; inside quotes `"` and `\`
 * are backslash-escaped. SQL NULL elements print as the bare word NULL.
 */
export function formatArrayElement(text: string | null): string {
  if (text === null) return 'NULL';
  if (text === '' || /^null$/i.test(text) || /["\\{}, \t\n\r\v\f]/.test(text)) {
    return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  }
  return text;
}

export function formatArray(elements: readonly (string | null)[]): string {
  return `{${elements.map(formatArrayElement).join(',')}}`;
}
