/**
 * The five built-in dashboards (the same questions as src/catalog/dashboards.ts answers for the
 * console) as LookML dashboards: Process durations, Team scorecards, Form data, Active processes,
 * SLA compliance. Each is a `*.dashboard.lookml` file (YAML) whose tiles query the explores of
 * model.ts, with a Blueprint filter where the question has one.
 *
 * Invariants: every tile names fields that its explore has (checked by the project builder);
 * filters use Looker filter expressions only ("Yes", a comma list, "12 weeks").
 */

export interface DashboardTile {
  name: string;
  title: string;
  explore: string;
  type: 'looker_bar' | 'looker_column' | 'looker_line' | 'looker_grid' | 'single_value';
  fields: string[];
  filters?: Record<string, string>;
  sorts?: string[];
  limit?: number;
  /** Dashboard filter name → field of this tile's explore. */
  listen?: Record<string, string>;
  width: number;
  height: number;
}

export interface DashboardFilter {
  name: string;
  title: string;
  explore: string;
  field: string;
}

export interface DashboardDef {
  name: string;
  title: string;
  description: string;
  filters: DashboardFilter[];
  tiles: DashboardTile[];
}

const blueprint = (explore: string): DashboardFilter => ({ name: 'Blueprint', title: 'Blueprint', explore, field: `${explore}.blueprint_name` });

export const DASHBOARDS: readonly DashboardDef[] = [
  {
    name: 'process_durations',
    title: 'Process durations',
    description: 'Where do processes get stuck? Lead time per blueprint and month, and the slowest steps.',
    filters: [blueprint('process_durations')],
    tiles: [
      {
        name: 'lead_time_by_blueprint', title: 'Lead time by blueprint (hours)', explore: 'process_durations', type: 'looker_bar',
        fields: ['process_durations.blueprint_name', 'process_durations.completed_count', 'process_durations.median_lead_time_hours', 'process_durations.p90_lead_time_hours'],
        sorts: ['process_durations.completed_count desc'], limit: 50, listen: { Blueprint: 'process_durations.blueprint_name' }, width: 12, height: 8,
      },
      {
        name: 'lead_time_by_month', title: 'Average lead time by start month (hours)', explore: 'process_durations', type: 'looker_line',
        fields: ['process_durations.started_month', 'process_durations.completed_count', 'process_durations.average_lead_time_hours'],
        sorts: ['process_durations.started_month'], limit: 500, listen: { Blueprint: 'process_durations.blueprint_name' }, width: 12, height: 8,
      },
      {
        name: 'bottleneck_steps', title: 'Bottleneck steps', explore: 'step_durations', type: 'looker_grid',
        fields: ['step_durations.blueprint_name', 'step_durations.task_name', 'step_durations.completed_count', 'step_durations.average_elapsed_hours', 'step_durations.p90_elapsed_hours', 'step_durations.average_business_hours'],
        filters: { 'step_durations.is_completed': 'Yes' }, sorts: ['step_durations.average_elapsed_hours desc'], limit: 10,
        listen: { Blueprint: 'step_durations.blueprint_name' }, width: 24, height: 8,
      },
    ],
  },
  {
    name: 'team_scorecards',
    title: 'Team scorecards',
    description: 'How is each person doing? The last 12 weeks per member.',
    filters: [],
    tiles: [
      {
        name: 'members_last_12_weeks', title: 'Members, last 12 weeks', explore: 'member_scorecard', type: 'looker_grid',
        fields: ['member_scorecard.team', 'member_scorecard.member_name', 'member_scorecard.total_tasks_completed', 'member_scorecard.overall_completion_rate',
          'member_scorecard.average_weekly_handling_hours', 'member_scorecard.overall_on_time_rate', 'member_scorecard.total_open_overdue_tasks'],
        filters: { 'member_scorecard.week_start_date': '12 weeks' }, sorts: ['member_scorecard.total_tasks_completed desc'], limit: 500, width: 24, height: 10,
      },
      {
        name: 'completed_by_week', title: 'Tasks completed per week', explore: 'member_scorecard', type: 'looker_column',
        fields: ['member_scorecard.week_start_week', 'member_scorecard.total_tasks_completed', 'member_scorecard.total_completed_late'],
        filters: { 'member_scorecard.week_start_date': '12 weeks' }, sorts: ['member_scorecard.week_start_week'], limit: 500, width: 24, height: 8,
      },
    ],
  },
  {
    name: 'form_data',
    title: 'Form data',
    description: 'What do forms say? Answers to choice fields by blueprint and question.',
    filters: [blueprint('form_answers')],
    tiles: [
      {
        name: 'answers_by_field', title: 'Answers by field', explore: 'form_answers', type: 'looker_grid',
        fields: ['form_answers.blueprint_name', 'form_answers.field_label', 'form_answers.answer_value', 'form_answers.count'],
        filters: { 'form_answers.field_type': 'dropdown,radio,multiselect,checkbox' }, sorts: ['form_answers.count desc'], limit: 50,
        listen: { Blueprint: 'form_answers.blueprint_name' }, width: 24, height: 10,
      },
    ],
  },
  {
    name: 'active_processes',
    title: 'Active processes',
    description: 'What is running now? Running processes, oldest first, with their current tasks.',
    filters: [blueprint('active_processes')],
    tiles: [
      {
        name: 'running_count', title: 'Running processes', explore: 'active_processes', type: 'single_value',
        fields: ['active_processes.count'], listen: { Blueprint: 'active_processes.blueprint_name' }, width: 6, height: 4,
      },
      {
        name: 'overdue_count', title: 'Overdue processes', explore: 'active_processes', type: 'single_value',
        fields: ['active_processes.overdue_count'], listen: { Blueprint: 'active_processes.blueprint_name' }, width: 6, height: 4,
      },
      {
        name: 'running_processes', title: 'Running processes, oldest first', explore: 'active_processes', type: 'looker_grid',
        fields: ['active_processes.process_name', 'active_processes.blueprint_name', 'active_processes.current_task_names', 'active_processes.age_days',
          'active_processes.overdue_tasks', 'active_processes.open_issues'],
        sorts: ['active_processes.age_days desc'], limit: 100, listen: { Blueprint: 'active_processes.blueprint_name' }, width: 24, height: 10,
      },
    ],
  },
  {
    name: 'sla_compliance',
    title: 'SLA compliance',
    description: 'Are we within SLA? Breach rates per step, and tasks at risk or breached now.',
    filters: [blueprint('sla_compliance')],
    tiles: [
      {
        name: 'breaches_by_step', title: 'Breaches by step', explore: 'sla_compliance', type: 'looker_grid',
        fields: ['sla_compliance.blueprint_name', 'sla_compliance.task_name', 'sla_compliance.total_completed_on_time', 'sla_compliance.total_completed_late',
          'sla_compliance.overall_breach_rate', 'sla_compliance.total_at_risk', 'sla_compliance.total_breached'],
        sorts: ['sla_compliance.overall_breach_rate desc'], limit: 20, listen: { Blueprint: 'sla_compliance.blueprint_name' }, width: 24, height: 10,
      },
      {
        name: 'on_time_by_blueprint', title: 'On-time rate by blueprint', explore: 'sla_compliance', type: 'looker_bar',
        fields: ['sla_compliance.blueprint_name', 'sla_compliance.overall_on_time_rate', 'sla_compliance.total_at_risk'],
        sorts: ['sla_compliance.overall_on_time_rate'], limit: 50, listen: { Blueprint: 'sla_compliance.blueprint_name' }, width: 24, height: 8,
      },
    ],
  },
];

// ---- YAML (the subset dashboards need: block maps and lists, flow lists, JSON-quoted strings) ----

type Yaml = string | number | boolean | Yaml[] | { [k: string]: Yaml | undefined };

const scalar = (v: string | number | boolean): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function yamlLines(v: Yaml, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object')) return [`${indent}${v.length ? `[${v.map((x) => scalar(x as string)).join(', ')}]` : '[]'}`];
    return v.flatMap((item) => {
      const lines = yamlLines(item, `${indent}  `);
      return [`${indent}- ${lines[0]!.trimStart()}`, ...lines.slice(1)];
    });
  }
  if (typeof v === 'object') {
    const out: string[] = [];
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) continue;
      if (typeof val !== 'object' || (Array.isArray(val) && val.every((x) => typeof x !== 'object'))) {
        out.push(`${indent}${k}: ${yamlLines(val, '')[0]}`);
      } else if (!Array.isArray(val) && Object.keys(val).length === 0) {
        out.push(`${indent}${k}: {}`);
      } else {
        out.push(`${indent}${k}:`, ...yamlLines(val, `${indent}  `));
      }
    }
    return out;
  }
  return [`${indent}${scalar(v)}`];
}

/** The `<name>.dashboard.lookml` file of one dashboard. */
export function dashboardLookml(d: DashboardDef, model: string): string {
  let row = 0;
  let col = 0;
  let rowHeight = 0;
  const elements = d.tiles.map((t) => {
    if (col + t.width > 24) {
      row += rowHeight;
      col = 0;
      rowHeight = 0;
    }
    const at = { row, col };
    col += t.width;
    rowHeight = Math.max(rowHeight, t.height);
    return {
      title: t.title,
      name: t.name,
      model,
      explore: t.explore,
      type: t.type,
      fields: t.fields,
      filters: t.filters,
      sorts: t.sorts,
      limit: t.limit,
      listen: t.listen,
      row: at.row,
      col: at.col,
      width: t.width,
      height: t.height,
    };
  });
  const doc: Yaml = [{
    dashboard: d.name,
    title: d.title,
    description: d.description,
    layout: 'newspaper',
    preferred_viewer: 'dashboards-next',
    refresh: '1 hour',
    elements,
    filters: d.filters.length
      ? d.filters.map((f) => ({
          name: f.name, title: f.title, type: 'field_filter', default_value: '', allow_multiple_values: true, required: false,
          ui_config: { type: 'tag_list', display: 'popover' }, model, explore: f.explore, listens_to_filters: [], field: f.field,
        }))
      : undefined,
  }];
  return `${yamlLines(doc, '').join('\n')}\n`;
}
