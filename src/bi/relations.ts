/**
 * The relations a BI model exposes, from the one schema and catalog definition: every stored
 * table (src/schema), every analytic view (src/catalog/analytic-views.ts), `query_history` and
 * `lake_snapshot`, each with its columns and a primary key.
 *
 * Invariants: columns, order and types are exactly the catalog's; a relation's key columns exist
 * (checked); the key of every analytic view is decided here, in an exhaustive record, so a new
 * view does not compile until it has one.
 */
import { analyticViews, type ANALYTIC_VIEW_NAMES } from '../catalog/analytic-views.ts';
import { LAKE_SNAPSHOT_COLUMNS, LAKE_SNAPSHOT_DOC, LAKE_SNAPSHOT_VIEW } from '../catalog/lake-snapshot.ts';
import { QUERY_HISTORY_COLUMNS } from '../catalog/query-history.ts';
import { TABLES, type ColumnType, type TableName } from '../schema/index.ts';

export type AnalyticViewName = (typeof ANALYTIC_VIEW_NAMES)[number];
export type RelationName = TableName | AnalyticViewName | 'query_history' | 'lake_snapshot';

export interface BiColumn {
  name: string;
  type: ColumnType;
  doc: string;
}

export interface BiRelation {
  name: RelationName;
  kind: 'table' | 'view';
  doc: string;
  columns: readonly BiColumn[];
  /** One or more columns that identify a row. */
  primaryKey: readonly string[];
  /** Process-scoped tables: partitioned by started_month. */
  partitioned: boolean;
}

/** Row identity of each analytic view (the views carry no key of their own). */
const VIEW_KEYS: Record<AnalyticViewName, readonly string[]> = {
  users: ['member_id'],
  process_durations: ['process_id'],
  step_durations: ['task_id'],
  member_scorecard: ['member_id', 'week_start'],
  sla_compliance: ['blueprint_id', 'step_id', 'task_alias'],
  active_processes: ['process_id'],
  form_answers: ['process_id', 'field_id', 'value_index'],
};

/** Every relation of an organization database a BI model shows, in catalog order. */
export function biRelations(): BiRelation[] {
  const views = analyticViews({ timezone: 'UTC' });
  const out: BiRelation[] = [
    ...TABLES.map((t): BiRelation => ({
      name: t.name as TableName, kind: 'table', doc: t.doc, columns: t.columns, primaryKey: t.primaryKey, partitioned: t.scope === 'process',
    })),
    ...views.map((v): BiRelation => {
      const name = v.name as AnalyticViewName;
      return { name, kind: 'view', doc: v.doc, columns: v.columns, primaryKey: VIEW_KEYS[name], partitioned: false };
    }),
    { name: 'query_history', kind: 'view', doc: "This organization's own queries (who, when, protocol, SQL, state, duration, rows, bytes read, error).", columns: QUERY_HISTORY_COLUMNS, primaryKey: ['query_id'], partitioned: false },
    { name: LAKE_SNAPSHOT_VIEW, kind: 'view', doc: LAKE_SNAPSHOT_DOC, columns: LAKE_SNAPSHOT_COLUMNS, primaryKey: ['snapshot_version'], partitioned: false },
  ];
  for (const r of out) {
    for (const k of r.primaryKey) if (!r.columns.some((c) => c.name === k)) throw new Error(`key column ${r.name}.${k} does not exist`);
  }
  return out;
}
