/**
 * The queries behind the five built-in dashboards (Trino SQL over the analytic views): the web
 * console runs them, and bench/query measures them. Each answers one question a process owner
 * asks; filters are added by the caller as extra predicates on the named columns.
 */
export interface DashboardQuery {
  dashboard: 'process_durations' | 'team_scorecards' | 'form_data' | 'active_processes' | 'sla_compliance';
  name: string;
  sql: string;
}

export const DASHBOARD_QUERIES: readonly DashboardQuery[] = [
  {
    dashboard: 'process_durations',
    name: 'lead time by blueprint',
    sql: `SELECT blueprint_name, count(*) AS runs,
                 approx_percentile(lead_time_hours, 0.5) AS p50_hours,
                 approx_percentile(lead_time_hours, 0.9) AS p90_hours
          FROM process_durations WHERE is_completed GROUP BY 1 ORDER BY runs DESC`,
  },
  {
    dashboard: 'process_durations',
    name: 'lead time by month',
    sql: `SELECT date_trunc('month', started_at) AS month, count(*) AS runs, avg(lead_time_hours) AS avg_hours
          FROM process_durations WHERE is_completed GROUP BY 1 ORDER BY 1`,
  },
  {
    dashboard: 'process_durations',
    name: 'bottleneck steps',
    sql: `SELECT blueprint_name, task_name, count(*) AS tasks, avg(elapsed_hours) AS avg_hours,
                 approx_percentile(elapsed_hours, 0.9) AS p90_hours
          FROM step_durations WHERE is_completed GROUP BY 1, 2 ORDER BY avg_hours DESC LIMIT 10`,
  },
  {
    dashboard: 'team_scorecards',
    name: 'members, last 12 weeks',
    sql: `SELECT team, member_name, sum(tasks_completed) AS completed, avg(completion_rate) AS completion_rate,
                 avg(avg_handling_hours) AS avg_handling_hours, avg(on_time_rate) AS on_time_rate,
                 sum(open_overdue_tasks) AS open_overdue
          FROM member_scorecard WHERE week_start >= date_add('week', -12, current_date)
          GROUP BY 1, 2 ORDER BY completed DESC`,
  },
  {
    dashboard: 'form_data',
    name: 'answers by field',
    sql: `SELECT blueprint_name, field_label, answer_value, count(*) AS answers
          FROM form_answers WHERE field_type IN ('dropdown', 'radio', 'multiselect', 'checkbox')
          GROUP BY 1, 2, 3 ORDER BY answers DESC LIMIT 50`,
  },
  {
    dashboard: 'active_processes',
    name: 'running processes',
    sql: `SELECT process_name, blueprint_name, current_task_names, age_days, overdue_tasks, open_issues
          FROM active_processes ORDER BY age_days DESC LIMIT 100`,
  },
  {
    dashboard: 'sla_compliance',
    name: 'breaches by step',
    sql: `SELECT blueprint_name, task_name, completed_on_time, completed_late, breach_rate, at_risk, breached
          FROM sla_compliance ORDER BY breach_rate DESC NULLS LAST LIMIT 20`,
  },
  {
    dashboard: 'active_processes',
    name: 'count of running processes (small)',
    sql: `SELECT count(*) AS running FROM processes WHERE process_status IN ('active', 'problem')`,
  },
];
