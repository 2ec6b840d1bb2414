/** What the DDL generators need from a manifest: a table's files and partitions, as URLs. */
import { tablePrefix, type Manifest } from '../../lake/layout.ts';
import type { TableDef, TableName } from '../../schema/index.ts';

/** `root/key`, with exactly one slash between. */
export function urlOf(root: string, key: string): string {
  return `${root.replace(/\/+$/, '')}/${key}`;
}

/** The snapshot's files of a table, as URLs (or paths) under `root`, sorted. */
export function tableFiles(m: Manifest | undefined, t: TableDef, root: string): string[] {
  return (m?.tables[t.name as TableName] ?? []).map((f) => urlOf(root, f.key)).sort();
}

/** The snapshot's file names (last path segment) of a table, sorted. */
export function tableFileNames(m: Manifest | undefined, t: TableDef): string[] {
  return (m?.tables[t.name as TableName] ?? []).map((f) => f.key.slice(f.key.lastIndexOf('/') + 1)).sort();
}

/** The partitions (`YYYY-MM`) the snapshot has files in, sorted. */
export function tablePartitions(m: Manifest | undefined, t: TableDef): string[] {
  return [...new Set((m?.tables[t.name as TableName] ?? []).map((f) => f.partition).filter((p): p is string => p !== null))].sort();
}

/** The table's directory URL (with a trailing slash). */
export function tableDirectory(root: string, org: string, t: TableDef): string {
  return urlOf(root, tablePrefix(org, t.name));
}

export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
