/**
 * Engine values as JSON and as text, for the protocols that speak JSON or CSV (HTTP API, console).
 *
 * JSON-safe: a 64-bit or wider integer is a number when it fits in a double exactly, else a
 * string; decimals and UUIDs are their exact text; dates `YYYY-MM-DD`; timestamps ISO 8601
 * (`2024-03-15T14:30:00.123456`, with `Z` when with time zone; fraction only as long as needed);
 * times `HH:MM:SS[.ffffff]`; intervals ISO 8601 durations (`P1Y2M3DT4H5M6.5S`); blobs base64;
 * NaN and ±Infinity the strings `NaN`, `Infinity`, `-Infinity`; maps JSON objects keyed by the
 * key's text; structs objects; lists arrays.
 */
import {
  EngineDate,
  EngineInterval,
  EngineTime,
  EngineTimestamp,
  type EngineType,
  type EngineValue,
} from '../engine/engine.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** A type as the HTTP API names it: `integer`, `decimal(18,2)`, `list(varchar)`, `struct(a integer)`, `map(varchar, bigint)`. */
export function typeName(t: EngineType): string {
  switch (t.kind) {
    case 'decimal':
      return t.precision !== undefined ? `decimal(${t.precision},${t.scale ?? 0})` : 'decimal';
    case 'list':
      return `list(${t.element ? typeName(t.element) : 'unknown'})`;
    case 'map':
      return `map(${t.key ? typeName(t.key) : 'unknown'}, ${t.element ? typeName(t.element) : 'unknown'})`;
    case 'struct':
      return `struct(${(t.fields ?? []).map((f) => `${JSON.stringify(f.name)} ${typeName(f.type)}`).join(', ')})`;
    default:
      return t.kind;
  }
}

export function jsonValue(v: EngineValue, t?: EngineType): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v instanceof EngineDate) return formatDate(v.days);
  if (v instanceof EngineTimestamp) return formatTimestamp(v.micros, v.withTimeZone);
  if (v instanceof EngineTime) return formatTime(v.micros);
  if (v instanceof EngineInterval) return formatInterval(v);
  if (Array.isArray(v)) return v.map((x) => jsonValue(x, t?.element));
  if (isMapValue(v, t)) {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of v.entries) out[keyText(k, t?.key)] = jsonValue(x, t?.element);
    return out;
  }
  const out: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) out[k] = jsonValue(x as EngineValue, t?.fields?.find((f) => f.name === k)?.type);
  return out;
}

/** A value as one text field (CSV): null is undefined (an empty field); nested values are JSON text. */
export function textValue(v: EngineValue, t?: EngineType): string | undefined {
  const j = jsonValue(v, t);
  if (j === null) return undefined;
  if (typeof j === 'string') return j;
  if (typeof j === 'number' || typeof j === 'boolean') return String(j);
  return JSON.stringify(j);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const DAY_MS = 86_400_000;

function isMapValue(v: object, t?: EngineType): v is { entries: [EngineValue, EngineValue][] } {
  if (t) return t.kind === 'map';
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'entries' && Array.isArray((v as { entries: unknown }).entries);
}

function keyText(k: EngineValue, t?: EngineType): string {
  const j = jsonValue(k, t);
  return typeof j === 'string' ? j : JSON.stringify(j);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function yearText(y: number): string {
  if (y >= 0 && y <= 9999) return pad(y, 4);
  return (y < 0 ? '-' : '+') + pad(Math.abs(y), 6);
}

/** Days since 1970-01-01 → `YYYY-MM-DD` (`infinity` / `-infinity` beyond JavaScript's date range). */
export function formatDate(days: number): string {
  const d = new Date(days * DAY_MS);
  if (Number.isNaN(d.getTime())) return days > 0 ? 'infinity' : '-infinity';
  return `${yearText(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Microseconds since the epoch → ISO 8601, `Z` when with time zone. */
export function formatTimestamp(micros: bigint, withTimeZone: boolean): string {
  let ms = micros / 1000n;
  let sub = micros % 1000n;
  if (sub < 0n) {
    ms -= 1n;
    sub += 1000n;
  }
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return micros > 0n ? 'infinity' : '-infinity';
  const date = `${yearText(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}T${time}${fraction(d.getUTCMilliseconds() * 1000 + Number(sub))}${withTimeZone ? 'Z' : ''}`;
}

/** Microseconds since midnight → `HH:MM:SS[.fff|.ffffff]`. */
export function formatTime(micros: bigint): string {
  const total = Number(micros);
  const secs = Math.floor(total / 1_000_000);
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}${fraction(total % 1_000_000)}`;
}

/** The fraction of a second from its microseconds: none, 3 or 6 digits. */
function fraction(us: number): string {
  if (us === 0) return '';
  return us % 1000 === 0 ? `.${pad(us / 1000, 3)}` : `.${pad(us, 6)}`;
}

/** ISO 8601 duration; each part keeps its own sign (`P-1M2D`), zero is `PT0S`. */
export function formatInterval(i: EngineInterval): string {
  const years = Math.trunc(i.months / 12);
  const months = i.months % 12;
  let date = '';
  if (years) date += `${years}Y`;
  if (months) date += `${months}M`;
  if (i.days) date += `${i.days}D`;
  const neg = i.micros < 0n;
  let us = neg ? -i.micros : i.micros;
  const hours = us / 3_600_000_000n;
  us %= 3_600_000_000n;
  const minutes = us / 60_000_000n;
  us %= 60_000_000n;
  const seconds = us / 1_000_000n;
  const frac = Number(us % 1_000_000n);
  const sign = neg ? '-' : '';
  let time = '';
  if (hours) time += `${sign}${hours}H`;
  if (minutes) time += `${sign}${minutes}M`;
  if (seconds || frac) time += `${sign}${seconds}${frac ? `.${pad(frac, 6).replace(/0+$/, '')}` : ''}S`;
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}
