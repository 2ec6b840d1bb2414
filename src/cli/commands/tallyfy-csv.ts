/**
 * `runlake import tallyfy-csv FILE --org X` and `runlake export tallyfy-csv --org X --out FILE`:
 * the reference product's 49-column CSV in and out (docs/tallyfy-csv.md).
 */
import type { Command } from 'commander';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { openStagingForRead, openWriteOps } from '../../app/write-ops.ts';
import { readTallyfyCsv } from '../../ingest/tallyfy-csv/import.ts';
import { writeTallyfyCsv } from '../../ingest/tallyfy-csv/export.ts';
import { RunlakeError } from '../../util/errors.ts';
import { configFrom, withDataDirOptions } from '../options.ts';
import { progressBar } from '../progress.ts';

const BATCH = 1000;

export function registerImportExport(program: Command): void {
  const imp = program.command('import').description('import workflow data from a file');
  withDataDirOptions(imp.command('tallyfy-csv <file>'))
    .description("import the reference product's 49-column CSV export (FILE, or - for standard input) into an organization, then publish")
    .requiredOption('--org <name>', 'organization to import into')
    .option('--snapshot-at <iso>', 'snapshot time of the imported processes (default: each process\'s latest last_modified)')
    .option('--contiguous', "the rows of each process are contiguous (as in Runlake's and the reference product's exports): stream with little memory instead of holding the file")
    .option('--no-publish', 'leave the changes for the next scheduled publish')
    .option('--quiet', 'no progress bar')
    .action(async (file: string, opts: { org: string; snapshotAt?: string; contiguous?: boolean; publish: boolean; quiet?: boolean } & Record<string, unknown>) => {
      const snapshotAt = opts.snapshotAt ? parseInstant(opts.snapshotAt) : undefined;
      const size = file === '-' ? 0 : fileSize(file);
      const input = file === '-' ? process.stdin : createReadStream(file);
      const bar = progressBar(`importing ${file}`, size, { quiet: opts.quiet || file === '-' });
      const counted = input.pipe(new Transform({ transform(chunk: Buffer, _enc, cb) { bar.tick(chunk.length); cb(null, chunk); } }));
      const ops = await openWriteOps(configFrom(opts));
      let processes = 0;
      let applied = 0;
      try {
        let batch: unknown[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          applied += (await ops.ingest(opts.org, 'process', batch)).applied;
          processes += batch.length;
          batch = [];
        };
        const grouping = opts.contiguous ? 'contiguous' : 'any-order';
        for await (const doc of readTallyfyCsv(counted, { grouping, ...(snapshotAt ? { snapshotAt } : {}) })) {
          batch.push(doc);
          if (batch.length === BATCH) await flush();
        }
        await flush();
        bar.stop();
        console.log(`${opts.org}: read ${processes} processes, ${applied} new or newer, ${processes - applied} unchanged`);
        if (opts.publish) {
          const r = await ops.publish(opts.org);
          console.log(r.published ? `${opts.org}: published snapshot ${r.version}` : `${opts.org}: nothing new to publish`);
        }
      } finally {
        bar.stop();
        await ops.close();
      }
    });

  const exp = program.command('export').description('export workflow data to a file');
  withDataDirOptions(exp.command('tallyfy-csv'))
    .description("export an organization's current processes as the reference product's 49-column CSV")
    .requiredOption('--org <name>', 'organization to export')
    .option('--out <file>', 'output file, or - for standard output', '-')
    .action(async (opts: { org: string; out: string } & Record<string, unknown>) => {
      const staging = openStagingForRead(configFrom(opts), opts.org);
      try {
        const out = opts.out === '-' ? process.stdout : createWriteStream(opts.out);
        const r = await writeTallyfyCsv(staging.processSnapshots(), out);
        if (out !== process.stdout) {
          out.end();
          await once(out, 'finish');
          console.error(`${opts.org}: wrote ${r.processes} processes (${r.rows} rows) to ${opts.out}`);
        }
      } finally {
        staging.close();
      }
    });
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    throw new RunlakeError('not_found', `cannot read ${file}: no such file`);
  }
}

function parseInstant(s: string): Date {
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new RunlakeError('bad_request', `--snapshot-at must be an ISO 8601 timestamp, got ${s}`);
  return new Date(t);
}
