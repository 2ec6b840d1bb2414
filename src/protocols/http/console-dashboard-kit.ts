/**
 * What every console dashboard is made of: the panel and chart types the client draws, and the
 * SQL building blocks the five dashboards share (filter scopes per subject, literals, drill keys).
 *
 * Invariants:
 * - Filter and key values enter SQL only as literals from console-filters.ts.
 * - One scope per subject (processes, tasks, answers) applies the filters, so a panel's number and
 *   its drill-down (the same scope plus the clicked key) always agree.
 * - What the date range means is fixed per subject: process start, task shown/completed/due time,
 *   answer time; each panel's description says which.
 * - SQL is Trino's (the Athena dialect), exactly what a user could paste into the SQL editor; it
 *   starts with a comment naming the panel, so the query history shows where a query came from.
 * - Chart specs are data for the client (no SQL): src/web renders them.
 */
import { dateRange, memberSet, stringLiteral, tasksOfMembers, type DashboardFilters } from './console-filters.ts';

export type ValueFormat = 'int' | 'number' | 'pct' | 'hours' | 'days' | 'datetime' | 'month' | 'week' | 'text' | 'bool';

export interface SeriesSpec {
  column: string;
  name: string;
  format: ValueFormat;
  /** Bars with the same stack name are stacked. */
  stack?: string;
  /** Drawn as a line over bars (line charts draw every series as a line). */
  line?: boolean;
  /** 1 = the secondary value axis (right). */
  axis?: 0 | 1;
  /** A colour with a meaning (good = on time, warn = late, bad = breached, neutral = a rate over counts); the palette's otherwise. */
  tone?: 'good' | 'warn' | 'bad' | 'neutral';
}

export interface ColumnSpec {
  column: string;
  label: string;
  format: ValueFormat;
}

export type ChartSpec =
  | { type: 'kpis'; kpis: { column: string; label: string; format: ValueFormat }[] }
  | { type: 'bar' | 'hbar' | 'line'; category: string; categoryFormat: ValueFormat; series: SeriesSpec[] }
  | { type: 'pivot'; category: string; categoryFormat: ValueFormat; seriesColumn: string; value: string; format: ValueFormat }
  | { type: 'boxplot'; category: string; box: [string, string, string, string, string]; format: ValueFormat; count: string }
  | { type: 'table'; columns: ColumnSpec[] };

export type DrillKeyType = 'text' | 'timestamp' | 'int';

export interface DrillKey {
  /** The column of the panel's rows that holds the key; also the query parameter `k.<column>`. */
  column: string;
  type: DrillKeyType;
}

/** A drill key value: a string (text), normalized timestamp, integer, or null for a NULL key. */
export type KeyValues = Record<string, string | number | null>;

export interface PanelParams {
  /** Form data: the field (field_id) the value panels show; the most answered choice field when absent. */
  field?: string;
}

export interface PanelDef {
  id: string;
  title: string;
  description: string;
  chart: ChartSpec;
  /** Half-width on wide screens (default full). */
  half?: boolean;
  sql(f: DashboardFilters, p: PanelParams): string;
  drill?: {
    keys: DrillKey[];
    /** The title of the rows shown, from the key values (already validated) and the clicked point's label (display only). */
    title(k: KeyValues, label: string): string;
    sql(f: DashboardFilters, k: KeyValues, p: PanelParams): string;
  };
}

export interface DashboardDef {
  id: DashboardId;
  title: string;
  description: string;
  /** Extra parameters besides the filters (form data: `field`). */
  params: (keyof PanelParams)[];
  panels: PanelDef[];
}

export const DASHBOARD_IDS = ['process-durations', 'team-scorecards', 'form-data', 'active-processes', 'sla-compliance'] as const;
export type DashboardId = (typeof DASHBOARD_IDS)[number];

/** Rows a drill-down shows at most. */
export const DRILL_ROW_LIMIT = 500;

// ---------------------------------------------------------------------------------------------
// Helpers

/** How every query the console makes by itself starts (dashboards, filter menus, schema); the history hides them unless asked. */
export const DASHBOARD_SQL_TAG = '/* runlake console: ';
export const tag = (dash: string, panel: string) => `${DASHBOARD_SQL_TAG}${dash}/${panel} */\n`;
export const eq = (col: string, v: string | undefined): string[] => (v === undefined ? [] : [`${col} = ${stringLiteral(v)}`]);
/** `col` equals the key value, NULL matching NULL. */
export const keyEq = (col: string, v: string | number | null | undefined): string =>
  v === null || v === undefined ? `${col} IS NULL` : `${col} = ${typeof v === 'number' ? String(v) : stringLiteral(v)}`;
export const ratio = (num: string, den: string) => `CAST(${num} AS double) / nullif(${den}, 0)`;
export const text = (k: KeyValues, col: string): string | null => {
  const v = k[col];
  return v === undefined || v === null ? null : String(v);
};
export const nameOr = (v: unknown, dflt: string): string => (typeof v === 'string' && v !== '' ? v : dflt);
export const limit = `LIMIT ${DRILL_ROW_LIMIT}`;
/** The label of a blueprint step in a GROUP BY step_id: `Task name (Blueprint)`. */
export const stepLabel = `max(task_name) || ' (' || coalesce(max(blueprint_name), 'one-off') || ')'`;

/** Scope of process_durations / active_processes rows: started in range, blueprint, owner (or, for running ones, assignee) in the member set. */
export function processScope(f: DashboardFilters, opts: { openTasksToo?: boolean } = {}): string[] {
  const set = memberSet(f);
  const conds = [...dateRange('started_at', f), ...eq('blueprint_id', f.blueprint)];
  if (set) {
    conds.push(
      opts.openTasksToo
        ? `process_owner_id IN ${set} OR process_id IN (SELECT process_id FROM step_durations WHERE is_open AND ${tasksOfMembers(set)})`
        : `process_owner_id IN ${set}`,
    );
  }
  return conds;
}

/** Scope of step_durations rows: `dateColumn` in range, blueprint, assigned to or completed by the member set. */
export function taskScope(f: DashboardFilters, dateColumn: string, alias = ''): string[] {
  const set = memberSet(f);
  const a = alias === '' ? '' : `${alias}.`;
  const conds = [...dateRange(`${a}${dateColumn}`, f), ...eq(`${a}blueprint_id`, f.blueprint)];
  if (set) conds.push(tasksOfMembers(set, `${a}task_id`, `${a}completed_by_id`));
  return conds;
}

/** Scope of form_answers rows: answered in range, blueprint, given by the member set (task completer, or kick-off launcher). */
export function answerScope(f: DashboardFilters): string[] {
  const set = memberSet(f);
  const conds = [...dateRange('answered_at', f), ...eq('blueprint_id', f.blueprint)];
  if (set) {
    conds.push(
      `task_id IN (SELECT task_id FROM steps WHERE completed_by_id IN ${set}) ` +
        `OR (is_kickoff AND process_id IN (SELECT process_id FROM processes WHERE started_by_id IN ${set}))`,
    );
  }
  return conds;
}

export const TASK_ROW_COLUMNS = `process_name, blueprint_name, task_name, task_status, shown_at, due_at, completed_at,
  round(elapsed_hours, 1) AS elapsed_hours, is_on_time, process_id, task_id`;
