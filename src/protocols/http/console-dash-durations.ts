/**
 * Dashboard "Process durations": lead time (start → completion) per blueprint and over time, and
 * the slowest blueprint steps with their distribution. The date range selects processes by their
 * start; steps by their process's start.
 */
import { timestampLiteral, where, type DashboardFilters } from './console-filters.ts';
import { TASK_ROW_COLUMNS, keyEq, limit, nameOr, processScope, ratio, stepLabel, tag, taskScope, type DashboardDef, type PanelDef } from './console-dashboard-kit.ts';

const D1 = 'process-durations';
const completedSteps = (f: DashboardFilters) =>
  where(['is_completed', 'elapsed_hours IS NOT NULL', 'step_id IS NOT NULL', ...taskScope(f, 'process_started_at')]);

export const processDurations: DashboardDef = {
  id: D1,
  title: 'Process durations',
  description: 'How long processes take from start to completion, per blueprint and over time, and which steps hold them up. The date range selects processes by their start.',
  params: [],
  panels: [
    {
      id: 'kpis',
      title: 'Summary',
      description: 'Processes started in the range.',
      chart: {
        type: 'kpis',
        kpis: [
          { column: 'completed_runs', label: 'Completed processes', format: 'int' },
          { column: 'median_days', label: 'Median lead time', format: 'days' },
          { column: 'p90_days', label: '1 in 10 take longer than', format: 'days' },
          { column: 'running', label: 'Still running', format: 'int' },
          { column: 'on_time_rate', label: 'Completed by their deadline', format: 'pct' },
        ],
      },
      sql: (f) => `${tag(D1, 'kpis')}SELECT count(*) FILTER (WHERE is_completed) AS completed_runs,
  approx_percentile(CASE WHEN is_completed THEN lead_time_days END, 0.5) AS median_days,
  approx_percentile(CASE WHEN is_completed THEN lead_time_days END, 0.9) AS p90_days,
  count(*) FILTER (WHERE is_running) AS running,
  ${ratio('count(*) FILTER (WHERE is_on_time)', 'count(is_on_time)')} AS on_time_rate
FROM process_durations
WHERE ${where(processScope(f))}`,
    },
    {
      id: 'by-blueprint',
      title: 'Lead time by blueprint',
      description: 'Median and 90th percentile days from start to completion of completed processes.',
      half: true,
      chart: {
        type: 'hbar', category: 'blueprint_name', categoryFormat: 'text',
        series: [
          { column: 'median_days', name: 'Median', format: 'days' },
          { column: 'p90_days', name: '90th percentile', format: 'days' },
        ],
      },
      sql: (f) => `${tag(D1, 'by-blueprint')}SELECT blueprint_id, coalesce(max(blueprint_name), 'One-off processes') AS blueprint_name, count(*) AS runs,
  approx_percentile(lead_time_days, 0.5) AS median_days, approx_percentile(lead_time_days, 0.9) AS p90_days
FROM process_durations
WHERE ${where(['is_completed', 'lead_time_days IS NOT NULL', ...processScope(f)])}
GROUP BY blueprint_id
ORDER BY median_days DESC
LIMIT 20`,
      drill: {
        keys: [{ column: 'blueprint_id', type: 'text' }],
        title: (_k, label) => `Completed processes of ${nameOr(label, 'one-off processes')}`,
        sql: (f, k) => `${tag(D1, 'by-blueprint drill')}SELECT process_name, blueprint_name, process_status, process_owner, started_at, completed_at,
  round(lead_time_days, 2) AS lead_time_days, is_on_time, process_id
FROM process_durations
WHERE ${where(['is_completed', 'lead_time_days IS NOT NULL', ...processScope(f), keyEq('blueprint_id', k.blueprint_id)])}
ORDER BY lead_time_days DESC
${limit}`,
      },
    },
    {
      id: 'over-time',
      title: 'Lead time over time',
      description: 'Completed processes by the month they started: how many, and their median and mean lead time.',
      half: true,
      chart: {
        type: 'line', category: 'month', categoryFormat: 'month',
        series: [
          { column: 'median_days', name: 'Median days', format: 'days' },
          { column: 'avg_days', name: 'Mean days', format: 'days' },
          { column: 'runs', name: 'Processes', format: 'int', axis: 1 },
        ],
      },
      sql: (f) => `${tag(D1, 'over-time')}SELECT date_trunc('month', started_at) AS month, count(*) AS runs,
  approx_percentile(lead_time_days, 0.5) AS median_days, avg(lead_time_days) AS avg_days
FROM process_durations
WHERE ${where(['is_completed', 'lead_time_days IS NOT NULL', ...processScope(f)])}
GROUP BY 1
ORDER BY 1`,
      drill: {
        keys: [{ column: 'month', type: 'timestamp' }],
        title: (k) => `Completed processes started in ${String(k.month).slice(0, 7)}`,
        sql: (f, k) => `${tag(D1, 'over-time drill')}SELECT process_name, blueprint_name, process_owner, started_at, completed_at,
  round(lead_time_days, 2) AS lead_time_days, is_on_time, process_id
FROM process_durations
WHERE ${where([
          'is_completed', 'lead_time_days IS NOT NULL', ...processScope(f),
          `started_at >= ${timestampLiteral(String(k.month))}`, `started_at < date_add('month', 1, ${timestampLiteral(String(k.month))})`,
        ])}
ORDER BY lead_time_days DESC
${limit}`,
      },
    },
    {
      id: 'bottlenecks',
      title: 'Slowest steps',
      description: 'Blueprint steps with the longest mean time from shown to completed (at least 3 completed tasks).',
      half: true,
      chart: {
        type: 'hbar', category: 'step', categoryFormat: 'text',
        series: [
          { column: 'avg_hours', name: 'Mean hours', format: 'hours' },
          { column: 'p90_hours', name: '90th percentile hours', format: 'hours' },
        ],
      },
      sql: (f) => `${tag(D1, 'bottlenecks')}SELECT step_id, ${stepLabel} AS step, count(*) AS tasks,
  avg(elapsed_hours) AS avg_hours, approx_percentile(elapsed_hours, 0.9) AS p90_hours
FROM step_durations
WHERE ${completedSteps(f)}
GROUP BY step_id
HAVING count(*) >= 3
ORDER BY avg_hours DESC
LIMIT 10`,
      drill: stepDrill('bottlenecks'),
    },
    {
      id: 'step-distribution',
      title: 'Time spent in the slowest steps',
      description: 'Distribution of hours from shown to completed: box from the 25th to the 75th percentile, line at the median, whiskers at the 10th and 90th.',
      half: true,
      chart: { type: 'boxplot', category: 'step', box: ['p10_hours', 'p25_hours', 'p50_hours', 'p75_hours', 'p90_hours'], format: 'hours', count: 'tasks' },
      sql: (f) => `${tag(D1, 'step-distribution')}SELECT step_id, ${stepLabel} AS step, count(*) AS tasks,
  approx_percentile(elapsed_hours, 0.1) AS p10_hours, approx_percentile(elapsed_hours, 0.25) AS p25_hours,
  approx_percentile(elapsed_hours, 0.5) AS p50_hours, approx_percentile(elapsed_hours, 0.75) AS p75_hours,
  approx_percentile(elapsed_hours, 0.9) AS p90_hours
FROM step_durations
WHERE ${completedSteps(f)}
GROUP BY step_id
HAVING count(*) >= 3
ORDER BY p50_hours DESC
LIMIT 8`,
      drill: stepDrill('step-distribution'),
    },
  ],
};

function stepDrill(panel: string): NonNullable<PanelDef['drill']> {
  return {
    keys: [{ column: 'step_id', type: 'text' }],
    title: (_k, label) => `Completed tasks of ${nameOr(label, 'this step')}`,
    sql: (f, k) => `${tag(D1, `${panel} drill`)}SELECT ${TASK_ROW_COLUMNS}
FROM step_durations
WHERE ${completedSteps(f)} AND ${keyEq('step_id', k.step_id)}
ORDER BY elapsed_hours DESC
${limit}`,
  };
}
