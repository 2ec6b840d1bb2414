/**
 * Runs a parsed Looker project's SQL against a live organization the way Looker would use it:
 * the datagroup trigger, the PDT build (CREATE TABLE … AS in the scratch schema), every dimension
 * (timeframes included) and every measure of every view, one query per explore that joins every
 * view it has, and every dashboard tile with its filters, sorts and limit.
 *
 * A batch (all dimensions of a view at once) that fails is retried field by field, so a failure
 * names the field, its SQL and the server's message. Failures whose message matches `knownGap`
 * (a named, documented gap of the server) are returned apart, so a test can track them as a todo
 * while every other failure still fails it.
 */
import { LookerSql, viewFields, type Dialect, type LkModel, type LkView } from './looker-sql.ts';
import type { DashboardYaml } from './project.ts';

export type Run = (sql: string) => Promise<unknown[][]>;

export interface ProjectReport {
  failures: string[];
  /** Failures the caller named as a known gap of the server (reported separately). */
  gaps: string[];
  checked: { dimensions: number; measures: number; explores: number; tiles: number };
  emptyTiles: string[];
  triggerValue: unknown;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function checkProject(
  model: LkModel & { datagroup?: Record<string, { sql_trigger?: string }>; dashboard?: Record<string, DashboardYaml[]> },
  dialect: Dialect,
  run: Run,
  pdt: { build(sql: string): Promise<string>; drop(table: string): Promise<void> },
  knownGap: RegExp | undefined = undefined,
): Promise<ProjectReport> {
  const all: string[] = [];
  const failures = { push: (m: string) => all.push(m) };
  const checked = { dimensions: 0, measures: 0, explores: 0, tiles: 0 };
  const emptyTiles: string[] = [];

  let triggerValue: unknown;
  const trigger = model.datagroup?.runlake_snapshot?.sql_trigger?.trim();
  if (!trigger) failures.push('no datagroup runlake_snapshot with a sql_trigger');
  else {
    try {
      const rows = await run(trigger);
      triggerValue = rows[0]?.[0];
      if (rows.length !== 1) failures.push(`datagroup trigger returned ${rows.length} rows`);
    } catch (e) {
      failures.push(`datagroup trigger: ${message(e)}\n${trigger}`);
    }
  }

  const pdtTables = new Map<string, string>();
  for (const v of Object.values(model.view)) {
    if (!v.derived_table) continue;
    try {
      pdtTables.set(v.$name, await pdt.build(v.derived_table.sql.trim()));
    } catch (e) {
      failures.push(`PDT ${v.$name}: ${message(e)}\n${v.derived_table.sql}`);
    }
  }
  const tableOf = (v: LkView): string => (v.derived_table ? (pdtTables.get(v.$name) ?? `missing_pdt_${v.$name}`) : v.sql_table_name!.trim());

  try {
    const batch = async (c: LookerSql, fields: string[], what: string) => {
      if (fields.length === 0) return;
      try {
        await run(c.query({ fields, limit: 20 }));
      } catch {
        for (const f of fields) {
          const sql = c.query({ fields: [f], limit: 5 });
          try {
            await run(sql);
          } catch (e) {
            failures.push(`${what} ${f}: ${message(e)}\n${sql}`);
          }
        }
      }
    };
    for (const v of Object.values(model.view)) {
      if (v.derived_table && !pdtTables.has(v.$name)) continue;
      const c = new LookerSql(model, dialect, v.$name, tableOf);
      const f = viewFields(v);
      await batch(c, f.dimensions, 'dimension');
      await batch(c, f.measures, 'measure');
      checked.dimensions += f.dimensions.length;
      checked.measures += f.measures.length;
    }

    for (const e of Object.values(model.explore)) {
      const c = new LookerSql(model, dialect, e.$name, tableOf);
      const aliases = [e.$name, ...Object.keys(e.join ?? {})];
      const fields = aliases.flatMap((a) => {
        const v = model.view[a === e.$name ? (e.from ?? e.$name) : (e.join![a]!.from ?? a)]!;
        const dim = Object.keys(v.dimension ?? {}).find((d) => v.dimension![d]!.type !== 'yesno' && !v.dimension![d]!.primary_key);
        const measure = Object.keys(v.measure ?? {})[0];
        return [...(dim ? [`${a}.${dim}`] : []), ...(measure ? [`${a}.${measure}`] : [])];
      });
      const sql = c.query({ fields, limit: 20 });
      try {
        await run(sql);
        checked.explores++;
      } catch (err) {
        failures.push(`explore ${e.$name}: ${message(err)}\n${sql}`);
      }
    }

    for (const [name, [d]] of Object.entries(model.dashboard ?? {})) {
      for (const t of d?.elements ?? []) {
        const sql = new LookerSql(model, dialect, t.explore, tableOf).query({ fields: t.fields, filters: t.filters ?? {}, sorts: t.sorts ?? [], limit: t.limit ?? 500 });
        try {
          const rows = await run(sql);
          if (rows.length === 0) emptyTiles.push(`${name}/${t.name}`);
          checked.tiles++;
        } catch (err) {
          failures.push(`dashboard ${name}, tile ${t.name}: ${message(err)}\n${sql}`);
        }
      }
    }
  } finally {
    for (const table of pdtTables.values()) await pdt.drop(table).catch((e: unknown) => failures.push(`dropping ${table}: ${message(e)}`));
  }
  const gap = (m: string) => knownGap !== undefined && knownGap.test(m.split('\n')[0]!);
  return { failures: all.filter((m) => !gap(m)), gaps: all.filter(gap), checked, emptyTiles, triggerValue };
}
