/**
 * Dashboard "Team scorecards": per member and team, the completion rate of tasks shown to them,
 * the handling time and on-time rate of tasks they completed, and their open overdue tasks now
 * (the same definitions as the member_scorecard view, over any date range and blueprint). The
 * team and member filters select the members shown.
 */
import { dateRange, memberSet, timestampLiteral, where, type DashboardFilters } from './console-filters.ts';
import { TASK_ROW_COLUMNS, eq, keyEq, limit, nameOr, ratio, tag, text, type DashboardDef } from './console-dashboard-kit.ts';

const D2 = 'team-scorecards';

/** Per-member facts in scope: tasks shown to them, tasks they completed, their open overdue tasks. */
function scorecardCtes(f: DashboardFilters): string {
  const set = memberSet(f);
  const bp = eq('s.blueprint_id', f.blueprint);
  return `WITH assigned AS (
  SELECT a.assignee_id AS member_id, s.is_completed
  FROM step_durations s JOIN assignments a ON a.task_id = s.task_id AND a.assignee_type = 'member'
  WHERE ${where(['s.shown_at IS NOT NULL', ...dateRange('s.shown_at', f), ...bp])}
),
done AS (
  SELECT s.completed_by_id AS member_id, s.completed_at, s.elapsed_hours, s.is_on_time
  FROM step_durations s
  WHERE ${where(['s.is_completed', 's.completed_by_id IS NOT NULL', 's.completed_at IS NOT NULL', ...dateRange('s.completed_at', f), ...bp])}
),
overdue AS (
  SELECT a.assignee_id AS member_id, count(*) AS open_overdue
  FROM step_durations s JOIN assignments a ON a.task_id = s.task_id AND a.assignee_type = 'member'
  WHERE ${where(['s.is_overdue', ...bp])}
  GROUP BY 1
),
people AS (
  SELECT member_id, coalesce(full_name, member_id) AS member_name, coalesce(team, 'No team') AS team
  FROM members
  WHERE ${where(set ? [`member_id IN ${set}`] : [])}
),
per_member AS (
  SELECT p.member_id, p.member_name, p.team,
    coalesce(x.assigned, 0) AS tasks_assigned, coalesce(x.assigned_completed, 0) AS assigned_completed,
    coalesce(d.completed, 0) AS tasks_completed, d.handling_hours, coalesce(d.handled, 0) AS handled,
    coalesce(d.on_time, 0) AS on_time, coalesce(d.late, 0) AS late, coalesce(o.open_overdue, 0) AS open_overdue
  FROM people p
  LEFT JOIN (SELECT member_id, count(*) AS assigned, count(*) FILTER (WHERE is_completed) AS assigned_completed FROM assigned GROUP BY 1) x ON x.member_id = p.member_id
  LEFT JOIN (SELECT member_id, count(*) AS completed, sum(elapsed_hours) AS handling_hours, count(elapsed_hours) AS handled,
               count(*) FILTER (WHERE is_on_time) AS on_time, count(*) FILTER (WHERE NOT is_on_time) AS late FROM done GROUP BY 1) d ON d.member_id = p.member_id
  LEFT JOIN overdue o ON o.member_id = p.member_id
)
`;
}

/** Tasks behind a scorecard number of the members in `set`: shown to them or completed by them in range. */
function memberTasksSql(f: DashboardFilters, set: string, panel: string): string {
  const bp = eq('blueprint_id', f.blueprint);
  const shown = where(['shown_at IS NOT NULL', ...dateRange('shown_at', f)]);
  const done = where(['is_completed', ...dateRange('completed_at', f)]);
  return `${tag(D2, `${panel} drill`)}SELECT ${TASK_ROW_COLUMNS}
FROM step_durations
WHERE ${where([
    ...bp,
    `(completed_by_id IN ${set} AND ${done}) OR (task_id IN (SELECT task_id FROM assignments WHERE assignee_type = 'member' AND assignee_id IN ${set}) AND ${shown})`,
  ])}
ORDER BY coalesce(completed_at, shown_at) DESC
${limit}`;
}

/** The filter's member set narrowed to the members the key selects. */
function narrowedSet(f: DashboardFilters, extra: string): string {
  const set = memberSet(f);
  return `(SELECT member_id FROM members WHERE ${where([extra, ...(set ? [`member_id IN ${set}`] : [])])})`;
}

export const teamScorecards: DashboardDef = {
  id: D2,
  title: 'Team scorecards',
  description: 'How each member and team handles their tasks: completion rate, handling time, on-time rate and open overdue tasks. The date range selects tasks by when they were shown (assigned) or completed.',
  params: [],
  panels: [
    {
      id: 'kpis',
      title: 'Summary',
      description: 'Members with tasks in the range.',
      chart: {
        type: 'kpis',
        kpis: [
          { column: 'members', label: 'Members with tasks', format: 'int' },
          { column: 'tasks_completed', label: 'Tasks completed', format: 'int' },
          { column: 'completion_rate', label: 'Completion rate', format: 'pct' },
          { column: 'avg_handling_hours', label: 'Mean handling time', format: 'hours' },
          { column: 'on_time_rate', label: 'On time', format: 'pct' },
          { column: 'open_overdue', label: 'Open overdue tasks', format: 'int' },
        ],
      },
      sql: (f) => `${tag(D2, 'kpis')}${scorecardCtes(f)}SELECT count(*) FILTER (WHERE tasks_assigned > 0 OR tasks_completed > 0 OR open_overdue > 0) AS members,
  coalesce(sum(tasks_completed), 0) AS tasks_completed,
  ${ratio('sum(assigned_completed)', 'sum(tasks_assigned)')} AS completion_rate,
  sum(handling_hours) / nullif(sum(handled), 0) AS avg_handling_hours,
  ${ratio('sum(on_time)', 'sum(on_time) + sum(late)')} AS on_time_rate,
  coalesce(sum(open_overdue), 0) AS open_overdue
FROM per_member`,
    },
    {
      id: 'by-team',
      title: 'Teams',
      description: 'Completion rate (of tasks shown in the range) and on-time rate (of tasks completed in the range) per team.',
      half: true,
      chart: {
        type: 'hbar', category: 'team', categoryFormat: 'text',
        series: [
          { column: 'completion_rate', name: 'Completion rate', format: 'pct' },
          { column: 'on_time_rate', name: 'On-time rate', format: 'pct' },
        ],
      },
      sql: (f) => `${tag(D2, 'by-team')}${scorecardCtes(f)}SELECT team, sum(tasks_completed) AS tasks_completed,
  ${ratio('sum(assigned_completed)', 'sum(tasks_assigned)')} AS completion_rate,
  ${ratio('sum(on_time)', 'sum(on_time) + sum(late)')} AS on_time_rate,
  sum(open_overdue) AS open_overdue
FROM per_member
GROUP BY team
HAVING sum(tasks_assigned) > 0 OR sum(tasks_completed) > 0
ORDER BY team`,
      drill: {
        keys: [{ column: 'team', type: 'text' }],
        title: (k) => `Tasks of team ${nameOr(k.team, '(none)')}`,
        sql: (f, k) => memberTasksSql(f, narrowedSet(f, text(k, 'team') === 'No team' ? 'team IS NULL' : keyEq('team', k.team)), 'by-team'),
      },
    },
    {
      id: 'weekly',
      title: 'Completed per week',
      description: 'Tasks completed by the selected members each week, and the share of them completed by their deadline.',
      half: true,
      chart: {
        type: 'bar', category: 'week', categoryFormat: 'week',
        series: [
          { column: 'tasks_completed', name: 'Tasks completed', format: 'int' },
          { column: 'on_time_rate', name: 'On-time rate', format: 'pct', line: true, axis: 1 },
        ],
      },
      sql: (f) => `${tag(D2, 'weekly')}${scorecardCtes(f)}SELECT date_trunc('week', d.completed_at) AS week, count(*) AS tasks_completed,
  ${ratio('count(*) FILTER (WHERE d.is_on_time)', 'count(d.is_on_time)')} AS on_time_rate
FROM done d JOIN people p ON p.member_id = d.member_id
GROUP BY 1
ORDER BY 1`,
      drill: {
        keys: [{ column: 'week', type: 'timestamp' }],
        title: (k) => `Tasks completed in the week of ${String(k.week).slice(0, 10)}`,
        sql: (f, k) => {
          const set = narrowedSet(f, 'TRUE');
          const w = timestampLiteral(String(k.week));
          return `${tag(D2, 'weekly drill')}SELECT ${TASK_ROW_COLUMNS}
FROM step_durations
WHERE ${where([
            'is_completed', `completed_by_id IN ${set}`, ...eq('blueprint_id', f.blueprint), ...dateRange('completed_at', f),
            `completed_at >= ${w}`, `completed_at < date_add('week', 1, ${w})`,
          ])}
ORDER BY completed_at DESC
${limit}`;
        },
      },
    },
    {
      id: 'members',
      title: 'Members',
      description: 'One row per member with tasks in the range. Select a row to see its tasks.',
      chart: {
        type: 'table',
        columns: [
          { column: 'member_name', label: 'Member', format: 'text' },
          { column: 'team', label: 'Team', format: 'text' },
          { column: 'tasks_assigned', label: 'Assigned', format: 'int' },
          { column: 'completion_rate', label: 'Completion rate', format: 'pct' },
          { column: 'tasks_completed', label: 'Completed', format: 'int' },
          { column: 'avg_handling_hours', label: 'Mean handling time', format: 'hours' },
          { column: 'on_time_rate', label: 'On time', format: 'pct' },
          { column: 'open_overdue', label: 'Open overdue', format: 'int' },
        ],
      },
      sql: (f) => `${tag(D2, 'members')}${scorecardCtes(f)}SELECT member_id, member_name, team, tasks_assigned,
  ${ratio('assigned_completed', 'tasks_assigned')} AS completion_rate,
  tasks_completed, handling_hours / nullif(handled, 0) AS avg_handling_hours,
  ${ratio('on_time', 'on_time + late')} AS on_time_rate, open_overdue
FROM per_member
WHERE tasks_assigned > 0 OR tasks_completed > 0 OR open_overdue > 0
ORDER BY tasks_completed DESC, member_name`,
      drill: {
        keys: [{ column: 'member_id', type: 'text' }],
        title: (_k, label) => `Tasks of ${nameOr(label, 'this member')}`,
        sql: (f, k) => memberTasksSql(f, narrowedSet(f, keyEq('member_id', k.member_id)), 'members'),
      },
    },
    {
      id: 'overdue',
      title: 'Open overdue tasks by member',
      description: 'Open tasks past their deadline now, per assigned member (the date range does not apply: this is the current state).',
      chart: { type: 'hbar', category: 'member_name', categoryFormat: 'text', series: [{ column: 'open_overdue', name: 'Open overdue tasks', format: 'int', tone: 'bad' }] },
      sql: (f) => `${tag(D2, 'overdue')}${scorecardCtes(f)}SELECT member_id, member_name, team, open_overdue
FROM per_member
WHERE open_overdue > 0
ORDER BY open_overdue DESC, member_name
LIMIT 15`,
      drill: {
        keys: [{ column: 'member_id', type: 'text' }],
        title: (_k, label) => `Open overdue tasks of ${nameOr(label, 'this member')}`,
        sql: (f, k) => `${tag(D2, 'overdue drill')}SELECT ${TASK_ROW_COLUMNS}, round(hours_late, 1) AS hours_late
FROM step_durations
WHERE ${where([
          'is_overdue', ...eq('blueprint_id', f.blueprint),
          `task_id IN (SELECT task_id FROM assignments WHERE assignee_type = 'member' AND assignee_id IN ${narrowedSet(f, keyEq('member_id', k.member_id))})`,
        ])}
ORDER BY due_at
${limit}`,
      },
    },
  ],
};
