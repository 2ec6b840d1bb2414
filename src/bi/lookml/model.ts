/**
 * The model file: the connection (a parameter), the datagroup that follows the organization's
 * lake snapshot, the explores, and the PDT example.
 *
 * - Datagroup `runlake_snapshot`: `sql_trigger` reads `lake_snapshot.snapshot_version`, which
 *   changes exactly when Runlake publishes new data; every explore persists with it, so Looker's
 *   cache and PDTs are rebuilt when (and only when) the data changed, with a 24 h ceiling.
 * - Explores: processes → steps → form fields / comments / issues / assignments (plus the
 *   analytic views' durations joined one-to-one), members → member_logins, and one explore per
 *   analytic view (the dashboards use those).
 * - The PDT `blueprint_weekly_lead_times` is built by Looker into the connection's scratch schema
 *   (`looker_scratch`) and rebuilt on the datagroup.
 *
 * Invariants: every join's `sql_on` references only fields that exist in the joined views
 * (checked against views.ts); explores join views by their keys, with the relationship the keys
 * imply.
 */
import type { LookmlDialect } from './dialect.ts';
import { block, list, raw, sql, str, yes, type LkNode } from './lkml.ts';

export const DATAGROUP = 'runlake_snapshot';
export const PDT_VIEW = 'blueprint_weekly_lead_times';

export interface JoinDef {
  name: string;
  from?: string;
  relationship: 'one_to_one' | 'one_to_many' | 'many_to_one';
  sqlOn: string;
  label?: string;
}

export interface ExploreDef {
  name: string;
  label: string;
  description: string;
  joins: JoinDef[];
}

export const EXPLORES: readonly ExploreDef[] = [
  {
    name: 'processes',
    label: 'Processes',
    description: 'Process runs with their tasks, form fields, comments, issues and assignees; durations from the analytic views.',
    joins: [
      { name: 'process_durations', relationship: 'one_to_one', sqlOn: '${processes.process_id} = ${process_durations.process_id}' },
      { name: 'owner', from: 'members', relationship: 'many_to_one', sqlOn: '${processes.process_owner_id} = ${owner.member_id}', label: 'Process owner' },
      { name: 'kickoff_fields', from: 'form_fields', relationship: 'one_to_many', sqlOn: '${processes.process_id} = ${kickoff_fields.process_id} AND ${kickoff_fields.is_kickoff}', label: 'Kick-off form fields' },
      { name: 'process_issues', from: 'issues', relationship: 'one_to_many', sqlOn: "${processes.process_id} = ${process_issues.process_id} AND ${process_issues.scope} = 'process'", label: 'Process-level issues' },
      { name: 'steps', relationship: 'one_to_many', sqlOn: '${processes.process_id} = ${steps.process_id}' },
      { name: 'step_durations', relationship: 'one_to_one', sqlOn: '${steps.task_id} = ${step_durations.task_id}' },
      { name: 'form_fields', relationship: 'one_to_many', sqlOn: '${steps.task_id} = ${form_fields.task_id}' },
      { name: 'comments', relationship: 'one_to_many', sqlOn: '${steps.task_id} = ${comments.task_id}' },
      { name: 'issues', relationship: 'one_to_many', sqlOn: '${steps.task_id} = ${issues.task_id}' },
      { name: 'assignments', relationship: 'one_to_many', sqlOn: '${steps.task_id} = ${assignments.task_id}' },
      { name: 'assignee', from: 'members', relationship: 'many_to_one', sqlOn: "${assignments.assignee_id} = ${assignee.member_id} AND ${assignments.assignee_type} = 'member'", label: 'Assignee (member)' },
    ],
  },
  {
    name: 'members',
    label: 'Members',
    description: 'Members of the organization and their login history.',
    joins: [{ name: 'member_logins', relationship: 'one_to_many', sqlOn: '${members.member_id} = ${member_logins.member_id}' }],
  },
  { name: 'process_durations', label: 'Process durations', description: 'Lead time of every process run.', joins: [] },
  { name: 'step_durations', label: 'Step durations', description: 'Time to complete every task, its lateness and business-hours time.', joins: [] },
  { name: 'member_scorecard', label: 'Team scorecards', description: 'Per member and week: assigned, completed, completion and on-time rates, handling time.', joins: [] },
  { name: 'sla_compliance', label: 'SLA compliance', description: 'Per blueprint step: on-time and breach rates, tasks at risk and breached now.', joins: [] },
  { name: 'active_processes', label: 'Active processes', description: 'Running processes with their current tasks, age and overdue work.', joins: [] },
  { name: 'form_answers', label: 'Form data', description: 'Form answers by blueprint, field and value.', joins: [] },
  { name: PDT_VIEW, label: 'Blueprint weekly lead times (PDT)', description: 'A persistent derived table in looker_scratch, rebuilt when a new lake snapshot is published.', joins: [] },
  { name: 'query_history', label: 'Query history', description: "This organization's queries through every protocol.", joins: [] },
  { name: 'lake_snapshot', label: 'Lake snapshot', description: 'The data version this database shows.', joins: [] },
];

function exploreNode(e: ExploreDef): LkNode {
  return block('explore', e.name, [
    str('label', e.label),
    str('description', e.description),
    ...e.joins.map((j) => block('join', j.name, [
      ...(j.from ? [raw('from', j.from)] : []),
      ...(j.label ? [str('view_label', j.label)] : []),
      raw('type', 'left_outer'),
      raw('relationship', j.relationship),
      sql('sql_on', j.sqlOn),
    ])),
  ]);
}

export interface ModelOptions {
  org: string;
  connection: string;
  database: string;
  dialect: LookmlDialect;
}

/** The `<model>.model.lkml` file. */
export function modelLookml(o: ModelOptions): LkNode[] {
  return [
    str('connection', o.connection),
    str('label', `Runlake: ${o.org}`),
    str('include', '/views/*.view.lkml'),
    str('include', '/dashboards/*.dashboard.lookml'),
    block('datagroup', DATAGROUP, [
      sql('sql_trigger', `SELECT snapshot_version FROM ${o.dialect.relation(o.database, 'lake_snapshot')}`),
      str('max_cache_age', '24 hours'),
      str('label', 'Runlake lake snapshot'),
      str('description', 'Triggers when Runlake publishes a new snapshot of the organization\'s data (lake_snapshot.snapshot_version changes).'),
    ]),
    raw('persist_with', DATAGROUP),
    raw('week_start_day', 'monday'),
    ...EXPLORES.map(exploreNode),
  ];
}

/** The PDT example: weekly lead times per blueprint, persisted in the scratch schema. */
export function pdtViewLookml(o: { dialect: LookmlDialect; database: string }): LkNode {
  const d = o.dialect;
  const pdtSql = [
    'SELECT',
    '  blueprint_id,',
    '  blueprint_name,',
    "  date_trunc('week', started_at) AS week_start,",
    '  count(*) AS completed_runs,',
    '  avg(lead_time_hours) AS avg_lead_time_hours,',
    `  ${d.percentile('lead_time_hours', 0.9)} AS p90_lead_time_hours`,
    `FROM ${d.relation(o.database, 'process_durations')}`,
    'WHERE is_completed AND started_at IS NOT NULL',
    'GROUP BY 1, 2, 3',
  ].join('\n');
  return block('view', PDT_VIEW, [
    str('label', 'Blueprint Weekly Lead Times'),
    block('derived_table', undefined, [
      sql('sql', pdtSql),
      raw('datagroup_trigger', DATAGROUP),
      ...(d.persistedTable ? [str('table_format', d.persistedTable.format), str('table_compression', d.persistedTable.compression)] : []),
    ]),
    block('dimension', 'primary_key', [
      yes('primary_key', true), yes('hidden', true), raw('type', 'string'),
      sql('sql', "COALESCE(${TABLE}.blueprint_id, '') || '|' || CAST(${TABLE}.week_start AS VARCHAR)"),
    ]),
    block('dimension', 'blueprint_id', [raw('type', 'string'), sql('sql', '${TABLE}.blueprint_id')]),
    block('dimension', 'blueprint_name', [raw('type', 'string'), sql('sql', '${TABLE}.blueprint_name')]),
    block('dimension_group', 'week_start', [raw('type', 'time'), list('timeframes', ['raw', 'date', 'week', 'month', 'year']), raw('datatype', 'timestamp'), sql('sql', '${TABLE}.week_start')]),
    block('dimension', 'completed_runs', [raw('type', 'number'), sql('sql', '${TABLE}.completed_runs')]),
    block('dimension', 'avg_lead_time_hours', [raw('type', 'number'), sql('sql', '${TABLE}.avg_lead_time_hours'), raw('value_format_name', 'decimal_1')]),
    block('dimension', 'p90_lead_time_hours', [raw('type', 'number'), sql('sql', '${TABLE}.p90_lead_time_hours'), raw('value_format_name', 'decimal_1')]),
    block('measure', 'total_completed_runs', [raw('type', 'sum'), sql('sql', '${completed_runs}'), str('description', 'Completed runs.')]),
    block('measure', 'weighted_average_lead_time_hours', [
      raw('type', 'number'),
      sql('sql', '1.0 * SUM(${TABLE}.avg_lead_time_hours * ${TABLE}.completed_runs) / NULLIF(SUM(${TABLE}.completed_runs), 0)'),
      raw('value_format_name', 'decimal_1'),
      str('description', 'Mean lead time over the weeks selected, weighted by runs.'),
    ]),
  ]);
}
