/**
 * Text input of Bind parameters: the strings clients send for typed parameters, read the way
 * PostgreSQL's input functions read them (the common forms; anything else is 22P02 / 22007).
 */
import { EngineDate, EngineInterval, EngineTime, EngineTimestamp } from '../../engine/engine.ts';
import { DATE_INFINITY, MICROS_PER_DAY, TIMESTAMP_INFINITY, civilFromDays, daysFromCivil } from './text.ts';
import type { TimeZone } from './timezone.ts';

/** A parameter that does not read as its type; `sqlstate` is PostgreSQL's for the case. */
export class InputSyntaxError extends Error {
  constructor(readonly sqlstate: string, message: string) {
    super(message);
    this.name = 'InputSyntaxError';
  }
}

const syntax = (type: string, s: string): InputSyntaxError =>
  new InputSyntaxError(type === 'date' || type.startsWith('time') ? '22007' : '22P02', `invalid input syntax for type ${type}: "${s}"`);
const range = (s: string, type: string): InputSyntaxError => new InputSyntaxError('22003', `value "${s}" is out of range for type ${type}`);

export function parseBool(s: string): boolean {
  const v = s.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(v)) return true;
  if (['f', 'false', 'n', 'no', 'off', '0'].includes(v)) return false;
  throw syntax('boolean', s);
}

export function parseInteger(s: string, bits: 16 | 32): number {
  const v = s.trim();
  if (!/^[+-]?\d+$/.test(v)) throw syntax(bits === 16 ? 'smallint' : 'integer', s);
  const n = Number(v);
  const max = bits === 16 ? 32_767 : 2_147_483_647;
  if (n > max || n < -max - 1) throw range(v, bits === 16 ? 'smallint' : 'integer');
  return n;
}

export function parseBigint(s: string): bigint {
  const v = s.trim();
  if (!/^[+-]?\d+$/.test(v)) throw syntax('bigint', s);
  const n = BigInt(v);
  if (n > 9_223_372_036_854_775_807n || n < -9_223_372_036_854_775_808n) throw range(v, 'bigint');
  return n;
}

export function parseOid(s: string): number {
  const v = s.trim();
  if (!/^[+-]?\d+$/.test(v)) throw syntax('oid', s);
  const n = Number(v);
  if (n > 4_294_967_295 || n < -2_147_483_648) throw range(v, 'oid');
  return n < 0 ? n + 4_294_967_296 : n;
}

export function parseFloat8(s: string, type = 'double precision'): number {
  const v = s.trim();
  const lower = v.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-infinity' || lower === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)) throw syntax(type, s);
  return Number(v);
}

/** numeric_in: the exact text, normalized (no `+`, no exponent, leading zeros trimmed). */
export function parseNumeric(s: string): string {
  const v = s.trim();
  const lower = v.toLowerCase();
  if (lower === 'nan') return 'NaN';
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf') return 'Infinity';
  if (lower === '-infinity' || lower === '-inf') return '-Infinity';
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(v);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw syntax('numeric', s);
  let intPart = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    intPart += frac.slice(0, exp).padEnd(exp, '0');
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const padded = intPart.padStart(-exp + 1, '0');
    frac = padded.slice(padded.length + exp) + frac;
    intPart = padded.slice(0, padded.length + exp);
  }
  intPart = intPart.replace(/^0+(?=\d)/, '') || '0';
  const neg = m[1] === '-' && /[1-9]/.test(intPart + frac);
  return `${neg ? '-' : ''}${intPart}${frac ? `.${frac}` : ''}`;
}

/** byteain: `\x` hex, or the escape format (`\\`, `\ooo`, other bytes as is). */
export function parseBytea(s: string): Buffer {
  if (s.startsWith('\\x')) {
    const hex = s.slice(2).replace(/\s/g, '');
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw syntax('bytea', s);
    return Buffer.from(hex, 'hex');
  }
  const out: number[] = [];
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    if (bytes[i + 1] === 0x5c) {
      out.push(0x5c);
      i++;
      continue;
    }
    const oct = s.slice(i + 1, i + 4);
    if (!/^[0-3][0-7]{2}$/.test(oct)) throw syntax('bytea', s);
    out.push(parseInt(oct, 8));
    i += 3;
  }
  return Buffer.from(out);
}

export function parseUuid(s: string): string {
  const hex = s.trim().replace(/^\{|\}$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw syntax('uuid', s);
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- dates and times ---------------------------------------------------------------------------

const DATE_RE = /^(\d{4,})-(\d{1,2})-(\d{1,2})/;

function readDate(s: string, type: string): { days: number; rest: string } {
  const m = DATE_RE.exec(s);
  if (!m) throw syntax(type, s);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new InputSyntaxError('22008', `date/time field value out of range: "${s}"`);
  }
  return { days: daysFromCivil(year, month, day), rest: s.slice(m[0].length) };
}

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

/** ` BC` → the astronomical year; returns the day count moved by the era. */
function applyEra(days: number, bc: boolean): number {
  if (!bc) return days;
  const { year, month, day } = civilFromDays(days);
  return daysFromCivil(1 - year, month, day);
}

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?/;

function readTime(s: string, type: string): { micros: bigint; rest: string } {
  const m = TIME_RE.exec(s);
  if (!m) throw syntax(type, s);
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = Number(m[3] ?? 0);
  // Round to microseconds as PostgreSQL does (half away from zero).
  const fracDigits = (m[4] ?? '').padEnd(7, '0');
  let frac = Number(fracDigits.slice(0, 6));
  if (Number(fracDigits[6]) >= 5) frac += 1;
  if (min > 59 || sec > 60 || h > 24 || (h === 24 && (min > 0 || sec > 0 || frac > 0))) {
    throw new InputSyntaxError('22008', `date/time field value out of range: "${s}"`);
  }
  const micros = BigInt(((h * 60 + min) * 60 + sec) * 1_000_000 + frac);
  return { micros, rest: s.slice(m[0].length) };
}

/** Returns seconds east of UTC, or undefined when `s` holds no zone. */
function readZone(s: string, type: string): { offset: number | undefined; rest: string } {
  const t = s.trimStart();
  if (/^(z|utc|gmt)\b/i.test(t)) return { offset: 0, rest: t.replace(/^(z|utc|gmt)/i, '') };
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(t);
  if (!m) return { offset: undefined, rest: s };
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  if (Number(m[2]) > 15) throw syntax(type, s);
  return { offset: m[1] === '-' ? -secs : secs, rest: t.slice(m[0].length) };
}

function readEra(rest: string, type: string, s: string): boolean {
  const r = rest.trim();
  if (r === '') return false;
  if (/^(bc|b\.c\.)$/i.test(r)) return true;
  if (/^(ad|a\.d\.)$/i.test(r)) return false;
  throw syntax(type, s);
}

export function parseDate(s: string): EngineDate {
  const v = s.trim();
  const lower = v.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') return new EngineDate(DATE_INFINITY);
  if (lower === '-infinity') return new EngineDate(-DATE_INFINITY);
  if (lower === 'epoch') return new EngineDate(0);
  const { days, rest } = readDate(v, 'date');
  return new EngineDate(applyEra(days, readEra(rest, 'date', s)));
}

export function parseTime(s: string): EngineTime {
  const v = s.trim();
  const { micros, rest } = readTime(v, 'time without time zone');
  // A zone on a time without time zone is ignored, as PostgreSQL does.
  const zone = readZone(rest, 'time without time zone');
  if (zone.rest.trim() !== '') throw syntax('time without time zone', s);
  return new EngineTime(micros);
}

/**
 * timestamp_in / timestamptz_in for ISO-style input: `YYYY-MM-DD[ T]HH:MM[:SS[.f]][zone][ BC]`.
 * Without time zone a zone is ignored; with time zone a missing zone means the session's.
 */
export function parseTimestamp(s: string, withTimeZone: boolean, zone: TimeZone): EngineTimestamp {
  const type = withTimeZone ? 'timestamp with time zone' : 'timestamp without time zone';
  const v = s.trim();
  const lower = v.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') return new EngineTimestamp(TIMESTAMP_INFINITY, withTimeZone);
  if (lower === '-infinity') return new EngineTimestamp(-TIMESTAMP_INFINITY, withTimeZone);
  if (lower === 'epoch') return new EngineTimestamp(0n, withTimeZone);
  const date = readDate(v, type);
  let rest = date.rest;
  let micros = 0n;
  if (/^[T ]\s*\d/i.test(rest)) {
    const t = readTime(rest.replace(/^[T ]\s*/i, ''), type);
    micros = t.micros;
    rest = t.rest;
  }
  const z = readZone(rest, type);
  const bc = readEra(z.rest, type, s);
  const local = BigInt(applyEra(date.days, bc)) * MICROS_PER_DAY + micros;
  if (!withTimeZone) return new EngineTimestamp(local, false);
  const offset = z.offset ?? zone.offsetForLocal(Number(local / 1000n));
  return new EngineTimestamp(local - BigInt(offset) * 1_000_000n, true);
}

const INTERVAL_UNITS: [RegExp, 'months' | 'days' | 'micros', number][] = [
  [/^(millenniums?|millennia|mil|mils)$/, 'months', 12_000],
  [/^(centuries|century|cent|c)$/, 'months', 1200],
  [/^(decades?|dec|decs)$/, 'months', 120],
  [/^(years?|y|yr|yrs)$/, 'months', 12],
  [/^(months?|mons?)$/, 'months', 1],
  [/^(weeks?|w)$/, 'days', 7],
  [/^(days?|d)$/, 'days', 1],
  [/^(hours?|h|hr|hrs)$/, 'micros', 3_600_000_000],
  [/^(minutes?|m|min|mins)$/, 'micros', 60_000_000],
  [/^(seconds?|s|sec|secs)$/, 'micros', 1_000_000],
  [/^(milliseconds?|ms|msecs?)$/, 'micros', 1000],
  [/^(microseconds?|us|usecs?)$/, 'micros', 1],
];

/**
 * interval_in for the postgres style (`1 year 2 mons -3 days 04:05:06.5`, `@ 1 hour ago`) and
 * ISO 8601 durations (`P1Y2M3DT4H5M6S`).
 */
export function parseInterval(s: string): EngineInterval {
  const v = s.trim().toLowerCase();
  if (v.startsWith('p')) return parseIsoInterval(v, s);
  let months = 0;
  let days = 0;
  let micros = 0;
  let rest = v.replace(/^@\s*/, '');
  let ago = false;
  if (/\s*ago$/.test(rest)) {
    ago = true;
    rest = rest.replace(/\s*ago$/, '');
  }
  const tokens = rest.split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 0) throw syntax('interval', s);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const time = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?$/.exec(tok);
    if (time) {
      const sign = time[1] === '-' ? -1 : 1;
      const frac = Number((time[5] ?? '').padEnd(6, '0').slice(0, 6));
      micros += sign * (((Number(time[2]) * 60 + Number(time[3])) * 60 + Number(time[4] ?? 0)) * 1_000_000 + frac);
      continue;
    }
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tok)) throw syntax('interval', s);
    const n = Number(tok);
    const unitTok = tokens[i + 1];
    const unit = unitTok === undefined ? undefined : INTERVAL_UNITS.find(([re]) => re.test(unitTok));
    if (!unit) {
      // A bare number is seconds.
      if (unitTok !== undefined) throw syntax('interval', s);
      micros += Math.round(n * 1_000_000);
      continue;
    }
    i++;
    const [, field, factor] = unit;
    const total = n * factor;
    if (field === 'months') {
      months += Math.trunc(total);
      const fracDays = (total - Math.trunc(total)) * 30;
      days += Math.trunc(fracDays);
      micros += Math.round((fracDays - Math.trunc(fracDays)) * 86_400_000_000);
    } else if (field === 'days') {
      days += Math.trunc(total);
      micros += Math.round((total - Math.trunc(total)) * 86_400_000_000);
    } else micros += Math.round(total);
  }
  if (ago) return new EngineInterval(-months || 0, -days || 0, BigInt(-micros || 0));
  return new EngineInterval(months, days, BigInt(micros));
}

function parseIsoInterval(v: string, s: string): EngineInterval {
  const m = /^p(?:(-?\d+(?:\.\d+)?)y)?(?:(-?\d+(?:\.\d+)?)m)?(?:(-?\d+(?:\.\d+)?)w)?(?:(-?\d+(?:\.\d+)?)d)?(?:t(?:(-?\d+(?:\.\d+)?)h)?(?:(-?\d+(?:\.\d+)?)m)?(?:(-?\d+(?:\.\d+)?)s)?)?$/.exec(v);
  if (!m || v === 'p' || v.endsWith('t')) throw syntax('interval', s);
  const n = (i: number): number => Number(m[i] ?? 0);
  const months = Math.trunc(n(1) * 12 + n(2));
  const days = Math.trunc(n(3) * 7 + n(4));
  const micros = Math.round(n(5) * 3_600_000_000 + n(6) * 60_000_000 + n(7) * 1_000_000);
  return new EngineInterval(months, days, BigInt(micros));
}

// ---- arrays ------------------------------------------------------------------------------------

/**
 * array_in: `{a,"b c",NULL}` and nested `{{1,2},{3,4}}` (optionally with `[1:2]=` bounds, which
 * are ignored). Elements come back as their text (null for NULL), nested as arrays.
 */
export function parseArrayText(s: string): NestedText {
  let i = 0;
  const src = s.trim().replace(/^(\[\d+:\d+\])+=/, '');
  const fail = (): never => {
    throw new InputSyntaxError('22P02', `malformed array literal: "${s}"`);
  };
  const skipWs = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const parseLevel = (): NestedText[] => {
    if (src[i] !== '{') fail();
    i++;
    const out: NestedText[] = [];
    skipWs();
    if (src[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      skipWs();
      if (src[i] === '{') out.push(parseLevel());
      else if (src[i] === '"') {
        i++;
        let text = '';
        while (i < src.length && src[i] !== '"') {
          if (src[i] === '\\') i++;
          text += src[i] ?? '';
          i++;
        }
        if (src[i] !== '"') fail();
        i++;
        out.push(text);
      } else {
        let text = '';
        while (i < src.length && src[i] !== ',' && src[i] !== '}') {
          if (src[i] === '\\') i++;
          text += src[i] ?? '';
          i++;
        }
        text = text.trim();
        if (text === '') fail();
        out.push(/^null$/i.test(text) ? null : text);
      }
      skipWs();
      if (src[i] === ',') {
        i++;
        continue;
      }
      if (src[i] === '}') {
        i++;
        return out;
      }
      fail();
    }
  };
  const result = parseLevel();
  skipWs();
  if (i !== src.length) fail();
  return result;
}

export type NestedText = string | null | NestedText[];

