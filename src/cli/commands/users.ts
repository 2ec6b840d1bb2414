/** `runlake users create|list|delete|set-password`: web-console logins (operators, and per-organization admins and viewers). */
import { Option, type Command } from 'commander';
import { CONSOLE_ROLES, type ConsoleRole } from '../../control/control-store.ts';
import { RunlakeError } from '../../util/errors.ts';
import { adminCommand, printJson, printTable, when, withAdmin, type CommandOptions } from '../admin-command.ts';

export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage web-console users');

  adminCommand(users, 'create <username>', 'create a console user')
    .addOption(new Option('--role <role>', 'operator (all organizations), org_admin or viewer (one organization)').choices(CONSOLE_ROLES).makeOptionMandatory())
    .option('--org <org>', 'the organization of an org_admin or viewer')
    .option('--password <password>', 'the password (visible to other local users in the process list; prefer RUNLAKE_PASSWORD or stdin)')
    .addHelpText(
      'after',
      '\nThe password is taken from --password, else from the environment variable RUNLAKE_PASSWORD,\n' +
        'else read from stdin (prompted for, without echo, on a terminal). It is never printed.\n' +
        'Example:\n  printf %s "$PW" | runlake users create alice --role org_admin --org acme',
    )
    .action(async (username: string, opts: CommandOptions) => {
      const password = await readPassword(opts.password as string | undefined);
      const org = opts.org as string | undefined;
      const user = await withAdmin(opts, (admin) =>
        admin.createUser({ username, password, role: opts.role as ConsoleRole, ...(org === undefined ? {} : { org }) }),
      );
      if (opts.json) return printJson(user);
      const scope = user.org === null ? 'all organizations' : `organization "${user.org}"`;
      process.stdout.write(`Created console user "${user.username}" (${user.role}, ${scope}).\n`);
    });

  adminCommand(users, 'list', 'list console users (never their passwords)')
    .option('--org <org>', "only this organization's users")
    .action(async (opts: CommandOptions) => {
      const org = opts.org as string | undefined;
      const list = await withAdmin(opts, (admin) => admin.listUsers(org));
      if (opts.json) return printJson(list);
      printTable(
        list,
        [
          ['username', (u) => u.username],
          ['role', (u) => u.role],
          ['org', (u) => u.org ?? '(all)'],
          ['created', (u) => when(u.createdAt)],
        ],
        org === undefined ? 'No console users yet; create one with `runlake users create <username> --role ...`.' : `Organization "${org}" has no console users.`,
      );
    });

  adminCommand(users, 'delete <username>', 'remove a console user (their console sessions end at once)')
    .option('--org <org>', 'only if the user belongs to this organization')
    .action(async (username: string, opts: CommandOptions) => {
      const org = opts.org as string | undefined;
      const user = await withAdmin(opts, (admin) => admin.deleteUser(username, org));
      if (opts.json) return printJson(user);
      process.stdout.write(`Removed console user "${user.username}" (${user.role}${user.org === null ? '' : `, organization "${user.org}"`}).\n`);
    });

  adminCommand(users, 'set-password <username>', "set a console user's password (their console sessions end at once)")
    .option('--org <org>', 'only if the user belongs to this organization')
    .option('--password <password>', 'the new password (visible to other local users in the process list; prefer RUNLAKE_PASSWORD or stdin)')
    .addHelpText('after', '\nThe password is read as for `runlake users create`: --password, else RUNLAKE_PASSWORD, else stdin.')
    .action(async (username: string, opts: CommandOptions) => {
      const password = await readPassword(opts.password as string | undefined);
      const org = opts.org as string | undefined;
      const user = await withAdmin(opts, (admin) => admin.setUserPassword(username, password, org));
      if (opts.json) return printJson(user);
      process.stdout.write(`Set the password of console user "${user.username}"; their console sessions have ended.\n`);
    });
}

async function readPassword(flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  const env = process.env.RUNLAKE_PASSWORD;
  if (env !== undefined && env !== '') return env;
  const password = process.stdin.isTTY ? await promptTwice() : await readStdin();
  if (password === '') {
    throw new RunlakeError('bad_request', 'no password given: pass --password, set RUNLAKE_PASSWORD, or pipe it on stdin');
  }
  return password;
}

/** All of stdin, without one trailing newline. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function promptTwice(): Promise<string> {
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new RunlakeError('bad_request', 'the two passwords differ; nothing was changed');
  return first;
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new RunlakeError('bad_request', 'cancelled; nothing was changed'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
