/**
 * A whole Looker project for one organization and dialect, as files: `manifest.lkml`, the model
 * `runlake_<org>.model.lkml`, `views/<relation>.view.lkml` (one per table and analytic view, plus
 * query_history, lake_snapshot and the PDT), `dashboards/<name>.dashboard.lookml`, and a README.
 * `lookmlZip` packs the same files into a ZIP (what the console offers for download).
 *
 * Invariants: generation is pure (no I/O, no clock): same options, same bytes. Before returning,
 * every field reference in joins, dashboards and measures is resolved against the generated
 * views, so a broken reference fails here, not in Looker.
 */
import { validateOrgName } from '../../control/admin.ts';
import { RunlakeError } from '../../util/errors.ts';
import { biRelations, type BiRelation } from '../relations.ts';
import { zipFiles } from '../zip.ts';
import { DASHBOARDS, dashboardLookml } from './dashboards.ts';
import { lookmlDialect, type LookmlDialect, type LookmlDialectName } from './dialect.ts';
import { renderLookml, str } from './lkml.ts';
import { RELATION_EXTRAS } from './measures.ts';
import { EXPLORES, PDT_VIEW, modelLookml, pdtViewLookml } from './model.ts';
import { viewFieldNames, viewLookml } from './views.ts';

export interface LookmlOptions {
  org: string;
  dialect: LookmlDialectName;
  /** The Looker connection name the model uses; `runlake_<org>` by default. */
  connection?: string;
  /** The scratch schema Looker writes PDTs to (documented in the README). */
  scratchSchema?: string;
}

export interface ProjectFile {
  path: string;
  content: string;
}

const CONNECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,99}$/;

export const modelName = (org: string): string => `runlake_${org}`;

/** The project's files, in a stable order. */
export function lookmlProject(o: LookmlOptions): ProjectFile[] {
  try {
    validateOrgName(o.org);
  } catch (e) {
    throw new RunlakeError('bad_request', e instanceof Error ? e.message : String(e));
  }
  let dialect: LookmlDialect;
  try {
    dialect = lookmlDialect(o.dialect);
  } catch (e) {
    throw new RunlakeError('bad_request', e instanceof Error ? e.message : String(e));
  }
  const connection = o.connection ?? modelName(o.org);
  if (!CONNECTION_NAME.test(connection)) {
    throw new RunlakeError('bad_request', `connection name ${JSON.stringify(connection)} must be letters, digits, spaces, '_', '.' or '-' (at most 100)`);
  }
  const model = modelName(o.org);
  const database = o.org;
  const relations = biRelations();
  checkReferences(relations);

  const lk = (nodes: Parameters<typeof renderLookml>[0]) => `${renderLookml(nodes)}\n`;
  const files: ProjectFile[] = [
    { path: 'manifest.lkml', content: lk([str('project_name', model)]) },
    { path: `${model}.model.lkml`, content: lk(modelLookml({ org: o.org, connection, database, dialect })) },
    ...relations.map((r) => ({ path: `views/${r.name}.view.lkml`, content: lk([viewLookml(r, { dialect, database })]) })),
    { path: `views/${PDT_VIEW}.view.lkml`, content: lk([pdtViewLookml({ dialect, database })]) },
    ...DASHBOARDS.map((d) => ({ path: `dashboards/${d.name}.dashboard.lookml`, content: dashboardLookml(d, model) })),
    { path: 'README.md', content: readme({ org: o.org, model, connection, dialect, scratchSchema: o.scratchSchema ?? 'looker_scratch' }) },
  ];
  return files;
}

/** The project as a ZIP archive. */
export function lookmlZip(org: string, dialect: LookmlDialectName, opts: Omit<LookmlOptions, 'org' | 'dialect'> = {}): Buffer {
  return zipFiles(lookmlProject({ ...opts, org, dialect }));
}

const PDT_FIELDS = ['primary_key', 'blueprint_id', 'blueprint_name', 'completed_runs', 'avg_lead_time_hours', 'p90_lead_time_hours',
  ...['raw', 'date', 'week', 'month', 'year'].map((t) => `week_start_${t}`), 'total_completed_runs', 'weighted_average_lead_time_hours'];

/** Resolves every `${view.field}` of joins and dashboards and every `${field}` of measures. */
function checkReferences(relations: readonly BiRelation[]): void {
  const fieldsOf = new Map<string, Set<string>>();
  for (const r of relations) {
    const f = viewFieldNames(r);
    fieldsOf.set(r.name, new Set([...f.dimensions, ...f.measures]));
  }
  fieldsOf.set(PDT_VIEW, new Set(PDT_FIELDS));
  for (const r of relations) {
    const own = fieldsOf.get(r.name)!;
    for (const m of RELATION_EXTRAS[r.name].measures) {
      for (const ref of m.sql?.matchAll(/\$\{(\w+)\}/g) ?? []) {
        if (ref[1] !== 'TABLE' && !own.has(ref[1]!)) throw new Error(`measure ${r.name}.${m.name} refers to unknown field ${ref[1]}`);
      }
      for (const [f] of m.filters ?? []) if (!own.has(f)) throw new Error(`measure ${r.name}.${m.name} filters on unknown field ${f}`);
    }
  }
  const exploreViews = new Map<string, Map<string, string>>();
  for (const e of EXPLORES) {
    const aliases = new Map<string, string>([[e.name, e.name]]);
    for (const j of e.joins) aliases.set(j.name, j.from ?? j.name);
    for (const [alias, view] of aliases) if (!fieldsOf.has(view)) throw new Error(`explore ${e.name}: ${alias} is not a view`);
    for (const j of e.joins) {
      for (const ref of j.sqlOn.matchAll(/\$\{(\w+)\.(\w+)\}/g)) {
        const view = aliases.get(ref[1]!);
        if (!view || !fieldsOf.get(view)!.has(ref[2]!)) throw new Error(`explore ${e.name}, join ${j.name}: unknown field ${ref[1]}.${ref[2]}`);
      }
    }
    exploreViews.set(e.name, aliases);
  }
  const has = (explore: string, field: string): boolean => {
    const [alias, name] = field.split('.');
    const view = exploreViews.get(explore)?.get(alias ?? '');
    return view !== undefined && fieldsOf.get(view)!.has(name ?? '');
  };
  for (const d of DASHBOARDS) {
    for (const t of d.tiles) {
      if (!exploreViews.has(t.explore)) throw new Error(`dashboard ${d.name}, tile ${t.name}: no explore ${t.explore}`);
      const used = [...t.fields, ...Object.keys(t.filters ?? {}), ...(t.sorts ?? []).map((s) => s.split(' ')[0]!), ...Object.values(t.listen ?? {})];
      for (const f of used) if (!has(t.explore, f)) throw new Error(`dashboard ${d.name}, tile ${t.name}: explore ${t.explore} has no field ${f}`);
      for (const name of Object.keys(t.listen ?? {})) if (!d.filters.some((f) => f.name === name)) throw new Error(`dashboard ${d.name}: tile ${t.name} listens to unknown filter ${name}`);
    }
    for (const f of d.filters) if (!has(f.explore, f.field)) throw new Error(`dashboard ${d.name}: filter ${f.name} names unknown field ${f.field}`);
  }
}

function readme(o: { org: string; model: string; connection: string; dialect: LookmlDialect; scratchSchema: string }): string {
  return `# Runlake LookML for \`${o.org}\`

Generated by \`runlake lookml --org ${o.org} --dialect ${o.dialect.name}\`. Regenerate it after upgrading
Runlake rather than editing the generated views; put your own views and refinements in other files.

- Model: \`${o.model}\` on the Looker connection \`${o.connection}\` (dialect **${o.dialect.lookerDialect}**).
  Create that connection first (Runlake's docs: docs/connect/looker.md).
- Set the connection's **Temp Database** (PDT schema) to \`${o.scratchSchema}\`: it is the one schema
  Runlake lets Looker write to. The example PDT \`${PDT_VIEW}\` is built there.
- Caching follows the datagroup \`runlake_snapshot\`: it re-runs
  \`SELECT snapshot_version FROM lake_snapshot\` and invalidates the cache and rebuilds PDTs when
  Runlake publishes new data (at most every 24 hours otherwise).
- Timestamps are UTC: set the connection's **Database Time Zone** to UTC; the **Query Time Zone**
  can be yours.
- Explores: \`processes\` (→ steps → form fields, comments, issues, assignments, with durations from
  the analytic views), \`members\` (→ member_logins), and one per analytic view; five LookML
  dashboards: Process durations, Team scorecards, Form data, Active processes, SLA compliance.
`;
}
