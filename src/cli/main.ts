/**
 * The `runlake` command. Every subcommand lives in commands/ and registers itself here;
 * every one has --help. Errors a user caused print one clear line and exit 1 (2 for usage).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.ts';
import { isRunlakeError } from '../util/errors.ts';
import { registerDemo } from './commands/demo.ts';
import { registerServe } from './commands/serve.ts';
import { registerPublish } from './commands/publish.ts';
import { registerOrg } from './commands/org.ts';
import { registerKeys } from './commands/keys.ts';
import { registerUsers } from './commands/users.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerImportExport } from './commands/tallyfy-csv.ts';
import { registerDocs } from './commands/docs.ts';
import { registerLookml } from './commands/lookml.ts';
import { registerDdl } from './commands/ddl.ts';

const program = new Command('runlake')
  .description('Runlake: a workflow-analytics lake served over the Athena API and the PostgreSQL wire protocol.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerDemo(program);
registerServe(program);
registerPublish(program);
registerOrg(program);
registerKeys(program);
registerUsers(program);
registerTokens(program);
registerImportExport(program);
registerDocs(program);
registerLookml(program);
registerDdl(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof ConfigError || isRunlakeError(e)) {
    console.error(`runlake: ${e.message}`);
    process.exit(1);
  }
  console.error(`runlake: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
}
