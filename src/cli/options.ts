/** Options shared by every command that opens a data dir. */
import type { Command } from 'commander';
import { loadConfig, type ConfigOverrides, type RunlakeConfig } from '../config/config.ts';

export function withDataDirOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory (env RUNLAKE_DATA_DIR)', undefined)
    .option('--config <file>', 'config file (default <data-dir>/runlake.json)');
}

export function withPortOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'address the listeners bind (env RUNLAKE_HOST)', undefined)
    .option('--http-port <port>', 'console, HTTP API and ingest port; 0 picks a free one (env RUNLAKE_HTTP_PORT)')
    .option('--https-port <port>', 'Athena API port; 0 picks a free one (env RUNLAKE_HTTPS_PORT)')
    .option('--pg-port <port>', 'PostgreSQL wire port; 0 picks a free one (env RUNLAKE_PG_PORT)')
    .option('--publish-interval <ms>', 'how soon after a change the publisher runs, in ms (env RUNLAKE_PUBLISH_INTERVAL_MS)');
}

export function configFrom(opts: Record<string, unknown>): RunlakeConfig {
  return loadConfig(opts as ConfigOverrides);
}
