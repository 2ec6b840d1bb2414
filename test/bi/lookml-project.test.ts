/**
 * The generated Looker project, both dialects: `lookml-parser` parses every file (LookML and the
 * YAML dashboards) without errors; the model assembles with every view, explore, dashboard and
 * the snapshot datagroup; every reference in joins and dashboard tiles resolves; the ZIP holds
 * exactly the same files; bad input is refused with a clear error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { lookmlProject, lookmlZip } from '../../src/bi/lookml/project.ts';
import { LOOKML_DIALECTS } from '../../src/bi/lookml/dialect.ts';
import { biRelations } from '../../src/bi/relations.ts';
import { EXPLORES, PDT_VIEW } from '../../src/bi/lookml/model.ts';
import { DASHBOARDS } from '../../src/bi/lookml/dashboards.ts';
import { isRunlakeError } from '../../src/util/errors.ts';
import { LookerSql, viewFields } from './support/looker-sql.ts';
import { parseProject, writeProject } from './support/project.ts';

for (const dialect of LOOKML_DIALECTS) {
  describe(`generated LookML (${dialect})`, () => {
    it('parses without errors and assembles the model: views, explores, dashboards, datagroup', async () => {
      const dir = mkdtempSync(join(tmpdir(), `runlake-lookml-${dialect}-`));
      try {
        writeProject(dir, lookmlProject({ org: 'acme', dialect, connection: 'Runlake acme' }));
        const project = await parseProject(dir);
        assert.equal(project.errors, undefined, `parse errors: ${JSON.stringify(project.errors)}`);
        const model = project.model?.runlake_acme;
        assert.ok(model, 'the model runlake_acme assembles from its includes');
        assert.equal(model.connection, 'Runlake acme');
        const expectedViews = [...biRelations().map((r) => r.name), PDT_VIEW].sort();
        assert.deepEqual(Object.keys(model.view).sort(), expectedViews);
        assert.deepEqual(Object.keys(model.explore).sort(), EXPLORES.map((e) => e.name).sort());
        assert.deepEqual(Object.keys(model.dashboard ?? {}).sort(), DASHBOARDS.map((d) => d.name).sort());
        const trigger = model.datagroup?.runlake_snapshot?.sql_trigger ?? '';
        assert.match(trigger, /SELECT snapshot_version FROM \S*lake_snapshot/);

        // Typed dimensions: timestamps are dimension groups, booleans yes/no, keys primary.
        const processes = model.view.processes!;
        assert.equal(processes.dimension_group?.created?.type, 'time');
        assert.equal(processes.dimension?.has_open_issue?.type, 'yesno');
        assert.equal(processes.dimension?.process_id?.primary_key, true);
        assert.equal(model.view.member_scorecard!.dimension?.primary_key?.primary_key, true, 'compound keys get a hidden key dimension');
        for (const m of ['count', 'completion_rate']) assert.ok(processes.measure?.[m], `processes.${m}`);
        for (const m of ['average_elapsed_hours', 'p90_elapsed_hours', 'on_time_rate', 'overdue_count']) assert.ok(model.view.step_durations!.measure?.[m], `step_durations.${m}`);
        const pdt = model.view[PDT_VIEW]!;
        assert.ok(pdt.derived_table?.sql.includes('process_durations'), 'the PDT derives from process_durations');

        // Every field of every view, every join and every dashboard tile compiles to SQL.
        for (const v of Object.values(model.view)) {
          const c = new LookerSql(model, dialect, v.$name, () => v.$name);
          const f = viewFields(v);
          assert.ok(f.dimensions.length > 0, `${v.$name} has dimensions`);
          c.query({ fields: [...f.dimensions, ...f.measures], limit: 1 });
        }
        for (const e of Object.values(model.explore)) {
          const c = new LookerSql(model, dialect, e.$name, (v) => v.$name);
          const joined = Object.keys(e.join ?? {});
          const sql = c.query({ fields: [`${e.$name}.${Object.keys(model.view[e.from ?? e.$name]!.measure ?? {})[0]}`, ...joined.map((j) => `${j}.count`).filter((f) => c.isMeasure(f))] });
          for (const j of joined) assert.ok(sql.includes(`AS ${j} ON`), `explore ${e.$name} joins ${j}`);
        }
        for (const [name, [d]] of Object.entries(model.dashboard ?? {})) {
          assert.ok(d, `dashboard ${name} has content`);
          assert.ok(d.elements.length > 0);
          for (const t of d.elements) {
            assert.equal(t.model, 'runlake_acme');
            new LookerSql(model, dialect, t.explore, (v) => v.$name).query({ fields: t.fields, filters: t.filters ?? {}, sorts: t.sorts ?? [], limit: t.limit ?? 500 });
            for (const [filter, field] of Object.entries(t.listen ?? {})) {
              assert.ok(d.filters?.some((f) => f.name === filter), `${name}.${t.name} listens to a dashboard filter`);
              assert.ok(new LookerSql(model, dialect, t.explore, (v) => v.$name).fieldSql(field.split('.')[0]!, field.split('.')[1]!));
            }
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the dialect shows where it must: relation names, list columns, the PDT percentile', () => {
      const files = lookmlProject({ org: 'acme', dialect });
      const view = (name: string) => files.find((f) => f.path === `views/${name}.view.lkml`)!.content;
      if (dialect === 'athena') {
        assert.match(view('processes'), /sql_table_name: acme\.processes ;;/);
        assert.match(view('processes'), /array_join\(\$\{TABLE\}\.tags, ', '\)/);
        assert.match(view(PDT_VIEW), /approx_percentile\(lead_time_hours, 0\.9\)/);
        assert.match(view(PDT_VIEW), /table_format: "PARQUET"/);
      } else {
        assert.match(view('processes'), /sql_table_name: public\.processes ;;/);
        assert.match(view('processes'), /array_to_string\(\$\{TABLE\}\.tags, ', '\)/);
        assert.match(view(PDT_VIEW), /percentile_cont\(0\.9\) WITHIN GROUP \(ORDER BY lead_time_hours\)/);
        assert.doesNotMatch(view(PDT_VIEW), /table_format/);
      }
    });

    it('lookmlZip holds exactly the project files (read back by Python zipfile)', () => {
      const files = lookmlProject({ org: 'acme', dialect });
      const zip = lookmlZip('acme', dialect);
      const dir = mkdtempSync(join(tmpdir(), 'runlake-lookml-zip-'));
      try {
        writeFileSync(join(dir, 'p.zip'), zip);
        const py = [
          'import json, sys, zipfile',
          'z = zipfile.ZipFile(sys.argv[1])',
          'assert z.testzip() is None',
          'print(json.dumps({i.filename: z.read(i).decode("utf-8") for i in z.infolist()}))',
        ].join('\n');
        const r = spawnSync('python3', ['-c', py, join(dir, 'p.zip')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), Object.fromEntries(files.map((f) => [f.path, f.content])));
        assert.deepEqual(lookmlZip('acme', dialect), zip, 'the archive is deterministic');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('LookML generator input checks', () => {
  it('refuses an unknown dialect, an invalid organization name and an unsafe connection name', () => {
    const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => isRunlakeError(e) && e.code === 'bad_request' && re.test(e.message));
    refused(() => lookmlProject({ org: 'acme', dialect: 'mysql' as 'athena' }), /unknown LookML dialect "mysql": use athena or postgres/);
    refused(() => lookmlProject({ org: 'Acme Corp', dialect: 'athena' }), /organization name "Acme Corp" is invalid/);
    refused(() => lookmlProject({ org: 'acme', dialect: 'athena', connection: 'x"; drop' }), /connection name/);
  });
});
