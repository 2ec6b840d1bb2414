/**
 * The analytic views every organization database has (SCHEMA.md "Views every organization
 * database has"): DuckDB SQL over the base tables, each column documented with its formula.
 *
 * Each view is built from a list of columns `{ name, type, doc, expr }`; its SELECT is
 * `CAST(expr AS <type>) AS name` for each, in order, so the declared columns and the SELECT's output
 * cannot disagree (and the tests check it against DuckDB's DESCRIBE).
 *
 * Shared definitions (the same words in every view's docs):
 * - now: `current_timestamp` at query time, as a UTC timestamp.
 * - running process: process_status is `active` or `problem` (the status is authoritative; a
 *   `complete` or `archived` process is not running whatever its timestamps say).
 * - completed task: task_status = 'completed' or completed_at is set.
 * - open task: not completed, not `auto-skipped`, not hidden (is_visible is not false), and its
 *   process is running. Tasks left unfinished in completed or archived processes are not open.
 * - overdue task: open and due_at < now.
 * - on time: completed_at <= due_at (completing exactly at the deadline is on time).
 * - durations are elapsed time in seconds (double, sub-second precision), hours = seconds / 3600,
 *   days = seconds / 86400. Business-hours durations count only the configured working windows
 *   in the organization's time zone.
 * - weeks are ISO weeks (Monday to Sunday) of the UTC timestamp; `week_start` is the Monday 00:00 UTC.
 *
 * The views reference base tables by bare name (processes, steps, form_fields, issues, members)
 * and use only DuckDB built-ins plus the icu extension (time zones).
 */
import type { ColumnType } from '../schema/types.ts';
import type { DictionarySection } from '../schema/dictionary.ts';
import { DUCKDB_TYPE, HIVE_TYPE } from '../schema/physical.ts';
import { members } from '../schema/tables.ts';
import { sqlString } from '../util/sql-quote.ts';

export interface ViewColumn {
  name: string;
  type: ColumnType;
  /** The formula in words. */
  doc: string;
}

export interface ViewDef {
  name: string;
  doc: string;
  columns: ViewColumn[];
  /** The SELECT (DuckDB dialect) over base tables referenced by bare name. */
  sql: string;
}

export interface BusinessHours {
  /** Local start of the working window, `HH:MM`. */
  start: string;
  /** Local end of the working window, `HH:MM` (`24:00` allowed), after start. */
  end: string;
  /** ISO days of the week that are working days: 1 = Monday … 7 = Sunday. */
  days: number[];
}

export interface AnalyticViewsOptions {
  /** IANA time zone of the organization (business hours are counted in it). */
  timezone: string;
  businessHours?: BusinessHours;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] };

export const ANALYTIC_VIEW_NAMES = [
  'users', 'process_durations', 'step_durations', 'member_scorecard', 'sla_compliance', 'active_processes', 'form_answers',
] as const;

// ---------------------------------------------------------------------------------------------
// SQL building blocks

interface Col extends ViewColumn {
  expr: string;
}

const col = (name: string, type: ColumnType, expr: string, doc: string): Col => ({ name, type, expr, doc });

/** "now" as a UTC timestamp (TIMESTAMP without zone, like the base tables). */
const NOW = `timezone('UTC', current_timestamp)`;
/** Elapsed seconds from a to b (double; negative when b is before a). */
const secs = (a: string, b: string): string => `((epoch_us(${b}) - epoch_us(${a})) / 1e6)`;
const ratio = (num: string, den: string): string => `(${num})::DOUBLE / nullif(${den}, 0)`;

function buildSelect(cols: readonly Col[]): string {
  return cols.map((c) => `  CAST(${c.expr} AS ${DUCKDB_TYPE[c.type]}) AS ${c.name}`).join(',\n');
}

function view(name: string, doc: string, cols: Col[], body: { with?: string; from: string; groupBy?: string }): ViewDef {
  const sql = [
    body.with ? `WITH ${body.with}` : '',
    'SELECT',
    buildSelect(cols),
    `FROM ${body.from}`,
    body.groupBy ? `GROUP BY ${body.groupBy}` : '',
  ].filter((x) => x !== '').join('\n');
  return { name, doc, columns: cols.map(({ name: n, type, doc: d }) => ({ name: n, type, doc: d })), sql };
}

/** A process is running. `p` is the processes alias. */
const running = (p: string): string => `coalesce(${p}.process_status IN ('active', 'problem'), false)`;

/**
 * `task_facts`: every task with its process's fields and the shared flags `is_completed` and
 * `is_open`. Embedded in each view that needs it, so every view reads base tables only.
 */
const TASK_FACTS = `task_facts AS (
  SELECT s.*,
    p.process_name, p.process_status, p.blueprint_id, p.blueprint_name,
    p.started_at AS process_started_at, p.created_at AS process_created_at,
    (s.task_status = 'completed' OR s.completed_at IS NOT NULL) AS is_completed,
    (s.task_status <> 'completed' AND s.completed_at IS NULL AND s.task_status <> 'auto-skipped'
      AND s.is_visible IS DISTINCT FROM false AND ${running('p')}) AS is_open
  FROM steps s LEFT JOIN processes p ON p.process_id = s.process_id
)`;

/** Parses `HH:MM` into minutes after midnight. */
function minutesOf(hhmm: string, what: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || h > 24 || min > 59 || (h === 24 && min !== 0)) throw new Error(`business hours ${what} "${hhmm}" is not a time HH:MM between 00:00 and 24:00`);
  return h * 60 + min;
}

/** Checks the options; throws with a readable message. Returns the normalized business hours. */
function checkOptions(opts: AnalyticViewsOptions): { tz: string; startMin: number; endMin: number; days: number[] } {
  const tz = opts.timezone;
  if (typeof tz !== 'string' || !/^[A-Za-z0-9_+\-/]+$/.test(tz)) throw new Error(`time zone "${String(tz)}" is not an IANA time zone name`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new Error(`time zone "${tz}" is not an IANA time zone name`);
  }
  const bh = opts.businessHours ?? DEFAULT_BUSINESS_HOURS;
  const startMin = minutesOf(bh.start, 'start');
  const endMin = minutesOf(bh.end, 'end');
  if (endMin <= startMin) throw new Error(`business hours end ${bh.end} must be after start ${bh.start}`);
  const days = [...new Set(bh.days)].sort((a, b) => a - b);
  if (days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new Error(`business days ${JSON.stringify(bh.days)} must be ISO days of the week 1 (Monday) … 7 (Sunday)`);
  }
  return { tz, startMin, endMin, days };
}

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const hhmm = (min: number): string => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/**
 * Business seconds between UTC timestamps a and b (columns or simple expressions).
 *
 * Algorithm: convert a and b to local wall-clock time in the organization's zone; for every local
 * calendar day d from a's day to b's day (one list element per day), if d is a working day, take
 * the working window [d + start, d + end) in local time, convert both ends back to UTC instants
 * (so a DST change never shifts the window), and add the overlap of [a, b] with the window,
 * floored at 0. The sum, in seconds, is the result; 0 when b <= a; NULL when either is NULL.
 */
function businessSeconds(a: string, b: string, tz: string, startMin: number, endMin: number, days: number[]): string {
  const TZ = sqlString(tz);
  const local = (x: string) => `date_trunc('day', timezone(${TZ}, timezone('UTC', ${x})))`;
  const utcOf = (minutes: number) => `timezone('UTC', timezone(${TZ}, bh_day + INTERVAL ${minutes} MINUTE))`;
  return `CASE WHEN ${a} IS NULL OR ${b} IS NULL THEN NULL WHEN ${b} <= ${a} THEN 0.0 ELSE
    list_sum(list_transform(generate_series(${local(a)}, ${local(b)}, INTERVAL 1 DAY), lambda bh_day:
      CASE WHEN isodow(bh_day) IN (${days.join(', ')})
        THEN greatest(0, epoch_us(least(${b}, ${utcOf(endMin)})) - epoch_us(greatest(${a}, ${utcOf(startMin)})))
        ELSE 0 END)) / 1e6 END`;
}

// ---------------------------------------------------------------------------------------------
// The views

function usersView(): ViewDef {
  const cols = members.columns.map((c) => col(c.name, c.type, `m.${c.name}`, c.doc));
  return view('users', 'The members table under the name BI guides use: one row per member (user) of the organization, every column of `members`.', cols, {
    from: 'members m',
  });
}

function processDurationsView(): ViewDef {
  const end = 'lead_time_end_at';
  const start = 'p.started_at';
  const leadSecs = `CASE WHEN ${start} IS NOT NULL AND ${end} IS NOT NULL THEN ${secs(start, end)} END`;
  const cols: Col[] = [
    col('organization_id', 'varchar', 'p.organization_id', 'The organization.'),
    col('process_id', 'varchar', 'p.process_id', 'Process run id.'),
    col('process_name', 'varchar', 'p.process_name', 'Name of the run.'),
    col('blueprint_id', 'varchar', 'p.blueprint_id', 'Blueprint the run was launched from; NULL for one-off processes.'),
    col('blueprint_name', 'varchar', 'p.blueprint_name', 'Name of the blueprint.'),
    col('blueprint_version', 'integer', 'p.blueprint_version', 'Blueprint version at launch.'),
    col('process_type', 'varchar', 'p.process_type', 'procedure, form or one_off.'),
    col('process_status', 'varchar', 'p.process_status', 'active, problem, complete or archived.'),
    col('process_owner_id', 'varchar', 'p.process_owner_id', "Owner's member id."),
    col('process_owner', 'varchar', 'p.process_owner', "Owner's full name."),
    col('started_by_id', 'varchar', 'p.started_by_id', 'Member who launched the run.'),
    col('created_at', 'timestamp', 'p.created_at', 'When the run was created (UTC).'),
    col('started_at', 'timestamp', 'p.started_at', 'When the run was started (UTC): the start of the lead time.'),
    col('due_at', 'timestamp', 'p.due_at', 'Deadline of the run (UTC).'),
    col('completed_at', 'timestamp', 'p.completed_at', 'When the run was completed (UTC).'),
    col('archived_at', 'timestamp', 'p.archived_at', 'When the run was archived (UTC).'),
    col('is_running', 'boolean', running('p'), "process_status is 'active' or 'problem'."),
    col('is_completed', 'boolean', 'p.completed_at IS NOT NULL', 'completed_at is set (an archived run may have been completed first).'),
    col('lead_time_basis', 'varchar', 'lead_time_basis',
      "What ends the lead time: 'running' (now) for a running process; otherwise 'completed' (completed_at) when completed_at is set; otherwise 'archived' (archived_at) for an archived, never-completed run; otherwise NULL."),
    col('lead_time_end_at', 'timestamp', end, 'The end of the lead time: now, completed_at or archived_at as lead_time_basis says; NULL when none applies.'),
    col('lead_time_seconds', 'double', leadSecs,
      'lead_time_end_at − started_at in elapsed seconds (calendar time, not effort; grows with the clock while running). NULL when the run has not started or has no end.'),
    col('lead_time_hours', 'double', `${leadSecs} / 3600`, 'lead_time_seconds / 3600.'),
    col('lead_time_days', 'double', `${leadSecs} / 86400`, 'lead_time_seconds / 86400.'),
    col('is_on_time', 'boolean', 'CASE WHEN p.due_at IS NOT NULL AND p.completed_at IS NOT NULL THEN p.completed_at <= p.due_at END',
      'completed_at <= due_at; NULL when the run has no deadline or is not completed.'),
    col('is_overdue', 'boolean', `coalesce(${running('p')} AND p.due_at < ${NOW}, false)`, 'Running and due_at < now.'),
    col('total_tasks', 'integer', 'p.total_tasks', 'Number of tasks, hidden ones included.'),
    col('tasks_completed', 'integer', 'p.tasks_completed', "Tasks whose status is 'completed'."),
    col('late_tasks', 'integer', 'p.late_tasks', 'Tasks completed after their due time, or open past it at the snapshot (from the publisher).'),
    col('started_month', 'varchar', 'p.started_month', "'YYYY-MM' of started_at (or created_at when not started), UTC."),
  ];
  return view(
    'process_durations',
    'Per process run: its lead time (started → completed, or → now while running) in seconds, hours and days. '
      + 'Percentiles per blueprint are one GROUP BY away, e.g. `SELECT blueprint_name, quantile_cont(lead_time_hours, 0.9) FROM process_durations '
      + 'WHERE is_completed GROUP BY blueprint_name` (quantile_cont interpolates linearly between the closest ranks, like Excel PERCENTILE.INC).',
    cols,
    {
      from: `(SELECT *,
    CASE WHEN ${running('processes')} THEN 'running' WHEN completed_at IS NOT NULL THEN 'completed'
         WHEN process_status = 'archived' AND archived_at IS NOT NULL THEN 'archived' END AS lead_time_basis,
    CASE WHEN ${running('processes')} THEN ${NOW} WHEN completed_at IS NOT NULL THEN completed_at
         WHEN process_status = 'archived' THEN archived_at END AS lead_time_end_at
  FROM processes) p`,
    },
  );
}

function stepDurationsView(o: ReturnType<typeof checkOptions>): ViewDef {
  // Each duration is computed once, in the `timed` CTE, and reused by its hours twin.
  const withSql = `${TASK_FACTS},
timed AS (
  SELECT *,
    CASE WHEN is_completed THEN ${secs('shown_at', 'completed_at')} END AS elapsed_s,
    CASE WHEN is_completed THEN ${businessSeconds('shown_at', 'completed_at', o.tz, o.startMin, o.endMin, o.days)} END AS business_s,
    ${secs('process_started_at', 'shown_at')} AS waiting_s,
    CASE WHEN due_at IS NULL THEN NULL
      WHEN is_completed THEN ${secs('due_at', 'completed_at')}
      WHEN is_open THEN ${secs('due_at', NOW)} END AS late_s
  FROM task_facts
)`;
  const elapsed = 't.elapsed_s';
  const business = 't.business_s';
  const waiting = 't.waiting_s';
  const late = 't.late_s';
  const hours = `${o.days.map((d) => DAY_NAMES[d - 1]).join(', ')} ${hhmm(o.startMin)}–${hhmm(o.endMin)} in ${o.tz}`;
  const cols: Col[] = [
    col('organization_id', 'varchar', 't.organization_id', 'The organization.'),
    col('process_id', 'varchar', 't.process_id', 'Process run the task belongs to.'),
    col('process_name', 'varchar', 't.process_name', 'Name of the run.'),
    col('process_status', 'varchar', 't.process_status', 'Status of the run.'),
    col('blueprint_id', 'varchar', 't.blueprint_id', 'Blueprint of the run.'),
    col('blueprint_name', 'varchar', 't.blueprint_name', 'Name of the blueprint.'),
    col('task_id', 'varchar', 't.task_id', 'Task id.'),
    col('step_id', 'varchar', 't.step_id', 'Blueprint step the task comes from; NULL for one-off tasks.'),
    col('task_alias', 'varchar', 't.task_alias', 'Stable step alias shared by every run of the blueprint.'),
    col('task_name', 'varchar', 't.task_name', 'Task name.'),
    col('task_type', 'varchar', 't.task_type', 'task, approval, expiring, email or expiring_email.'),
    col('task_status', 'varchar', 't.task_status', 'not-started, in-progress, completed or auto-skipped.'),
    col('position', 'integer', 't.position', 'Order of the task within the process.'),
    col('is_visible', 'boolean', 't.is_visible', 'Shown (true) or hidden by rules (false).'),
    col('milestone_id', 'varchar', 't.milestone_id', 'Milestone of the task.'),
    col('milestone_name', 'varchar', 't.milestone_name', 'Name of the milestone.'),
    col('milestone_position', 'integer', 't.milestone_position', 'Order of the milestone.'),
    col('assigned_member_ids', 'varchar[]', 't.assigned_member_ids', 'Members assigned directly.'),
    col('assigned_group_ids', 'varchar[]', 't.assigned_group_ids', 'Groups assigned.'),
    col('assigned_guest_emails', 'varchar[]', 't.assigned_guest_emails', 'Guests assigned.'),
    col('completed_by_id', 'varchar', 't.completed_by_id', 'Member who completed the task.'),
    col('completed_by_guest_email', 'varchar', 't.completed_by_guest_email', 'Guest who completed the task.'),
    col('is_approved', 'boolean', 't.is_approved', 'Outcome of an approval; NULL for other tasks or while undecided.'),
    col('process_started_at', 'timestamp', 't.process_started_at', 'When the run was started (UTC).'),
    col('shown_at', 'timestamp', 't.shown_at', 'When the task was assigned or shown (UTC).'),
    col('due_at', 'timestamp', 't.due_at', 'Deadline of the task (UTC).'),
    col('completed_at', 'timestamp', 't.completed_at', 'When the task was completed (UTC).'),
    col('is_completed', 'boolean', 't.is_completed', "task_status = 'completed' or completed_at is set."),
    col('is_open', 'boolean', 'coalesce(t.is_open, false)',
      "Not completed, not auto-skipped, not hidden (is_visible is not false), and the run is running (status active or problem)."),
    col('elapsed_seconds', 'double', elapsed,
      'completed_at − shown_at in elapsed seconds (calendar time, not effort). NULL unless the task is completed and both times are known.'),
    col('elapsed_hours', 'double', `${elapsed} / 3600`, 'elapsed_seconds / 3600.'),
    col('business_seconds', 'double', business,
      `Seconds between shown_at and completed_at that fall inside business hours (${hours}; DST-aware: each day's window is placed in local time, then converted to UTC). 0 when completed_at <= shown_at; NULL when elapsed_seconds is NULL.`),
    col('business_hours', 'double', `${business} / 3600`, 'business_seconds / 3600.'),
    col('waiting_seconds', 'double', waiting, 'shown_at − process started_at in elapsed seconds: how long the run waited before this task was shown. NULL when either is unknown.'),
    col('waiting_hours', 'double', `${waiting} / 3600`, 'waiting_seconds / 3600.'),
    col('seconds_late', 'double', late,
      'Signed lateness against due_at: completed_at − due_at for completed tasks, now − due_at for open tasks (positive = late, 0 = exactly at the deadline, negative = early or time left). NULL when there is no due_at, or the task is neither completed nor open (hidden, skipped, or its run ended).'),
    col('hours_late', 'double', `${late} / 3600`, 'seconds_late / 3600.'),
    col('is_on_time', 'boolean', 'CASE WHEN t.is_completed AND t.due_at IS NOT NULL AND t.completed_at IS NOT NULL THEN t.completed_at <= t.due_at END',
      'completed_at <= due_at (exactly at the deadline is on time). NULL when there is no due_at or the task is not completed.'),
    col('is_overdue', 'boolean', `coalesce(t.is_open AND t.due_at < ${NOW}, false)`, 'Open and due_at < now.'),
    col('started_month', 'varchar', 't.started_month', "Partition of the run: 'YYYY-MM' of its start (UTC)."),
  ];
  return view(
    'step_durations',
    `Per task: elapsed time from shown to completed, the same in business hours (${hours}), waiting time before the task was shown, lateness against its due time and the on-time flag.`,
    cols,
    { with: withSql, from: 'timed t' },
  );
}

function memberScorecardView(): ViewDef {
  const handling = secs('shown_at', 'completed_at');
  const currentWeek = `date_trunc('week', ${NOW})`;
  const withSql = `${TASK_FACTS},
assigned AS (
  SELECT organization_id, member_id, date_trunc('week', shown_at) AS week_start,
    count(*) AS tasks_assigned, count(*) FILTER (is_completed) AS assigned_completed
  FROM (SELECT organization_id, task_id, shown_at, is_completed, unnest(list_distinct(assigned_member_ids)) AS member_id
        FROM task_facts WHERE shown_at IS NOT NULL)
  GROUP BY ALL
),
completed AS (
  SELECT organization_id, completed_by_id AS member_id, date_trunc('week', completed_at) AS week_start,
    count(*) AS tasks_completed,
    avg(${handling}) / 3600 AS avg_handling_hours,
    quantile_cont(${handling}, 0.9) / 3600 AS p90_handling_hours,
    count(*) FILTER (due_at IS NOT NULL AND completed_at <= due_at) AS completed_on_time,
    count(*) FILTER (due_at IS NOT NULL AND completed_at > due_at) AS completed_late
  FROM task_facts WHERE is_completed AND completed_at IS NOT NULL AND completed_by_id IS NOT NULL
  GROUP BY ALL
),
overdue AS (
  SELECT organization_id, member_id, count(*) AS open_overdue_tasks
  FROM (SELECT organization_id, task_id, unnest(list_distinct(assigned_member_ids)) AS member_id
        FROM task_facts WHERE is_open AND due_at < ${NOW})
  GROUP BY ALL
),
week_keys AS (
  SELECT organization_id, member_id, week_start FROM assigned
  UNION SELECT organization_id, member_id, week_start FROM completed
  UNION SELECT organization_id, member_id, ${currentWeek} FROM overdue
  UNION SELECT organization_id, member_id, ${currentWeek} FROM members WHERE status = 'active'
)`;
  const cols: Col[] = [
    col('organization_id', 'varchar', 'k.organization_id', 'The organization.'),
    col('member_id', 'varchar', 'k.member_id', 'The member.'),
    col('member_name', 'varchar', "coalesce(m.full_name, nullif(concat_ws(' ', m.first_name, m.last_name), ''))",
      "The member's full_name, else first and last name; NULL for ids not in members."),
    col('email', 'varchar', 'm.email', "The member's e-mail."),
    col('team', 'varchar', 'm.team', "The member's team."),
    col('week_start', 'timestamp', 'k.week_start', 'Monday 00:00 UTC of the ISO week (weeks are taken on UTC timestamps).'),
    col('iso_week', 'varchar', `strftime(k.week_start, '%G-W%V')`, "The ISO week as 'YYYY-Www'."),
    col('is_current_week', 'boolean', `k.week_start = ${currentWeek}`, 'The week containing now.'),
    col('tasks_assigned', 'integer', 'coalesce(a.tasks_assigned, 0)',
      'Tasks whose assigned_member_ids contain the member and whose shown_at falls in the week (a task is counted in the week it was shown; hidden tasks never shown are not counted; group assignments are not expanded).'),
    col('assigned_completed', 'integer', 'coalesce(a.assigned_completed, 0)', 'Of tasks_assigned, how many are completed now (by anyone).'),
    col('completion_rate', 'double', ratio('a.assigned_completed', 'a.tasks_assigned'),
      'assigned_completed / tasks_assigned: the share of the week\'s assigned tasks that are completed now (0…1). NULL when tasks_assigned = 0.'),
    col('tasks_completed', 'integer', 'coalesce(c.tasks_completed, 0)',
      'Tasks with completed_by_id = the member and completed_at in the week (counted in the week of completion, wherever they were assigned).'),
    col('avg_handling_hours', 'double', 'c.avg_handling_hours',
      'Mean of (completed_at − shown_at) in hours over tasks_completed (those with a shown_at). NULL when there are none.'),
    col('p90_handling_hours', 'double', 'c.p90_handling_hours',
      '90th percentile of the same handling times: quantile_cont (linear interpolation between closest ranks: sorted x₀…xₙ₋₁, position h = 0.9·(n−1), x⌊h⌋ + (h−⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋)). NULL when there are none.'),
    col('completed_on_time', 'integer', 'coalesce(c.completed_on_time, 0)', 'Of tasks_completed, those with a due_at and completed_at <= due_at.'),
    col('completed_late', 'integer', 'coalesce(c.completed_late, 0)', 'Of tasks_completed, those with completed_at > due_at.'),
    col('on_time_rate', 'double', ratio('c.completed_on_time', 'c.completed_on_time + c.completed_late'),
      'completed_on_time / (completed_on_time + completed_late); tasks without a due_at are left out. NULL when none had a due_at.'),
    col('open_overdue_tasks', 'integer', `CASE WHEN k.week_start = ${currentWeek} THEN coalesce(o.open_overdue_tasks, 0) END`,
      'As of now (query time): open tasks assigned to the member (assigned_member_ids) with due_at < now. Only on the current week\'s row; NULL on past weeks, so SUM over weeks stays correct.'),
  ];
  return view(
    'member_scorecard',
    'Per member and ISO week (UTC): tasks assigned and completed, completion rate, average and p90 handling time, on-time rate, and open overdue tasks as of now. '
      + 'A row exists for a week in which the member had a task shown to them or completed one, plus a current-week row for every active member and every member with open overdue tasks. '
      + 'Counts add up across weeks; rates and handling times do not (recompute rates from the counts).',
    cols,
    {
      with: withSql,
      from: `week_keys k
  LEFT JOIN assigned a ON a.organization_id = k.organization_id AND a.member_id = k.member_id AND a.week_start = k.week_start
  LEFT JOIN completed c ON c.organization_id = k.organization_id AND c.member_id = k.member_id AND c.week_start = k.week_start
  LEFT JOIN overdue o ON o.organization_id = k.organization_id AND o.member_id = k.member_id
  LEFT JOIN members m ON m.organization_id = k.organization_id AND m.member_id = k.member_id`,
    },
  );
}

function slaComplianceView(): ViewDef {
  const onTime = 'count(*) FILTER (is_completed AND completed_at <= due_at)';
  const late = 'count(*) FILTER (is_completed AND completed_at > due_at)';
  const breached = `count(*) FILTER (is_open AND due_at < ${NOW})`;
  const cols: Col[] = [
    col('organization_id', 'varchar', 'organization_id', 'The organization.'),
    col('blueprint_id', 'varchar', 'blueprint_id', 'Blueprint; NULL groups tasks of one-off processes.'),
    col('blueprint_name', 'varchar', 'arg_max(blueprint_name, process_created_at)', 'Name of the blueprint in its most recently created run.'),
    col('step_id', 'varchar', 'step_id', 'Blueprint step; NULL for one-off tasks.'),
    col('task_alias', 'varchar', 'task_alias', 'Step alias.'),
    col('task_name', 'varchar', 'arg_max(task_name, process_created_at)', 'Task name in the most recently created run.'),
    col('tasks', 'integer', 'count(*)', 'Tasks of this step, in every run (hidden and skipped ones included).'),
    col('tasks_with_due', 'integer', 'count(*) FILTER (due_at IS NOT NULL)', 'Of those, tasks with a due_at.'),
    col('completed', 'integer', 'count(*) FILTER (is_completed)', 'Completed tasks.'),
    col('completed_on_time', 'integer', onTime, 'Completed with completed_at <= due_at.'),
    col('completed_late', 'integer', late, 'Completed with completed_at > due_at.'),
    col('open_tasks', 'integer', 'count(*) FILTER (is_open)', 'Open tasks (not completed, not skipped or hidden, in a running process).'),
    col('at_risk', 'integer', `count(*) FILTER (is_open AND due_at >= ${NOW} AND due_at < ${NOW} + INTERVAL 24 HOUR)`,
      'Open tasks due within the next 24 hours: now <= due_at < now + 24 h.'),
    col('breached', 'integer', breached, 'Open tasks already past due: due_at < now.'),
    col('on_time_rate', 'double', ratio(onTime, `${onTime} + ${late}`),
      'completed_on_time / (completed_on_time + completed_late). NULL when no completed task had a due_at.'),
    col('breach_rate', 'double', ratio(`${late} + ${breached}`, `${onTime} + ${late} + ${breached}`),
      '(completed_late + breached) / (completed_on_time + completed_late + breached): the share of tasks whose deadline outcome is decided that missed it (an open task past due has missed it already). NULL when none is decided.'),
    col('avg_hours_late', 'double', `avg(${secs('due_at', 'completed_at')} / 3600) FILTER (is_completed AND completed_at > due_at)`,
      'Mean of (completed_at − due_at) in hours over completed_late tasks. NULL when none.'),
  ];
  return view(
    'sla_compliance',
    'Per blueprint and step (blueprint_id, step_id, task_alias): tasks completed on time and late, on-time and breach rates, and the open tasks currently at risk (due within 24 h) or breached (past due), as of now.',
    cols,
    { with: TASK_FACTS, from: 'task_facts', groupBy: 'organization_id, blueprint_id, step_id, task_alias' },
  );
}

function activeProcessesView(): ViewDef {
  const withSql = `${TASK_FACTS},
open_tasks AS (SELECT * FROM task_facts WHERE is_open),
first_open AS (SELECT process_id, min(position) AS position FROM open_tasks GROUP BY process_id),
current_tasks AS (
  SELECT o.process_id,
    list(o.task_id ORDER BY o.task_name, o.task_id) AS task_ids,
    list(o.task_name ORDER BY o.task_name, o.task_id) AS task_names,
    min(o.due_at) AS due_at
  FROM open_tasks o JOIN first_open f ON f.process_id = o.process_id AND o.position IS NOT DISTINCT FROM f.position
  GROUP BY o.process_id
),
task_counts AS (
  SELECT process_id, count(*) AS open_tasks, count(*) FILTER (due_at < ${NOW}) AS overdue_tasks FROM open_tasks GROUP BY process_id
),
issue_counts AS (SELECT process_id, count(*) FILTER (NOT is_resolved) AS open_issues FROM issues GROUP BY process_id)`;
  const age = secs('coalesce(p.started_at, p.created_at)', NOW);
  const cols: Col[] = [
    col('organization_id', 'varchar', 'p.organization_id', 'The organization.'),
    col('process_id', 'varchar', 'p.process_id', 'Process run id.'),
    col('process_name', 'varchar', 'p.process_name', 'Name of the run.'),
    col('blueprint_id', 'varchar', 'p.blueprint_id', 'Blueprint of the run.'),
    col('blueprint_name', 'varchar', 'p.blueprint_name', 'Name of the blueprint.'),
    col('process_status', 'varchar', 'p.process_status', "'active' or 'problem' (an open issue)."),
    col('process_owner_id', 'varchar', 'p.process_owner_id', "Owner's member id."),
    col('process_owner', 'varchar', 'p.process_owner', "Owner's full name."),
    col('started_by_id', 'varchar', 'p.started_by_id', 'Member who launched the run.'),
    col('created_at', 'timestamp', 'p.created_at', 'When the run was created (UTC).'),
    col('started_at', 'timestamp', 'p.started_at', 'When the run was started (UTC).'),
    col('due_at', 'timestamp', 'p.due_at', 'Deadline of the run (UTC).'),
    col('age_hours', 'double', `${age} / 3600`, 'now − started_at (created_at when not started), in elapsed hours.'),
    col('age_days', 'double', `${age} / 86400`, 'The same in days.'),
    col('is_overdue', 'boolean', `coalesce(p.due_at < ${NOW}, false)`, "The run's due_at < now."),
    col('current_task_ids', 'varchar[]', "coalesce(ct.task_ids, [])",
      'The open tasks with the lowest position in the run (several when positions tie, or when none has a position), ordered by task_name; empty when no task is open.'),
    col('current_task_names', 'varchar[]', "coalesce(ct.task_names, [])", 'Names of current_task_ids, in the same order.'),
    col('current_task_due_at', 'timestamp', 'ct.due_at', 'Earliest due_at of the current tasks.'),
    col('total_tasks', 'integer', 'p.total_tasks', 'Number of tasks, hidden ones included.'),
    col('tasks_completed', 'integer', 'p.tasks_completed', "Tasks whose status is 'completed'."),
    col('progress', 'double', ratio('p.tasks_completed', 'p.total_tasks'), 'tasks_completed / total_tasks (0…1); NULL when the run has no tasks.'),
    col('open_tasks', 'integer', 'coalesce(tc.open_tasks, 0)', 'Open tasks (not completed, not auto-skipped, not hidden).'),
    col('overdue_tasks', 'integer', 'coalesce(tc.overdue_tasks, 0)', 'Open tasks with due_at < now.'),
    col('open_issues', 'integer', 'coalesce(ic.open_issues, 0)', 'Issues of the run (task- or process-level) not resolved.'),
    col('started_month', 'varchar', 'p.started_month', "Partition of the run: 'YYYY-MM' of its start (UTC)."),
  ];
  return view(
    'active_processes',
    "Running processes (process_status 'active' or 'problem'; complete and archived runs are left out) with their current task(s), age, owner, overdue tasks and open issues, as of now.",
    cols,
    {
      with: withSql,
      from: `processes p
  LEFT JOIN current_tasks ct ON ct.process_id = p.process_id
  LEFT JOIN task_counts tc ON tc.process_id = p.process_id
  LEFT JOIN issue_counts ic ON ic.process_id = p.process_id
WHERE ${running('p')}`,
    },
  );
}

function formAnswersView(): ViewDef {
  const withSql = `answer_lists AS (
  SELECT f.*,
    CASE WHEN len(list_filter(coalesce(f.answer_values, []), lambda v: v IS NOT NULL)) > 0
           THEN list_filter(f.answer_values, lambda v: v IS NOT NULL)
         WHEN f.answer IS NOT NULL THEN [f.answer] END AS vals
  FROM form_fields f
),
answer_rows AS (
  SELECT *, unnest(vals) AS answer_value, unnest(generate_series(1, len(vals))) AS value_index, len(vals) AS value_count
  FROM answer_lists
)`;
  const cols: Col[] = [
    col('organization_id', 'varchar', 'a.organization_id', 'The organization.'),
    col('process_id', 'varchar', 'a.process_id', 'Process run.'),
    col('process_name', 'varchar', 'p.process_name', 'Name of the run.'),
    col('process_status', 'varchar', 'p.process_status', 'Status of the run.'),
    col('blueprint_id', 'varchar', 'p.blueprint_id', 'Blueprint of the run.'),
    col('blueprint_name', 'varchar', 'p.blueprint_name', 'Name of the blueprint.'),
    col('task_id', 'varchar', 'a.task_id', 'Task the field is on; NULL for kick-off fields.'),
    col('task_name', 'varchar', 's.task_name', 'Name of that task; NULL for kick-off fields.'),
    col('step_id', 'varchar', 's.step_id', 'Blueprint step of that task.'),
    col('field_id', 'varchar', 'a.field_id', 'Field id (the same across runs of one blueprint).'),
    col('field_alias', 'varchar', 'a.field_alias', 'Field alias.'),
    col('field_label', 'varchar', 'a.field_label', 'The question.'),
    col('field_type', 'varchar', 'a.field_type', 'Kind of field.'),
    col('is_kickoff', 'boolean', 'a.is_kickoff', 'A kick-off form field.'),
    col('is_required', 'boolean', 'a.is_required', 'An answer is required.'),
    col('answer', 'varchar', 'a.answer', 'The whole answer as text.'),
    col('answer_value', 'varchar', 'a.answer_value',
      'One value: each non-NULL element of answer_values when it has any (multi-value answers are unnested, one row per value), otherwise answer. Unanswered fields have no row.'),
    col('value_index', 'integer', 'a.value_index', 'Position of answer_value in the answer, from 1.'),
    col('value_count', 'integer', 'a.value_count', 'Number of values of the answer (1 for single answers); 1/value_count weights a row so each answer counts once.'),
    col('answer_number', 'double', 'a.answer_number', "The field's answer as a number when it is one (the same on every row of the answer)."),
    col('answered_at', 'timestamp', 'a.answered_at', 'When the answer was given (UTC).'),
    col('started_month', 'varchar', 'a.started_month', "Partition of the run: 'YYYY-MM' of its start (UTC)."),
  ];
  return view(
    'form_answers',
    'Form answers by blueprint, field and value, ready for counting: one row per answer value (multi-value answers unnested from answer_values), kick-off fields included, unanswered fields left out. '
      + 'E.g. `SELECT field_label, answer_value, count(*) FROM form_answers WHERE blueprint_name = … GROUP BY ALL`.',
    cols,
    {
      with: withSql,
      from: `answer_rows a
  LEFT JOIN processes p ON p.process_id = a.process_id
  LEFT JOIN steps s ON s.task_id = a.task_id`,
    },
  );
}

/** The analytic views, in creation order (each depends on base tables only). */
export function analyticViews(opts: AnalyticViewsOptions): ViewDef[] {
  const o = checkOptions(opts);
  return [
    usersView(),
    processDurationsView(),
    stepDurationsView(o),
    memberScorecardView(),
    slaComplianceView(),
    activeProcessesView(),
    formAnswersView(),
  ];
}

/** One data-dictionary section per analytic view, with every column's formula. */
export function analyticViewsDictionary(opts: AnalyticViewsOptions): DictionarySection[] {
  return analyticViews(opts).map((v) => ({
    title: v.name,
    markdown: [
      `## ${v.name} (view)`,
      '',
      v.doc,
      '',
      '| column | type | formula |',
      '|---|---|---|',
      ...v.columns.map((c) => `| \`${c.name}\` | ${HIVE_TYPE[c.type]} | ${c.doc.replaceAll('|', '\\|').replaceAll('\n', ' ')} |`),
      '',
    ].join('\n'),
  }));
}
