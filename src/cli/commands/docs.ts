/** `runlake docs --out DIR`: regenerates the docs derived from the schema. */
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataDictionary, columnsSection } from '../../schema/dictionary.ts';
import { analyticViewsDictionary } from '../../catalog/analytic-views.ts';
import { QUERY_HISTORY_COLUMNS } from '../../catalog/query-history.ts';
import { LAKE_SNAPSHOT_COLUMNS, LAKE_SNAPSHOT_DOC } from '../../catalog/lake-snapshot.ts';
import { memberLoginJsonSchema, memberSnapshotJsonSchema, processSnapshotJsonSchema } from '../../schema/index.ts';

export const GENERATED_DOCS: Record<string, () => string> = {
  'data-dictionary.md': () =>
    dataDictionary([
      ...analyticViewsDictionary({ timezone: 'UTC' }),
      columnsSection('query_history (view)', "This organization's own queries, kept 400 days by default (configurable).", QUERY_HISTORY_COLUMNS),
      columnsSection('lake_snapshot (view)', LAKE_SNAPSHOT_DOC, LAKE_SNAPSHOT_COLUMNS),
    ]),
  'schema/process-snapshot.schema.json': () => JSON.stringify(processSnapshotJsonSchema(), null, 2) + '\n',
  'schema/member-snapshot.schema.json': () => JSON.stringify(memberSnapshotJsonSchema(), null, 2) + '\n',
  'schema/member-login.schema.json': () => JSON.stringify(memberLoginJsonSchema(), null, 2) + '\n',
};

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('regenerate the data dictionary and the JSON Schemas of the input documents')
    .option('--out <dir>', 'docs directory', 'docs')
    .action(async (opts: { out: string }) => {
      for (const [rel, make] of Object.entries(GENERATED_DOCS)) {
        const path = join(opts.out, rel);
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, make());
        console.log(`wrote ${path}`);
      }
    });
}
