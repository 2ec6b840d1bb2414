/**
 * Where things are in the lake (object keys), and the manifest format.
 *
 *   orgs/<org>/tables/<table>/started_month=<YYYY-MM>/v<version>-<uuid>.parquet   process-scoped tables
 *   orgs/<org>/tables/<table>/v<version>-<uuid>.parquet                           organization tables
 *   orgs/<org>/manifests/<version, 20 digits>.json                                 one per published snapshot
 *   orgs/<org>/CURRENT                                                             {"version": n}: the live snapshot
 *
 * Invariants: data files and manifests are immutable once written; a snapshot is live only once
 * CURRENT names it, and CURRENT is written last; so a reader sees the old snapshot or the new one.
 */
import type { TableName } from '../schema/index.ts';

export const MANIFEST_FORMAT = 1;

export interface ManifestFile {
  key: string;
  /** `YYYY-MM` for process-scoped tables, null otherwise. */
  partition: string | null;
  rows: number;
  bytes: number;
  /** Process-scoped tables: the chunk (start days of the month, inclusive) the file holds; absent means the whole month. */
  days?: [number, number];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  org: string;
  version: number;
  parentVersion: number | null;
  publishedAt: string;
  tables: Record<TableName, ManifestFile[]>;
}

export const orgPrefix = (org: string): string => `orgs/${org}/`;
export const tablePrefix = (org: string, table: string): string => `orgs/${org}/tables/${table}/`;
export const manifestsPrefix = (org: string): string => `orgs/${org}/manifests/`;
export const manifestKey = (org: string, version: number): string => `${manifestsPrefix(org)}${String(version).padStart(20, '0')}.json`;
export const currentKey = (org: string): string => `orgs/${org}/CURRENT`;
export const scratchPrefix = (org: string): string => `orgs/${org}/scratch/`;

export function dataFileKey(org: string, table: string, partition: string | null, fileName: string): string {
  return partition === null ? `${tablePrefix(org, table)}${fileName}` : `${tablePrefix(org, table)}started_month=${partition}/${fileName}`;
}

export function versionOfManifestKey(key: string): number | undefined {
  const m = /\/(\d{20})\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

export function emptyTables(): Record<TableName, ManifestFile[]> {
  return { processes: [], steps: [], form_fields: [], comments: [], issues: [], assignments: [], members: [], member_logins: [] };
}
