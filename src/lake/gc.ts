/**
 * Garbage collection of an organization's lake. Keeps the live snapshot, and every snapshot that
 * stopped being live less than `graceMs` ago (a query that started on it may still read it).
 * Deletes data files no kept manifest references once they are older than the grace period
 * (files of superseded snapshots, and orphans of publishes that crashed before their commit).
 */
import type { ObjectStore } from './object-store.ts';
import { manifestsPrefix, tablePrefix, versionOfManifestKey } from './layout.ts';
import { readCurrentVersion, readManifest } from './manifest-store.ts';
import { TABLES } from '../schema/index.ts';

export interface GcResult {
  manifestsDeleted: number;
  filesDeleted: number;
  bytesFreed: number;
}

export async function collectGarbage(store: ObjectStore, org: string, graceMs: number, now = Date.now()): Promise<GcResult> {
  const current = await readCurrentVersion(store, org);
  if (current === undefined) return { manifestsDeleted: 0, filesDeleted: 0, bytesFreed: 0 };
  const manifests = (await store.list(manifestsPrefix(org)))
    .map((o) => ({ ...o, version: versionOfManifestKey(o.key) }))
    .filter((o): o is typeof o & { version: number } => o.version !== undefined)
    .sort((a, b) => a.version - b.version);

  // A manifest stopped being live when its successor was written.
  const keep = new Set<number>([current]);
  const drop: string[] = [];
  manifests.forEach((m, i) => {
    if (m.version === current) return;
    if (m.version > current) {
      // Written by a publish that crashed before its commit: an orphan once it is old enough.
      if (now - m.modifiedAt.getTime() >= graceMs) drop.push(m.key);
      else keep.add(m.version);
      return;
    }
    const successor = manifests[i + 1];
    const supersededAt = successor ? successor.modifiedAt.getTime() : now;
    if (now - supersededAt < graceMs) keep.add(m.version);
    else drop.push(m.key);
  });

  const referenced = new Set<string>();
  for (const v of keep) {
    const m = await readManifest(store, org, v);
    for (const files of Object.values(m.tables)) for (const f of files) referenced.add(f.key);
  }
  const garbage = [];
  for (const t of TABLES) {
    for (const o of await store.list(tablePrefix(org, t.name))) {
      if (!referenced.has(o.key) && now - o.modifiedAt.getTime() >= graceMs) garbage.push(o);
    }
  }
  await store.delete(garbage.map((o) => o.key));
  await store.delete(drop);
  return { manifestsDeleted: drop.length, filesDeleted: garbage.length, bytesFreed: garbage.reduce((s, o) => s + o.size, 0) };
}
