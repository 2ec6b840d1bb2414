/**
 * Every console page, as an org admin and as an operator, at 1280×800 and 390×844: a screenshot
 * of each (test-results/screenshots), no horizontal overflow, every form field labelled, every
 * button named, and the keyboard (Tab) reaching every visible control. The operator's pages also
 * turn analytics off and on for an organization.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { VIEWPORTS, browserSkip, launch, newPage, panelsSettled, screenshot, signIn, startStack, type Stack } from './support/console.ts';

const skip = browserSkip();

const ORG_PAGES = [
  'dashboards/process-durations',
  'dashboards/team-scorecards',
  'dashboards/form-data',
  'dashboards/active-processes',
  'dashboards/sla-compliance',
  'sql',
  'history',
  'keys',
  'users',
  'connect/looker-athena',
  'connect/python',
];

/** Browser code as strings (the tests compile without DOM types). Elements in closed <details> have boxes in Chromium, hence checkVisibility. */
const CANDIDATES = `(() => {
  const sel = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    // (A tabindex of -1 is a roving tab stop, e.g. inactive tabs: arrow keys reach those.)
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && !el.disabled && el.tabIndex >= 0 && el.checkVisibility({ visibilityProperty: true });
  };
  const root = document.querySelector('dialog[open]') || document;
  const els = [...root.querySelectorAll(sel)].filter(visible);
  els.forEach((el, i) => el.setAttribute('data-kb', String(i)));
  return els.map((el) => (el.getAttribute('aria-label') || el.textContent || el.id || el.tagName).trim().slice(0, 60));
})()`;
const ACTIVE = `document.activeElement && document.activeElement.getAttribute('data-kb')`;
const UNLABELLED = `[...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.checkVisibility({ visibilityProperty: true }))
  .filter((el) => !((el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
  .map((el) => el.outerHTML.slice(0, 120))`;
const UNNAMED_BUTTONS = `[...document.querySelectorAll('button, a[href], [role=tab], [role=switch]')]
  .filter((el) => el.checkVisibility({ visibilityProperty: true }))
  .filter((el) => !((el.textContent || '').trim() || el.getAttribute('aria-label')))
  .map((el) => el.outerHTML.slice(0, 120))`;
const OVERFLOW = `document.documentElement.scrollWidth - document.documentElement.clientWidth`;

describe('every console page, both screen sizes', { skip }, () => {
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    stack = await startStack(200);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Waits for the page's data, then checks and photographs it. */
  const check = async (page: Page, name: string, size: keyof typeof VIEWPORTS) => {
    if ((await page.locator('[data-panel]').count()) > 0) await panelsSettled(page);
    await page.locator('.spinner').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
    await page.waitForTimeout(150);
    assert.equal(await page.evaluate(OVERFLOW), 0, `${name} (${size}) overflows horizontally`);
    assert.deepEqual(await page.evaluate(UNLABELLED), [], `${name}: form fields without a label`);
    assert.deepEqual(await page.evaluate(UNNAMED_BUTTONS), [], `${name}: buttons and links without a name`);
    const errors = await page.getByRole('alert').allTextContents();
    for (const e of errors) assert.doesNotMatch(e, /[{}]|urn:runlake/, `${name}: an error shown as JSON`);
    await screenshot(page, `${name}-${size}`);
  };

  /** Tabs through the page; every visible control must receive focus. */
  const keyboardReachesEverything = async (page: Page, name: string) => {
    const labels = (await page.evaluate(CANDIDATES)) as string[];
    await page.locator('body').focus();
    await page.evaluate(`document.activeElement && document.activeElement.blur && document.activeElement.blur()`);
    const seen = new Set<string>();
    for (let i = 0; i < labels.length * 2 + 20 && seen.size < labels.length; i++) {
      await page.keyboard.press('Tab');
      const id = (await page.evaluate(ACTIVE)) as string | null;
      if (id !== null) seen.add(id);
    }
    const missed = labels.filter((_l, i) => !seen.has(String(i)));
    assert.deepEqual(missed, [], `${name}: controls the keyboard does not reach`);
  };

  for (const size of ['desktop', 'mobile'] as const) {
    it(`org admin pages at ${size} size`, async () => {
      const { context, page } = await newPage(browser, stack, VIEWPORTS[size]);
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto('/');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await check(page, 'login', size);
      if (size === 'desktop') await keyboardReachesEverything(page, 'login');
      const a = stack.org('acme');
      await signIn(page, a.console_user, a.console_password);
      for (const p of ORG_PAGES) {
        await page.goto(`/#/acme/${p}`);
        await page.locator('main h1').first().waitFor();
        const name = p.replace('/', '-');
        if (p === 'sql') {
          await page.locator('.schema-list li').first().waitFor();
          await page.getByRole('button', { name: 'Run', exact: true }).click();
          await page.locator('.run-status[data-phase="done"]').waitFor();
        }
        if (p === 'history') await page.locator('.history-table tbody tr').first().waitFor();
        if (p === 'keys') await page.locator('tr[data-key]').first().waitFor();
        await check(page, name, size);
        if (size === 'desktop') await keyboardReachesEverything(page, name);
      }
      if (size === 'mobile') {
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('link', { name: 'SLA compliance' }).waitFor();
        await screenshot(page, 'navigation-mobile', { fullPage: false });
        await page.getByRole('link', { name: 'SLA compliance' }).click();
        await page.locator('[data-dashboard="sla-compliance"]').waitFor();
        await page.getByRole('button', { name: /^Filters/ }).click();
        await page.getByLabel('Blueprint', { exact: true }).waitFor();
        await panelsSettled(page);
        await screenshot(page, 'filters-open-mobile');
      }
      // A drill-down dialog.
      await page.goto('/#/acme/dashboards/active-processes');
      await panelsSettled(page);
      await page.locator('[data-panel="list"] tbody tr').first().getByRole('button').click();
      await page.locator('.drill[data-state="ready"]').waitFor();
      await screenshot(page, `drill-dialog-${size}`, { fullPage: false });
      if (size === 'desktop') await keyboardReachesEverything(page, 'drill dialog');
      await page.keyboard.press('Escape');
      await closeContext(context);
    });

    it(`operator pages at ${size} size, turning analytics off and on`, async () => {
      const { context, page } = await newPage(browser, stack, VIEWPORTS[size]);
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await signIn(page, stack.conn.operator!.console_user, stack.conn.operator!.console_password);
      await page.goto('/#/admin/orgs');
      await page.locator('[data-org="globex"]').waitFor();
      await check(page, 'operator-organizations', size);
      if (size === 'desktop') await keyboardReachesEverything(page, 'organizations');

      const globex = page.locator('[data-org="globex"]');
      const toggle = globex.getByRole('switch');
      assert.equal(await toggle.getAttribute('aria-checked'), 'true');
      await toggle.click();
      await page.getByRole('dialog').getByRole('button', { name: 'Turn off' }).click();
      await page.getByText('Analytics is off for globex').waitFor();
      assert.equal(await globex.getByRole('switch').getAttribute('aria-checked'), 'false');
      // The operator opens globex: the dashboards say why there is nothing.
      await page.goto('/#/globex/dashboards/process-durations');
      await page.getByText('Analytics is off for this organization').waitFor();
      assert.equal(await page.locator('[data-panel]').count(), 0, 'no panel asks for refused data');
      await screenshot(page, `operator-analytics-off-${size}`);
      await page.goto('/#/admin/orgs');
      await page.locator('[data-org="globex"]').getByRole('switch').click();
      await page.getByText('Analytics is on for globex').waitFor();
      await closeContext(context);
    });
  }
});

async function closeContext(context: BrowserContext): Promise<void> {
  await context.close();
}
