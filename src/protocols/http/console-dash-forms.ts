/**
 * Dashboard "Form data": answers by blueprint and field, the values of one field (chosen, or the
 * most answered choice field) and their trend by month. The date range selects answers by when
 * they were given; the member filter, answers given by those members.
 */
import { stringLiteral, timestampLiteral, where, type DashboardFilters } from './console-filters.ts';
import { answerScope, keyEq, limit, nameOr, ratio, tag, type DashboardDef, type PanelParams } from './console-dashboard-kit.ts';

const D3 = 'form-data';
const CHOICE_TYPES = `('dropdown', 'radio', 'multiselect', 'checkbox')`;

/** The selected field, or the most answered choice field in scope. */
function fieldOf(f: DashboardFilters, p: PanelParams): string {
  if (p.field !== undefined) return stringLiteral(p.field);
  return mostAnswered(f, `field_type IN ${CHOICE_TYPES}`);
}

/** The selected field when its answers are numbers, or else the most answered number field in scope. */
function numberFieldOf(f: DashboardFilters, p: PanelParams): string {
  const best = mostAnswered(f, 'answer_number IS NOT NULL');
  if (p.field === undefined) return best;
  return `coalesce((SELECT max(field_id) FROM form_answers WHERE field_id = ${stringLiteral(p.field)} AND answer_number IS NOT NULL), ${best})`;
}

function mostAnswered(f: DashboardFilters, cond: string): string {
  return `(SELECT field_id FROM form_answers WHERE ${where([cond, ...answerScope(f)])}
    GROUP BY field_id ORDER BY count(*) DESC, field_id LIMIT 1)`;
}

const ANSWER_ROW_COLUMNS = `process_name, blueprint_name, coalesce(task_name, 'Kick-off form') AS task_name, field_label, answer, answered_at, process_id`;

export const formData: DashboardDef = {
  id: D3,
  title: 'Form data',
  description: 'What people answer in forms, by blueprint and field, and how answers change over time. The date range selects answers by when they were given.',
  params: ['field'],
  panels: [
    {
      id: 'kpis',
      title: 'Summary',
      description: 'Answers given in the range.',
      chart: {
        type: 'kpis',
        kpis: [
          { column: 'answers', label: 'Answers', format: 'int' },
          { column: 'processes', label: 'Processes with answers', format: 'int' },
          { column: 'fields', label: 'Fields answered', format: 'int' },
          { column: 'kickoff_share', label: 'From kick-off forms', format: 'pct' },
        ],
      },
      sql: (f) => `${tag(D3, 'kpis')}SELECT count(*) FILTER (WHERE value_index = 1) AS answers, count(DISTINCT process_id) AS processes,
  count(DISTINCT field_id) AS fields, ${ratio('count(*) FILTER (WHERE value_index = 1 AND is_kickoff)', 'count(*) FILTER (WHERE value_index = 1)')} AS kickoff_share
FROM form_answers
WHERE ${where(answerScope(f))}`,
    },
    {
      id: 'fields',
      title: 'Answers by field',
      description: 'The most answered fields. Select a bar for its answers, or pick a field above to chart its values.',
      half: true,
      chart: { type: 'hbar', category: 'field', categoryFormat: 'text', series: [{ column: 'answers', name: 'Answers', format: 'int' }] },
      sql: (f) => `${tag(D3, 'fields')}SELECT field_id, max(field_label) || ' (' || coalesce(max(blueprint_name), 'one-off') || ')' AS field,
  max(field_type) AS field_type, count(*) FILTER (WHERE value_index = 1) AS answers
FROM form_answers
WHERE ${where(answerScope(f))}
GROUP BY field_id
ORDER BY answers DESC, field
LIMIT 15`,
      drill: {
        keys: [{ column: 'field_id', type: 'text' }],
        title: (_k, label) => `Answers to ${nameOr(label, 'this field')}`,
        sql: (f, k) => `${tag(D3, 'fields drill')}SELECT ${ANSWER_ROW_COLUMNS}
FROM form_answers
WHERE ${where(['value_index = 1', ...answerScope(f), keyEq('field_id', k.field_id)])}
ORDER BY answered_at DESC
${limit}`,
      },
    },
    {
      id: 'values',
      title: 'Answers of the selected field',
      description: 'How often each value was chosen (each value of a multi-value answer counts).',
      half: true,
      chart: { type: 'hbar', category: 'answer_value', categoryFormat: 'text', series: [{ column: 'answers', name: 'Answers', format: 'int' }] },
      sql: (f, p) => `${tag(D3, 'values')}SELECT answer_value, count(*) AS answers, max(field_label) AS field_label, max(field_id) AS field_id
FROM form_answers
WHERE ${where([...answerScope(f), `field_id = ${fieldOf(f, p)}`])}
GROUP BY answer_value
ORDER BY answers DESC, answer_value
LIMIT 20`,
      drill: {
        keys: [{ column: 'field_id', type: 'text' }, { column: 'answer_value', type: 'text' }],
        title: (k) => `Answers “${nameOr(k.answer_value, '(empty)')}” to the selected field`,
        sql: (f, k) => `${tag(D3, 'values drill')}SELECT ${ANSWER_ROW_COLUMNS}
FROM form_answers
WHERE ${where([...answerScope(f), keyEq('field_id', k.field_id), keyEq('answer_value', k.answer_value)])}
ORDER BY answered_at DESC
${limit}`,
      },
    },
    {
      id: 'trend',
      title: 'Selected field over time',
      description: 'Answers per month of the five most common values of the selected field (the rest as Other).',
      half: true,
      chart: { type: 'pivot', category: 'month', categoryFormat: 'month', seriesColumn: 'value', value: 'answers', format: 'int' },
      sql: (f, p) => `${tag(D3, 'trend')}WITH a AS (
  SELECT date_trunc('month', answered_at) AS month, answer_value, field_id, field_label
  FROM form_answers
  WHERE ${where(['answered_at IS NOT NULL', ...answerScope(f), `field_id = ${fieldOf(f, p)}`])}
),
top_values AS (SELECT answer_value FROM a GROUP BY answer_value ORDER BY count(*) DESC, answer_value LIMIT 5)
SELECT month, CASE WHEN answer_value IN (SELECT answer_value FROM top_values) THEN answer_value ELSE 'Other' END AS value,
  count(*) AS answers, max(field_id) AS field_id, max(field_label) AS field_label
FROM a
GROUP BY 1, 2
ORDER BY 1, 2`,
      drill: {
        keys: [{ column: 'field_id', type: 'text' }, { column: 'month', type: 'timestamp' }],
        title: (k) => `Answers to the selected field in ${String(k.month).slice(0, 7)}`,
        sql: (f, k) => `${tag(D3, 'trend drill')}SELECT ${ANSWER_ROW_COLUMNS}
FROM form_answers
WHERE ${where([
          'value_index = 1', ...answerScope(f), keyEq('field_id', k.field_id),
          `answered_at >= ${timestampLiteral(String(k.month))}`, `answered_at < date_add('month', 1, ${timestampLiteral(String(k.month))})`,
        ])}
ORDER BY answered_at DESC
${limit}`,
      },
    },
    {
      id: 'numeric',
      title: 'Numeric answers over time',
      description: 'The mean and median answer per month of the selected field, when its answers are numbers (else of the most answered number field).',
      half: true,
      chart: {
        type: 'line', category: 'month', categoryFormat: 'month',
        series: [
          { column: 'avg_answer', name: 'Mean', format: 'number' },
          { column: 'median_answer', name: 'Median', format: 'number' },
        ],
      },
      sql: (f, p) => `${tag(D3, 'numeric')}SELECT date_trunc('month', answered_at) AS month, avg(answer_number) AS avg_answer,
  approx_percentile(answer_number, 0.5) AS median_answer, count(*) AS answers, max(field_id) AS field_id, max(field_label) AS field_label
FROM form_answers
WHERE ${where(['value_index = 1', 'answer_number IS NOT NULL', 'answered_at IS NOT NULL', ...answerScope(f), `field_id = ${numberFieldOf(f, p)}`])}
GROUP BY 1
ORDER BY 1`,
      drill: {
        keys: [{ column: 'field_id', type: 'text' }, { column: 'month', type: 'timestamp' }],
        title: (k) => `Numeric answers in ${String(k.month).slice(0, 7)}`,
        sql: (f, k) => `${tag(D3, 'numeric drill')}SELECT ${ANSWER_ROW_COLUMNS}, answer_number
FROM form_answers
WHERE ${where([
          'value_index = 1', 'answer_number IS NOT NULL', ...answerScope(f), keyEq('field_id', k.field_id),
          `answered_at >= ${timestampLiteral(String(k.month))}`, `answered_at < date_add('month', 1, ${timestampLiteral(String(k.month))})`,
        ])}
ORDER BY answered_at DESC
${limit}`,
      },
    },
  ],
};
