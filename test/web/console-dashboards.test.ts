/**
 * The five dashboards in a real browser (Chromium via playwright-core) against `runlake serve` on
 * demo data: every one renders charts with data, a filter changes the numbers (checked against
 * SQL through the HTTP query API), clicking a chart opens the rows behind it (checked against SQL),
 * and the same drill-down is reachable by keyboard through the table view.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, waitUntil, launch, newPage, panelsSettled, screenshot, signIn, sql, startStack, type Stack } from './support/console.ts';

const skip = browserSkip();

/** Panels that may be empty on demo data, and why. */
const MAY_BE_EMPTY: Record<string, string> = {};

describe('dashboards in the browser', { skip }, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  before(async () => {
    stack = await startStack(300);
    browser = await launch();
    ({ page } = await newPage(browser, stack));
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const a = stack.org('acme');
    await signIn(page, a.console_user, a.console_password);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  const open = async (dash: string, query = '') => {
    await page.goto(`/#/acme/dashboards/${dash}${query}`);
    await page.locator(`[data-dashboard="${dash}"]`).waitFor();
    return panelsSettled(page);
  };
  const kpi = async (column: string) => page.locator(`[data-kpi="${column}"] dd`).getAttribute('data-value');

  for (const dash of ['process-durations', 'team-scorecards', 'form-data', 'active-processes', 'sla-compliance']) {
    it(`${dash}: every panel renders from demo data, charts with drawn marks`, async () => {
      const panels = await open(dash);
      assert.ok(Object.keys(panels).length >= 4, JSON.stringify(panels));
      for (const [id, p] of Object.entries(panels)) {
        if (MAY_BE_EMPTY[`${dash}/${id}`]) continue;
        assert.equal(p.state, 'ready', `${dash}/${id} is ${p.state}`);
        assert.ok(p.rows > 0, `${dash}/${id} has rows`);
      }
      const charts = page.locator('[data-panel] .chart');
      const n = await charts.count();
      assert.ok(n >= 2, `${dash} draws charts`);
      for (let i = 0; i < n; i++) {
        const marks = await charts.nth(i).locator('svg path').count();
        assert.ok(marks > 5, `chart ${i} of ${dash} has drawn marks (${marks})`);
      }
      assert.equal(await page.locator('[role=alert]').count(), 0, 'no error shown');
    });
  }

  it('a filter changes the numbers, and they match SQL over the same view', async () => {
    await open('process-durations');
    const all = Number(await kpi('completed_runs'));
    const [{ n: expectedAll }] = (await sql(stack, 'acme', 'SELECT count(*) AS n FROM process_durations WHERE is_completed')) as [{ n: number }];
    assert.equal(all, expectedAll);

    const [bp] = (await sql(stack, 'acme', `SELECT blueprint_id AS id, max(blueprint_name) AS name, count(*) AS n FROM process_durations
      WHERE is_completed AND blueprint_id IS NOT NULL GROUP BY blueprint_id ORDER BY n DESC LIMIT 1`)) as [{ id: string; name: string; n: number }];
    await page.getByLabel('Blueprint', { exact: true }).selectOption({ label: bp.name });
    await waitUntil(page, `location.hash.includes('blueprint=')`);
    await panelsSettled(page);
    const filtered = Number(await kpi('completed_runs'));
    assert.equal(filtered, bp.n);
    assert.ok(filtered < all, `${filtered} < ${all}`);

    // A date range on top: processes started in it.
    await page.getByLabel('From', { exact: true }).fill('2026-01-01');
    await page.getByLabel('From', { exact: true }).dispatchEvent('change');
    await waitUntil(page, `location.hash.includes('from=2026-01-01')`);
    await panelsSettled(page);
    const [{ n: ranged }] = (await sql(stack, 'acme', `SELECT count(*) AS n FROM process_durations
      WHERE is_completed AND blueprint_id = '${bp.id}' AND started_at >= DATE '2026-01-01'`)) as [{ n: number }];
    assert.equal(Number(await kpi('completed_runs')), ranged);
    await screenshot(page, 'dashboard-filtered-desktop');

    // SLA compliance with a team filter: on-time and late counts from step_durations and assignments.
    const [team] = (await sql(stack, 'acme', 'SELECT team FROM members WHERE team IS NOT NULL GROUP BY team ORDER BY count(*) DESC, team LIMIT 1')) as [{ team: string }];
    await open('sla-compliance', `?team=${encodeURIComponent(team.team)}`);
    const [expected] = (await sql(stack, 'acme', `SELECT count(*) FILTER (WHERE is_on_time) AS on_time, count(*) FILTER (WHERE NOT is_on_time) AS late
      FROM step_durations s WHERE due_at IS NOT NULL AND (
        task_id IN (SELECT task_id FROM assignments WHERE assignee_type = 'member' AND assignee_id IN (SELECT member_id FROM members WHERE team = '${team.team}'))
        OR completed_by_id IN (SELECT member_id FROM members WHERE team = '${team.team}'))`)) as [{ on_time: number; late: number }];
    assert.equal(Number(await kpi('on_time')), expected.on_time);
    assert.equal(Number(await kpi('late')), expected.late);
    await open('sla-compliance');
    assert.ok(Number(await kpi('on_time')) > expected.on_time, 'the unfiltered number is larger');
  });

  it('clicking a bar opens the rows behind it, the same rows SQL finds', async () => {
    await open('process-durations');
    const panel = page.locator('[data-panel="by-blueprint"]');
    // The first series' bars (legend marks are 12 px, bars wider).
    const bars = panel.locator('svg path[fill="#4f46e5"]');
    // The chart may still be drawing when the panel reports its data: wait for a bar.
    await waitUntil(page, `[...document.querySelectorAll('[data-panel="by-blueprint"] svg path[fill="#4f46e5"]')].some((e) => e.getBBox().width > 14)`);
    const boxes = await bars.evaluateAll((els) => els.map((e) => (e as unknown as { getBBox(): { width: number; height: number } }).getBBox()).map((b) => b.width));
    const i = boxes.findIndex((w) => w > 14);
    assert.ok(i >= 0, `a bar to click among ${boxes.length} paths`);
    await bars.nth(i).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.locator('.drill[data-state="ready"]').waitFor();
    const title = (await dialog.getByRole('heading', { level: 2 }).textContent()) ?? '';
    const m = /^Completed processes of (.+)$/.exec(title);
    assert.ok(m, title);
    const name = m[1]!;
    const shown = Number(await page.locator('.drill').getAttribute('data-rows'));
    const [{ n }] = (await sql(stack, 'acme', `SELECT count(*) AS n FROM process_durations WHERE is_completed AND lead_time_days IS NOT NULL AND ${name.toLowerCase() === 'one-off processes' ? 'blueprint_id IS NULL' : `blueprint_name = '${name.replaceAll("'", "''")}'`}`)) as [{ n: number }];
    assert.equal(shown, Math.min(n, 500));
    const blueprintCells = await dialog.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.ok(blueprintCells.length > 0 && blueprintCells.every((c) => c === name), `every row is of ${name}`);
    await screenshot(page, 'dashboard-drill-desktop', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('the same drill-down is reachable by keyboard: table view, then the row', async () => {
    await open('sla-compliance');
    const panel = page.locator('[data-panel="by-blueprint"]');
    await panel.getByRole('button', { name: 'Show table' }).focus();
    await page.keyboard.press('Enter');
    const rowButton = panel.getByRole('button', { name: /^Show the rows behind / }).first();
    await rowButton.focus();
    const label = ((await rowButton.getAttribute('aria-label')) ?? '').replace('Show the rows behind ', '');
    await page.keyboard.press('Enter');
    await page.locator('.drill[data-state="ready"]').waitFor();
    const title = await page.getByRole('dialog').getByRole('heading', { level: 2 }).textContent();
    assert.equal(title, `Tasks with a deadline in ${label}`);
    const outcomes = new Set(await page.getByRole('dialog').locator('tbody tr td:nth-child(4)').allTextContents());
    assert.ok([...outcomes].every((o) => ['on time', 'late', 'breached'].includes(o)), [...outcomes].join(','));
    await page.keyboard.press('Escape');
  });

  it('a table row drills into its own rows (team scorecards: a member’s tasks)', async () => {
    await open('team-scorecards');
    const first = page.locator('[data-panel="members"] tbody tr').first();
    const name = (await first.locator('td').first().textContent()) ?? '';
    await first.getByRole('button').click();
    await page.locator('.drill[data-state="ready"]').waitFor();
    assert.equal(await page.getByRole('dialog').getByRole('heading', { level: 2 }).textContent(), `Tasks of ${name}`);
    assert.ok(Number(await page.locator('.drill').getAttribute('data-rows')) > 0);
    await page.keyboard.press('Escape');
  });
});
