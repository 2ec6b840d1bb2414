/**
 * Reads pages of a staged result CSV (GetQueryResults) from a byte offset: from the file itself
 * when the object store is a local directory (only the bytes of the page are read), otherwise
 * from the whole object fetched once and kept in a small LRU cache (bounded in bytes).
 *
 * Invariant: a page ends at a row boundary; `next` is the byte offset of the following row and
 * `eof` says the file has no more rows. A file whose size is not the one staged (torn by a machine
 * crash: result files are written without syncs) reads as missing, never as fewer rows.
 */
import { open } from 'node:fs/promises';
import type { ObjectStore } from '../../lake/object-store.ts';
import { parseCsvRows } from './result-csv.ts';

export interface Page {
  rows: (string | undefined)[][];
  next: number;
  eof: boolean;
}

const FIRST_READ = 256 * 1024;

export class ResultReader {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly maxCacheBytes = 128 * 1024 * 1024,
  ) {}

  /** A page of rows, or undefined when the file is missing or not `expectedBytes` long. */
  async page(key: string, offset: number, maxRows: number, expectedBytes?: number): Promise<Page | undefined> {
    if (this.store.localPath) return this.pageFromFile(this.store.localPath(key), offset, maxRows, expectedBytes);
    const buf = await this.object(key);
    if (!buf || (expectedBytes !== undefined && buf.length !== expectedBytes)) return undefined;
    if (offset > buf.length) return { rows: [], next: buf.length, eof: true };
    const p = parseCsvRows(buf, offset, maxRows);
    return { rows: p.rows, next: p.next, eof: p.next >= buf.length };
  }

  private async pageFromFile(path: string, offset: number, maxRows: number, expectedBytes: number | undefined): Promise<Page | undefined> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const size = (await fh.stat()).size;
      if (expectedBytes !== undefined && size !== expectedBytes) return undefined;
      const rows: (string | undefined)[][] = [];
      let at = Math.min(offset, size);
      let want = FIRST_READ;
      while (rows.length < maxRows && at < size) {
        const len = Math.min(want, size - at);
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, at);
        const p = parseCsvRows(buf.subarray(0, bytesRead), 0, maxRows - rows.length);
        if (p.rows.length === 0) {
          if (at + bytesRead >= size) throw new Error(`result file ${path} ends inside a row`);
          want *= 2; // one row longer than what was read
          continue;
        }
        rows.push(...p.rows);
        at += p.next;
      }
      return { rows, next: at, eof: at >= size };
    } finally {
      await fh.close();
    }
  }

  private async object(key: string): Promise<Buffer | undefined> {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const raw = await this.store.get(key);
    if (!raw) return undefined;
    const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (buf.length <= this.maxCacheBytes) {
      this.cache.set(key, buf);
      this.cachedBytes += buf.length;
      for (const [k, b] of this.cache) {
        if (this.cachedBytes <= this.maxCacheBytes) break;
        this.cache.delete(k);
        this.cachedBytes -= b.length;
      }
    }
    return buf;
  }
}
