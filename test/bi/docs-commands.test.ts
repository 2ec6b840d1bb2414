/**
 * The connection guides work as written: from a fresh `runlake demo` (serving, data dir
 * `.runlake` in a new directory), the shell blocks of docs/connect/psql.md run verbatim in bash
 * with the real psql, and the Python blocks of docs/connect/python.md run verbatim in a venv with
 * psycopg and PyAthena (`.ci/python-docs.sh` builds it; the docs' `pip install` line is that
 * venv). The PyAthena block needs the Athena API; it is skipped, saying so, when this build has
 * none.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ConnectionFile } from '../../src/app/connection-file.ts';
import { BIN, REPO } from '../support/server.ts';

/** The fenced code blocks of a Markdown file whose info string is `lang`. */
export function codeBlocks(markdown: string, lang: string): string[] {
  const out: string[] = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  for (const m of markdown.matchAll(re)) if (m[1]!.trim() === lang) out.push(m[2]!);
  return out;
}

const doc = (name: string) => readFileSync(join(REPO, 'docs', 'connect', name), 'utf8');
const hasPsql = spawnSync('psql', ['--version']).status === 0;
const venv = process.env.RUNLAKE_TEST_VENV_DOCS ?? join(REPO, '.ci', 'cache', 'venv-docs');
const venvPython = join(venv, 'bin', 'python');

function run(cmd: string, args: string[], opts: { cwd: string; input?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.input ?? '');
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('docs/connect commands, verbatim, against a fresh demo', () => {
  let dir: string;
  let demo: ChildProcess;
  let output = '';
  let conn: ConnectionFile;
  // `node` of the docs' `node -p …` lines is the one running these tests.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlake-docs-'));
    // `npm start` is `runlake demo` on ./.runlake; ports 0 so parallel runs never collide (the
    // docs read the ports from connection.json).
    demo = spawn(process.execPath, [BIN, 'demo', '--data-dir', '.runlake', '--processes', '60', '--quiet'], {
      cwd: dir, env: { ...env, RUNLAKE_HTTP_PORT: '0', RUNLAKE_PG_PORT: '0', RUNLAKE_HTTPS_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 120_000;
    while (!/Serving\. Press Ctrl\+C to stop\./.test(output)) {
      if (demo.exitCode !== null) throw new Error(`runlake demo exited with ${demo.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`runlake demo did not start serving:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    conn = JSON.parse(readFileSync(join(dir, '.runlake', 'connection.json'), 'utf8')) as ConnectionFile;
  });
  after(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((r) => demo.once('exit', r));
      demo.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('docs/connect/psql.md: every shell block, in order, with the real psql', { skip: !hasPsql && !process.env.CI && 'psql is not installed' }, async () => {
    const blocks = codeBlocks(doc('psql.md'), 'sh');
    assert.equal(blocks.length, 3, 'the connect, one-statement and debug-log blocks');
    // The first block ends in an interactive psql: type a query into it.
    const script = ['set -euo pipefail', ...blocks].join('\n');
    const r = await run('bash', ['-c', script], { cwd: dir, env, input: 'SELECT count(*) AS processes FROM processes;\n\\dv\n' });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /processes\s*\n-+\s*\n\s*\d+\s*\n\(1 row\)/, 'the interactive session answered');
    assert.match(r.stdout, /lake_snapshot/, '\\dv lists the views');
    assert.match(r.stdout, / process_status \| count *\n-+\+-+\n( (active|problem|complete|archived) +\| +\d+\n){3,4}\(\d rows\)/, 'the verify-full one-liner printed the table');
    assert.match(r.stderr, /NOTICE: {2}runlake\.debug: this connection is logged to <data-dir>\/logs\/pgwire\/\d{4}-\d\d-\d\d-acme-[0-9a-f]{8}\.log/);
    const logs = readdirSync(join(dir, '.runlake', 'logs', 'pgwire'));
    assert.equal(logs.length, 1, 'one connection was logged (the others had runlake.debug off)');
    assert.ok(r.stdout.includes(logs[0]!), '`ls` shows the log');
    const log = readFileSync(join(dir, '.runlake', 'logs', 'pgwire', logs[0]!), 'utf8');
    assert.match(log, /connection user=RLAK\w+ database=acme remote=\S+ tls=true application_name=psql/);
    assert.match(log, /execute sql="SELECT count\(\*\) FROM steps WHERE task_status = 'completed'" params=0/);
    assert.match(log, /columns columns=count:bigint/);
    assert.match(log, /finished rows=1 ms=\d+/);
    assert.doesNotMatch(log, new RegExp(conn.orgs[0]!.secret_access_key), 'the secret is never logged');
  });

  const pythonReady = existsSync(venvPython);
  const noVenv = !pythonReady && !process.env.CI && `no venv at ${venv} (source .ci/python-docs.sh)`;

  it('docs/connect/python.md: the psycopg block', { skip: noVenv }, async () => {
    assert.ok(pythonReady, `the docs venv exists at ${venv} (.ci/python-docs.sh)`);
    const block = codeBlocks(doc('python.md'), 'python').find((b) => b.includes('import psycopg'));
    assert.ok(block, 'python.md has a psycopg block');
    const r = await run(venvPython, ['-c', block], { cwd: dir, env });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length >= 1 && lines.length <= 5, r.stdout);
    for (const l of lines) assert.match(l, /^.{30} +\d+ +[\d.]+ h$/);
  });

  it('docs/connect/python.md: the PyAthena block (Athena API)', { skip: noVenv }, async (t) => {
    assert.ok(pythonReady, `the docs venv exists at ${venv} (.ci/python-docs.sh)`);
    const port = Number(/:(\d+)$/.exec(conn.athena.endpoint)?.[1] ?? 0);
    if (!existsSync(join(REPO, 'src', 'protocols', 'athena')) || port === 0 || /not in this version/.test(output)) {
      t.skip(`this build serves no Athena API (connection.json athena.endpoint = ${conn.athena.endpoint})`);
      return;
    }
    const block = codeBlocks(doc('python.md'), 'python').find((b) => b.includes('pyathena'));
    assert.ok(block, 'python.md has a PyAthena block');
    const r = await run(venvPython, ['-c', block], { cwd: dir, env });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length >= 2, r.stdout);
    for (const l of lines) assert.match(l, /^(active|problem|complete|archived) +\d+$/);
  });
});
