/**
 * Access keys through the console, used by a real client: an org admin creates a key in the
 * browser (its secret shown once), node-postgres signs in with it over pgwire (TLS), the admin
 * rotates and revokes keys in the browser, and the revoked key is refused at once (28P01). An
 * admin sets a user's password and removes a user in the browser, signing them out. A
 * viewer can neither open the keys page nor call its API. Wrong passwords and sign-out in the
 * browser too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { ConsoleClient, browserSkip, launch, newPage, screenshot, signIn, sql, startStack, type Stack } from './support/console.ts';

const skip = browserSkip();

describe('sign-in and access keys in the browser', { skip }, () => {
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    stack = await startStack(120);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  const pgConnect = async (user: string, password: string) => {
    const c = new pg.Client({
      host: '127.0.0.1', port: stack.pgPort, database: 'acme', user, password,
      ssl: { ca: readFileSync(join(stack.dataDir, 'tls', 'cert.pem'), 'utf8') },
    });
    await c.connect();
    return c;
  };

  it('a wrong password says so in words; the right one signs in; signing out returns to the sign-in page', async () => {
    const { context, page } = await newPage(browser, stack);
    const a = stack.org('acme');
    await page.goto('/');
    await page.getByLabel('Username', { exact: true }).fill(a.console_user);
    await page.getByLabel('Password', { exact: true }).fill('definitely-wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'The username or password is wrong.');
    await screenshot(page, 'login-error-desktop');

    await page.getByLabel('Password', { exact: true }).fill(a.console_password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.match(page.url(), /#\/acme\/dashboards\/process-durations$/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'runlake_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Strict', JSON.stringify(cookies));

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByRole('status').first().textContent(), 'You are signed out.');
    assert.equal((await context.cookies()).find((c) => c.name === 'runlake_session'), undefined);
    // Back in the app, the old session is gone.
    await page.goto('/#/acme/keys');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('creates a key whose secret is shown once and works over pgwire; revoking it in the browser refuses it at once', async () => {
    const { context, page } = await newPage(browser, stack);
    const a = stack.org('acme');
    await signIn(page, a.console_user, a.console_password);
    await page.getByRole('link', { name: 'Access keys' }).click();
    await page.getByLabel('Description', { exact: true }).fill('psql from the browser test');
    await page.getByRole('button', { name: 'Create key' }).click();
    const card = page.getByTestId('new-key');
    await card.waitFor();
    const keyId = (await card.locator('.copy-value', { hasText: 'Access key id' }).locator('code').textContent())!;
    const secret = (await card.locator('.copy-value', { hasText: 'Secret access key' }).locator('code').textContent())!;
    assert.match(keyId, /^RLAK[A-Z2-7]{16}$/);
    assert.match(secret, /^[A-Za-z0-9_-]{40}$/);
    await screenshot(page, 'keys-created-desktop');

    const client = await pgConnect(keyId, secret);
    const r = await client.query('SELECT count(*) AS n FROM processes');
    await client.end();
    const [{ n }] = (await sql(stack, 'acme', 'SELECT count(*) AS n FROM processes')) as [{ n: number }];
    assert.equal(Number(r.rows[0].n), n);

    // The secret is not shown again: after dismissing it, no page shows it.
    await page.getByRole('button', { name: 'I have stored the secret' }).click();
    await page.reload();
    const row = page.locator(`tr[data-key="${keyId}"]`);
    await row.waitFor();
    assert.equal(await page.getByText(secret).count(), 0);
    assert.match((await row.textContent()) ?? '', /psql from the browser test/);
    // Its last use is recorded.
    assert.doesNotMatch((await row.locator('td').nth(3).textContent()) ?? '', /never/);

    await row.getByRole('button', { name: `Revoke ${keyId}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText(/revoked/).waitFor();
    await assert.rejects(pgConnect(keyId, secret), (e: { code?: string }) => e.code === '28P01');
    await context.close();
  });

  it('rotating a key gives a new working secret and refuses the old one', async () => {
    const { context, page } = await newPage(browser, stack);
    const a = stack.org('acme');
    const api = await ConsoleClient.signIn(stack.url, a.console_user, a.console_password);
    const made = (await api.call('POST', '/console/api/orgs/acme/keys', { description: 'to rotate' })).body as { accessKeyId: string; secretAccessKey: string };
    await signIn(page, a.console_user, a.console_password);
    await page.goto('/#/acme/keys');
    await page.getByRole('button', { name: `Rotate ${made.accessKeyId}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    const card = page.getByTestId('new-key');
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', new RegExp(`The old key ${made.accessKeyId} is revoked`));
    const keyId = (await card.locator('.copy-value', { hasText: 'Access key id' }).locator('code').textContent())!;
    const secret = (await card.locator('.copy-value', { hasText: 'Secret access key' }).locator('code').textContent())!;
    const c = await pgConnect(keyId, secret);
    await c.end();
    await assert.rejects(pgConnect(made.accessKeyId, made.secretAccessKey), (e: { code?: string }) => e.code === '28P01');
    await context.close();
  });

  it('in the browser an admin sets a new password for a user and then removes them: each signs that person out at once', async () => {
    const a = stack.org('acme');
    const admin = await ConsoleClient.signIn(stack.url, a.console_user, a.console_password);
    assert.equal((await admin.call('POST', '/console/api/orgs/acme/users', { username: 'temp-tom', password: 'temp-tom-password', role: 'viewer' })).status, 201);
    const tom = await ConsoleClient.signIn(stack.url, 'temp-tom', 'temp-tom-password');
    const { context, page } = await newPage(browser, stack);
    await signIn(page, a.console_user, a.console_password);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Set a new password for temp-tom' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New password', { exact: true }).fill('temp-tom-new-password');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('temp-tom has a new password and was signed out').waitFor();
    assert.equal((await tom.call('GET', '/console/api/session')).status, 401, 'signed out by the new password');
    const again = await ConsoleClient.signIn(stack.url, 'temp-tom', 'temp-tom-new-password');

    await page.getByRole('button', { name: 'Remove temp-tom' }).click();
    await page.getByRole('dialog').waitFor();
    await screenshot(page, 'users-remove-confirm-desktop');
    await page.getByRole('dialog').getByRole('button', { name: 'Remove user' }).click();
    await page.getByText('temp-tom was removed and signed out.').waitFor();
    assert.equal(await page.getByRole('cell', { name: 'temp-tom', exact: true }).count(), 0, 'the row is gone');
    assert.equal((await again.call('GET', '/console/api/session')).status, 401, 'signed out by the removal');
    assert.equal((await again.call('POST', '/console/api/session', { username: 'temp-tom', password: 'temp-tom-new-password' })).status, 401);
    await context.close();
  });

  it('a viewer changes their own password in the browser: a wrong current one is refused in words, then it works and they stay signed in', async () => {
    const a = stack.org('acme');
    const admin = await ConsoleClient.signIn(stack.url, a.console_user, a.console_password);
    assert.equal((await admin.call('POST', '/console/api/orgs/acme/users', { username: 'viewer-val', password: 'val-first-password', role: 'viewer' })).status, 201);
    const elsewhere = await ConsoleClient.signIn(stack.url, 'viewer-val', 'val-first-password');
    const { context, page } = await newPage(browser, stack);
    await signIn(page, 'viewer-val', 'val-first-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Current password', { exact: true }).fill('not-it-at-all');
    await dialog.getByLabel('New password', { exact: true }).fill('val-second-password');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('your current password is wrong; nothing was changed').waitFor();
    await dialog.getByLabel('Current password', { exact: true }).fill('val-first-password');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByText('Your password is changed.').waitFor();
    await screenshot(page, 'change-password-done-desktop');
    await dialog.getByRole('button', { name: 'Done' }).click();
    assert.equal((await elsewhere.call('GET', '/console/api/session')).status, 401, 'the other session ended');
    // This browser goes on: its new session (and CSRF token) works for a change, here a query.
    await page.getByRole('link', { name: 'SQL editor' }).click();
    const editor = page.getByRole('textbox', { name: /Query/ });
    await editor.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('SELECT 41 + 1 AS answer');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Enter');
    await page.locator('.run-status[data-phase="done"]').waitFor();
    assert.equal(await page.locator('#tabpanel-results tbody td').first().textContent(), '42');
    await ConsoleClient.signIn(stack.url, 'viewer-val', 'val-second-password');
    await context.close();
  });

  it('a viewer sees no keys link, and the keys page and API refuse them in words', async () => {
    const a = stack.org('acme');
    const admin = await ConsoleClient.signIn(stack.url, a.console_user, a.console_password);
    assert.equal((await admin.call('POST', '/console/api/orgs/acme/users', { username: 'viewer-vera', password: 'viewer-password', role: 'viewer' })).status, 201);
    const { context, page } = await newPage(browser, stack);
    await signIn(page, 'viewer-vera', 'viewer-password');
    assert.equal(await page.getByRole('link', { name: 'Access keys' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
    await page.goto('/#/acme/keys');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /^Managing access keys and users needs the org_admin role; you are a viewer/);
    assert.doesNotMatch(text, /[{}]|urn:runlake/);
    assert.equal(await page.getByRole('button', { name: 'Create key' }).count(), 0);
    await screenshot(page, 'keys-viewer-refused-desktop');

    const viewer = await ConsoleClient.signIn(stack.url, 'viewer-vera', 'viewer-password');
    assert.equal((await viewer.call('GET', '/console/api/orgs/acme/keys')).status, 403);
    assert.equal((await viewer.call('POST', '/console/api/orgs/acme/keys', { description: 'x' })).status, 403);
    await context.close();
  });

  it('an acme user opening a globex page sees a refusal, never globex data', async () => {
    const { context, page } = await newPage(browser, stack);
    const a = stack.org('acme');
    await signIn(page, a.console_user, a.console_password);
    const globexBlueprints = ((await sql(stack, 'globex', 'SELECT DISTINCT blueprint_name AS b FROM processes WHERE blueprint_name IS NOT NULL')) as { b: string }[]).map((r) => r.b);
    const acmeBlueprints = new Set(((await sql(stack, 'acme', 'SELECT DISTINCT blueprint_name AS b FROM processes WHERE blueprint_name IS NOT NULL')) as { b: string }[]).map((r) => r.b));
    const globexOnly = globexBlueprints.filter((b) => !acmeBlueprints.has(b));
    for (const path of ['dashboards/process-durations', 'sql', 'history', 'keys', 'users', 'connect/psql']) {
      await page.goto(`/#/globex/${path}`);
      await page.getByText('you can only see your own organization (acme)', { exact: false }).first().waitFor();
      const body = (await page.locator('main').textContent()) ?? '';
      for (const b of globexOnly) assert.ok(!body.includes(b), `globex blueprint ${b} on ${path}`);
    }
    await screenshot(page, 'cross-org-refused-desktop');
    await context.close();
  });
});
