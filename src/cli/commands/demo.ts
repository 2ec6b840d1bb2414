/**
 * `runlake demo` (what `npm start` runs): starts the server on a data dir with two demo
 * organizations, acme and globex, filled with generated workflow data, publishes their lake
 * snapshots, writes `<data-dir>/connection.json`, prints the connection details, and serves until
 * interrupted. Re-running on the same data dir reuses the organizations, data and credentials.
 */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../app/server.ts';
import { readConnectionFile, writeConnectionFile, connectionFilePath, type ConnectionFile, type ConnectionOrg } from '../../app/connection-file.ts';
import { readServerInfo } from '../../app/server-info.ts';
import { IngestService } from '../../ingest/ingest-service.ts';
import { generateDemo } from '../../ingest/demo/generator.ts';
import type { RunlakeConfig } from '../../config/config.ts';
import { RunlakeError } from '../../util/errors.ts';
import { calendarDay } from '../../util/calendar-day.ts';
import { stderrLogger } from '../../util/logger.ts';
import { configFrom, withDataDirOptions, withPortOptions } from '../options.ts';
import { progressBar } from '../progress.ts';
import { runUntilSignal } from '../lifecycle.ts';

export const DEMO_ORGS = [
  { name: 'acme', timezone: 'America/New_York', seed: 1 },
  { name: 'globex', timezone: 'Europe/London', seed: 2 },
] as const;

const BATCH = 1000;

export function registerDemo(program: Command): void {
  withPortOptions(withDataDirOptions(program.command('demo')))
    .description('run Runlake with two demo organizations (acme, globex) full of generated workflow data')
    .option('--processes <n>', 'processes to generate per organization (first run only)', '3000')
    .option('--as-of <date>', 'the day the generated data ends, YYYY-MM-DD (first run only; default: today, UTC)')
    .option('--no-serve', 'set up the data and connection.json, then exit instead of serving')
    .option('--quiet', 'no progress bars')
    .option('--debug', 'verbose logs')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const processes = Number(opts.processes);
      if (!Number.isInteger(processes) || processes < 1) throw new RunlakeError('bad_request', `--processes must be a positive whole number, got ${String(opts.processes)}`);
      const asOf = demoAsOf(opts.asOf);
      const running = readServerInfo(config.dataDir);
      if (running) {
        throw new RunlakeError('conflict', `a Runlake server (pid ${running.pid}) is already running on ${config.dataDir} at ${running.httpUrl}; stop it first, or use another --data-dir`);
      }
      const server = await startServer(config, stderrLogger({ debug: Boolean(opts.debug) }));
      try {
        const conn = await setUpDemo(config, server, { processes, asOf, quiet: Boolean(opts.quiet) });
        printConnection(config, conn);
      } catch (e) {
        await server.close();
        throw e;
      }
      if (opts.serve === false) {
        await server.close();
        return;
      }
      console.log('\nServing. Press Ctrl+C to stop.');
      await runUntilSignal(server.close);
    });
}

/**
 * The day the demo data ends: `--as-of`, or today (UTC midnight), so that dashboards of the
 * recent past ("last 12 weeks", running processes' ages) show data whenever the demo is set up.
 */
export function demoAsOf(value: unknown, today: Date = new Date()): Date {
  if (value === undefined) return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const text = String(value);
  const day = calendarDay(text);
  if (!day) {
    throw new RunlakeError('bad_request', `--as-of must be a date written YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  return day;
}

/** Creates (or reuses) the demo organizations, credentials and data; returns the connection details. */
export async function setUpDemo(config: RunlakeConfig, server: RunningServer, opts: { processes: number; asOf?: Date; quiet?: boolean }): Promise<ConnectionFile> {
  const admin = server.control.admin;
  const previous = readConnectionFile(config.dataDir);
  const ingest = new IngestService({ getOrg: (n) => server.control.store.getOrg(n) }, server.runtime);
  const orgs: ConnectionOrg[] = [];

  for (const spec of DEMO_ORGS) {
    if (!(await server.control.store.getOrg(spec.name))) await admin.createOrg({ name: spec.name, timezone: spec.timezone });
    orgs.push(await orgCredentials(server, spec.name, previous));
    const staging = server.runtime.staging(spec.name);
    if (staging.counts().processes === 0) {
      const demo = generateDemo({ org: spec.name, seed: spec.seed, processes: opts.processes, ...(opts.asOf ? { now: opts.asOf } : {}) });
      await ingest.ingest(spec.name, 'member', demo.members);
      for (let i = 0; i < demo.logins.length; i += BATCH) await ingest.ingest(spec.name, 'member_login', demo.logins.slice(i, i + BATCH));
      const bar = progressBar(`generating ${spec.name}`, demo.processCount, { quiet: opts.quiet });
      let batch: unknown[] = [];
      for (const p of demo.processes()) {
        batch.push(p);
        if (batch.length === BATCH) {
          await ingest.ingest(spec.name, 'process', batch);
          bar.tick(batch.length);
          batch = [];
        }
      }
      if (batch.length) await ingest.ingest(spec.name, 'process', batch);
      bar.tick(batch.length);
      bar.stop();
    }
    const r = await server.runtime.publish(spec.name);
    if (r && !opts.quiet) process.stderr.write(`published ${spec.name} snapshot ${r.version}: ${r.rowsWritten} rows in ${r.filesWritten} Parquet files\n`);
  }

  const conn: ConnectionFile = {
    orgs,
    pgwire: { host: config.host, port: server.pgPort, tls: true },
    athena: { endpoint: server.athenaUrl, region: config.region, output_location: 's3://runlake-results/' },
    console: { url: server.httpUrl },
    ingest: { url: `${server.httpUrl}/ingest/v1`, token: await ingestToken(server, previous) },
    operator: await operatorLogin(server, previous),
  };
  await writeConnectionFile(config.dataDir, conn);
  return conn;
}

async function orgCredentials(server: RunningServer, org: string, previous: ConnectionFile | undefined): Promise<ConnectionOrg> {
  const admin = server.control.admin;
  const old = previous?.orgs.find((o) => o.name === org);
  const keyStillValid = old ? (await admin.resolveAccessKey(old.access_key_id))?.secretAccessKey === old.secret_access_key : false;
  const key = old && keyStillValid ? { accessKeyId: old.access_key_id, secretAccessKey: old.secret_access_key } : await admin.createAccessKey(org, 'demo key');
  const user = `${org}-admin`;
  let password = old?.console_password;
  if (!password || !(await admin.verifyConsoleUser(user, password))) {
    password = newPassword();
    // If the user exists but its password is unknown (connection.json was lost), use a new name.
    const exists = (await admin.listUsers(org)).some((u) => u.username === user);
    const name = exists ? `${user}-${randomBytes(2).toString('hex')}` : user;
    await createUser(server, name, password, org);
    return { ...base(org, key), console_user: name, console_password: password };
  }
  return { ...base(org, key), console_user: user, console_password: password };
}

function base(org: string, key: { accessKeyId: string; secretAccessKey: string }) {
  return {
    name: org, database: org, workgroup: org,
    access_key_id: key.accessKeyId, secret_access_key: key.secretAccessKey,
    output_location: `s3://runlake-results/${org}/`,
  };
}

async function createUser(server: RunningServer, username: string, password: string, org: string | null): Promise<string> {
  await server.control.admin.createUser({ username, password, role: org ? 'org_admin' : 'operator', org });
  return password;
}

async function ingestToken(server: RunningServer, previous: ConnectionFile | undefined): Promise<string> {
  const old = previous?.ingest.token;
  if (old && (await server.control.admin.verifyIngestToken(old))) return old;
  return (await server.control.admin.createIngestToken('*', 'demo ingest token')).token;
}

async function operatorLogin(server: RunningServer, previous: ConnectionFile | undefined): Promise<{ console_user: string; console_password: string }> {
  const old = previous?.operator;
  if (old && (await server.control.admin.verifyConsoleUser(old.console_user, old.console_password))) return old;
  const exists = (await server.control.admin.listUsers()).some((u) => u.username === 'operator');
  const user = exists ? `operator-${randomBytes(2).toString('hex')}` : 'operator';
  return { console_user: user, console_password: await createUser(server, user, newPassword(), null) };
}

function newPassword(): string {
  return randomBytes(12).toString('base64url');
}

function printConnection(config: RunlakeConfig, c: ConnectionFile): void {
  const lines = [
    '',
    'Runlake demo is ready.',
    `  data dir:         ${config.dataDir}`,
    `  connection file:  ${connectionFilePath(config.dataDir)}  (mode 0600; holds the secrets below)`,
    `  console/HTTP API: ${c.console.url}`,
    `  ingest API:       ${c.ingest.url}   token: ${c.ingest.token}`,
    `  PostgreSQL wire:  ${c.pgwire.host}:${c.pgwire.port} (TLS offered; certificate ${join(config.dataDir, 'tls', 'cert.pem')})`,
    `    psql "host=${c.pgwire.host} port=${c.pgwire.port} dbname=${c.orgs[0]?.database ?? ''} user=${c.orgs[0]?.access_key_id ?? ''} sslmode=require"`,
    `  Athena API:       ${c.athena.endpoint}  region ${c.athena.region} (HTTPS with the same certificate; result files also readable there over S3)`,
    '',
    ...c.orgs.flatMap((o) => [
      `  organization ${o.name}: database ${o.database}, workgroup ${o.workgroup}, output location ${o.output_location}`,
      `    access key id:     ${o.access_key_id}`,
      `    secret access key: ${o.secret_access_key}`,
      `    console login:     ${o.console_user} / ${o.console_password}`,
    ]),
    ...(c.operator ? [`  operator console login: ${c.operator.console_user} / ${c.operator.console_password}`] : []),
  ];
  console.log(lines.join('\n'));
}
