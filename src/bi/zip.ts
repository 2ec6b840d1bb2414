/**
 * A small ZIP writer (PKWARE APPNOTE 6.3): local headers, deflated (or stored, when deflate does
 * not help) data, a central directory and its end record. No ZIP64, no encryption, no data
 * descriptors: every size is known up front.
 *
 * Invariants: entries keep the order given; names are relative POSIX paths in UTF-8 (flag bit
 * 11); the archive is deterministic for the same entries and date (no wall clock read here).
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Relative POSIX path inside the archive, e.g. `views/processes.view.lkml`. */
  path: string;
  content: string | Uint8Array;
}

const LIMIT = 0xffff_ffff;

/** DOS date and time fields of a Date (local fields of the UTC time, as most tools show it). */
function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

function checkPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`zip entry name ${JSON.stringify(path)} is not a relative POSIX path`);
  }
}

/** The ZIP archive of `entries`, every entry dated `modifiedAt`. */
export function zipFiles(entries: readonly ZipEntry[], modifiedAt = new Date(Date.UTC(2000, 0, 1))): Buffer {
  const { date, time } = dosDateTime(modifiedAt);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const e of entries) {
    checkPath(e.path);
    if (seen.has(e.path)) throw new Error(`zip entry ${e.path} appears twice`);
    seen.add(e.path);
    const name = Buffer.from(e.path, 'utf8');
    const raw = typeof e.content === 'string' ? Buffer.from(e.content, 'utf8') : Buffer.from(e.content);
    const deflated = deflateRawSync(raw);
    const useDeflate = deflated.length < raw.length;
    const data = useDeflate ? deflated : raw;
    if (raw.length >= LIMIT || offset >= LIMIT) throw new Error('the archive is too large for a ZIP without ZIP64');
    const crc = crc32(raw) >>> 0;
    const method = useDeflate ? 8 : 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra 30, comment 32, disk 34, internal attributes 36: 0
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  if (entries.length > 0xffff) throw new Error('too many zip entries for a ZIP without ZIP64');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
