/** `runlake keys create|list|revoke`: an organization's access keys for BI tools (Athena API, pgwire). */
import type { Command } from 'commander';
import { adminCommand, printJson, printTable, when, withAdmin, type CommandOptions } from '../admin-command.ts';

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description("manage an organization's access keys: the access key id + secret BI tools use (Athena API, PostgreSQL wire)");

  adminCommand(keys, 'create', 'create an access key; the secret is printed once')
    .requiredOption('--org <org>', 'the organization the key belongs to')
    .option('--description <text>', 'what the key is for, e.g. "Looker production"')
    .action(async (opts: CommandOptions) => {
      const org = opts.org as string;
      const key = await withAdmin(opts, (admin) => admin.createAccessKey(org, (opts.description as string | undefined) ?? ''));
      const note = 'The secret access key is shown only this once and cannot be shown again; store it now.';
      if (opts.json) {
        printJson(key);
        process.stderr.write(`${note}\n`);
        return;
      }
      process.stdout.write(
        `Created an access key for organization "${org}".\n\n` +
          `  Access key id      ${key.accessKeyId}\n` +
          `  Secret access key  ${key.secretAccessKey}\n\n` +
          `${note}\n`,
      );
    });

  adminCommand(keys, 'list', "list an organization's access keys (never their secrets)")
    .requiredOption('--org <org>', 'the organization')
    .action(async (opts: CommandOptions) => {
      const org = opts.org as string;
      const list = await withAdmin(opts, (admin) => admin.listAccessKeys(org));
      if (opts.json) return printJson(list);
      printTable(
        list,
        [
          ['access key id', (k) => k.accessKeyId],
          ['status', (k) => (k.revokedAt === null ? 'active' : 'revoked')],
          ['created', (k) => when(k.createdAt)],
          ['last used', (k) => when(k.lastUsedAt)],
          ['revoked', (k) => when(k.revokedAt)],
          ['description', (k) => k.description],
        ],
        `Organization "${org}" has no access keys; create one with \`runlake keys create --org ${org}\`.`,
      );
    });

  adminCommand(keys, 'revoke <access-key-id>', 'revoke an access key: clients using it are refused from now on')
    .requiredOption('--org <org>', 'the organization the key belongs to')
    .action(async (accessKeyId: string, opts: CommandOptions) => {
      const org = opts.org as string;
      const key = await withAdmin(opts, (admin) => admin.revokeAccessKey(org, accessKeyId));
      if (opts.json) return printJson(key);
      process.stdout.write(`Revoked access key ${key.accessKeyId} of organization "${org}".\n`);
    });
}
