/**
 * Time helpers for the demo generator: epoch-millisecond arithmetic, a fast ISO 8601 formatter
 * (whole seconds, `Z`), and working-hours adjustment (people act on weekdays, 08:00–18:30 local).
 *
 * Time zones are fixed UTC offsets (no daylight saving): good enough to put activity in office
 * hours, and free of any dependency on the machine's zone database.
 */
import type { Rng } from './rng.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const TWO = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const dayPrefix = new Map<number, string>();

/** `YYYY-MM-DDTHH:MM:SSZ` (milliseconds dropped, so formatting never reorders two instants). */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    if (dayPrefix.size > 20_000) dayPrefix.clear();
    dayPrefix.set(day, prefix);
  }
  const sec = Math.floor((ms - day * DAY) / 1000);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec - h * 3600) / 60);
  return `${prefix}${TWO[h]}:${TWO[m]}:${TWO[sec - h * 3600 - m * 60]}Z`;
}

/** `YYYY-MM-DD` of an instant (UTC). */
export function isoDate(ms: number): string {
  return iso(ms).slice(0, 10);
}

/** Day of week of a UTC day number (days since 1970-01-01): 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** `YYYY-MM` of an instant. */
export function isoMonth(ms: number): string {
  return iso(ms).slice(0, 7);
}

const WORK_START = 8 * HOUR;
const WORK_END = 18.5 * HOUR;

/**
 * Moves an action that would happen at night or on a weekend (in a zone `offsetMin` minutes
 * east of UTC) to the next working morning — most of the time: some people do work late.
 * Never moves an instant backwards.
 */
export function workTime(t: number, offsetMin: number, rng: Rng): number {
  const shift = offsetMin * MINUTE;
  const local = t + shift;
  let day = Math.floor(local / DAY);
  const tod = local - day * DAY;
  const dow = dayOfWeek(day);
  const weekend = dow === 0 || dow === 6;
  if (!weekend && tod >= WORK_START && tod <= WORK_END) return t;
  const u = rng.next();
  if (weekend ? u < 0.08 : u < 0.12) return t; // after-hours work
  if (weekend || tod > WORK_END) {
    day += 1;
    while (dayOfWeek(day) === 0 || dayOfWeek(day) === 6) day += 1;
  }
  // Morning arrivals cluster after 08:00.
  const at = day * DAY + WORK_START + rng.next() * rng.next() * 4 * HOUR;
  return Math.max(t, at - shift);
}

/** Pushes a deadline that falls on a weekend (local) to the same time on Monday. */
export function weekdayDeadline(t: number, offsetMin: number): number {
  const local = t + offsetMin * MINUTE;
  const dow = dayOfWeek(Math.floor(local / DAY));
  if (dow === 6) return t + 2 * DAY;
  if (dow === 0) return t + DAY;
  return t;
}
