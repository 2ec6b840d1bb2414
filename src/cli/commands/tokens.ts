/** `runlake tokens create|list|revoke`: ingest tokens (bearer tokens for the HTTP ingest API). */
import type { Command } from 'commander';
import { ALL_ORGS } from '../../control/control-store.ts';
import { adminCommand, printJson, printTable, when, withAdmin, type CommandOptions } from '../admin-command.ts';

export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('manage ingest tokens: the bearer tokens that may send data to the ingest API');

  adminCommand(tokens, 'create', 'create an ingest token for one organization or for all; the token is printed once')
    .option('--org <org>', 'the organization the token may ingest into')
    .option('--all-orgs', 'let the token ingest into every organization (an operator token)')
    .option('--description <text>', 'what the token is for, e.g. "workflow platform webhook"')
    .action(async (opts: CommandOptions, cmd: Command) => {
      const org = opts.org as string | undefined;
      if ((org === undefined) === (opts.allOrgs !== true)) cmd.error('error: give exactly one of --org <org> and --all-orgs', { exitCode: 2 });
      const scope = org ?? ALL_ORGS;
      const created = await withAdmin(opts, (admin) => admin.createIngestToken(scope, (opts.description as string | undefined) ?? ''));
      const note = 'The token is shown only this once and cannot be shown again; store it now.';
      if (opts.json) {
        printJson(created);
        process.stderr.write(`${note}\n`);
        return;
      }
      process.stdout.write(
        `Created ingest token ${created.id} for ${scope === ALL_ORGS ? 'all organizations' : `organization "${scope}"`}.\n\n` +
          `  Token  ${created.token}\n\n` +
          `Send it as \`Authorization: Bearer <token>\`. ${note}\n`,
      );
    });

  adminCommand(tokens, 'list', 'list ingest tokens (never the tokens themselves)').action(async (opts: CommandOptions) => {
    const list = await withAdmin(opts, (admin) => admin.listIngestTokens());
    if (opts.json) return printJson(list);
    printTable(
      list,
      [
        ['id', (t) => t.id],
        ['org', (t) => (t.org === ALL_ORGS ? '* (all)' : t.org)],
        ['status', (t) => (t.revokedAt === null ? 'active' : 'revoked')],
        ['created', (t) => when(t.createdAt)],
        ['revoked', (t) => when(t.revokedAt)],
        ['description', (t) => t.description],
      ],
      'No ingest tokens yet; create one with `runlake tokens create --org <org>`.',
    );
  });

  adminCommand(tokens, 'revoke <id>', 'revoke an ingest token: requests using it are refused from now on').action(
    async (id: string, opts: CommandOptions) => {
      const t = await withAdmin(opts, (admin) => admin.revokeIngestToken(id));
      if (opts.json) return printJson(t);
      process.stdout.write(`Revoked ingest token ${t.id}.\n`);
    },
  );
}
