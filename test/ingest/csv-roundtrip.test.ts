/**
 * The table-level round trip, the way a user does it: a demo organization is exported to the
 * reference product's CSV with the CLI, imported into a new organization with the CLI, and both
 * published lakes are compared table by table. Every field the format carries must be equal;
 * every field docs/tallyfy-csv.md lists as not carried must be NULL.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LocalObjectStore } from '../../src/lake/local-store.ts';
import { APPROXIMATED_FIELDS, UNCARRIED_FIELDS } from '../../src/ingest/tallyfy-csv/columns.ts';
import type { TableName } from '../../src/schema/index.ts';
import { TABLES } from '../../src/schema/index.ts';
import { readTable, type Row } from '../support/lake.ts';
import { runCli } from '../support/server.ts';

/** Which document entity feeds each process-scoped table. */
const ENTITY: Partial<Record<TableName, string>> = {
  processes: 'process', steps: 'task', form_fields: 'form_field', comments: 'comment', issues: 'issue', assignments: 'assignee',
};

/** Derived columns computed from an approximated or uncarried input, and why they may differ. */
const DERIVED_FROM_APPROXIMATED: Partial<Record<TableName, string[]>> = {
  // started_month comes from started_at (not carried) or created_at (approximated).
  processes: ['started_month', 'late_tasks'], // late_tasks also uses snapshot_at for open tasks
  steps: ['started_month'],
  form_fields: ['started_month', 'answer_number'],
  comments: ['started_month'],
  issues: ['started_month'],
  assignments: ['started_month'],
};

describe('Tallyfy CSV round trip through the CLI and the lake', () => {
  let dataDir: string;
  const lake = () => new LocalObjectStore(join(dataDir, 'lake'));

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'runlake-roundtrip-'));
    const dd = ['--data-dir', dataDir];
    const run = async (args: string[]) => {
      const r = await runCli(args);
      assert.equal(r.code, 0, `runlake ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
      return r;
    };
    await run(['demo', ...dd, '--processes', '300', '--no-serve', '--quiet', '--http-port', '0', '--pg-port', '0', '--https-port', '0']);
    await run(['org', 'create', 'acme_copy', ...dd]);
    await run(['export', 'tallyfy-csv', '--org', 'acme', '--out', join(dataDir, 'acme.csv'), ...dd]);
    const imp = await run(['import', 'tallyfy-csv', join(dataDir, 'acme.csv'), '--org', 'acme_copy', '--quiet', ...dd]);
    assert.match(imp.stdout, /read 300 processes/);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  for (const [table, entity] of Object.entries(ENTITY) as [TableName, string][]) {
    it(`${table}: same rows, same carried values, uncarried fields NULL`, async () => {
      const def = TABLES.find((t) => t.name === table)!;
      const uncarried = UNCARRIED_FIELDS.filter((n) => n.entity === entity).map((n) => String(n.field));
      const approximated = APPROXIMATED_FIELDS.filter((n) => n.entity === entity).map((n) => String(n.field));
      const skip = new Set(['organization_id', ...uncarried, ...approximated, ...(DERIVED_FROM_APPROXIMATED[table] ?? [])]);
      const compared = def.columns.map((c) => c.name).filter((c) => def.columns.some((d) => d.name === c) && !skip.has(c));

      const original = await readTable(lake(), 'acme', table);
      const imported = await readTable(lake(), 'acme_copy', table);
      assert.ok(original.length > 0, `the demo has ${table}`);
      assert.equal(imported.length, original.length, `${table}: row count`);

      const key = (r: Row) => def.primaryKey.map((k) => String(r[k])).join('|');
      const byKey = new Map(imported.map((r) => [key(r), r]));
      let differences = 0;
      const examples: string[] = [];
      for (const o of original) {
        const i = byKey.get(key(o));
        assert.ok(i, `${table}: row ${key(o)} missing after import`);
        for (const c of compared) {
          if (JSON.stringify(o[c]) !== JSON.stringify(i[c])) {
            differences++;
            if (examples.length < 5) examples.push(`${key(o)}.${c}: ${JSON.stringify(o[c])} → ${JSON.stringify(i[c])}`);
          }
        }
        for (const c of uncarried) if (def.columns.some((d) => d.name === c)) assert.equal(i[c], null, `${table}.${c} is not carried, so NULL`);
        assert.equal(i.organization_id, 'acme_copy');
      }
      assert.equal(differences, 0, `${table}: carried values differ:\n${examples.join('\n')}`);
    });
  }
});
