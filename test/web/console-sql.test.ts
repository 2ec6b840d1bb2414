/**
 * The SQL editor and query history in a real browser against `runlake serve` on demo data: a
 * query runs and fills the grid (same numbers as the HTTP query API), the row limit cuts a long
 * result, a long query is cancelled (and recorded CANCELLED), a bad query shows the server's
 * message in words, the quick chart draws, CSV downloads, and history re-runs a query.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ConsoleClient, browserSkip, waitUntil, launch, newPage, screenshot, signIn, sql, startStack, type Stack } from './support/console.ts';

const skip = browserSkip();

describe('SQL editor and history in the browser', { skip }, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  before(async () => {
    stack = await startStack(200);
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

  /** Replaces the editor's text (typed as one insertion, so no auto-closed brackets). */
  const setSql = async (text: string) => {
    const editor = page.getByRole('textbox', { name: /Query/ });
    await editor.focus();
    await page.keyboard.press('Escape'); // a completion list left open by the last text
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
    await page.keyboard.press('Escape');
  };
  const status = () => page.locator('.run-status');

  it('runs a query with Ctrl+Enter and shows the rows the HTTP API returns', async () => {
    await page.goto('/#/acme/sql');
    await page.locator('.schema-list li').first().waitFor();
    await setSql('SELECT blueprint_name, count(*) AS runs FROM processes WHERE blueprint_name IS NOT NULL GROUP BY blueprint_name ORDER BY runs DESC, blueprint_name');
    await page.keyboard.press('Control+Enter');
    await page.locator('.run-status[data-phase="done"]').waitFor();
    const expected = await sql(stack, 'acme', 'SELECT blueprint_name, count(*) AS runs FROM processes WHERE blueprint_name IS NOT NULL GROUP BY blueprint_name ORDER BY runs DESC, blueprint_name');
    const cells = await page.locator('#tabpanel-results tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(cells, expected.map((r) => [r.blueprint_name, String(r.runs)]));
    assert.match((await status().textContent()) ?? '', new RegExp(`^${expected.length} rows in `));
    await screenshot(page, 'sql-results-desktop');

    // The result tabs follow the ARIA tabs pattern: arrow keys move between them.
    await page.getByRole('tab', { name: 'Results' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Chart' }).getAttribute('aria-selected'), 'true');
    // One bar per row, besides axes and grid lines.
    await waitUntil(page, `document.querySelectorAll('#tabpanel-chart .chart svg path').length > ${expected.length}`);
    await screenshot(page, 'sql-chart-desktop');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    assert.equal(csv[0], 'blueprint_name,runs');
    assert.equal(csv.length, expected.length + 1);
    assert.equal(csv[1], `${String(expected[0]!.blueprint_name)},${String(expected[0]!.runs)}`);
    await page.getByRole('tab', { name: 'Results' }).click();
  });

  it('the row limit cuts a longer result and says so', async () => {
    await page.getByLabel('Row limit', { exact: true }).selectOption('100');
    await setSql('SELECT task_id FROM steps');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.run-status[data-phase="done"]').waitFor();
    assert.equal(await page.locator('#tabpanel-results tbody tr').count(), 100);
    assert.match((await status().textContent()) ?? '', /^100 rows \(row limit reached: the result has more\)/);
    await page.getByLabel('Row limit', { exact: true }).selectOption('1000');
  });

  it('cancels a long query: the editor says so and the history records it CANCELLED', async () => {
    await setSql('SELECT count(*) AS n FROM steps a CROSS JOIN steps b CROSS JOIN steps c CROSS JOIN steps d');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.run-status[data-phase="running"]').waitFor();
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.run-status[data-phase="cancelled"]').waitFor({ timeout: 20_000 });
    assert.match((await status().textContent()) ?? '', /^Cancelled/);
    const a = stack.org('acme');
    const api = await ConsoleClient.signIn(stack.url, a.console_user, a.console_password);
    const deadline = Date.now() + 20_000;
    let state = '';
    while (Date.now() < deadline) {
      const h = (await api.call('GET', '/console/api/orgs/acme/queries?search=cross%20join%20steps%20d')).body as { queries: { state: string }[] };
      state = h.queries[0]?.state ?? '';
      if (state === 'CANCELLED') break;
      await page.waitForTimeout(200);
    }
    assert.equal(state, 'CANCELLED');
    // The editor is usable again at once.
    await setSql('SELECT 1 AS one');
    await page.keyboard.press('Control+Enter');
    await page.locator('.run-status[data-phase="done"]').waitFor();
  });

  it("a bad query shows the server's message in words, not JSON", async () => {
    await setSql('SELEC oops');
    await page.keyboard.press('Control+Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /^The query failed/);
    assert.match(text, /line 1:1/i);
    assert.doesNotMatch(text, /[{}]|urn:runlake|"detail"/);
    await setSql('DELETE FROM processes');
    await page.keyboard.press('Control+Enter');
    await page.getByRole('alert').filter({ hasText: 'is not allowed' }).waitFor();
    await screenshot(page, 'sql-error-desktop');
  });

  it('history lists the queries run here, filters them, and runs one again', async () => {
    await page.goto('/#/acme/history');
    await page.locator('.history-table tbody tr').first().waitFor();
    const states = await page.locator('.history-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
    assert.ok(states.includes('CANCELLED') && states.includes('FAILED') && states.includes('SUCCEEDED'), states.join(','));
    // The console's own dashboard queries are hidden unless asked for.
    assert.equal(await page.locator('.history-table tbody tr', { hasText: 'runlake console:' }).count(), 0);
    await screenshot(page, 'history-desktop');

    await page.getByLabel('State', { exact: true }).selectOption('FAILED');
    await waitUntil(page, `[...document.querySelectorAll('.history-table tbody tr')].every((r) => r.getAttribute('data-state') === 'FAILED')`);
    await page.getByLabel('State', { exact: true }).selectOption('');
    await page.getByLabel('Source', { exact: true }).selectOption('console');
    await page.getByLabel('Search', { exact: true }).fill('GROUP BY blueprint_name');
    await waitUntil(page, `document.querySelectorAll('.history-table tbody tr').length === 1`);
    await page.getByRole('button', { name: /^Run query .* again$/ }).click();
    await page.locator('.run-status[data-phase="done"]').waitFor();
    assert.match(page.url(), /#\/acme\/sql$/);
    assert.ok((await page.locator('#tabpanel-results tbody tr').count()) > 3);
  });
});
