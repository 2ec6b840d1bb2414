/**
 * Engine values as Athena renders them in `VarCharValue` and in the result CSV (research §3):
 * doubles as Java's `Double.toString` (`100.0`, `1.0E20`), timestamps always with three
 * fractional digits (`2017-01-01 00:00:00.000`, PyAthena parses `%f`), `timestamp with time zone`
 * with ` UTC`, varbinary as spaced lower-case hex, arrays `[1, 2]`, maps `{k=v}` with keys in
 * ascending order, rows `{a=1, b=2}`; strings inside arrays, maps and rows are not quoted and a
 * nested NULL is `null`. A top-level NULL is undefined (Athena's `{}` Datum, an empty CSV field).
 */
import {
  EngineDate,
  EngineInterval,
  EngineTime,
  EngineTimestamp,
  type EngineType,
  type EngineValue,
} from '../../engine/engine.ts';

/** A value's VarCharValue; undefined for NULL. */
export function athenaText(v: EngineValue, t: EngineType): string | undefined {
  return v === null ? undefined : render(v, t);
}

function render(v: EngineValue, t: EngineType | undefined): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (t?.kind === 'double') return javaDouble(v);
    if (t?.kind === 'real') return javaFloat(v);
    return Number.isInteger(v) ? String(v) : javaDouble(v);
  }
  if (typeof v === 'bigint' || typeof v === 'string') return String(v);
  if (v instanceof Uint8Array) return [...v].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  if (v instanceof EngineDate) return formatDate(v.days);
  if (v instanceof EngineTimestamp) return formatTimestamp(v.micros) + (v.withTimeZone ? ' UTC' : '');
  if (v instanceof EngineTime) return formatTimeOfDay(v.micros);
  if (v instanceof EngineInterval) return formatInterval(v);
  if (Array.isArray(v)) return `[${v.map((x) => render(x, t?.element)).join(', ')}]`;
  if (t?.kind === 'map' || isMap(v)) {
    const entries = [...(v as { entries: [EngineValue, EngineValue][] }).entries].sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([k, x]) => `${render(k, t?.key)}=${render(x, t?.element)}`).join(', ')}}`;
  }
  const fields = Object.entries(v as Record<string, EngineValue>);
  return `{${fields.map(([k, x]) => `${k}=${render(x, t?.fields?.find((f) => f.name === k)?.type)}`).join(', ')}}`;
}

function isMap(v: object): boolean {
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'entries' && Array.isArray((v as { entries: unknown }).entries);
}

function compareKeys(a: EngineValue, b: EngineValue): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  const x = render(a, undefined);
  const y = render(b, undefined);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Java's `Double.toString`: plain between 10^-3 and 10^7, else `d.dddE±n`; always a fractional part. */
export function javaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  return javaStyle(x, String(x), x.toExponential());
}

/** Java's `Float.toString` of a 32-bit float: the shortest decimal that reads back as the same float. */
export function javaFloat(x: number): string {
  if (!Number.isFinite(x) || x === 0) return javaDouble(x);
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const d = Number(f.toPrecision(p));
    if (Math.fround(d) === f) return javaStyle(d, String(d), d.toExponential());
  }
  return javaDouble(f);
}

function javaStyle(x: number, plainText: string, exponential: string): string {
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    // JavaScript prints this range without an exponent (it switches below 1e-6 only).
    return plainText.includes('.') ? plainText : `${plainText}.0`;
  }
  const [mantissa, exp] = exponential.split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
}

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function year(y: number): string {
  return y >= 0 ? pad(y, 4) : `-${pad(-y, 4)}`;
}

export function formatDate(days: number): string {
  const d = new Date(days * DAY_MS);
  if (Number.isNaN(d.getTime())) return days > 0 ? 'infinity' : '-infinity';
  return `${year(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Microseconds since the epoch → `YYYY-MM-DD HH:MM:SS.fff` (milliseconds, rounded down). */
export function formatTimestamp(micros: bigint): string {
  let ms = micros / 1000n;
  if (micros % 1000n < 0n) ms -= 1n;
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return micros > 0n ? 'infinity' : '-infinity';
  return (
    `${year(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

function formatTimeOfDay(micros: bigint): string {
  const ms = Number(micros / 1000n);
  const secs = Math.floor(ms / 1000);
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}.${pad(ms % 1000, 3)}`;
}

/** Trino's interval forms: `D HH:MM:SS.fff` (day to second), `Y-M` (year to month). */
function formatInterval(i: EngineInterval): string {
  const yearMonth = `${i.months < 0 ? '-' : ''}${Math.trunc(Math.abs(i.months) / 12)}-${Math.abs(i.months) % 12}`;
  if (i.months !== 0 && i.days === 0 && i.micros === 0n) return yearMonth;
  const totalMs = BigInt(i.days) * 86_400_000n + i.micros / 1000n;
  const neg = totalMs < 0n;
  let ms = neg ? -totalMs : totalMs;
  const days = ms / 86_400_000n;
  ms %= 86_400_000n;
  const n = Number(ms);
  const dayTime = `${neg ? '-' : ''}${days} ${pad(Math.floor(n / 3_600_000))}:${pad(Math.floor(n / 60_000) % 60)}:${pad(Math.floor(n / 1000) % 60)}.${pad(n % 1000, 3)}`;
  return i.months === 0 ? dayTime : `${yearMonth} ${dayTime}`;
}
