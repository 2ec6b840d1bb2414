/**
 * Every relation an organization's database has, with engine column types: the stored tables,
 * the analytic views, query_history and lake_snapshot. Catalog emulations (pg_catalog, Athena's Glue view)
 * list these.
 */
import type { EngineType } from '../engine/engine.ts';
import { TABLES, type ColumnType } from '../schema/index.ts';
import type { ViewDef } from './analytic-views.ts';
import { QUERY_HISTORY_COLUMNS } from './query-history.ts';
import { LAKE_SNAPSHOT_COLUMNS, LAKE_SNAPSHOT_DOC, LAKE_SNAPSHOT_VIEW } from './lake-snapshot.ts';

const ENGINE_TYPE: Record<ColumnType, EngineType> = {
  varchar: { kind: 'varchar' },
  integer: { kind: 'integer' },
  bigint: { kind: 'bigint' },
  double: { kind: 'double' },
  boolean: { kind: 'boolean' },
  timestamp: { kind: 'timestamp' },
  'varchar[]': { kind: 'list', element: { kind: 'varchar' } },
};

export interface OrgRelation {
  name: string;
  kind: 'table' | 'view';
  doc: string;
  columns: { name: string; type: EngineType; doc: string }[];
  /** Stored tables: the primary key's columns (src/schema). */
  primaryKey?: readonly string[];
}

export function orgRelations(views: readonly ViewDef[]): OrgRelation[] {
  const col = (c: { name: string; type: ColumnType; doc: string }) => ({ name: c.name, type: ENGINE_TYPE[c.type], doc: c.doc });
  return [
    ...TABLES.map((t) => ({ name: t.name, kind: 'table' as const, doc: t.doc, columns: t.columns.map(col), primaryKey: t.primaryKey })),
    ...views.map((v) => ({ name: v.name, kind: 'view' as const, doc: v.doc, columns: v.columns.map(col) })),
    { name: 'query_history', kind: 'view' as const, doc: "This organization's own queries.", columns: QUERY_HISTORY_COLUMNS.map(col) },
    { name: LAKE_SNAPSHOT_VIEW, kind: 'view' as const, doc: LAKE_SNAPSHOT_DOC, columns: LAKE_SNAPSHOT_COLUMNS.map(col) },
  ];
}
