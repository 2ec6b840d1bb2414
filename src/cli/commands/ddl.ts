/**
 * `runlake ddl --engine athena|trino|snowflake|duckdb --org X`: prints (or writes) external-table
 * DDL over the organization's current lake snapshot, read from its manifest. Read-only: the lake
 * is only read, so it works beside a running server.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DDL_ENGINES, NEEDS_URL, externalDdl, renderDdl, type DdlEngine } from '../../bi/ddl/ddl.ts';
import type { LakeConfig } from '../../config/config.ts';
import { readCurrentManifest } from '../../lake/manifest-store.ts';
import { openObjectStore } from '../../lake/open-store.ts';
import { orgPrefix } from '../../lake/layout.ts';
import { RunlakeError } from '../../util/errors.ts';
import { withAdmin, type CommandOptions } from '../admin-command.ts';
import { configFrom, withDataDirOptions } from '../options.ts';

type DdlOptions = CommandOptions & {
  org: string; engine: string; database?: string; location?: string; catalog: string; stage?: string; out?: string;
};

/** The lake root as an engine reads it: the configured store, unless --location says otherwise. */
function lakeRoot(lake: LakeConfig, location: string | undefined): string {
  if (location !== undefined) {
    if (!/^[a-z][a-z0-9+.-]*:\/\/./i.test(location) && !location.startsWith('/')) {
      throw new RunlakeError('bad_request', `--location must be a URL such as s3://bucket/prefix or an absolute path, got ${JSON.stringify(location)}`);
    }
    return location.replace(/\/+$/, '');
  }
  return lake.kind === 's3' ? `s3://${lake.bucket}${lake.prefix ? `/${lake.prefix}` : ''}` : resolve(lake.root);
}

export function registerDdl(program: Command): void {
  withDataDirOptions(program.command('ddl'))
    .description("print external-table DDL over an organization's current lake snapshot (Athena, Trino, Snowflake, DuckDB)")
    .requiredOption('--org <name>', 'organization')
    .requiredOption('--engine <engine>', `${DDL_ENGINES.join(', ')}`)
    .option('--database <name>', 'database/schema to create the tables in (default: the organization name)')
    .option('--location <url>', 'the lake root as the engine reads it, e.g. s3://bucket/runlake (default: the configured lake)')
    .option('--catalog <name>', 'Trino: the Hive catalog', 'hive')
    .option('--stage <name>', 'Snowflake: the stage whose URL is the lake root (default <database>.runlake_lake)')
    .option('--out <file>', 'write the script to a file instead of standard output')
    .option('--json', 'print {"header": [...], "statements": [...]} (one statement per entry, no trailing ";")')
    .addHelpText('after', [
      '',
      'The relations read exactly the files of the current snapshot: re-run after each publish (docs/ddl.md).',
      'Examples:',
      '  runlake ddl --engine duckdb --org acme > acme.sql && duckdb acme.duckdb < acme.sql',
      '  runlake ddl --engine athena --org acme --location s3://my-bucket/runlake',
    ].join('\n'))
    .action(async (opts: DdlOptions) => {
      if (!(DDL_ENGINES as readonly string[]).includes(opts.engine)) {
        throw new RunlakeError('bad_request', `--engine must be one of ${DDL_ENGINES.join(', ')}, got ${JSON.stringify(opts.engine)}`);
      }
      const engine = opts.engine as DdlEngine;
      const config = configFrom(opts);
      if (!existsSync(config.dataDir)) throw new RunlakeError('not_found', `no Runlake data dir at ${config.dataDir} (use --data-dir or RUNLAKE_DATA_DIR)`);
      const org = await withAdmin(opts, (admin) => admin.getOrg(opts.org));
      const root = lakeRoot(config.lake, opts.location);
      if (NEEDS_URL[engine] && !/^[a-z][a-z0-9+.-]*:\/\//i.test(root)) {
        throw new RunlakeError(
          'bad_request',
          `${engine} reads the lake from object storage, but this lake is the local directory ${root}: copy it to S3 `
            + `(for example \`aws s3 sync ${root}/${orgPrefix(org.name)} s3://BUCKET/PREFIX/${orgPrefix(org.name)}\`) and pass --location s3://BUCKET/PREFIX`,
        );
      }
      const manifest = await readCurrentManifest(openObjectStore(config.lake), org.name);
      const database = opts.database ?? org.name;
      const script = externalDdl(engine, {
        org: org.name, database, manifest, lakeRoot: root, timezone: org.timezone, catalog: opts.catalog, stage: opts.stage ?? `${database}.runlake_lake`,
      });
      const text = opts.json ? `${JSON.stringify({ header: script.header, statements: script.statements }, null, 2)}\n` : renderDdl(script);
      if (opts.out) {
        await writeFile(resolve(opts.out), text);
        console.error(`wrote ${script.statements.length} ${engine} statements for ${org.name} (snapshot ${manifest?.version ?? 'none'}) to ${resolve(opts.out)}`);
      } else {
        process.stdout.write(text);
      }
    });
}
