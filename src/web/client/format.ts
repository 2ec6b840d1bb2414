/**
 * How the console writes values for people: numbers with thousands separators, rates as
 * percentages, durations with units, instants in UTC (the data's time base) with the zone named,
 * bytes in binary units. NULL is an em dash.
 */
import type { Cell, ValueFormat } from './api-types.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const NULL_TEXT = '—';

export function formatValue(v: Cell | undefined, f: ValueFormat): string {
  if (v === null || v === undefined) return NULL_TEXT;
  const n = typeof v === 'number' ? v : typeof v === 'string' && f !== 'text' && f !== 'datetime' && f !== 'month' && f !== 'week' ? Number(v) : NaN;
  switch (f) {
    case 'int':
      return Number.isFinite(n) ? int.format(n) : String(v);
    case 'number':
      return Number.isFinite(n) ? dec.format(n) : String(v);
    case 'pct':
      return Number.isFinite(n) ? `${one.format(n * 100)}%` : String(v);
    case 'hours':
      return Number.isFinite(n) ? `${one.format(n)} h` : String(v);
    case 'days':
      return Number.isFinite(n) ? `${one.format(n)} d` : String(v);
    case 'datetime':
      return formatInstant(String(v));
    case 'month': {
      const s = String(v);
      const m = Number(s.slice(5, 7));
      return m >= 1 && m <= 12 ? `${MONTHS[m - 1]} ${s.slice(0, 4)}` : s;
    }
    case 'week':
      return String(v).slice(0, 10);
    case 'bool':
      return v === true ? 'Yes' : v === false ? 'No' : String(v);
    case 'text':
      return Array.isArray(v) ? v.map((x) => formatCell(x)).join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** A result cell by its SQL type name (SQL editor, drill-downs). */
export function formatCell(v: Cell | undefined, type = ''): string {
  if (v === null || v === undefined) return NULL_TEXT;
  if (Array.isArray(v)) return `[${v.map((x) => (x === null ? 'NULL' : typeof x === 'string' ? x : JSON.stringify(x))).join(', ')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (type.startsWith('timestamp') && typeof v === 'string') return v.replace('T', ' ');
  if (typeof v === 'number' && (type === 'double' || type === 'float' || type === 'real')) return dec.format(v);
  return String(v);
}

/** `2026-03-04 14:30 UTC`. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return NULL_TEXT;
  const s = iso.replace('T', ' ');
  return `${s.slice(0, 16)} UTC`;
}

/** `5 minutes ago`, `in 2 days`, … (for freshness and last use). */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (!Number.isFinite(t)) return iso;
  const s = Math.round((now - t) / 1000);
  const abs = Math.abs(s);
  const [value, unit] =
    abs < 45 ? [0, 'now'] : abs < 3600 ? [Math.round(abs / 60), 'minute'] : abs < 86400 ? [Math.round(abs / 3600), 'hour'] : [Math.round(abs / 86400), 'day'];
  if (unit === 'now') return 'just now';
  const text = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return NULL_TEXT;
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${int.format(n)} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return NULL_TEXT;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatCount(n: number): string {
  return int.format(n);
}

/** RFC 4180 CSV of a result (NULL as an empty field). */
export function toCsv(columns: { name: string }[], rows: Cell[][]): string {
  const field = (v: Cell | undefined): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s === '' || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map((c) => field(c.name)).join(','), ...rows.map((r) => r.map(field).join(','))].join('\r\n') + '\r\n';
}

export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
