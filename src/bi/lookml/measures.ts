/**
 * What each relation's Looker view adds to its columns: a few yes/no dimensions that measures
 * filter on, the measures (counts, completion and on-time rates, average / median / p90
 * durations, overdue counts), and the fields a count drills into.
 *
 * Invariants: the record is exhaustive over the relations (a new table or view does not compile
 * until its measures are decided); SQL here is portable between the Athena (Trino) and PostgreSQL
 * dialects and refers to columns only through `${TABLE}.col` or Looker field references
 * `${field}`; durations come from the analytic views' formulas, never re-derived here; rates
 * divide counts with NULLIF(…, 0), so an empty group gives NULL, not an error.
 */
import type { RelationName } from '../relations.ts';

export type MeasureType = 'count' | 'count_distinct' | 'sum' | 'average' | 'median' | 'percentile' | 'max' | 'min' | 'number' | 'date';

export interface DerivedDimension {
  name: string;
  type: 'yesno' | 'string' | 'number';
  sql: string;
  description: string;
}

export interface MeasureDef {
  name: string;
  type: MeasureType;
  /** Not for `count`; field references `${x}` or `${TABLE}.col`. */
  sql?: string;
  /** For `percentile`: 1…99. */
  percentile?: number;
  /** Looker filter expressions on this view's dimensions: `['is_completed', 'Yes']`. */
  filters?: readonly (readonly [field: string, expression: string])[];
  label?: string;
  description: string;
  format?: 'percent_1' | 'decimal_1' | 'decimal_2' | 'decimal_0';
}

export interface RelationExtras {
  dimensions?: readonly DerivedDimension[];
  measures: readonly MeasureDef[];
  /** Dimensions shown when drilling into a count. */
  drill: readonly string[];
}

const YES = 'Yes';
const NO = 'No';

const count = (description: string): MeasureDef => ({ name: 'count', type: 'count', description });
const filtered = (name: string, field: string, value: string, description: string): MeasureDef => ({ name, type: 'count', filters: [[field, value]], description });
const rate = (name: string, num: string, den: string, description: string): MeasureDef => ({
  name, type: 'number', sql: `1.0 * ${num} / NULLIF(${den}, 0)`, format: 'percent_1', description,
});
const distinct = (name: string, field: string, description: string): MeasureDef => ({ name, type: 'count_distinct', sql: `\${${field}}`, description });
const sum = (name: string, field: string, description: string): MeasureDef => ({ name, type: 'sum', sql: `\${${field}}`, description, format: 'decimal_0' });
const avg = (name: string, field: string, description: string, filters?: MeasureDef['filters']): MeasureDef => ({
  name, type: 'average', sql: `\${${field}}`, description, format: 'decimal_1', ...(filters ? { filters } : {}),
});
const median = (name: string, field: string, description: string, filters?: MeasureDef['filters']): MeasureDef => ({
  name, type: 'median', sql: `\${${field}}`, description, format: 'decimal_1', ...(filters ? { filters } : {}),
});
const p90 = (name: string, field: string, description: string, filters?: MeasureDef['filters']): MeasureDef => ({
  name, type: 'percentile', percentile: 90, sql: `\${${field}}`, description, format: 'decimal_1', ...(filters ? { filters } : {}),
});

const COMPLETED = [['is_completed', YES]] as const;

const MEMBER_EXTRAS: RelationExtras = {
  measures: [
    count('Members.'),
    filtered('active_count', 'status', 'active', "Members whose status is 'active'."),
    distinct('team_count', 'team', 'Distinct teams.'),
  ],
  drill: ['member_id', 'full_name', 'email', 'team', 'role', 'status'],
};

export const RELATION_EXTRAS: Record<RelationName, RelationExtras> = {
  processes: {
    dimensions: [
      { name: 'is_running', type: 'yesno', sql: "${TABLE}.process_status IN ('active', 'problem')", description: "Running: process_status is 'active' or 'problem'." },
      { name: 'is_completed', type: 'yesno', sql: '${TABLE}.completed_at IS NOT NULL', description: 'completed_at is set.' },
    ],
    measures: [
      count('Process runs.'),
      filtered('running_count', 'is_running', YES, 'Running process runs (active or problem).'),
      filtered('completed_count', 'is_completed', YES, 'Completed process runs.'),
      rate('completion_rate', '${completed_count}', '${count}', 'Completed runs / runs.'),
      filtered('open_issue_count', 'has_open_issue', YES, 'Runs with at least one open issue.'),
      distinct('blueprint_count', 'blueprint_id', 'Distinct blueprints run.'),
    ],
    drill: ['process_id', 'process_name', 'blueprint_name', 'process_status', 'process_owner'],
  },
  steps: {
    dimensions: [
      { name: 'is_completed', type: 'yesno', sql: "(${TABLE}.task_status = 'completed' OR ${TABLE}.completed_at IS NOT NULL)", description: "task_status is 'completed' or completed_at is set." },
      { name: 'is_on_time', type: 'yesno', sql: '${TABLE}.completed_at <= ${TABLE}.due_at', description: 'Completed at or before its deadline.' },
      { name: 'is_late', type: 'yesno', sql: '${TABLE}.completed_at > ${TABLE}.due_at', description: 'Completed after its deadline.' },
    ],
    measures: [
      count('Tasks.'),
      filtered('completed_count', 'is_completed', YES, 'Completed tasks.'),
      rate('completion_rate', '${completed_count}', '${count}', 'Completed tasks / tasks.'),
      filtered('on_time_count', 'is_on_time', YES, 'Tasks completed on time (completed_at <= due_at).'),
      filtered('late_count', 'is_late', YES, 'Tasks completed late (completed_at > due_at).'),
      rate('on_time_rate', '${on_time_count}', '(${on_time_count} + ${late_count})', 'On time / (on time + late); tasks without a deadline are left out.'),
    ],
    drill: ['task_id', 'task_name', 'task_status', 'milestone_name'],
  },
  form_fields: {
    dimensions: [{ name: 'is_answered', type: 'yesno', sql: '${TABLE}.answer IS NOT NULL', description: 'The field has an answer.' }],
    measures: [
      count('Form fields (kick-off fields included).'),
      filtered('answered_count', 'is_answered', YES, 'Answered form fields.'),
      rate('answer_rate', '${answered_count}', '${count}', 'Answered / all form fields.'),
      avg('average_answer_number', 'answer_number', 'Mean of numeric answers.'),
      distinct('field_count', 'field_id', 'Distinct fields (the same field across runs counts once).'),
    ],
    drill: ['field_id', 'field_label', 'field_type', 'answer'],
  },
  comments: {
    measures: [
      count('Comments.'),
      filtered('problem_count', 'label', 'problem', 'Comments that report a problem.'),
      distinct('author_count', 'author_id', 'Distinct member authors.'),
    ],
    drill: ['comment_id', 'label', 'body', 'author_id'],
  },
  issues: {
    measures: [
      count('Reported issues.'),
      filtered('open_count', 'is_resolved', NO, 'Issues not resolved.'),
      filtered('resolved_count', 'is_resolved', YES, 'Resolved issues.'),
      rate('resolution_rate', '${resolved_count}', '${count}', 'Resolved / reported issues.'),
    ],
    drill: ['issue_id', 'scope', 'description', 'is_resolved'],
  },
  assignments: {
    measures: [
      count('Assignments (one per assignee of a task).'),
      distinct('assignee_count', 'assignee_id', 'Distinct assignees.'),
      distinct('task_count', 'task_id', 'Distinct tasks assigned.'),
    ],
    drill: ['task_id', 'assignee_type', 'assignee_id', 'assignee_name'],
  },
  members: MEMBER_EXTRAS,
  users: MEMBER_EXTRAS,
  member_logins: {
    measures: [
      count('Logins.'),
      distinct('member_count', 'member_id', 'Distinct members who logged in.'),
      { name: 'latest_login', type: 'date', sql: 'MAX(${TABLE}.login_at)', description: 'The most recent login.' },
    ],
    drill: ['member_id'],
  },
  process_durations: {
    dimensions: [{ name: 'is_late', type: 'yesno', sql: '${TABLE}.completed_at > ${TABLE}.due_at', description: 'Completed after its deadline.' }],
    measures: [
      count('Process runs.'),
      filtered('completed_count', 'is_completed', YES, 'Completed runs.'),
      filtered('running_count', 'is_running', YES, 'Running runs.'),
      rate('completion_rate', '${completed_count}', '${count}', 'Completed runs / runs.'),
      avg('average_lead_time_hours', 'lead_time_hours', 'Mean lead time of completed runs (started → completed), hours.', COMPLETED),
      median('median_lead_time_hours', 'lead_time_hours', 'Median lead time of completed runs, hours.', COMPLETED),
      p90('p90_lead_time_hours', 'lead_time_hours', '90th percentile lead time of completed runs, hours.', COMPLETED),
      avg('average_lead_time_days', 'lead_time_days', 'Mean lead time of completed runs, days.', COMPLETED),
      filtered('on_time_count', 'is_on_time', YES, 'Runs completed by their deadline.'),
      filtered('late_count', 'is_late', YES, 'Runs completed after their deadline.'),
      rate('on_time_rate', '${on_time_count}', '(${on_time_count} + ${late_count})', 'On time / (on time + late); runs without a deadline are left out.'),
      filtered('overdue_count', 'is_overdue', YES, 'Running runs past their deadline (as of now).'),
    ],
    drill: ['process_id', 'process_name', 'blueprint_name', 'process_status', 'lead_time_hours'],
  },
  step_durations: {
    dimensions: [{ name: 'is_late', type: 'yesno', sql: '(${TABLE}.is_completed AND ${TABLE}.completed_at > ${TABLE}.due_at)', description: 'Completed after its deadline.' }],
    measures: [
      count('Tasks.'),
      filtered('completed_count', 'is_completed', YES, 'Completed tasks.'),
      filtered('open_count', 'is_open', YES, 'Open tasks (not completed, skipped or hidden, in a running process).'),
      rate('completion_rate', '${completed_count}', '${count}', 'Completed tasks / tasks.'),
      avg('average_elapsed_hours', 'elapsed_hours', 'Mean time shown → completed of completed tasks, hours.', COMPLETED),
      median('median_elapsed_hours', 'elapsed_hours', 'Median time shown → completed, hours.', COMPLETED),
      p90('p90_elapsed_hours', 'elapsed_hours', '90th percentile time shown → completed, hours.', COMPLETED),
      avg('average_business_hours', 'business_hours', 'Mean business hours shown → completed (working windows only).', COMPLETED),
      p90('p90_business_hours', 'business_hours', '90th percentile business hours shown → completed.', COMPLETED),
      avg('average_waiting_hours', 'waiting_hours', 'Mean time from the process start until the task was shown, hours.'),
      filtered('on_time_count', 'is_on_time', YES, 'Tasks completed on time.'),
      filtered('late_count', 'is_late', YES, 'Tasks completed late.'),
      rate('on_time_rate', '${on_time_count}', '(${on_time_count} + ${late_count})', 'On time / (on time + late); tasks without a deadline are left out.'),
      filtered('overdue_count', 'is_overdue', YES, 'Open tasks past their deadline (as of now).'),
      avg('average_hours_late', 'hours_late', 'Mean hours past the deadline of tasks completed late.', [['is_late', YES]]),
    ],
    drill: ['task_id', 'task_name', 'process_name', 'blueprint_name', 'elapsed_hours'],
  },
  member_scorecard: {
    measures: [
      distinct('member_count', 'member_id', 'Distinct members.'),
      sum('total_tasks_assigned', 'tasks_assigned', 'Tasks shown to the member in the weeks selected.'),
      sum('total_assigned_completed', 'assigned_completed', 'Of those, completed now.'),
      rate('overall_completion_rate', '${total_assigned_completed}', '${total_tasks_assigned}', 'Assigned tasks completed / assigned tasks, over the weeks selected.'),
      sum('total_tasks_completed', 'tasks_completed', 'Tasks the member completed in the weeks selected.'),
      sum('total_completed_on_time', 'completed_on_time', 'Of those, on time.'),
      sum('total_completed_late', 'completed_late', 'Of those, late.'),
      rate('overall_on_time_rate', '${total_completed_on_time}', '(${total_completed_on_time} + ${total_completed_late})', 'On time / (on time + late), over the weeks selected.'),
      sum('total_open_overdue_tasks', 'open_overdue_tasks', 'Open tasks past due now (current week rows only).'),
      avg('average_weekly_handling_hours', 'avg_handling_hours', 'Mean of the weekly average handling times (shown → completed), hours.'),
      { name: 'worst_weekly_p90_handling_hours', type: 'max', sql: '${p90_handling_hours}', description: 'Highest weekly 90th percentile handling time, hours.', format: 'decimal_1' },
    ],
    drill: ['member_name', 'team', 'iso_week'],
  },
  sla_compliance: {
    measures: [
      sum('total_tasks', 'tasks', 'Tasks of the steps selected.'),
      sum('total_completed', 'completed', 'Completed tasks.'),
      sum('total_completed_on_time', 'completed_on_time', 'Completed on time.'),
      sum('total_completed_late', 'completed_late', 'Completed late.'),
      sum('total_open_tasks', 'open_tasks', 'Open tasks now.'),
      sum('total_at_risk', 'at_risk', 'Open tasks due within 24 hours.'),
      sum('total_breached', 'breached', 'Open tasks past due.'),
      rate('overall_on_time_rate', '${total_completed_on_time}', '(${total_completed_on_time} + ${total_completed_late})', 'On time / (on time + late).'),
      rate('overall_breach_rate', '(${total_completed_late} + ${total_breached})', '(${total_completed_on_time} + ${total_completed_late} + ${total_breached})',
        '(late + breached) / (on time + late + breached): the share of decided deadlines that were missed.'),
      { name: 'total_hours_late', type: 'sum', sql: '${avg_hours_late} * ${completed_late}', description: 'Hours past the deadline, summed over tasks completed late.', format: 'decimal_1' },
      { name: 'average_hours_late', type: 'number', sql: '1.0 * ${total_hours_late} / NULLIF(${total_completed_late}, 0)', description: 'Mean hours past the deadline of tasks completed late.', format: 'decimal_1' },
    ],
    drill: ['blueprint_name', 'task_name', 'task_alias'],
  },
  active_processes: {
    measures: [
      count('Running process runs.'),
      filtered('overdue_count', 'is_overdue', YES, 'Running runs past their deadline.'),
      avg('average_age_days', 'age_days', 'Mean age (now − start), days.'),
      p90('p90_age_days', 'age_days', '90th percentile age, days.'),
      sum('total_overdue_tasks', 'overdue_tasks', 'Open tasks past due in these runs.'),
      sum('total_open_issues', 'open_issues', 'Open issues in these runs.'),
      { name: 'average_progress', type: 'average', sql: '${progress}', description: 'Mean share of tasks completed.', format: 'percent_1' },
    ],
    drill: ['process_id', 'process_name', 'blueprint_name', 'process_owner', 'age_days'],
  },
  form_answers: {
    measures: [
      count('Answer values (a multi-value answer counts once per value).'),
      { name: 'answer_count', type: 'sum', sql: '1.0 / ${value_count}', description: 'Answers, each counted once however many values it has.', format: 'decimal_0' },
      distinct('process_count', 'process_id', 'Distinct process runs.'),
      avg('average_answer_number', 'answer_number', 'Mean of numeric answers.'),
    ],
    drill: ['process_name', 'field_label', 'answer_value'],
  },
  query_history: {
    dimensions: [{ name: 'exec_seconds', type: 'number', sql: '${TABLE}.exec_ms / 1000.0', description: 'Running time, seconds.' }],
    measures: [
      count('Queries.'),
      filtered('failed_count', 'state', 'FAILED', 'Failed queries.'),
      avg('average_exec_seconds', 'exec_seconds', 'Mean running time, seconds.'),
      p90('p90_exec_seconds', 'exec_seconds', '90th percentile running time, seconds.'),
      sum('total_bytes_scanned', 'bytes_scanned', 'Bytes of data files read (upper bound).'),
    ],
    drill: ['query_id', 'principal', 'protocol', 'state', 'sql'],
  },
  lake_snapshot: {
    measures: [{ name: 'latest_version', type: 'max', sql: '${snapshot_version}', description: 'The live snapshot version.', format: 'decimal_0' }],
    drill: ['snapshot_version'],
  },
};
