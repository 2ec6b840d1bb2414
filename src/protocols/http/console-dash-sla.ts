/**
 * Dashboard "SLA compliance": tasks with a deadline, completed on time or late, open past their
 * deadline (breached) or due within 24 hours (at risk), by blueprint, step and week. The date
 * range selects tasks by their due time.
 */
import { timestampLiteral, where, type DashboardFilters } from './console-filters.ts';
import { keyEq, limit, nameOr, ratio, stepLabel, tag, taskScope, type DashboardDef } from './console-dashboard-kit.ts';

const D5 = 'sla-compliance';
/** Tasks with a deadline in scope (due in range). */
const slaScope = (f: DashboardFilters) => ['due_at IS NOT NULL', ...taskScope(f, 'due_at')];
/** Completed on time / late, open past due, open due within 24 h: from step_durations' signed lateness. */
const atRisk = (a = ''): string => `${a}is_open AND ${a}hours_late <= 0 AND ${a}hours_late > -24`;
const SLA_ROW_COLUMNS = `process_name, blueprint_name, task_name,
  CASE WHEN is_on_time THEN 'on time' WHEN is_on_time = false THEN 'late' WHEN is_overdue THEN 'breached' WHEN ${atRisk()} THEN 'at risk' ELSE 'open' END AS outcome,
  due_at, completed_at, round(hours_late, 1) AS hours_late, process_id, task_id`;
const decided = 'is_on_time IS NOT NULL OR is_overdue';

export const slaCompliance: DashboardDef = {
  id: D5,
  title: 'SLA compliance',
  description: 'Are tasks done by their deadline? On time versus late by blueprint and step, breaches over time, and what is at risk now. The date range selects tasks by their due time.',
  params: [],
  panels: [
    {
      id: 'kpis',
      title: 'Summary',
      description: 'Tasks with a deadline in the range.',
      chart: {
        type: 'kpis',
        kpis: [
          { column: 'on_time_rate', label: 'Completed on time', format: 'pct' },
          { column: 'on_time', label: 'On time', format: 'int' },
          { column: 'late', label: 'Completed late', format: 'int' },
          { column: 'breached', label: 'Open past deadline', format: 'int' },
          { column: 'at_risk', label: 'Due within 24 h', format: 'int' },
        ],
      },
      sql: (f) => `${tag(D5, 'kpis')}SELECT ${ratio('count(*) FILTER (WHERE is_on_time)', 'count(is_on_time)')} AS on_time_rate,
  count(*) FILTER (WHERE is_on_time) AS on_time, count(*) FILTER (WHERE NOT is_on_time) AS late, count(*) FILTER (WHERE is_overdue) AS breached, count(*) FILTER (WHERE ${atRisk()}) AS at_risk
FROM step_durations
WHERE ${where(slaScope(f))}`,
    },
    {
      id: 'by-blueprint',
      title: 'On time vs late by blueprint',
      description: 'Completed on time, completed late, and open past their deadline.',
      half: true,
      chart: {
        type: 'hbar', category: 'blueprint_name', categoryFormat: 'text',
        series: [
          { column: 'on_time', name: 'On time', format: 'int', stack: 'tasks', tone: 'good' },
          { column: 'late', name: 'Late', format: 'int', stack: 'tasks', tone: 'warn' },
          { column: 'breached', name: 'Open, past deadline', format: 'int', stack: 'tasks', tone: 'bad' },
        ],
      },
      sql: (f) => `${tag(D5, 'by-blueprint')}SELECT blueprint_id, coalesce(max(blueprint_name), 'One-off processes') AS blueprint_name,
  count(*) FILTER (WHERE is_on_time) AS on_time, count(*) FILTER (WHERE NOT is_on_time) AS late, count(*) FILTER (WHERE is_overdue) AS breached
FROM step_durations
WHERE ${where(slaScope(f))}
GROUP BY blueprint_id
HAVING count(*) FILTER (WHERE ${decided}) > 0
ORDER BY count(*) FILTER (WHERE ${decided}) DESC
LIMIT 20`,
      drill: {
        keys: [{ column: 'blueprint_id', type: 'text' }],
        title: (_k, label) => `Tasks with a deadline in ${nameOr(label, 'one-off processes')}`,
        sql: (f, k) => `${tag(D5, 'by-blueprint drill')}SELECT ${SLA_ROW_COLUMNS}
FROM step_durations
WHERE ${where([...slaScope(f), decided, keyEq('blueprint_id', k.blueprint_id)])}
ORDER BY hours_late DESC NULLS LAST
${limit}`,
      },
    },
    {
      id: 'by-step',
      title: 'Steps that miss their deadline most',
      description: 'Share of tasks completed late or open past due, per blueprint step (at least 5 decided tasks).',
      half: true,
      chart: { type: 'hbar', category: 'step', categoryFormat: 'text', series: [{ column: 'breach_rate', name: 'Missed deadline', format: 'pct', tone: 'bad' }] },
      sql: (f) => `${tag(D5, 'by-step')}SELECT step_id, ${stepLabel} AS step, count(*) FILTER (WHERE ${decided}) AS decided,
  ${ratio('count(*) FILTER (WHERE NOT is_on_time) + count(*) FILTER (WHERE is_overdue)', `count(*) FILTER (WHERE ${decided})`)} AS breach_rate
FROM step_durations
WHERE ${where(['step_id IS NOT NULL', ...slaScope(f)])}
GROUP BY step_id
HAVING count(*) FILTER (WHERE ${decided}) >= 5
ORDER BY breach_rate DESC, step
LIMIT 12`,
      drill: {
        keys: [{ column: 'step_id', type: 'text' }],
        title: (_k, label) => `Tasks of ${nameOr(label, 'this step')} with a deadline`,
        sql: (f, k) => `${tag(D5, 'by-step drill')}SELECT ${SLA_ROW_COLUMNS}
FROM step_durations
WHERE ${where([...slaScope(f), decided, keyEq('step_id', k.step_id)])}
ORDER BY hours_late DESC NULLS LAST
${limit}`,
      },
    },
    {
      id: 'over-time',
      title: 'Deadlines met and missed per week',
      description: 'Tasks by the week they were due: completed on time, completed late or still open past due, and the on-time rate.',
      chart: {
        type: 'bar', category: 'week', categoryFormat: 'week',
        series: [
          { column: 'on_time', name: 'On time', format: 'int', stack: 'tasks', tone: 'good' },
          { column: 'missed', name: 'Missed', format: 'int', stack: 'tasks', tone: 'bad' },
          { column: 'on_time_rate', name: 'On-time rate', format: 'pct', line: true, axis: 1, tone: 'neutral' },
        ],
      },
      sql: (f) => `${tag(D5, 'over-time')}SELECT date_trunc('week', due_at) AS week, count(*) FILTER (WHERE is_on_time) AS on_time,
  count(*) FILTER (WHERE NOT is_on_time) + count(*) FILTER (WHERE is_overdue) AS missed,
  ${ratio('count(*) FILTER (WHERE is_on_time)', `count(*) FILTER (WHERE ${decided})`)} AS on_time_rate
FROM step_durations
WHERE ${where([...slaScope(f), decided])}
GROUP BY 1
ORDER BY 1`,
      drill: {
        keys: [{ column: 'week', type: 'timestamp' }],
        title: (k) => `Tasks due in the week of ${String(k.week).slice(0, 10)}`,
        sql: (f, k) => {
          const w = timestampLiteral(String(k.week));
          return `${tag(D5, 'over-time drill')}SELECT ${SLA_ROW_COLUMNS}
FROM step_durations
WHERE ${where([...slaScope(f), decided, `due_at >= ${w}`, `due_at < date_add('week', 1, ${w})`])}
ORDER BY hours_late DESC NULLS LAST
${limit}`;
        },
      },
    },
    {
      id: 'at-risk',
      title: 'Breached and at-risk tasks',
      description: 'Open tasks past their deadline or due within 24 hours, most urgent first. Select a row to see its process.',
      chart: {
        type: 'table',
        columns: [
          { column: 'task_name', label: 'Task', format: 'text' },
          { column: 'process_name', label: 'Process', format: 'text' },
          { column: 'assignees', label: 'Assigned to', format: 'text' },
          { column: 'due_at', label: 'Due', format: 'datetime' },
          { column: 'days_late', label: 'Overdue by', format: 'days' },
        ],
      },
      sql: (f) => `${tag(D5, 'at-risk')}SELECT s.task_name, s.process_name, s.blueprint_name, n.assignees, s.due_at, s.hours_late / 24 AS days_late,
  CASE WHEN s.is_overdue THEN 'breached' ELSE 'at risk' END AS outcome, s.process_id, s.task_id
FROM step_durations s
LEFT JOIN (SELECT task_id, array_join(array_agg(assignee_name), ', ') AS assignees FROM assignments GROUP BY task_id) n ON n.task_id = s.task_id
WHERE ${where(['s.due_at IS NOT NULL', ...taskScope(f, 'due_at', 's'), `s.is_overdue OR (${atRisk('s.')})`])}
ORDER BY s.due_at
LIMIT 200`,
      drill: {
        keys: [{ column: 'process_id', type: 'text' }],
        title: (_k, label) => `All tasks of the process with “${nameOr(label, 'this task')}”`,
        sql: (_f, k) => `${tag(D5, 'at-risk drill')}SELECT task_name, task_status, shown_at, due_at, completed_at, round(hours_late, 1) AS hours_late, is_on_time, is_overdue, task_id
FROM step_durations
WHERE ${keyEq('process_id', k.process_id)}
ORDER BY position, task_name
${limit}`,
      },
    },
  ],
};
