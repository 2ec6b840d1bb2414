/**
 * ObjectStore on a local directory. Atomic writes: write to a temp file in the same directory,
 * fsync, rename over the target, fsync the directory. `{ durable: false }` skips both fsyncs
 * (still atomic: temp file + rename).
 */
import { constants, promises as fs } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkKey, type ObjectInfo, type ObjectStore, type PutOptions } from './object-store.ts';

export class LocalObjectStore implements ObjectStore {
  readonly url: string;

  constructor(readonly root: string) {
    this.url = `file://${root}`;
  }

  localPath(key: string): string {
    return join(this.root, checkKey(key));
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<void> {
    const durable = opts.durable !== false;
    await writeAtomic(this.localPath(key), async (tmp) => {
      if (!durable) return fs.writeFile(tmp, body);
      const fh = await fs.open(tmp, 'w');
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }, { durable });
  }

  async putFile(key: string, localPath: string, opts: PutOptions = {}): Promise<void> {
    const durable = opts.durable !== false;
    await writeAtomic(this.localPath(key), async (tmp) => {
      await fs.copyFile(localPath, tmp);
      if (durable) await fsyncPath(tmp);
    }, { durable });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.localPath(key));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async getFile(key: string, localPath: string): Promise<boolean> {
    if (!(await this.head(key))) return false;
    try {
      await writeAtomic(localPath, (tmp) => fs.copyFile(this.localPath(key), tmp));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const st = await fs.stat(this.localPath(key));
      return st.isFile() ? { key, size: st.size, modifiedAt: st.mtime } : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    checkKey(prefix, { allowEmpty: true, allowTrailingSlash: true });
    // Walk from the deepest directory the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const out: ObjectInfo[] = [];
    await walk(join(this.root, dirPart), async (abs) => {
      const key = relative(this.root, abs).split(sep).join('/');
      if (!key.startsWith(prefix) || key.includes('/.tmp-')) return;
      const st = await fs.stat(abs);
      out.push({ key, size: st.size, modifiedAt: st.mtime });
    });
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await fs.rm(this.localPath(key), { force: true });
    }
  }
}

async function walk(dir: string, onFile: (abs: string) => Promise<void>): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  for (const e of entries) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) await walk(abs, onFile);
    else if (e.isFile() && !e.name.startsWith('.tmp-')) await onFile(abs);
  }
}

/**
 * Write `target` atomically: `fill(tmp)` writes a temp file beside it, which is renamed into place,
 * then the directory is synced (unless `durable: false`).
 */
export async function writeAtomic(target: string, fill: (tmp: string) => Promise<void>, opts: PutOptions = {}): Promise<void> {
  const dir = dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await fill(tmp);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  if (opts.durable !== false) await fsyncPath(dir);
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await fs.open(path, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Not found, or a "key" that is only a directory (a prefix of other keys). */
function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && (e.code === 'ENOENT' || e.code === 'ENOTDIR' || e.code === 'EISDIR');
}
