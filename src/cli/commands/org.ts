/** `runlake org create|list|show|enable|disable`: organizations. */
import type { Command } from 'commander';
import type { Organization } from '../../control/control-store.ts';
import { adminCommand, printJson, printTable, when, withAdmin, type CommandOptions } from '../admin-command.ts';

function describeOrg(o: Organization): string {
  return `organization "${o.name}" (database ${o.database}, time zone ${o.timezone}, analytics ${o.analyticsEnabled ? 'enabled' : 'disabled'})`;
}

export function registerOrg(program: Command): void {
  const org = program
    .command('org')
    .description('manage organizations: each has its own database, access keys, console users and limits');

  adminCommand(org, 'create <name>', 'create an organization (its name is also its database name)')
    .option('--timezone <tz>', 'IANA time zone for the organization, e.g. Europe/Berlin', 'UTC')
    .option('--disabled', 'create it with analytics disabled (enable later with `runlake org enable`)')
    .addHelpText('after', '\nNames: 1-63 lower-case letters, digits and underscores, starting with a letter.\nExample:\n  runlake org create acme --timezone America/New_York')
    .action(async (name: string, opts: CommandOptions) => {
      const created = await withAdmin(opts, (admin) =>
        admin.createOrg({ name, timezone: opts.timezone as string, analyticsEnabled: opts.disabled !== true }),
      );
      if (opts.json) return printJson(created);
      process.stdout.write(`Created ${describeOrg(created)}.\n`);
      process.stdout.write(
        `Next: \`runlake keys create --org ${name}\` for BI-tool credentials, ` +
          `\`runlake users create <username> --role org_admin --org ${name}\` for a console login.\n`,
      );
    });

  adminCommand(org, 'list', 'list the organizations').action(async (opts: CommandOptions) => {
    const orgs = await withAdmin(opts, (admin) => admin.listOrgs());
    if (opts.json) return printJson(orgs);
    printTable(
      orgs,
      [
        ['name', (o) => o.name],
        ['database', (o) => o.database],
        ['analytics', (o) => (o.analyticsEnabled ? 'enabled' : 'disabled')],
        ['timezone', (o) => o.timezone],
        ['created', (o) => when(o.createdAt)],
      ],
      'No organizations yet; create one with `runlake org create <name>`.',
    );
  });

  adminCommand(org, 'show <name>', "show one organization's settings and limits").action(async (name: string, opts: CommandOptions) => {
    const o = await withAdmin(opts, (admin) => admin.getOrg(name));
    if (opts.json) return printJson(o);
    const rows: [string, string][] = [
      ['name', o.name],
      ['database', o.database],
      ['analytics', o.analyticsEnabled ? 'enabled' : 'disabled'],
      ['time zone', o.timezone],
      ['max concurrent queries', String(o.limits.maxConcurrentQueries)],
      ['max queued queries', String(o.limits.maxQueuedQueries)],
      ['query timeout', `${o.limits.queryTimeoutMs / 1000} s`],
      ['scratch quota', `${o.limits.scratchQuotaBytes} bytes`],
      ['created', when(o.createdAt)],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    adminCommand(
      org,
      `${verb} <name>`,
      enabled
        ? 'enable analytics for an organization (it can then be queried and ingested into)'
        : 'disable analytics for an organization (queries and ingest are refused; data is kept)',
    ).action(async (name: string, opts: CommandOptions) => {
      const o = await withAdmin(opts, (admin) => admin.setAnalyticsEnabled(name, enabled));
      if (opts.json) return printJson(o);
      process.stdout.write(`Analytics ${enabled ? 'enabled' : 'disabled'} for organization "${o.name}".\n`);
    });
  }
}
