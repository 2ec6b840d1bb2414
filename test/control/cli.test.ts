/**
 * `runlake org|keys|users|tokens` end to end: the real bin/runlake.js as a child process, checking
 * output and exit codes (0 ok, 1 user error with one clear line, 2 usage error).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { openLocalAdmin } from '../../src/app/admin-client.ts';
import { removeServerInfo, writeServerInfo } from '../../src/app/server-info.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { AccessKey, Organization } from '../../src/control/control-store.ts';
import type { CreatedAccessKey, CreatedIngestToken } from '../../src/control/admin.ts';
import { addAdminRoutes } from '../../src/protocols/http/admin-routes.ts';
import { Router } from '../../src/protocols/http/router.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { tempDir } from './helpers.ts';

const BIN = resolve('bin/runlake.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (an in-test server must keep answering meanwhile). */
function runlake(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('RUNLAKE_')) env[k] = v;
  Object.assign(env, opts.env ?? {});
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A user error: exit 1, exactly one line on stderr starting `runlake: `, no stack trace. */
function assertUserError(r: Run, message: RegExp): void {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.match(lines[0]!, /^runlake: /);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
}

function assertUsageError(r: Run, message: RegExp): void {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
}

const tokensRegistered = readFileSync(resolve('src/cli/main.ts'), 'utf8').includes('registerTokens');

describe('runlake org|keys|users|tokens (child process)', () => {
  const dir = tempDir();
  const dd = ['--data-dir', dir];

  it('org create / list / show / disable / enable', async () => {
    const created = await runlake(['org', 'create', 'acme', ...dd]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created organization "acme" \(database acme, time zone UTC, analytics enabled\)\./);
    assert.match(created.stdout, /runlake keys create --org acme/);

    const globex = await runlake(['org', 'create', 'globex', '--timezone', 'Europe/Berlin', '--disabled', '--json', ...dd]);
    assert.equal(globex.code, 0, globex.stderr);
    const g = JSON.parse(globex.stdout) as Organization;
    assert.deepEqual([g.name, g.database, g.timezone, g.analyticsEnabled], ['globex', 'globex', 'Europe/Berlin', false]);

    const table = await runlake(['org', 'list', ...dd]);
    assert.equal(table.code, 0);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+DATABASE\s+ANALYTICS\s+TIMEZONE\s+CREATED$/);
    assert.match(lines[1]!, /^acme\s+acme\s+enabled\s+UTC\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.match(lines[2]!, /^globex\s+globex\s+disabled\s+Europe\/Berlin/);

    assert.equal((await runlake(['org', 'enable', 'globex', ...dd])).stdout, 'Analytics enabled for organization "globex".\n');
    assert.equal((await runlake(['org', 'disable', 'acme', ...dd])).code, 0);
    const json = JSON.parse((await runlake(['org', 'list', '--json', ...dd])).stdout) as Organization[];
    assert.deepEqual(json.map((o) => [o.name, o.analyticsEnabled]), [['acme', false], ['globex', true]]);
    assert.equal((await runlake(['org', 'enable', 'acme', ...dd])).code, 0);

    const show = await runlake(['org', 'show', 'acme', ...dd]);
    assert.match(show.stdout, /max concurrent queries\s+20\n/);
  });

  it('org errors: duplicate, invalid, reserved, unknown (exit 1, one line); usage (exit 2)', async () => {
    const cases: [string[], (r: Run) => void][] = [
      [['org', 'create', 'acme'], (r) => assertUserError(r, /organization "acme" already exists; `runlake org list` shows the organizations$/)],
      [['org', 'create', 'Acme-Corp'], (r) => assertUserError(r, /organization name "Acme-Corp" is invalid/)],
      [['org', 'create', 'information_schema'], (r) => assertUserError(r, /is reserved/)],
      [['org', 'enable', 'nope'], (r) => assertUserError(r, /organization "nope" does not exist/)],
      [['org', 'create', 'tz', '--timezone', 'Nowhere/Land'], (r) => assertUserError(r, /not an IANA time zone/)],
      [['org', 'create'], (r) => assertUsageError(r, /missing required argument 'name'/)],
      [['org', 'create', 'a', 'b'], (r) => assertUsageError(r, /too many arguments/)],
      [['org', 'create', 'a', '--bogus'], (r) => assertUsageError(r, /unknown option '--bogus'/)],
    ];
    // Independent and read-only in effect, so they run at once (the store takes concurrent opens).
    const results = await Promise.all(cases.map(([args]) => runlake([...args, ...dd])));
    results.forEach((r, i) => cases[i]![1](r));
  });

  it('keys create prints the secret once; list never shows it; revoke', async () => {
    const created = await runlake(['keys', 'create', '--org', 'acme', '--description', 'Looker production', ...dd]);
    assert.equal(created.code, 0, created.stderr);
    const id = /Access key id\s+(RLAK[A-Z2-7]{16})\n/.exec(created.stdout)?.[1];
    const secret = /Secret access key\s+([A-Za-z0-9_-]{40})\n/.exec(created.stdout)?.[1];
    assert.ok(id && secret, created.stdout);
    assert.match(created.stdout, /shown only this once and cannot be shown again/);

    const json = await runlake(['keys', 'create', '--org', 'acme', '--json', ...dd]);
    const k = JSON.parse(json.stdout) as CreatedAccessKey;
    assert.match(k.accessKeyId, /^RLAK[A-Z2-7]{16}$/);
    assert.match(k.secretAccessKey, /^[A-Za-z0-9_-]{40}$/);
    assert.match(json.stderr, /cannot be shown again/);

    const list = await runlake(['keys', 'list', '--org', 'acme', ...dd]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^ACCESS KEY ID\s+STATUS\s+CREATED\s+LAST USED\s+REVOKED\s+DESCRIPTION\n/);
    assert.match(list.stdout, new RegExp(`${id}\\s+active\\s+.*Looker production`));
    assert.ok(!list.stdout.includes(secret) && !list.stdout.includes(k.secretAccessKey), 'no secrets in the list');
    const listJson = JSON.stringify(JSON.parse((await runlake(['keys', 'list', '--org', 'acme', '--json', ...dd])).stdout) as AccessKey[]);
    assert.ok(!listJson.includes(secret));

    const revoked = await runlake(['keys', 'revoke', id, '--org', 'acme', ...dd]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `Revoked access key ${id} of organization "acme".\n`);
    assertUserError(await runlake(['keys', 'revoke', id, '--org', 'acme', ...dd]), /already revoked at/);
    assertUserError(await runlake(['keys', 'revoke', id, '--org', 'globex', ...dd]), /does not exist in organization "globex"/);
    assertUserError(await runlake(['keys', 'create', '--org', 'nope', ...dd]), /organization "nope" does not exist/);
    assertUsageError(await runlake(['keys', 'create', ...dd]), /required option '--org <org>' not specified/);
  });

  it('users create reads the password from stdin or RUNLAKE_PASSWORD, never echoes it', async () => {
    const fromStdin = await runlake(['users', 'create', 'alice', '--role', 'org_admin', '--org', 'acme', ...dd], { input: 'alice-secret-pw\n' });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, 'Created console user "alice" (org_admin, organization "acme").\n');
    const fromEnv = await runlake(['users', 'create', 'root', '--role', 'operator', '--json', ...dd], { env: { RUNLAKE_PASSWORD: 'root-secret-pw' } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual(JSON.parse(fromEnv.stdout).org, null);
    const fromFlag = await runlake(['users', 'create', 'vic', '--role', 'viewer', '--org', 'globex', '--password', 'vic-secret-pw', ...dd]);
    assert.equal(fromFlag.code, 0, fromFlag.stderr);
    for (const r of [fromStdin, fromEnv, fromFlag]) assert.doesNotMatch(r.stdout + r.stderr, /secret-pw/);

    const cp = await openLocalAdmin(loadConfig({ dataDir: dir }, {}));
    try {
      assert.equal((await cp.admin.verifyConsoleUser('alice', 'alice-secret-pw'))?.org, 'acme', 'trailing newline stripped');
      assert.equal((await cp.admin.verifyConsoleUser('root', 'root-secret-pw'))?.role, 'operator');
      assert.equal((await cp.admin.verifyConsoleUser('vic', 'vic-secret-pw'))?.role, 'viewer');
    } finally {
      await cp.close();
    }

    const list = await runlake(['users', 'list', ...dd]);
    assert.match(list.stdout, /^USERNAME\s+ROLE\s+ORG\s+CREATED\n/);
    assert.match(list.stdout, /\nalice\s+org_admin\s+acme\s/);
    assert.match(list.stdout, /\nroot\s+operator\s+\(all\)\s/);
    assert.deepEqual(
      (JSON.parse((await runlake(['users', 'list', '--org', 'globex', '--json', ...dd])).stdout) as { username: string }[]).map((u) => u.username),
      ['vic'],
    );

    assertUserError(await runlake(['users', 'create', 'alice', '--role', 'viewer', '--org', 'acme', ...dd], { input: 'another-pw' }), /console user "alice" already exists/);
    assertUserError(await runlake(['users', 'create', 'nopw', '--role', 'operator', ...dd]), /no password given/);
    assertUserError(await runlake(['users', 'create', 'short', '--role', 'operator', ...dd], { input: 'abc' }), /at least 8 characters/);
    assertUserError(await runlake(['users', 'create', 'lost', '--role', 'viewer', ...dd], { input: 'long-enough' }), /belongs to one organization/);
    assertUsageError(await runlake(['users', 'create', 'x', '--role', 'boss', ...dd]), /argument 'boss' is invalid. Allowed choices are operator, org_admin, viewer/);
    assertUsageError(await runlake(['users', 'create', 'x', ...dd]), /required option '--role <role>' not specified/);
  });

  it('users set-password and delete: the old password stops working, the user is gone; scoped by --org', async () => {
    const created = await runlake(['users', 'create', 'dora', '--role', 'viewer', '--org', 'acme', ...dd], { input: 'dora-first-pw' });
    assert.equal(created.code, 0, created.stderr);
    const set = await runlake(['users', 'set-password', 'dora', ...dd], { input: 'dora-second-pw\n' });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'Set the password of console user "dora"; their console sessions have ended.\n');
    assert.doesNotMatch(set.stdout + set.stderr, /second-pw/);
    const check = async (pw: string) => {
      const cp = await openLocalAdmin(loadConfig({ dataDir: dir }, {}));
      try {
        return (await cp.admin.verifyConsoleUser('dora', pw))?.username;
      } finally {
        await cp.close();
      }
    };
    assert.equal(await check('dora-first-pw'), undefined, 'the old password no longer signs in');
    assert.equal(await check('dora-second-pw'), 'dora');
    assertUserError(await runlake(['users', 'set-password', 'dora', ...dd], { input: 'short' }), /at least 8 characters/);
    assert.equal(await check('dora-second-pw'), 'dora', 'a refused change changes nothing');

    // --org scopes the command: another organization's user is answered as missing.
    assertUserError(await runlake(['users', 'delete', 'dora', '--org', 'globex', ...dd]), /there is no console user "dora" in organization "globex"/);
    const removed = await runlake(['users', 'delete', 'dora', '--org', 'acme', '--json', ...dd]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual({ ...(JSON.parse(removed.stdout) as object), createdAt: undefined }, { username: 'dora', role: 'viewer', org: 'acme', createdAt: undefined });
    assert.equal(await check('dora-second-pw'), undefined);
    assert.ok(!(await runlake(['users', 'list', ...dd])).stdout.includes('dora'));
    assertUserError(await runlake(['users', 'delete', 'dora', ...dd]), /there is no console user "dora"; `runlake users list` shows them/);
    assertUserError(await runlake(['users', 'set-password', 'nobody', ...dd], { input: 'long-enough-pw' }), /there is no console user "nobody"/);
  });

  it('tokens create / list / revoke', { skip: tokensRegistered ? false : 'registerTokens is not yet wired into src/cli/main.ts' }, async () => {
    const created = await runlake(['tokens', 'create', '--org', 'acme', '--description', 'webhook', '--json', ...dd]);
    assert.equal(created.code, 0, created.stderr);
    const t = JSON.parse(created.stdout) as CreatedIngestToken;
    assert.match(t.token, /^rlit_[0-9A-Za-z]{32}$/);
    const all = await runlake(['tokens', 'create', '--all-orgs', ...dd]);
    assert.match(all.stdout, /for all organizations/);
    assert.match(all.stdout, /Token\s+rlit_[0-9A-Za-z]{32}\n/);
    const list = await runlake(['tokens', 'list', ...dd]);
    assert.match(list.stdout, /^ID\s+ORG\s+STATUS/);
    assert.match(list.stdout, new RegExp(`${t.id}\\s+acme\\s+active`));
    assert.ok(!list.stdout.includes(t.token));
    assert.equal((await runlake(['tokens', 'revoke', t.id, ...dd])).stdout, `Revoked ingest token ${t.id}.\n`);
    assertUserError(await runlake(['tokens', 'revoke', t.id, ...dd]), /already revoked/);
    assertUsageError(await runlake(['tokens', 'create', ...dd]), /give exactly one of --org <org> and --all-orgs/);
    assertUsageError(await runlake(['tokens', 'create', '--org', 'acme', '--all-orgs', ...dd]), /exactly one/);
  });

  it('every command has --help', async () => {
    const groups = ['org', 'keys', 'users', ...(tokensRegistered ? ['tokens'] : [])];
    const leaves = [['org', 'create'], ['org', 'list'], ['keys', 'create'], ['keys', 'revoke'], ['users', 'create'], ['users', 'list'], ['users', 'delete'], ['users', 'set-password']];
    const [groupHelp, leafHelp] = await Promise.all([
      Promise.all(groups.map((g) => runlake([g, '--help']))),
      Promise.all(leaves.map((c) => runlake([...c, '--help']))),
    ]);
    groupHelp.forEach((r, i) => {
      assert.equal(r.code, 0, `${groups[i]} --help`);
      assert.match(r.stdout, /Commands:/);
    });
    leafHelp.forEach((r, i) => {
      assert.equal(r.code, 0, leaves[i]!.join(' '));
      assert.match(r.stdout, /--data-dir <dir>/);
      assert.match(r.stdout, /--json/);
    });
  });

  it('goes through the running server when server.json names a live one', async () => {
    // The "server" keeps its control plane in another directory than the one the command is
    // pointed at, so the result shows which path the command took.
    const serverStore = tempDir();
    const commandDir = tempDir();
    const cp = await openLocalAdmin(loadConfig({ dataDir: serverStore }, {}));
    const router = new Router(silentLogger);
    const adminToken = 'cli-test-admin-token-abcdef012345';
    addAdminRoutes(router, cp.admin, adminToken);
    const server = createServer(router.listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await writeServerInfo(commandDir, { pid: process.pid, httpUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, adminToken });
    try {
      const r = await runlake(['org', 'create', 'viaserver', '--data-dir', commandDir]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await cp.admin.listOrgs()).map((o) => o.name), ['viaserver']);
      assertUserError(await runlake(['org', 'create', 'viaserver', '--data-dir', commandDir]), /organization "viaserver" already exists/);
      const keys = await runlake(['keys', 'create', '--org', 'viaserver', '--json', '--data-dir', commandDir]);
      const k = JSON.parse(keys.stdout) as CreatedAccessKey;
      assert.equal((await cp.admin.resolveAccessKey(k.accessKeyId))?.secretAccessKey, k.secretAccessKey);
      // Console users through the admin API: the server's own admin ops tell its console to sign them out.
      const signedOut: string[] = [];
      cp.admin.onUserCredentialsChanged((u) => signedOut.push(u));
      assert.equal((await runlake(['users', 'create', 'remote', '--role', 'viewer', '--org', 'viaserver', '--data-dir', commandDir], { input: 'remote-first-pw' })).code, 0);
      assert.equal((await runlake(['users', 'set-password', 'remote', '--data-dir', commandDir], { input: 'remote-second-pw' })).code, 0);
      assert.equal((await cp.admin.verifyConsoleUser('remote', 'remote-second-pw'))?.username, 'remote');
      assertUserError(await runlake(['users', 'delete', 'remote', '--org', 'acme', '--data-dir', commandDir]), /organization "acme" does not exist/);
      assert.equal((await runlake(['users', 'delete', 'remote', '--org', 'viaserver', '--data-dir', commandDir])).code, 0);
      assert.deepEqual(await cp.admin.listUsers('viaserver'), []);
      assert.deepEqual(signedOut, ['remote', 'remote']);
    } finally {
      removeServerInfo(commandDir);
      await new Promise<void>((r) => server.close(() => r()));
      await cp.close();
    }
    const local = await runlake(['org', 'list', '--json', '--data-dir', commandDir]);
    assert.deepEqual(JSON.parse(local.stdout), [], 'the command never wrote its own data dir');
  });
});
