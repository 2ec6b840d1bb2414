/** `runlake serve`: runs the server on a data dir until interrupted. */
import type { Command } from 'commander';
import { startServer } from '../../app/server.ts';
import { stderrLogger } from '../../util/logger.ts';
import { configFrom, withDataDirOptions, withPortOptions } from '../options.ts';
import { runUntilSignal } from '../lifecycle.ts';

export function registerServe(program: Command): void {
  withPortOptions(withDataDirOptions(program.command('serve')))
    .description('run the Runlake server on a data dir (ingest, publishing, admin API) until interrupted')
    .option('--debug', 'verbose logs')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const server = await startServer(config, stderrLogger({ debug: Boolean(opts.debug) }));
      console.log(`Runlake is running on ${config.dataDir}`);
      console.log(`  HTTP API and ingest: ${server.httpUrl}`);
      console.log(`  PostgreSQL wire:     ${config.host}:${server.pgPort} (TLS offered)`);
      console.log(`  Athena API:          ${server.athenaUrl} (region ${config.region})`);
      console.log('Press Ctrl+C to stop.');
      await runUntilSignal(server.close);
    });
}
