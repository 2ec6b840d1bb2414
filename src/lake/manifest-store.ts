/** Reading and writing manifests and the CURRENT pointer of an organization's lake. */
import type { ObjectStore } from './object-store.ts';
import { MANIFEST_FORMAT, currentKey, manifestKey, type Manifest } from './layout.ts';

const decoder = new TextDecoder();

export async function readCurrentVersion(store: ObjectStore, org: string): Promise<number | undefined> {
  const raw = await store.get(currentKey(org));
  if (!raw) return undefined;
  const v = (JSON.parse(decoder.decode(raw)) as { version: unknown }).version;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`corrupt CURRENT pointer for organization ${org}`);
  return v;
}

export async function readManifest(store: ObjectStore, org: string, version: number): Promise<Manifest> {
  const raw = await store.get(manifestKey(org, version));
  if (!raw) throw new Error(`manifest ${version} of organization ${org} is missing`);
  const m = JSON.parse(decoder.decode(raw)) as Manifest;
  if (m.format !== MANIFEST_FORMAT) throw new Error(`manifest ${version} of ${org} has unknown format ${String(m.format)}`);
  return m;
}

/** The live snapshot's manifest, or undefined before the first publish. */
export async function readCurrentManifest(store: ObjectStore, org: string): Promise<Manifest | undefined> {
  const v = await readCurrentVersion(store, org);
  return v === undefined ? undefined : readManifest(store, org, v);
}

export async function writeManifest(store: ObjectStore, m: Manifest): Promise<void> {
  await store.put(manifestKey(m.org, m.version), JSON.stringify(m));
}

/** Makes `version` the live snapshot. Written last in a publish: this is the commit point. */
export async function setCurrent(store: ObjectStore, org: string, version: number): Promise<void> {
  await store.put(currentKey(org), JSON.stringify({ version }));
}
