/**
 * DataRows written by the native encoder (native/pgrows, built by `npm install` when the machine
 * has a C++ compiler): the same bytes vector-fields.ts writes, text and binary, at a fraction of
 * the main thread's time (float8's shortest digits, timestamps and integers are most of a large
 * text result's cost in JavaScript).
 *
 * Invariants: `nativeColumns` answers only for chunks whose every column the encoder writes
 * exactly as vector-fields.ts does (the same engine type, vector layout and announced OID tests;
 * float8 text only with extra_float_digits > 0; timestamptz text with the session zone's offset
 * of each row); a row holding a value the encoder leaves alone (a far year, an infinity, an
 * integer too wide for its announced binary type) is written by the caller's `writeRow`.
 * Without the built encoder, or with RUNLAKE_NATIVE_ROWS=0, nothing here is used.
 * test/pgwire/vector-fields.test.ts compares both encoders over every kind, format and edge.
 */
import { createRequire } from 'node:module';
import type { EngineChunk, EngineVector } from '../../engine/engine.ts';
import type { Writer } from './messages/bytes.ts';
import { UTC } from './timezone.ts';
import { OID, type FormatContext } from './types.ts';
import { FAST_TEXT_US, INT_OID_BYTES, TEXT_OIDS, type FieldColumn } from './vector-fields.ts';

/** Column kinds of native/pgrows/pgrows.cc. */
const KIND = {
  bool: 0, int16: 1, int32: 2, int64: 3, float64: 4, dec16: 5, dec32: 6, dec64: 7, date: 8, timestamp: 9, timestamptz: 10, varchar: 11,
} as const;

/** One column as the encoder reads it. */
export interface NativeColumn {
  kind: number;
  /** 1: binary format, 0: text. */
  binary: number;
  /** Binary integers: the announced type's bytes. */
  width: number;
  data: Uint8Array;
  valid: Uint8Array | null;
  scale: number;
  sources?: readonly Uint8Array[];
  ref?: Int32Array;
  /** timestamptz: seconds east of UTC of each row, or null with `offset` for every row. */
  offsets?: Int32Array | null;
  offset: number;
}

interface PgRows {
  encodeRows(out: Uint8Array, state: Int32Array, columns: readonly NativeColumn[], from: number, to: number): number;
}

const addon: PgRows | undefined = loadAddon();

function loadAddon(): PgRows | undefined {
  if (process.env.RUNLAKE_NATIVE_ROWS === '0') return undefined;
  try {
    return createRequire(import.meta.url)('../../../native/pgrows/build/pgrows.node') as PgRows;
  } catch {
    return undefined;
  }
}

/** The native encoder is built and enabled. */
export const nativeRowsAvailable = addon !== undefined;

/** The chunk's columns for the encoder, or undefined when one of them is not its to print. */
export function nativeColumns(chunk: EngineChunk, columns: readonly FieldColumn[], ctx: FormatContext): NativeColumn[] | undefined {
  if (addon === undefined || columns.length === 0) return undefined;
  const out: NativeColumn[] = [];
  for (let i = 0; i < columns.length; i++) {
    const v = chunk.vector(i);
    const c = v === undefined ? undefined : nativeColumn(v, columns[i]!, chunk.length, ctx);
    if (c === undefined) return undefined;
    out.push(c);
  }
  return out;
}

function nativeColumn(v: EngineVector, col: FieldColumn, rows: number, ctx: FormatContext): NativeColumn | undefined {
  if (col.format !== 0 && col.format !== 1) return undefined;
  const text = col.format === 0;
  const oid = col.codec.oid;
  const base = { binary: col.format, width: 8, data: v.data, valid: v.valid, scale: 0, offset: 0 };
  switch (col.column.type.kind) {
    case 'boolean':
      return v.layout === 'bool' && oid === OID.bool ? { ...base, kind: KIND.bool } : undefined;
    case 'smallint':
    case 'integer':
    case 'bigint': {
      // The announced type may be another integer type (as vector-fields.ts): text is the same
      // digits; binary is the announced width, and a value that does not fit is the caller's.
      const layout = col.column.type.kind === 'smallint' ? 'int16' : col.column.type.kind === 'integer' ? 'int32' : 'int64';
      const width = INT_OID_BYTES.get(oid);
      if (width === undefined || v.scale !== undefined || v.layout !== layout) return undefined;
      return { ...base, kind: KIND[layout], width };
    }
    case 'double':
      return v.layout === 'float64' && oid === OID.float8 && (!text || ctx.extraFloatDigits > 0) ? { ...base, kind: KIND.float64 } : undefined;
    case 'decimal': {
      if (v.scale === undefined || oid !== OID.numeric || v.scale > 18) return undefined;
      const kind = v.layout === 'int16' ? KIND.dec16 : v.layout === 'int32' ? KIND.dec32 : v.layout === 'int64' ? KIND.dec64 : undefined;
      return kind === undefined ? undefined : { ...base, kind, scale: v.scale };
    }
    case 'date':
      return v.layout === 'int32' && oid === OID.date ? { ...base, kind: KIND.date } : undefined;
    case 'timestamp':
      return v.layout === 'int64' && oid === OID.timestamp ? { ...base, kind: KIND.timestamp } : undefined;
    case 'timestamptz': {
      if (v.layout !== 'int64' || oid !== OID.timestamptz) return undefined;
      // Binary is the instant itself; text is written in the session's zone.
      if (!text || ctx.timeZone === UTC) return { ...base, kind: KIND.timestamptz, offsets: null };
      return { ...base, kind: KIND.timestamptz, offsets: zoneOffsets(v, rows, ctx) };
    }
    case 'varchar':
      if (v.layout !== 'varchar' || v.strings === undefined || !TEXT_OIDS.has(oid)) return undefined;
      return { ...base, kind: KIND.varchar, sources: v.strings.sources, ref: v.strings.ref };
    default:
      return undefined;
  }
}

/** An offset that makes the encoder leave the row to JavaScript. */
const FOREIGN_ROW = -0x8000_0000;

/**
 * The session zone's offset at each row's instant (text-fast.ts's lookup: at the instant's
 * millisecond, truncated); FOREIGN_ROW for an instant beyond what a double holds exactly.
 */
function zoneOffsets(v: EngineVector, rows: number, ctx: FormatContext): Int32Array {
  const a = new Int32Array(v.data.buffer, v.data.byteOffset, rows * 2);
  const offsets = new Int32Array(rows);
  const valid = v.valid;
  for (let r = 0; r < rows; r++) {
    if (valid !== null && (valid[r >> 3]! & (1 << (r & 7))) === 0) continue;
    const us = a[2 * r + 1]! * 0x1_0000_0000 + (a[2 * r]! >>> 0);
    if (!(us > -FAST_TEXT_US && us < FAST_TEXT_US)) {
      offsets[r] = FOREIGN_ROW; // beyond a double's exact µs: JavaScript writes it (BigInt)
      continue;
    }
    const sub = us % 1000;
    offsets[r] = ctx.timeZone.offsetAt((us - sub) / 1000);
  }
  return offsets;
}

const state = new Int32Array(3);

/**
 * Writes DataRows of rows [from, to) until the writer holds `softLimit` bytes or more (after a
 * whole row): natively, and through `writeRow` for a row with a value the encoder leaves to
 * JavaScript. Returns how many rows were written (at least one when the writer held less than
 * `softLimit`).
 */
export function writeNativeRows(w: Writer, columns: readonly NativeColumn[], from: number, to: number, softLimit: number, writeRow: (r: number) => void): number {
  const encoder = addon!;
  let r = from;
  let room = 1 << 16;
  while (r < to && w.length < softLimit) {
    const buf = w.reserve(room);
    state[0] = w.length;
    state[1] = softLimit;
    state[2] = 0;
    const done = encoder.encodeRows(buf, state, columns, r, to);
    w.advance(state[0]! - w.length);
    r += done;
    if (r >= to || w.length >= softLimit) break;
    if (state[2] === 1) {
      writeRow(r);
      r++;
    } else if (done === 0) {
      room *= 2; // a row larger than the room left: grow and try it again
    }
  }
  return r - from;
}
