/**
 * Dashboard filters of the web console: parsed from a query string, validated, and turned into
 * Trino SQL predicates whose values are literals built here and nowhere else.
 *
 * Invariants:
 * - A value reaches SQL only through `stringLiteral` (quotes doubled, as Trino and DuckDB read a
 *   standard string literal: a backslash is an ordinary character) or `dateLiteral` /
 *   `timestampLiteral` (the text is first checked to be a real calendar date / instant in a fixed
 *   shape). Control characters and over-long values are refused before that.
 * - Every problem is a `bad_request` naming the parameter and what it must look like.
 * - The member set of the `team` / `member` filters is always the subquery `memberSet`, so each
 *   subject (process, task, answer) applies them the same way.
 */
import { RunlakeError } from '../../util/errors.ts';
import { calendarDay } from '../../util/calendar-day.ts';

export interface DashboardFilters {
  /** First day included, `YYYY-MM-DD` (UTC). */
  from?: string;
  /** Last day included, `YYYY-MM-DD` (UTC). */
  to?: string;
  /** A blueprint id. */
  blueprint?: string;
  /** A team name (members.team). */
  team?: string;
  /** A member id. */
  member?: string;
}

export const FILTER_KEYS = ['from', 'to', 'blueprint', 'team', 'member'] as const;
const MAX_VALUE_LENGTH = 200;

/** Reads and checks the filters of a dashboard request (unknown parameters are the caller's business). */
export function parseFilters(params: URLSearchParams): DashboardFilters {
  const f: DashboardFilters = {};
  for (const key of FILTER_KEYS) {
    const v = params.get(key);
    if (v === null || v === '') continue;
    f[key] = key === 'from' || key === 'to' ? checkDate(key, v) : checkValue(key, v);
  }
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) {
    throw new RunlakeError('bad_request', `the date range starts (${f.from}) after it ends (${f.to}); pick a "from" date on or before the "to" date`);
  }
  return f;
}

/** A free-text parameter value: 1–200 characters, no control characters. */
export function checkValue(name: string, v: string): string {
  if (v.length > MAX_VALUE_LENGTH) throw new RunlakeError('bad_request', `"${name}" must be at most ${MAX_VALUE_LENGTH} characters`);
  if ([...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) throw new RunlakeError('bad_request', `"${name}" must not contain control characters`);
  return v;
}

/** `YYYY-MM-DD` naming a real calendar day. */
export function checkDate(name: string, v: string): string {
  if (!calendarDay(v)) {
    throw new RunlakeError('bad_request', `"${name}" must be a date written YYYY-MM-DD (e.g. 2026-01-31), got ${JSON.stringify(v.slice(0, 40))}`);
  }
  return v;
}

/** An instant as the console sends it back from a chart (`YYYY-MM-DDTHH:MM:SS[.fff][Z]`), normalized to `YYYY-MM-DD HH:MM:SS.fff`. */
export function checkTimestamp(name: string, v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d{1,6})?Z?$/.exec(v);
  const d = m ? new Date(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}Z`) : undefined;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 19) !== `${m[1]}T${m[2]}`) {
    throw new RunlakeError('bad_request', `"${name}" must be a timestamp written YYYY-MM-DDTHH:MM:SS, got ${JSON.stringify(v.slice(0, 40))}`);
  }
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** A Trino string literal: the value between single quotes, each quote doubled. */
export function stringLiteral(v: string): string {
  return `'${v.replaceAll("'", "''")}'`;
}

/** A Trino DATE literal of an already checked `YYYY-MM-DD`. */
export function dateLiteral(v: string): string {
  return `DATE ${stringLiteral(checkDate('date', v))}`;
}

/** A Trino TIMESTAMP literal of an already checked instant. */
export function timestampLiteral(v: string): string {
  return `TIMESTAMP ${stringLiteral(checkTimestamp('timestamp', v))}`;
}

/** `column` within the date range (the `to` day included); empty when the range is open on both ends. */
export function dateRange(column: string, f: DashboardFilters): string[] {
  const out: string[] = [];
  if (f.from !== undefined) out.push(`${column} >= ${dateLiteral(f.from)}`);
  if (f.to !== undefined) out.push(`${column} < date_add('day', 1, ${dateLiteral(f.to)})`);
  return out;
}

/** The member ids the team and member filters select, as a subquery; undefined when neither is set. */
export function memberSet(f: DashboardFilters): string | undefined {
  const conds: string[] = [];
  if (f.member !== undefined) conds.push(`member_id = ${stringLiteral(f.member)}`);
  if (f.team !== undefined) conds.push(`team = ${stringLiteral(f.team)}`);
  return conds.length === 0 ? undefined : `(SELECT member_id FROM members WHERE ${conds.join(' AND ')})`;
}

/** Tasks (by task_id) assigned to, or completed by, one of the members of `set`. */
export function tasksOfMembers(set: string, taskId = 'task_id', completedBy = 'completed_by_id'): string {
  return `(${taskId} IN (SELECT task_id FROM assignments WHERE assignee_type = 'member' AND assignee_id IN ${set}) OR ${completedBy} IN ${set})`;
}

/** ANDs the conditions; `TRUE` when there are none. */
export function where(conds: readonly string[]): string {
  return conds.length === 0 ? 'TRUE' : conds.map((c) => `(${c})`).join(' AND ');
}
