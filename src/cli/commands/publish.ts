/** `runlake publish --org X`: publishes an organization's pending changes now. */
import type { Command } from 'commander';
import { openWriteOps } from '../../app/write-ops.ts';
import { configFrom, withDataDirOptions } from '../options.ts';

export function registerPublish(program: Command): void {
  withDataDirOptions(program.command('publish'))
    .description('publish pending changes of an organization as a new lake snapshot (through the running server, if any)')
    .requiredOption('--org <name>', 'organization')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { org: string; json?: boolean } & Record<string, unknown>) => {
      const ops = await openWriteOps(configFrom(opts));
      try {
        const r = await ops.publish(opts.org);
        if (opts.json) console.log(JSON.stringify(r));
        else if (!r.published) console.log(`${opts.org}: nothing to publish; the live snapshot is up to date`);
        else console.log(`${opts.org}: published snapshot ${r.version} (${r.months?.length ?? 0} months rewritten, ${r.files} files, ${r.rows} rows)`);
      } finally {
        await ops.close();
      }
    });
}
