/**
 * Where the lake's files live. Keys are relative POSIX paths ("orgs/acme/manifests/…"): no leading
 * slash, no "." or ".." segments, no backslashes.
 *
 * Invariants every implementation keeps (tested by test/lake/object-store.test.ts against each):
 * - `put`/`putFile` are atomic: a reader sees the whole old object, the whole new one, or none;
 * - `get` of a missing key resolves `undefined` (never throws for "not found");
 * - `list(prefix)` returns every key under the prefix, sorted, whatever the page size of the backend;
 * - `delete` of a missing key is not an error;
 * - a put is durable (on stable storage when it resolves) unless the caller passes
 *   `{ durable: false }`, which only a store that can skip the syncs honours (local: no fsync;
 *   S3 is durable either way). Use it only for objects the server can lose in a machine crash
 *   (Athena's result files and execution records), never for acknowledged customer data.
 */
export interface PutOptions {
  /** false: atomic but not synced; the object may be missing or empty after a machine crash. Default true. */
  readonly durable?: boolean;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

export interface ObjectStore {
  /** A URL-like description for logs and connection details, e.g. `file:///data/lake` or `s3://bucket/prefix`. */
  readonly url: string;
  put(key: string, body: Uint8Array | string, opts?: PutOptions): Promise<void>;
  /** Upload a local file under `key`. */
  putFile(key: string, localPath: string, opts?: PutOptions): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Download `key` into `localPath` (written atomically); false when the key is missing. */
  getFile(key: string, localPath: string): Promise<boolean>;
  head(key: string): Promise<ObjectInfo | undefined>;
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Capability: the local filesystem path of `key` when the store is a local directory, so the
   * engine can read files in place. Undefined for remote stores (the engine uses a file cache).
   */
  localPath?(key: string): string;
}

export class InvalidKeyError extends Error {
  constructor(key: string) {
    super(`invalid object key: ${JSON.stringify(key)}`);
    this.name = 'InvalidKeyError';
  }
}

/** Throws InvalidKeyError unless `key` is a safe relative POSIX path (or empty, for list prefixes when allowed). */
export function checkKey(key: string, opts: { allowEmpty?: boolean; allowTrailingSlash?: boolean } = {}): string {
  if (key === '' && opts.allowEmpty) return key;
  const body = opts.allowTrailingSlash && key.endsWith('/') ? key.slice(0, -1) : key;
  if (body === '' || body.startsWith('/') || body.includes('\\') || body.includes('\0')) throw new InvalidKeyError(key);
  for (const seg of body.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw new InvalidKeyError(key);
  }
  return key;
}
