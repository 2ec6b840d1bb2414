/**
 * Dashboard "Active processes": running processes now, by blueprint, current step and age, with
 * their overdue tasks and open issues. The date range selects processes by their start; the
 * member filter, processes owned by the members or with an open task assigned to them.
 */
import { RunlakeError } from '../../util/errors.ts';
import { stringLiteral, where, type DashboardFilters } from './console-filters.ts';
import { keyEq, limit, nameOr, processScope, tag, type DashboardDef } from './console-dashboard-kit.ts';

const D4 = 'active-processes';
const AGE_BUCKETS = [
  { label: 'Under 1 day', max: 1 },
  { label: '1–7 days', max: 7 },
  { label: '1–4 weeks', max: 28 },
  { label: '1–3 months', max: 91 },
  { label: '3–6 months', max: 182 },
  { label: 'Over 6 months', max: undefined },
] as const;
const activeScope = (f: DashboardFilters) => processScope(f, { openTasksToo: true });
const ACTIVE_ROW_COLUMNS = `process_name, blueprint_name, process_status, array_join(current_task_names, ', ') AS current_steps, process_owner,
  started_at, round(age_days, 1) AS age_days, overdue_tasks, open_issues, process_id`;

export const activeProcesses: DashboardDef = {
  id: D4,
  title: 'Active processes',
  description: 'What is running right now: where each process stands, how old it is, and what is overdue or blocked. The date range selects processes by their start.',
  params: [],
  panels: [
    {
      id: 'kpis',
      title: 'Summary',
      description: 'Running processes (status active or problem) now.',
      chart: {
        type: 'kpis',
        kpis: [
          { column: 'running', label: 'Running processes', format: 'int' },
          { column: 'overdue', label: 'Past their deadline', format: 'int' },
          { column: 'with_overdue_tasks', label: 'With overdue tasks', format: 'int' },
          { column: 'with_open_issues', label: 'With open issues', format: 'int' },
          { column: 'median_age_days', label: 'Median age', format: 'days' },
        ],
      },
      sql: (f) => `${tag(D4, 'kpis')}SELECT count(*) AS running, count(*) FILTER (WHERE is_overdue) AS overdue, count(*) FILTER (WHERE overdue_tasks > 0) AS with_overdue_tasks,
  count(*) FILTER (WHERE open_issues > 0) AS with_open_issues, approx_percentile(age_days, 0.5) AS median_age_days
FROM active_processes
WHERE ${where(activeScope(f))}`,
    },
    {
      id: 'by-blueprint',
      title: 'Running by blueprint',
      description: 'Running processes per blueprint, split by whether any of their tasks is overdue.',
      half: true,
      chart: {
        type: 'hbar', category: 'blueprint_name', categoryFormat: 'text',
        series: [
          { column: 'on_track', name: 'No overdue tasks', format: 'int', stack: 'running', tone: 'good' },
          { column: 'with_overdue_tasks', name: 'With overdue tasks', format: 'int', stack: 'running', tone: 'bad' },
        ],
      },
      sql: (f) => `${tag(D4, 'by-blueprint')}SELECT blueprint_id, coalesce(max(blueprint_name), 'One-off processes') AS blueprint_name, count(*) AS running,
  count(*) FILTER (WHERE overdue_tasks = 0) AS on_track, count(*) FILTER (WHERE overdue_tasks > 0) AS with_overdue_tasks
FROM active_processes
WHERE ${where(activeScope(f))}
GROUP BY blueprint_id
ORDER BY running DESC
LIMIT 20`,
      drill: {
        keys: [{ column: 'blueprint_id', type: 'text' }],
        title: (_k, label) => `Running processes of ${nameOr(label, 'one-off processes')}`,
        sql: (f, k) => `${tag(D4, 'by-blueprint drill')}SELECT ${ACTIVE_ROW_COLUMNS}
FROM active_processes
WHERE ${where([...activeScope(f), keyEq('blueprint_id', k.blueprint_id)])}
ORDER BY age_days DESC
${limit}`,
      },
    },
    {
      id: 'age',
      title: 'Age of running processes',
      description: 'Running processes by time since they started.',
      half: true,
      chart: { type: 'hbar', category: 'age', categoryFormat: 'text', series: [{ column: 'processes', name: 'Processes', format: 'int' }] },
      sql: (f) => `${tag(D4, 'age')}SELECT bucket, CASE bucket ${AGE_BUCKETS.map((b, i) => `WHEN ${i} THEN ${stringLiteral(b.label)}`).join(' ')} END AS age, count(*) AS processes
FROM (SELECT CASE ${AGE_BUCKETS.filter((b) => b.max !== undefined).map((b, i) => `WHEN age_days < ${b.max} THEN ${i}`).join(' ')} ELSE ${AGE_BUCKETS.length - 1} END AS bucket
      FROM active_processes WHERE ${where(activeScope(f))})
GROUP BY bucket
ORDER BY bucket`,
      drill: {
        keys: [{ column: 'bucket', type: 'int' }],
        title: (k) => `Running processes aged ${AGE_BUCKETS[Number(k.bucket)]?.label.toLowerCase() ?? ''}`,
        sql: (f, k) => {
          const i = Number(k.bucket);
          const b = AGE_BUCKETS[i];
          if (!b) throw new RunlakeError('bad_request', `"k.bucket" must be an age bucket from 0 to ${AGE_BUCKETS.length - 1}`);
          const lower = i === 0 ? [] : [`age_days >= ${AGE_BUCKETS[i - 1]!.max}`];
          const upper = b.max === undefined ? [] : [`age_days < ${b.max}`];
          return `${tag(D4, 'age drill')}SELECT ${ACTIVE_ROW_COLUMNS}
FROM active_processes
WHERE ${where([...activeScope(f), ...lower, ...upper])}
ORDER BY age_days DESC
${limit}`;
        },
      },
    },
    {
      id: 'by-step',
      title: 'Where processes are waiting',
      description: 'The current step of running processes (the open task with the lowest position), most common first.',
      chart: { type: 'hbar', category: 'step', categoryFormat: 'text', series: [{ column: 'processes', name: 'Processes', format: 'int' }] },
      sql: (f) => `${tag(D4, 'by-step')}SELECT blueprint_id, t.task_name, t.task_name || ' (' || coalesce(max(blueprint_name), 'one-off') || ')' AS step, count(*) AS processes
FROM active_processes CROSS JOIN UNNEST(current_task_names) AS t(task_name)
WHERE ${where(activeScope(f))}
GROUP BY blueprint_id, t.task_name
ORDER BY processes DESC, step
LIMIT 15`,
      drill: {
        keys: [{ column: 'blueprint_id', type: 'text' }, { column: 'task_name', type: 'text' }],
        title: (_k, label) => `Processes waiting at ${nameOr(label, 'this step')}`,
        sql: (f, k) => `${tag(D4, 'by-step drill')}SELECT ${ACTIVE_ROW_COLUMNS}
FROM active_processes
WHERE ${where([...activeScope(f), keyEq('blueprint_id', k.blueprint_id), `contains(current_task_names, ${k.task_name === null ? 'NULL' : stringLiteral(String(k.task_name))})`])}
ORDER BY age_days DESC
${limit}`,
      },
    },
    {
      id: 'list',
      title: 'Running processes',
      description: 'Those with overdue tasks first, then the oldest. Select a row to see its open tasks.',
      chart: {
        type: 'table',
        columns: [
          { column: 'process_name', label: 'Process', format: 'text' },
          { column: 'current_steps', label: 'Current step', format: 'text' },
          { column: 'age_days', label: 'Age', format: 'days' },
          { column: 'overdue_tasks', label: 'Overdue tasks', format: 'int' },
          { column: 'open_issues', label: 'Open issues', format: 'int' },
        ],
      },
      sql: (f) => `${tag(D4, 'list')}SELECT ${ACTIVE_ROW_COLUMNS}
FROM active_processes
WHERE ${where(activeScope(f))}
ORDER BY overdue_tasks DESC, age_days DESC
LIMIT 200`,
      drill: {
        keys: [{ column: 'process_id', type: 'text' }],
        title: (_k, label) => `Open tasks of ${nameOr(label, 'this process')}`,
        sql: (_f, k) => `${tag(D4, 'list drill')}SELECT task_name, task_status, shown_at, due_at, round(hours_late, 1) AS hours_late, is_overdue, task_id
FROM step_durations
WHERE is_open AND ${keyEq('process_id', k.process_id)}
ORDER BY position, task_name
${limit}`,
      },
    },
  ],
};
