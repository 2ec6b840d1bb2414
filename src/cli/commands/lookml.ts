/**
 * `runlake lookml --org X --dialect athena|postgres --out DIR` (or `--zip FILE`): writes the
 * organization's generated Looker project. The organization is looked up in the data dir's
 * control plane (through the running server, if any) for its database name.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LOOKML_DIALECTS, type LookmlDialectName } from '../../bi/lookml/dialect.ts';
import { lookmlProject } from '../../bi/lookml/project.ts';
import { zipFiles } from '../../bi/zip.ts';
import { RunlakeError } from '../../util/errors.ts';
import { withAdmin, type CommandOptions } from '../admin-command.ts';
import { configFrom, withDataDirOptions } from '../options.ts';

export function registerLookml(program: Command): void {
  withDataDirOptions(program.command('lookml'))
    .description("generate a Looker project (model, views, explores, dashboards, datagroup, PDT) for an organization")
    .requiredOption('--org <name>', 'organization')
    .requiredOption('--dialect <dialect>', `Looker connection dialect: ${LOOKML_DIALECTS.join(' (Athena API) or ')} (PostgreSQL wire)`)
    .option('--out <dir>', 'write the project files into this directory')
    .option('--zip <file>', 'write the project as a ZIP archive')
    .option('--connection <name>', 'Looker connection name the model uses (default runlake_<org>)')
    .addHelpText('after', '\nExamples:\n  runlake lookml --org acme --dialect athena --out looker/acme\n  runlake lookml --org acme --dialect postgres --zip acme-lookml.zip --connection "Runlake acme"')
    .action(async (opts: CommandOptions & { org: string; dialect: string; out?: string; zip?: string; connection?: string }) => {
      if (!opts.out && !opts.zip) throw new RunlakeError('bad_request', 'say where to write the project: --out DIR and/or --zip FILE');
      if (!(LOOKML_DIALECTS as readonly string[]).includes(opts.dialect)) {
        throw new RunlakeError('bad_request', `--dialect must be ${LOOKML_DIALECTS.join(' or ')}, got ${JSON.stringify(opts.dialect)}`);
      }
      const config = configFrom(opts);
      if (!existsSync(config.dataDir)) throw new RunlakeError('not_found', `no Runlake data dir at ${config.dataDir} (use --data-dir or RUNLAKE_DATA_DIR)`);
      const org = await withAdmin(opts, (admin) => admin.getOrg(opts.org));
      const files = lookmlProject({
        org: org.name,
        dialect: opts.dialect as LookmlDialectName,
        scratchSchema: config.scratchSchema,
        ...(opts.connection !== undefined ? { connection: opts.connection } : {}),
      });
      if (opts.out) {
        const root = resolve(opts.out);
        for (const f of files) {
          const path = join(root, f.path);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, f.content);
        }
        console.log(`wrote ${files.length} files of the ${opts.dialect} Looker project for ${org.name} to ${root}`);
      }
      if (opts.zip) {
        const path = resolve(opts.zip);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, zipFiles(files));
        console.log(`wrote the ${opts.dialect} Looker project for ${org.name} to ${path}`);
      }
    });
}
