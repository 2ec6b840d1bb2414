/**
 * The analytic views over a real published lake: hand-made documents (test/support/analytics-fixtures.ts)
 * go through validation, the staging store, the Parquet writer and the publisher into a local
 * object store; a fresh DuckDB reads the live manifest's Parquet files as the base tables, the views
 * are created on top, and every expected value below is computed by hand from the fixtures.
 *
 * New York: EST = UTC−5 until Sunday 2025-03-09 02:00 local, EDT = UTC−4 after. Percentiles are
 * DuckDB's quantile_cont: sorted x₀…xₙ₋₁, h = p·(n−1), result x⌊h⌋ + (h−⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StagingStore } from '../../src/ingest/staging-store.ts';
import { validateBatch } from '../../src/ingest/validate.ts';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { ParquetWriter } from '../../src/lake/parquet-writer.ts';
import { Publisher } from '../../src/lake/publisher.ts';
import { readCurrentManifest } from '../../src/lake/manifest-store.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { DUCKDB_TYPE, TABLES, duckdbColumnList, members, type TableName } from '../../src/schema/index.ts';
import { dataDictionary } from '../../src/schema/dictionary.ts';
import { ANALYTIC_VIEW_NAMES, analyticViews, analyticViewsDictionary, type AnalyticViewsOptions } from '../../src/catalog/analytic-views.ts';
import { analyticsMembers, analyticsProcesses } from '../support/analytics-fixtures.ts';

type Row = Record<string, unknown>;
const NY = 'America/New_York';
const ORG = 'acme';
const H = 3600;

const utcMs = (s: string): number => Date.parse(`${s.replace(' ', 'T')}Z`);
function close(actual: unknown, expected: number, what: string, tol = 1e-6): void {
  assert.equal(typeof actual, 'number', `${what}: ${String(actual)} is not a number`);
  assert.ok(Math.abs((actual as number) - expected) <= tol, `${what}: ${String(actual)} ≠ ${expected}`);
}
/** Monday 00:00 UTC of the ISO week containing `ms`, as DuckDB prints a TIMESTAMP. */
function weekStartOf(ms: number): string {
  const d = new Date(ms);
  const back = (d.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - back));
  return `${monday.toISOString().slice(0, 10)} 00:00:00`;
}

describe('analytic views', () => {
  let dir: string;
  let db: DuckDBInstance;
  let c: DuckDBConnection;
  let fixturesAt: number;

  const rows = async (sql: string): Promise<Row[]> => (await c.runAndReadAll(sql)).getRowObjectsJson() as Row[];
  const one = async (sql: string): Promise<Row> => {
    const r = await rows(sql);
    assert.equal(r.length, 1, `expected one row from: ${sql}`);
    return r[0]!;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-views-'));
    fixturesAt = Date.now();
    const procs = validateBatch('process', analyticsProcesses(fixturesAt));
    const mems = validateBatch('member', analyticsMembers());
    if (!procs.ok) throw new Error(JSON.stringify(procs.problems));
    if (!mems.ok) throw new Error(JSON.stringify(mems.problems));

    const store = new LocalObjectStore(join(dir, 'lake'));
    const staging = StagingStore.open(join(dir, 'staging.db'));
    const writer = await ParquetWriter.create();
    try {
      staging.applyProcesses(procs.docs);
      staging.applyMembers(mems.docs);
      await new Publisher({ org: ORG, staging, store, writer, log: silentLogger }).publish();
    } finally {
      staging.close();
      writer.close();
    }
    const manifest = await readCurrentManifest(store, ORG);
    assert.ok(manifest);

    db = await DuckDBInstance.create(':memory:');
    c = await db.connect();
    // A session time zone far from both UTC and New York: the views must not depend on it.
    await c.run(`SET TimeZone = 'Asia/Kolkata'`);
    for (const t of TABLES) {
      const files = manifest.tables[t.name as TableName].map((f) => `'${store.localPath(f.key)}'`);
      if (files.length === 0) {
        await c.run(`CREATE TABLE ${t.name} (${duckdbColumnList(t)})`);
        continue;
      }
      const hive = t.scope === 'process' ? ", hive_partitioning = true, hive_types = {'started_month': VARCHAR}" : '';
      await c.run(`CREATE VIEW ${t.name} AS SELECT ${t.columns.map((x) => x.name).join(', ')} FROM read_parquet([${files.join(', ')}]${hive})`);
    }
    for (const v of analyticViews({ timezone: NY })) await c.run(`CREATE VIEW ${v.name} AS ${v.sql}`);
  });

  after(() => {
    c?.closeSync();
    db?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares exactly the columns, names and types, that each SELECT produces', async () => {
    const views = analyticViews({ timezone: NY });
    assert.deepEqual(views.map((v) => v.name), [...ANALYTIC_VIEW_NAMES]);
    for (const v of views) {
      const described = await rows(`DESCRIBE ${v.name}`);
      assert.deepEqual(
        described.map((r) => `${String(r.column_name)} ${String(r.column_type)}`),
        v.columns.map((col) => `${col.name} ${DUCKDB_TYPE[col.type]}`),
        v.name,
      );
      assert.equal(new Set(v.columns.map((col) => col.name)).size, v.columns.length, `${v.name}: duplicate column`);
      for (const col of v.columns) assert.ok(col.doc.length > 0, `${v.name}.${col.name} has no doc`);
    }
  });

  it('users is the members table under another name', async () => {
    const users = await rows('SELECT * FROM users ORDER BY member_id');
    const mem = await rows('SELECT * FROM members ORDER BY member_id');
    assert.deepEqual(users, mem);
    assert.deepEqual(Object.keys(users[0]!), members.columns.map((x) => x.name));
    assert.deepEqual(users.map((u) => [u.member_id, u.full_name, u.team]), [['m1', 'Ada Lovelace', 'Ops'], ['m2', 'Grace Hopper', 'Eng'], ['m3', null, 'Eng']]);
  });

  describe('process_durations', () => {
    it('lead time of completed, archived and running processes', async () => {
      const r = await rows('SELECT * FROM process_durations ORDER BY process_id');
      const by = Object.fromEntries(r.map((x) => [x.process_id, x]));
      // p1: Mon 03-03 09:00 EST (14:00Z) → Mon 03-10 11:00 EDT (15:00Z) = 7 d 1 h = 169 h.
      assert.equal(by.p1!.lead_time_basis, 'completed');
      close(by.p1!.lead_time_seconds, 169 * H, 'p1 seconds');
      close(by.p1!.lead_time_hours, 169, 'p1 hours');
      close(by.p1!.lead_time_days, 169 / 24, 'p1 days');
      assert.equal(by.p1!.is_on_time, null, 'p1 has no deadline');
      assert.equal(by.p1!.is_completed, true);
      assert.equal(by.p1!.is_running, false);
      assert.equal(by.p1!.process_owner, 'Grace Hopper');
      assert.equal(by.p1!.started_month, '2025-03');
      // p2: 15:00Z → 15:00Z next day = 24 h; completed 10:00 EST after its 09:00 EST deadline.
      close(by.p2!.lead_time_hours, 24, 'p2 hours');
      assert.equal(by.p2!.is_on_time, false);
      // p3: Wed 09:00 EST → Sat 09:00 EST = 72 h; due Monday 00:00Z → on time.
      close(by.p3!.lead_time_hours, 72, 'p3 hours');
      assert.equal(by.p3!.is_on_time, true);
      // p4: Thu 03-06 09:00 EST (14:00Z) → Sun 03-16 09:00 EDT (13:00Z) = 10 d − 1 h = 239 h (DST in between).
      close(by.p4!.lead_time_hours, 239, 'p4 hours');
      // p6: archived, never completed: 03-10 03:00Z → archived 03-12 03:00Z = 48 h.
      assert.equal(by.p6!.lead_time_basis, 'archived');
      assert.equal(by.p6!.is_completed, false);
      assert.equal(by.p6!.is_running, false);
      close(by.p6!.lead_time_hours, 48, 'p6 hours');
      assert.equal(by.p6!.lead_time_end_at, '2025-03-12 03:00:00');
      // p5 (problem) and p7 (active) run until now.
      const after = Date.now();
      for (const [id, start] of [['p5', '2025-03-07 14:00:00'], ['p7', '2025-03-11 14:00:00']] as const) {
        assert.equal(by[id]!.lead_time_basis, 'running');
        assert.equal(by[id]!.is_running, true);
        const s = by[id]!.lead_time_seconds as number;
        assert.ok(s >= (fixturesAt - utcMs(start)) / 1000 - 1 && s <= (after - utcMs(start)) / 1000 + 1, `${id} lead time runs to now: ${s}`);
      }
      assert.equal(by.p5!.tasks_completed, 1);
      assert.equal(by.p5!.total_tasks, 3);
    });

    it('per-blueprint percentiles are one GROUP BY away', async () => {
      // bp1 completed lead times, sorted: 24, 72, 169, 239 h.
      // p90: h = 0.9·3 = 2.7 → 169 + 0.7·(239 − 169) = 218; median: 72 + 0.5·97 = 120.5; mean 504 / 4 = 126.
      const r = await one(`SELECT quantile_cont(lead_time_hours, 0.9) AS p90, median(lead_time_hours) AS p50, avg(lead_time_hours) AS mean, count(*) AS n
                           FROM process_durations WHERE is_completed AND blueprint_id = 'bp1' GROUP BY blueprint_id`);
      close(r.p90, 218, 'p90');
      close(r.p50, 120.5, 'median');
      close(r.mean, 126, 'mean');
    });
  });

  describe('step_durations', () => {
    let by: Record<string, Row>;
    before(async () => {
      by = Object.fromEntries((await rows('SELECT * FROM step_durations')).map((x) => [x.task_id as string, x]));
    });

    it('elapsed, business hours, waiting time and lateness of completed tasks', () => {
      // p1-t1: Mon 09:00 EST → Tue 17:00 EST = 32 h; business Mon 8 h + Tue 8 h = 16 h; shown when the
      // process started (waiting 0); completed exactly at its deadline → on time, 0 s late.
      const t1 = by['p1-t1']!;
      close(t1.elapsed_seconds, 32 * H, 'p1-t1 elapsed');
      close(t1.business_seconds, 16 * H, 'p1-t1 business');
      close(t1.waiting_seconds, 0, 'p1-t1 waiting');
      close(t1.seconds_late, 0, 'p1-t1 late');
      assert.equal(t1.is_on_time, true);
      assert.deepEqual(t1.assigned_member_ids, ['m1']);
      assert.equal(t1.completed_by_id, 'm1');
      assert.equal(t1.step_id, 's1');
      assert.equal(t1.blueprint_name, 'Onboarding');

      // p1-t2 (approval): Fri 03-07 15:00 EST (20:00Z) → Mon 03-10 11:00 EDT (15:00Z), across the
      // spring-forward weekend: 67 h elapsed (not the 68 h the wall clocks suggest). Business:
      // Fri 15–17 = 2 h, Mon 09–11 EDT = 2 h → 4 h. Waiting: 03-03 14:00Z → 03-07 20:00Z = 102 h.
      // Due Fri 17:00 EST (22:00Z) → 65 h late.
      const t2 = by['p1-t2']!;
      close(t2.elapsed_seconds, 67 * H, 'p1-t2 elapsed');
      close(t2.elapsed_hours, 67, 'p1-t2 elapsed hours');
      close(t2.business_seconds, 4 * H, 'p1-t2 business');
      close(t2.business_hours, 4, 'p1-t2 business hours');
      close(t2.waiting_seconds, 102 * H, 'p1-t2 waiting');
      close(t2.waiting_hours, 102, 'p1-t2 waiting hours');
      close(t2.seconds_late, 65 * H, 'p1-t2 late');
      close(t2.hours_late, 65, 'p1-t2 hours late');
      assert.equal(t2.is_on_time, false);
      assert.equal(t2.is_approved, true);
      assert.equal(t2.task_type, 'approval');

      // p2-t1: 2 h inside Tuesday's hours; due an hour before completion.
      close(by['p2-t1']!.business_seconds, 2 * H, 'p2-t1 business');
      close(by['p2-t1']!.seconds_late, H, 'p2-t1 late');
      assert.equal(by['p2-t1']!.is_on_time, false);
      // p2-t2: Tue 12:00 → Wed 10:00 EST = 22 h; business Tue 12–17 + Wed 9–10 = 6 h; 31 h early.
      close(by['p2-t2']!.elapsed_seconds, 22 * H, 'p2-t2 elapsed');
      close(by['p2-t2']!.business_seconds, 6 * H, 'p2-t2 business');
      close(by['p2-t2']!.seconds_late, -31 * H, 'p2-t2 early');
      assert.equal(by['p2-t2']!.is_on_time, true);
      assert.equal(by['p2-t2']!.is_approved, false);
      // p2-t3: no deadline → lateness and on-time are NULL.
      assert.equal(by['p2-t3']!.seconds_late, null);
      assert.equal(by['p2-t3']!.is_on_time, null);
      // p3-t2: Wed 12:00 → Sat 09:00 EST = 69 h; business Wed 5 + Thu 8 + Fri 8 + Sat 0 = 21 h.
      close(by['p3-t2']!.elapsed_seconds, 69 * H, 'p3-t2 elapsed');
      close(by['p3-t2']!.business_seconds, 21 * H, 'p3-t2 business');
      // p4-t1: Thu 09:00 → 19:00 EST = 10 h, 8 of them business hours.
      close(by['p4-t1']!.elapsed_seconds, 10 * H, 'p4-t1 elapsed');
      close(by['p4-t1']!.business_seconds, 8 * H, 'p4-t1 business');
      // p6-t1: Sun 23:30 EDT → Mon 09:30 EDT = 10 h; only Mon 09:00–09:30 EDT counts (0.5 h; with
      // a fixed EST offset the window would start at 14:00Z and this would be 0). Waiting 30 min.
      close(by['p6-t1']!.elapsed_seconds, 10 * H, 'p6-t1 elapsed');
      close(by['p6-t1']!.business_seconds, 0.5 * H, 'p6-t1 business');
      close(by['p6-t1']!.waiting_seconds, 0.5 * H, 'p6-t1 waiting');
    });

    it('hidden, open and abandoned tasks', () => {
      const hidden = by['p1-t3']!;
      assert.equal(hidden.is_completed, false);
      assert.equal(hidden.is_open, false);
      for (const k of ['elapsed_seconds', 'business_seconds', 'waiting_seconds', 'seconds_late', 'is_on_time']) assert.equal(hidden[k], null, `hidden ${k}`);
      assert.equal(hidden.is_overdue, false);

      // p5-t2: open, due Mon 03-10 17:00 EDT (21:00Z): overdue, late by now − due.
      const overdue = by['p5-t2']!;
      const after = Date.now();
      assert.equal(overdue.is_open, true);
      assert.equal(overdue.is_overdue, true);
      assert.equal(overdue.is_on_time, null);
      assert.equal(overdue.elapsed_seconds, null);
      const late = overdue.seconds_late as number;
      const due = utcMs('2025-03-10 21:00:00');
      assert.ok(late >= (fixturesAt - due) / 1000 - 1 && late <= (after - due) / 1000 + 1, `p5-t2 seconds_late ${late}`);

      // p5-t3: open, due in 6 h: not overdue, about −6 h late.
      assert.equal(by['p5-t3']!.is_open, true);
      assert.equal(by['p5-t3']!.is_overdue, false);
      const left = by['p5-t3']!.seconds_late as number;
      assert.ok(left <= -6 * H + (after - fixturesAt) / 1000 + 1 && left >= -6 * H - 1, `p5-t3 seconds_late ${left}`);

      // p6-t2: past due but its process is archived: not open, not overdue, no lateness.
      assert.equal(by['p6-t2']!.is_open, false);
      assert.equal(by['p6-t2']!.is_overdue, false);
      assert.equal(by['p6-t2']!.seconds_late, null);
    });

    it('business hours follow the configured time zone, hours and days', async () => {
      const bs = async (opts: AnalyticViewsOptions, task: string) => {
        const sql = analyticViews(opts).find((v) => v.name === 'step_durations')!.sql;
        return (await one(`SELECT business_seconds FROM (${sql}) WHERE task_id = '${task}'`)).business_seconds;
      };
      // p1-t2 in UTC, 09–17: Fri 20:00Z is after hours; Mon 09:00Z–15:00Z = 6 h.
      close(await bs({ timezone: 'UTC' }, 'p1-t2'), 6 * H, 'UTC p1-t2');
      // p3-t2 (Wed 12:00 → Sat 09:00 EST) with 08:00–12:00 Monday to Saturday: Wed 0 + Thu 4 + Fri 4 + Sat 1 = 9 h.
      close(await bs({ timezone: NY, businessHours: { start: '08:00', end: '12:00', days: [1, 2, 3, 4, 5, 6] } }, 'p3-t2'), 9 * H, 'custom p3-t2');
      // p6-t1 (Sun 23:30 → Mon 09:30 EDT) with Sunday a working day, 00:00–24:00: all 10 h.
      close(await bs({ timezone: NY, businessHours: { start: '00:00', end: '24:00', days: [7, 1] } }, 'p6-t1'), 10 * H, 'all-day p6-t1');
    });

    it('business time never exceeds elapsed time, and both exist for the same tasks', async () => {
      const r = await one(`SELECT count(*) FILTER (business_seconds > elapsed_seconds OR business_seconds < 0)::INTEGER AS bad,
                                  count(*) FILTER ((business_seconds IS NULL) <> (elapsed_seconds IS NULL))::INTEGER AS mismatched,
                                  count(elapsed_seconds)::INTEGER AS timed FROM step_durations`);
      // Completed with both times: p1-t1, p1-t2, p2-t1..t3, p3-t1, p3-t2, p4-t1, p5-t1, p6-t1 = 10.
      assert.deepEqual(r, { bad: 0, mismatched: 0, timed: 10 });
    });
  });

  describe('member_scorecard', () => {
    it('weekly counts, rates and handling times per member', async () => {
      const r = await rows(`SELECT * FROM member_scorecard WHERE NOT is_current_week ORDER BY member_id, week_start`);
      const key = (x: Row) => `${String(x.member_id)} ${String(x.week_start).slice(0, 10)}`;
      assert.deepEqual(r.map(key), ['m1 2025-03-03', 'm1 2025-03-10', 'm2 2025-03-03', 'm2 2025-03-10', 'm3 2025-03-10']);
      const by = Object.fromEntries(r.map((x) => [key(x), x]));

      // m1, week of Mon 2025-03-03 (UTC). Shown to m1 that week: p1-t1, p2-t1, p2-t3, p3-t1, p4-t1,
      // p5-t2 = 6 (p1-t3 was hidden, p5-t3 never shown); 5 of them are completed → 5/6.
      // Completed by m1 that week, handling hours: p1-t1 32, p2-t1 2, p2-t3 1, p3-t1 3, p4-t1 10.
      // Mean 48/5 = 9.6. p90 of [1, 2, 3, 10, 32]: h = 0.9·4 = 3.6 → 10 + 0.6·22 = 23.2.
      // On time: p1-t1 (exactly at due), p3-t1, p4-t1; late: p2-t1; p2-t3 has no due → 3/4.
      const a = by['m1 2025-03-03']!;
      assert.equal(a.member_name, 'Ada Lovelace');
      assert.equal(a.team, 'Ops');
      assert.equal(a.email, 'ada@example.com');
      assert.equal(a.iso_week, '2025-W10');
      assert.equal(a.tasks_assigned, 6);
      assert.equal(a.assigned_completed, 5);
      close(a.completion_rate, 5 / 6, 'm1 completion rate');
      assert.equal(a.tasks_completed, 5);
      close(a.avg_handling_hours, 9.6, 'm1 avg');
      close(a.p90_handling_hours, 23.2, 'm1 p90');
      assert.equal(a.completed_on_time, 3);
      assert.equal(a.completed_late, 1);
      close(a.on_time_rate, 0.75, 'm1 on-time');
      assert.equal(a.open_overdue_tasks, null, 'open overdue only on the current week');

      // m1, week of 03-10: p6-t2 shown (never completed; its process was archived); nothing completed.
      const b = by['m1 2025-03-10']!;
      assert.equal(b.tasks_assigned, 1);
      close(b.completion_rate, 0, 'm1 w11 completion rate');
      assert.equal(b.tasks_completed, 0);
      assert.equal(b.avg_handling_hours, null);
      assert.equal(b.p90_handling_hours, null);
      assert.equal(b.on_time_rate, null);

      // m2, week of 03-03: shown p1-t2, p2-t2, p3-t2, p4-t1 (co-assigned), p5-t1 = 5, all completed.
      // Completed: p2-t2 22 h, p3-t2 69 h (Sat 14:00Z), p5-t1 4 h. Mean 95/3; p90 of [4, 22, 69]:
      // h = 1.8 → 22 + 0.8·47 = 59.6. On time: p2-t2, p5-t1; p3-t2 has no due → 2/2.
      const m2a = by['m2 2025-03-03']!;
      assert.equal(m2a.tasks_assigned, 5);
      close(m2a.completion_rate, 1, 'm2 completion rate');
      assert.equal(m2a.tasks_completed, 3);
      close(m2a.avg_handling_hours, 95 / 3, 'm2 avg');
      close(m2a.p90_handling_hours, 59.6, 'm2 p90');
      close(m2a.on_time_rate, 1, 'm2 on-time');

      // m2, week of 03-10: p7-t1 and p7-t2 shown, open; p1-t2 completed Mon 15:00Z, 67 h, 65 h late.
      const m2b = by['m2 2025-03-10']!;
      assert.equal(m2b.tasks_assigned, 2);
      assert.equal(m2b.assigned_completed, 0);
      assert.equal(m2b.tasks_completed, 1);
      close(m2b.avg_handling_hours, 67, 'm2 w11 avg');
      close(m2b.p90_handling_hours, 67, 'm2 w11 p90');
      assert.equal(m2b.completed_late, 1);
      close(m2b.on_time_rate, 0, 'm2 w11 on-time');

      // m3: p6-t1 shown Sunday 23:30 EDT = Monday 03:30Z → the UTC week of 03-10, not New York's week
      // of 03-03. Name from first and last name (no full_name). No due → on-time rate NULL.
      const m3 = by['m3 2025-03-10']!;
      assert.equal(m3.member_name, 'Alan Turing');
      assert.equal(m3.tasks_assigned, 1);
      assert.equal(m3.tasks_completed, 1);
      close(m3.avg_handling_hours, 10, 'm3 avg');
      assert.equal(m3.on_time_rate, null);
    });

    it('open overdue tasks as of now, on the current week row', async () => {
      const weeks = new Set([weekStartOf(fixturesAt), weekStartOf(Date.now())]);
      const r = await rows(`SELECT * FROM member_scorecard WHERE is_current_week ORDER BY member_id`);
      // Active members m1 and m2 get a current-week row; m3 is disabled with nothing overdue.
      assert.deepEqual(r.map((x) => x.member_id), ['m1', 'm2']);
      for (const x of r) {
        assert.ok(weeks.has(String(x.week_start)), `current week ${String(x.week_start)}`);
        assert.equal(x.tasks_assigned, 0);
        assert.equal(x.tasks_completed, 0);
        assert.equal(x.completion_rate, null);
      }
      // m1: p5-t2 is open and past due. p5-t3 is due in 6 h; p6-t2 is past due but its process is archived.
      assert.equal(r[0]!.open_overdue_tasks, 1);
      // m2: p7-t1 due in 2099, p7-t2 due in 30 h.
      assert.equal(r[1]!.open_overdue_tasks, 0);
      const total = await one(`SELECT sum(open_overdue_tasks)::INTEGER AS n FROM member_scorecard`);
      assert.equal(total.n, 1, 'summing over weeks counts each open overdue task once');
    });
  });

  it('sla_compliance per blueprint and step', async () => {
    const r = await rows(`SELECT * FROM sla_compliance ORDER BY blueprint_id, step_id`);
    const cols = ['step_id', 'task_name', 'tasks', 'tasks_with_due', 'completed', 'completed_on_time', 'completed_late', 'open_tasks', 'at_risk', 'breached'];
    assert.deepEqual(r.map((x) => cols.map((k) => x[k])), [
      // s1: p1–p5; on time p1 (exactly at due), p3, p4, p5; late p2.
      ['s1', 'Collect documents', 5, 5, 5, 4, 1, 0, 0, 0],
      // s2: p1 late, p2 on time, p3 no due, p5 open past due (breached).
      ['s2', 'Manager approval', 4, 3, 3, 1, 1, 1, 0, 1],
      // s3: p1 skipped, p2 completed without due, p5 open due in 6 h (at risk).
      ['s3', 'Send welcome pack', 3, 1, 1, 0, 0, 1, 1, 0],
      // s4: p6 completed without due, p7 open due in 2099.
      ['s4', 'Review', 2, 1, 1, 0, 0, 1, 0, 0],
      // s5: p6 past due but archived (neither open nor breached), p7 open due in 30 h (not at risk).
      ['s5', 'Pay', 2, 2, 0, 0, 0, 1, 0, 0],
      ['s6', 'Archive receipt', 1, 0, 0, 0, 0, 1, 0, 0],
    ]);
    const by = Object.fromEntries(r.map((x) => [x.step_id, x]));
    assert.equal(by.s1!.blueprint_name, 'Onboarding');
    assert.equal(by.s5!.blueprint_name, 'Purchase request');
    assert.equal(by.s1!.task_alias, 'collect');
    // s1: on time 4/5; breach rate (1 late + 0 breached) / 5 decided = 0.2; p2-t1 was 1 h late.
    close(by.s1!.on_time_rate, 0.8, 's1 on-time');
    close(by.s1!.breach_rate, 0.2, 's1 breach');
    close(by.s1!.avg_hours_late, 1, 's1 avg late');
    // s2: on time 1/2; breach rate (1 late + 1 breached) / 3 decided; p1-t2 was 65 h late.
    close(by.s2!.on_time_rate, 0.5, 's2 on-time');
    close(by.s2!.breach_rate, 2 / 3, 's2 breach');
    close(by.s2!.avg_hours_late, 65, 's2 avg late');
    // s3: nothing decided yet.
    assert.equal(by.s3!.on_time_rate, null);
    assert.equal(by.s3!.breach_rate, null);
    assert.equal(by.s3!.avg_hours_late, null);
  });

  it('active_processes lists running processes with their current tasks', async () => {
    const r = await rows(`SELECT * FROM active_processes ORDER BY process_id`);
    const after = Date.now();
    assert.deepEqual(r.map((x) => x.process_id), ['p5', 'p7'], 'complete and archived runs are left out');
    const [p5, p7] = r as [Row, Row];
    // p5: t1 completed; t2 (position 2) and t3 (position 3) open → current is t2. Issue i1 open, i2 resolved.
    assert.equal(p5.process_status, 'problem');
    assert.equal(p5.process_owner, 'Ada Lovelace');
    assert.equal(p5.process_owner_id, 'm1');
    assert.deepEqual(p5.current_task_ids, ['p5-t2']);
    assert.deepEqual(p5.current_task_names, ['Manager approval']);
    assert.equal(p5.current_task_due_at, '2025-03-10 21:00:00');
    assert.equal(p5.open_tasks, 2);
    assert.equal(p5.overdue_tasks, 1);
    assert.equal(p5.open_issues, 1);
    close(p5.progress, 1 / 3, 'p5 progress');
    const start = utcMs('2025-03-07 14:00:00');
    const age = p5.age_hours as number;
    assert.ok(age >= (fixturesAt - start) / 3.6e6 - 0.001 && age <= (after - start) / 3.6e6 + 0.001, `p5 age ${age}`);
    close(p5.age_days, age / 24, 'p5 age days', 0.001);
    assert.equal(p5.is_overdue, false);
    // p7: t1 "Review" and t2 "Pay" share position 1 → both current, ordered by name; t3 is position 2.
    assert.deepEqual(p7.current_task_names, ['Pay', 'Review']);
    assert.deepEqual(p7.current_task_ids, ['p7-t2', 'p7-t1']);
    assert.equal(p7.open_tasks, 3);
    assert.equal(p7.overdue_tasks, 0);
    assert.equal(p7.open_issues, 0);
    close(p7.progress, 0, 'p7 progress');
  });

  it('form_answers has one row per answer value', async () => {
    const r = await rows(`SELECT process_id, field_id, answer_value, value_index, value_count, is_kickoff, task_name
                          FROM form_answers ORDER BY process_id, field_id, value_index`);
    assert.deepEqual(r.map((x) => [x.process_id, x.field_id, x.answer_value, x.value_index, x.value_count, x.is_kickoff, x.task_name]), [
      ['p6', 'f-amount', '1250', 1, 1, true, null],
      ['p6', 'f-cats', 'Laptop', 1, 2, true, null],
      ['p6', 'f-cats', 'Monitor', 2, 2, true, null],
      // f-notes is unanswered on p6: no row.
      ['p6', 'f-vendor', 'Yes', 1, 1, false, 'Review'],
      ['p7', 'f-amount', '300', 1, 1, true, null],
      ['p7', 'f-cats', 'Monitor', 1, 1, true, null],
      ['p7', 'f-notes', 'Rush', 1, 1, true, null],
    ]);
    const counts = await rows(`SELECT answer_value, count(*)::INTEGER AS n FROM form_answers
                               WHERE blueprint_name = 'Purchase request' AND field_label = 'Categories' GROUP BY ALL ORDER BY answer_value`);
    assert.deepEqual(counts.map((x) => [x.answer_value, x.n]), [['Laptop', 1], ['Monitor', 2]]);
    const amount = await one(`SELECT sum(answer_number) AS total FROM form_answers WHERE field_label = 'Amount'`);
    close(amount.total, 1550, 'sum of amounts');
    const vendor = await one(`SELECT field_type, answered_at, step_id, is_required FROM form_answers WHERE field_id = 'f-vendor'`);
    assert.deepEqual(vendor, { field_type: 'radio', answered_at: '2025-03-10 13:30:00', step_id: 's4', is_required: true });
  });

  it('refuses options that are not a time zone or a sensible working window', () => {
    assert.throws(() => analyticViews({ timezone: 'Mars/Olympus' }), /time zone/);
    assert.throws(() => analyticViews({ timezone: "UTC'; DROP TABLE steps; --" }), /time zone/);
    assert.throws(() => analyticViews({ timezone: NY, businessHours: { start: '17:00', end: '09:00', days: [1] } }), /after start/);
    assert.throws(() => analyticViews({ timezone: NY, businessHours: { start: '9am', end: '17:00', days: [1] } }), /HH:MM/);
    assert.throws(() => analyticViews({ timezone: NY, businessHours: { start: '09:00', end: '17:00', days: [0, 8] } }), /ISO days/);
    assert.throws(() => analyticViews({ timezone: NY, businessHours: { start: '09:00', end: '17:00', days: [] } }), /ISO days/);
  });

  it('documents every view and column in the data dictionary', () => {
    const sections = analyticViewsDictionary({ timezone: NY });
    assert.deepEqual(sections.map((s) => s.title), [...ANALYTIC_VIEW_NAMES]);
    const step = sections.find((s) => s.title === 'step_durations')!.markdown;
    assert.match(step, /Monday, Tuesday, Wednesday, Thursday, Friday 09:00–17:00 in America\/New_York/);
    for (const v of analyticViews({ timezone: NY })) {
      const md = sections.find((s) => s.title === v.name)!.markdown;
      for (const col of v.columns) assert.ok(md.includes(`| \`${col.name}\` |`), `${v.name}.${col.name} in the dictionary`);
    }
    const all = dataDictionary(sections);
    assert.ok(all.includes('## member_scorecard (view)'));
  });
});
