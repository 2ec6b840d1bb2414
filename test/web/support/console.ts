/**
 * What the console's browser tests run against: a demo data dir made by the real `runlake demo`,
 * a real `runlake serve` on it, Chromium driven by playwright-core, the HTTP query API (an
 * organization's access key, for checking numbers with SQL), and a cookie-holding client of the
 * console API (for attacking it directly).
 *
 * The browser is Debian's chromium (.ci/browser.sh installs it; RUNLAKE_CHROMIUM overrides the
 * path). Without it the browser tests skip, except under CI, where they fail.
 * Screenshots go to test-results/screenshots (gitignored).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ConnectionFile } from '../../../src/app/connection-file.ts';
import { REPO, runCli, startServe, type ServerProcess } from '../../support/server.ts';

export const CHROMIUM = process.env.RUNLAKE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;

/** Why the browser tests cannot run here, or undefined when they can (under CI they must). */
export function browserSkip(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `no Chromium at ${CHROMIUM}: run .ci/browser.sh (or set RUNLAKE_CHROMIUM)`;
  if (process.env.CI) throw new Error(why);
  return why;
}

export interface Stack {
  dataDir: string;
  server: ServerProcess;
  url: string;
  conn: ConnectionFile;
  pgPort: number;
  org(name: string): ConnectionFile['orgs'][number];
  close(): Promise<void>;
}

/** A demo data dir (acme, globex) and `runlake serve` on it. */
export async function startStack(processes = 300): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runlake-web-'));
  const demo = await runCli(['demo', '--no-serve', '--quiet', '--data-dir', dataDir, '--processes', String(processes), '--http-port', '0', '--pg-port', '0', '--https-port', '0']);
  assert.equal(demo.code, 0, `runlake demo failed:\n${demo.stdout}\n${demo.stderr}`);
  const conn = JSON.parse(readFileSync(join(dataDir, 'connection.json'), 'utf8')) as ConnectionFile;
  const server = await startServe(dataDir, ['--https-port', '0']);
  let pgPort = 0;
  try {
    // server.json appears just before the listening lines are printed: wait for them.
    for (let i = 0; i < 200 && pgPort === 0; i++) {
      pgPort = Number(/PostgreSQL wire: +[^:\s]+:(\d+)/.exec(server.output())?.[1] ?? 0);
      if (pgPort === 0) await sleep(50);
    }
    assert.ok(pgPort > 0, `the server reports its pgwire port:\n${server.output()}`);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    dataDir, server, conn, pgPort, url: server.info.httpUrl,
    org: (name) => {
      const o = conn.orgs.find((x) => x.name === name);
      assert.ok(o, `connection.json has organization ${name}`);
      return o;
    },
    close: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs Trino SQL through the HTTP query API with the organization's access key; the rows as objects. */
export async function sql(stack: Stack, org: string, text: string): Promise<Record<string, unknown>[]> {
  const o = stack.org(org);
  const res = await fetch(`${stack.url}/api/v1/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.access_key_id}:${o.secret_access_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: text }),
  });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  const lines = body.trim().split('\n').map((l) => JSON.parse(l) as unknown);
  const head = lines[0] as { columns: { name: string }[] };
  const tail = lines[lines.length - 1] as { error?: unknown };
  assert.ok(!tail || !('error' in (tail as object)), body);
  return (lines.slice(1) as unknown[][]).map((r) => Object.fromEntries(head.columns.map((c, i) => [c.name, r[i]])));
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--font-render-hinting=none'] });
}

export async function newPage(browser: Browser, stack: Stack, viewport: { width: number; height: number } = VIEWPORTS.desktop): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, baseURL: stack.url, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return { context, page };
}

/** Signs in through the login form; waits for the first dashboard. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Saves a screenshot: the whole page, or only the viewport (dialogs, whose backdrop covers the viewport). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: opts.fullPage ?? true });
}

/** Waits until no panel of the page is loading; the panels' states. (Browser code is a string: the tests compile without DOM types.) */
export async function panelsSettled(page: Page): Promise<Record<string, { state: string; rows: number }>> {
  await waitUntil(
    page,
    `(() => { const ps = [...document.querySelectorAll('[data-panel]')];
      return ps.length > 0 && ps.every((p) => p.getAttribute('data-state') !== 'loading' && p.getAttribute('aria-busy') !== 'true'); })()`,
    60_000,
  );
  return page.evaluate(`Object.fromEntries([...document.querySelectorAll('[data-panel]')].map((p) =>
    [p.getAttribute('data-panel'), { state: p.getAttribute('data-state'), rows: Number(p.getAttribute('data-rows')) }]))`);
}

/**
 * Polls a browser expression until it is truthy. (Not page.waitForFunction: it evaluates strings
 * with eval, which the console's Content-Security-Policy rightly forbids; page.evaluate is not
 * subject to it.)
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await sleep(100);
  }
}

/** A client of the console API holding one user's session cookie and CSRF token. */
export class ConsoleClient {
  cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  static async signIn(base: string, username: string, password: string): Promise<ConsoleClient> {
    const c = new ConsoleClient(base);
    const r = await c.call('POST', '/console/api/session', { username, password });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return c;
  }

  async call(method: string, path: string, body?: unknown, opts: { csrf?: string | null; origin?: string } = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    if (opts.origin) headers.origin = opts.origin;
    const res = await fetch(this.base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!.endsWith('=') ? '' : set.split(';')[0]!;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // NDJSON or text
    }
    if (res.ok && parsed && typeof parsed === 'object' && 'csrfToken' in parsed) this.csrf = String((parsed as { csrfToken: string }).csrfToken);
    return { status: res.status, body: parsed, headers: res.headers };
  }
}
