/**
 * Queries shaped the way BI tools' Athena dialects write them (Looker, Tableau, Metabase),
 * translated and run on DuckDB against small tables with hand-computed answers.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { translateTrino } from '../../src/sql/trino/translate.ts';
import { CTX, TrinoDuck } from './trino-helpers.ts';

const SETUP = [
  'CREATE TABLE processes(id VARCHAR, name VARCHAR, status VARCHAR, created_at TIMESTAMP, completed_at TIMESTAMP, tags VARCHAR[])',
  `INSERT INTO processes VALUES
    ('p1', 'ONB-Alice', 'completed', '2024-01-01 23:00:00', '2024-01-03 01:00:00', ['hr', 'onboarding']),
    ('p2', 'ONB-Bob', 'active', '2024-01-07 10:00:00', NULL, ['hr']),
    ('p3', 'HIRE-Carol', 'completed', '2024-02-15 08:30:00', '2024-02-15 09:00:00', []),
    ('p4', 'HIRE-Dan', 'archived', '2024-02-29 12:00:00', '2024-03-31 12:00:00', ['it'])`,
  'CREATE TABLE tasks(id VARCHAR, process_id VARCHAR, minutes INTEGER)',
  "INSERT INTO tasks VALUES ('t1', 'p1', 30), ('t2', 'p1', 45), ('t3', 'p2', 5), ('t4', 'p3', 7)",
];

interface CorpusCase {
  name: string;
  sql: string;
  expect: unknown[][];
}

const CASES: CorpusCase[] = [
  {
    name: 'Looker: context comment, date_trunc week, GROUP BY 1, ORDER BY desc, LIMIT',
    sql: `-- Looker Query Context '{"user_id":1,"history_slug":"abc"}'
SELECT
    DATE_FORMAT(DATE_TRUNC('week', processes.created_at), '%Y-%m-%d') AS "processes.created_week",
    COUNT(DISTINCT processes.id ) AS "processes.count"
FROM acme.processes  AS processes
WHERE processes.created_at >= DATE_ADD('month', -12, TIMESTAMP '2024-06-01 00:00:00')
GROUP BY
    1
ORDER BY
    1 DESC
LIMIT 500`,
    expect: [
      ['2024-02-26', 1],
      ['2024-02-12', 1],
      ['2024-01-01', 2],
    ],
  },
  {
    name: 'Looker: query time zone conversion with AT TIME ZONE',
    sql: `SELECT
    DATE_FORMAT(processes.created_at AT TIME ZONE 'America/Los_Angeles', '%Y-%m-%d') AS "processes.created_date"
FROM acme.processes AS processes
WHERE processes.id = 'p1'`,
    expect: [['2024-01-01']],
  },
  {
    name: 'Looker: average duration with NULLIF and 1.0 * casting, HAVING',
    sql: `SELECT
    processes.status  AS "processes.status",
    1.0 * SUM(DATE_DIFF('hour', processes.created_at, processes.completed_at)) / NULLIF(COUNT(processes.completed_at), 0) AS "processes.avg_hours"
FROM acme.processes AS processes
GROUP BY 1
HAVING COUNT(*) >= 1
ORDER BY 1`,
    expect: [
      ['active', null],
      ['archived', 744],
      ['completed', 13],
    ],
  },
  {
    name: 'Tableau: CAST AS DATE, SUM(1), CASE WHEN, join',
    sql: `SELECT CAST("processes"."created_at" AS DATE) AS "created_day",
  SUM(1) AS "cnt",
  SUM(CASE WHEN "tasks"."minutes" > 10 THEN 1 ELSE 0 END) AS "long_tasks"
FROM "acme"."processes" "processes"
  INNER JOIN "acme"."tasks" "tasks" ON ("processes"."id" = "tasks"."process_id")
GROUP BY CAST("processes"."created_at" AS DATE)
ORDER BY 1`,
    expect: [
      ['2024-01-01', 2, 2],
      ['2024-01-07', 1, 0],
      ['2024-02-15', 1, 0],
    ],
  },
  {
    name: 'Metabase: fully qualified columns, date_trunc month, OFFSET before LIMIT',
    sql: `SELECT date_trunc('month', "acme"."processes"."created_at") AS "created_at", count(*) AS "count"
FROM "acme"."processes"
GROUP BY date_trunc('month', "acme"."processes"."created_at")
ORDER BY date_trunc('month', "acme"."processes"."created_at") ASC
OFFSET 1
LIMIT 1`,
    expect: [['2024-02-01 00:00:00', 2]],
  },
  {
    name: 'Metabase: approx_percentile median, regexp_extract, from_unixtime filter',
    sql: `SELECT regexp_extract("acme"."processes"."name", '^([A-Z]+)-') AS "prefix", approx_percentile("acme"."tasks"."minutes", 0.5) AS "median"
FROM "acme"."processes"
LEFT JOIN "acme"."tasks" ON "acme"."processes"."id" = "acme"."tasks"."process_id"
WHERE "acme"."processes"."created_at" < CAST(from_unixtime(1719792000) AS TIMESTAMP)
GROUP BY 1
ORDER BY 1`,
    expect: [
      ['HIRE-', 7],
      ['ONB-', 30],
    ],
  },
  {
    name: 'CTE, window functions and row_number filter',
    sql: `WITH ranked AS (
  SELECT p.id, p.status, row_number() OVER (PARTITION BY p.status ORDER BY p.created_at DESC) AS rn,
         rank() OVER (ORDER BY date_trunc('month', p.created_at)) AS month_rank
  FROM "AwsDataCatalog"."acme"."processes" p
)
SELECT id, month_rank FROM ranked WHERE rn = 1 ORDER BY id`,
    expect: [
      ['p2', 1],
      ['p3', 3],
      ['p4', 3],
    ],
  },
  {
    name: 'CROSS JOIN UNNEST of an array column with ordinality',
    sql: `SELECT p.id, tag, pos FROM acme.processes p CROSS JOIN UNNEST(p.tags) WITH ORDINALITY AS t(tag, pos) ORDER BY 1, 3`,
    expect: [
      ['p1', 'hr', 1],
      ['p1', 'onboarding', 2],
      ['p2', 'hr', 1],
      ['p4', 'it', 1],
    ],
  },
  {
    name: 'date_diff filters, IN list, LIKE, IS NOT NULL, cardinality',
    sql: `SELECT id FROM acme.processes
WHERE date_diff('day', created_at, completed_at) >= 1
  AND status IN ('completed', 'archived') AND name LIKE '%-%' AND completed_at IS NOT NULL AND cardinality(tags) > 0
ORDER BY id`,
    expect: [['p1'], ['p4']],
  },
];

describe('BI tool corpus', () => {
  let db: TrinoDuck;
  before(async () => {
    db = await TrinoDuck.open(SETUP);
  });
  for (const c of CASES) {
    it(c.name, async () => {
      const sql = translateTrino(c.sql, CTX).sql;
      const r = await db.duck(sql);
      const rows = r.rows.map((row) => row.map((v, i) => (typeof c.expect[0]?.[i] === 'number' && typeof v === 'string' ? Number(v) : v)));
      assert.deepEqual(rows, c.expect, sql);
    });
  }

  it('translates a 2 KB dashboard query in a few milliseconds after warm-up', () => {
    assert.ok(DASHBOARD.length > 1500, `${DASHBOARD.length} characters`);
    for (let i = 0; i < 30; i++) translateTrino(DASHBOARD, CTX);
    const n = 100;
    const started = performance.now();
    for (let i = 0; i < n; i++) translateTrino(DASHBOARD, CTX);
    const ms = (performance.now() - started) / n;
    // Typically 2-4 ms on the reference machine; the bound only catches a pathological regression.
    assert.ok(ms < 40, `${ms.toFixed(2)} ms per translation`);
  });

  it('runs the dashboard query', async () => {
    const r = await db.duck(translateTrino(DASHBOARD, CTX).sql);
    assert.ok(r.rows.length >= 1);
  });
});

/** A typical Looker dashboard tile (about 2 KB). */
export const DASHBOARD = `-- Looker Query Context '{"user_id":1,"history_slug":"abc","instance_slug":"xyz"}'
WITH runs AS (
  SELECT
    p.id AS process_id,
    date_trunc('week', p.created_at) AS created_week,
    date_diff('day', p.created_at, coalesce(p.completed_at, current_timestamp)) AS age_days,
    CASE WHEN p.status = 'completed' THEN 1 ELSE 0 END AS is_done,
    regexp_extract(p.name, '^([A-Z]+)-', 1) AS prefix
  FROM "AwsDataCatalog"."acme"."processes" AS p
  LEFT JOIN "acme"."tasks" t ON t.process_id = p.id AND t.minutes IS NOT NULL
  WHERE p.created_at >= date_add('month', -60, date_trunc('month', current_timestamp))
    AND p.created_at < date_add('day', 1, current_timestamp)
    AND (p.name LIKE '%ONB%' OR regexp_like(p.name, 'HIRE|OFFER'))
)
SELECT
  created_week AS "runs.created_week",
  prefix AS "runs.prefix",
  COUNT(DISTINCT process_id) AS "runs.count",
  approx_percentile(age_days, 0.5) AS "runs.median_age",
  approx_percentile(age_days, ARRAY[0.25, 0.75]) AS "runs.iqr",
  SUM(is_done) * 1.0 / NULLIF(COUNT(*), 0) AS "runs.completion_rate",
  ROW_NUMBER() OVER (PARTITION BY prefix ORDER BY created_week DESC) AS rn,
  format_datetime(max(created_week), 'yyyy-MM-dd') AS last_week,
  date_format(min(created_week), '%Y-%m-%d %H:%i:%s') AS first_week,
  count_if(age_days > 30) AS old_runs,
  element_at(array_agg(process_id), 1) AS sample_id,
  CAST(SUM(age_days) AS DOUBLE) / 7 AS weeks,
  CAST(max(created_week) AS VARCHAR) AS last_week_text
FROM runs
WHERE prefix IS NOT NULL AND created_week BETWEEN TIMESTAMP '2020-01-01 00:00:00' AND TIMESTAMP '2030-12-31 00:00:00'
GROUP BY 1, 2
HAVING COUNT(*) > 0
ORDER BY 1 DESC, 3 DESC
OFFSET 0 LIMIT 500`;
