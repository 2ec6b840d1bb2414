/**
 * The conformance corpus: Trino SQL over the fixture organization (fixture.ts) with results
 * written by hand from the fixture and Trino's semantics — never from an engine's output. Every
 * runner (the engine now; the Athena API and pgwire as they land) must return exactly these.
 *
 * Values are compared in a canonical form: integers and doubles as numbers, timestamps as
 * `YYYY-MM-DD HH:MM:SS.fff` (UTC), dates as `YYYY-MM-DD`, arrays as arrays, NULL as null.
 */
export type Canonical = null | boolean | number | string | Canonical[];

export interface ConformanceCase {
  name: string;
  sql: string;
  /** Expected rows (in order unless `unordered`), or an error message pattern. */
  expect: { rows: Canonical[][]; unordered?: boolean } | { error: RegExp };
}

export const CORPUS: ConformanceCase[] = [
  { name: 'count a table', sql: 'SELECT count(*) FROM processes', expect: { rows: [[3]] } },
  {
    name: 'derived process counts',
    sql: 'SELECT process_id, total_tasks, tasks_completed, late_tasks, has_open_issue FROM processes ORDER BY process_id',
    expect: { rows: [['p1', 2, 2, 1, false], ['p2', 2, 1, 1, true], ['p3', 1, 0, 0, false]] },
  },
  {
    name: 'date_diff counts complete units',
    sql: "SELECT task_id, date_diff('hour', shown_at, completed_at) FROM steps WHERE completed_at IS NOT NULL ORDER BY 1",
    expect: { rows: [['p1-t1', 24], ['p1-t2', 80], ['p2-t1', 1]] },
  },
  { name: 'integer division truncates toward zero', sql: 'SELECT 5/2, -5/2, 7 % 3', expect: { rows: [[2, -2, 1]] } },
  {
    name: 'date_trunc keeps the timestamp type',
    sql: "SELECT date_trunc('month', started_at) AS m, count(*) AS n FROM processes GROUP BY 1 ORDER BY 1",
    expect: { rows: [['2025-01-01 00:00:00.000', 1], ['2025-02-01 00:00:00.000', 2]] },
  },
  {
    name: 'arrays: element_at and cardinality',
    sql: 'SELECT element_at(tags, 1), cardinality(tags) FROM processes ORDER BY process_id',
    expect: { rows: [['hr', 2], ['hr', 1], [null, 0]] },
  },
  {
    name: 'CAST timestamp AS VARCHAR renders as Trino does',
    sql: "SELECT CAST(started_at AS VARCHAR) FROM processes WHERE process_id = 'p1'",
    expect: { rows: [['2025-01-06 09:00:00.000']] },
  },
  {
    name: 'join processes and steps',
    sql: "SELECT p.process_name, s.task_name FROM processes p JOIN steps s ON s.process_id = p.process_id WHERE s.task_status = 'in-progress'",
    expect: { rows: [['Onboard Bob', 'Manager approval']] },
  },
  { name: 'OFFSET before LIMIT', sql: 'SELECT process_id FROM processes ORDER BY process_id OFFSET 1 LIMIT 1', expect: { rows: [['p2']] } },
  {
    name: 'regexp_like matches partially',
    sql: "SELECT process_name FROM processes WHERE regexp_like(process_name, 'Ada|lap') ORDER BY 1",
    expect: { rows: [['Buy laptops'], ['Onboard Ada']] },
  },
  { name: 'catalog-qualified names', sql: 'SELECT count(*) FROM "AwsDataCatalog"."acme"."steps"', expect: { rows: [[5]] } },
  {
    name: 'a CTE',
    sql: "WITH done AS (SELECT * FROM steps WHERE task_status = 'completed') SELECT count(*) FROM done",
    expect: { rows: [[3]] },
  },
  { name: 'VALUES', sql: "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(x, y) ORDER BY x", expect: { rows: [[1, 'a'], [2, 'b']] } },
  {
    name: 'step_durations: elapsed time and on-time flag',
    sql: 'SELECT task_id, elapsed_hours, is_on_time FROM step_durations WHERE completed_at IS NOT NULL ORDER BY task_id',
    expect: { rows: [['p1-t1', 24, true], ['p1-t2', 80, false], ['p2-t1', 1.5, true]] },
  },
  {
    name: 'form_answers unnests multi-value answers',
    sql: "SELECT answer_value FROM form_answers WHERE field_label = 'Items' ORDER BY value_index",
    expect: { rows: [['laptop'], ['dock']] },
  },
  {
    name: 'answer_number of a numeric answer',
    sql: 'SELECT field_label, answer_number FROM form_fields WHERE answer_number IS NOT NULL',
    expect: { rows: [['Amount', 1250.5]] },
  },
  { name: 'the users view', sql: 'SELECT full_name, team FROM users ORDER BY member_id', expect: { rows: [['Ada Admin', 'Ops'], ['Max Manager', 'Sales']] } },
  {
    name: 'assignments by type',
    sql: 'SELECT assignee_type, count(*) FROM assignments GROUP BY 1 ORDER BY 1',
    expect: { rows: [['guest', 1], ['member', 4]] },
  },
  { name: 'open issues', sql: 'SELECT count(*) FROM issues WHERE NOT is_resolved', expect: { rows: [[1]] } },
  { name: 'day_of_week is 1 for Monday', sql: 'SELECT day_of_week(started_at) FROM processes ORDER BY process_id', expect: { rows: [[1], [1], [1]] } },
  { name: 'date_add clamps the month', sql: "SELECT date_add('month', 1, DATE '2024-01-31')", expect: { rows: [['2024-02-29']] } },
  {
    name: 'active_processes: the current task',
    sql: 'SELECT process_id, current_task_names, overdue_tasks, open_issues FROM active_processes ORDER BY process_id',
    expect: { rows: [['p2', ['Manager approval'], 1, 1]] },
  },
  {
    name: 'grouping by ordinal as BI tools do',
    sql: 'SELECT blueprint_name, count(*) FROM processes GROUP BY 1 ORDER BY 1',
    expect: { rows: [['Onboarding', 2], ['Purchase', 1]] },
  },
  { name: 'a function with no faithful equivalent', sql: 'SELECT ml_predict(1)', expect: { error: /not supported: ml_predict/ } },
  { name: 'a syntax error names the place', sql: 'SELECT FROM WHERE', expect: { error: /line 1:\d+/ } },
  { name: 'another database', sql: 'SELECT * FROM globex.processes', expect: { error: /globex/ } },
  { name: 'an unknown table', sql: 'SELECT * FROM nosuch', expect: { error: /nosuch/ } },
];
