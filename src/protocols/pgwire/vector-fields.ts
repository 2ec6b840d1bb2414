/**
 * DataRow fields written straight from a chunk's column vectors (EngineVector), without making a
 * JavaScript value per field: the hot types of a large result (int2/int4/int8, float8, numeric up
 * to 18 digits, text/varchar, bool, date, timestamp, timestamptz) in text and binary format.
 *
 * Invariant: a field writer writes exactly the bytes `writeValue(w, codec, value, format, ctx)`
 * writes for the value the chunk's `rows()` holds at that row and column (Int32 length, then the
 * bytes; -1 for NULL). Values off a fast path (int8 beyond ±2^53, dates and timestamps outside
 * the fast ranges, infinities) are made into that engine value and written by `writeValue`.
 * A column whose (engine type, vector layout, codec) has no writer here makes `fieldWriters`
 * answer undefined: the caller then encodes the chunk's rows. Varchar bytes are copied as DuckDB
 * holds them (valid UTF-8, so the same bytes the decode-and-encode of `rows()` gives).
 * test/pgwire/vector-fields.test.ts compares both paths over every type here.
 */
import { EngineDate, EngineTimestamp, type EngineChunk, type EngineColumn, type EngineVector } from '../../engine/engine.ts';
import { decimalTextBig } from '../../engine/decimal-text.ts';
import { PG_EPOCH_DAYS, PG_EPOCH_MICROS, writeNumericBinaryScaled } from './binary.ts';
import { putInt32, type Writer } from './messages/bytes.ts';
import { writeDateText, writeDecimalText, writeIntText, writeTimestampTextUs } from './text-fast.ts';
import { OID, writeValue, type FormatContext, type PgTypeCodec } from './types.ts';

/** Writes the DataRow field of row `r` (Int32 length and bytes, or -1). */
export type FieldWriter = (w: Writer, r: number) => void;

export interface FieldColumn {
  /** The column's engine type (what `rows()` values are). */
  column: EngineColumn;
  codec: PgTypeCodec;
  /** 0 text, 1 binary. */
  format: number;
}

const PG_EPOCH_US = Number(PG_EPOCH_MICROS);
/** Days whose binary date is days - PG_EPOCH_DAYS (far from the ±infinity sentinels). */
const FAST_DAYS = 100_000_000;
/** µs whose binary timestamp is an exact double after the epoch shift (as types.ts). */
const FAST_BINARY_US = 8_000_000_000_000_000;
/** µs with an exact double and room for a zone shift (as text-fast.ts). */
export const FAST_TEXT_US = 9_000_000_000_000_000;
/** hi words of an int64 whose value is a safe integer. */
const SAFE_HI = 0x20_0000;

/** The text types whose values are a varchar vector's bytes. */
export const TEXT_OIDS: ReadonlySet<number> = new Set([OID.text, OID.varchar, OID.bpchar]);

/** The field writers of a chunk's columns, or undefined when one of them has none. */
export function fieldWriters(chunk: EngineChunk, columns: readonly FieldColumn[], ctx: FormatContext): FieldWriter[] | undefined {
  const out: FieldWriter[] = [];
  for (let i = 0; i < columns.length; i++) {
    const v = chunk.vector(i);
    const f = v === undefined ? undefined : writerFor(v, columns[i]!, ctx);
    if (f === undefined) return undefined;
    out.push(f);
  }
  return out;
}

/**
 * Writes DataRows of rows [from, to) of the chunk whose fields `writers` write, row by row, each
 * field straight into `w`. (Column by column into scratch buffers and rows assembled by copying
 * was measured slower in the server: the copy costs more than the per-field calls it saves.)
 */
export function writeDataRows(w: Writer, writers: readonly FieldWriter[], from: number, to: number): void {
  const n = writers.length;
  for (let r = from; r < to; r++) {
    const start = w.length;
    const head = w.reserve(7);
    head[start] = 0x44; // 'D'; the length is patched below
    head[start + 5] = n >>> 8;
    head[start + 6] = n & 0xff;
    w.advance(7);
    for (let c = 0; c < n; c++) writers[c]!(w, r);
    // The length counts itself and the fields, not the type byte (the buffer may have grown).
    putInt32(w.reserve(0), start + 1, w.length - start - 1);
  }
}

const isNull = (mask: Uint8Array | null, i: number): boolean => mask !== null && (mask[i >> 3]! & (1 << (i & 7))) === 0;

/**
 * A field of an int64 vector (as little-endian int32 halves): `safe` writes a value within ±2^53
 * as a number, `big` any other as a bigint; NULL is length -1.
 */
function int64Field(a: Int32Array, valid: Uint8Array | null, safe: (w: Writer, x: number) => void, big: (w: Writer, x: bigint) => void): FieldWriter {
  return (w, r) => {
    if (isNull(valid, r)) {
      w.int32(-1);
      return;
    }
    const hi = a[2 * r + 1]!;
    const lo = a[2 * r]! >>> 0;
    if (hi >= -SAFE_HI && hi < SAFE_HI) safe(w, hi * 0x1_0000_0000 + lo);
    else big(w, (BigInt(hi) << 32n) | BigInt(lo));
  };
}

/** Bytes of the binary form of PostgreSQL's integer types. */
export const INT_OID_BYTES: ReadonlyMap<number, 2 | 4 | 8> = new Map([
  [OID.int2, 2],
  [OID.int4, 4],
  [OID.int8, 8],
]);

/** The binary field of a safe integer in `width` bytes; one that does not fit goes to `slow`. */
function binaryInt(width: 2 | 4 | 8, slow: (w: Writer, x: number) => void): (w: Writer, x: number) => void {
  if (width === 2) return (w, x) => (x >= -0x8000 && x < 0x8000 ? w.field16(x) : slow(w, x));
  if (width === 4) return (w, x) => (x >= -0x8000_0000 && x < 0x8000_0000 ? w.field32(x) : slow(w, x));
  return (w, x) => w.field64(Math.floor(x / 0x1_0000_0000), x | 0);
}

function view<T>(v: EngineVector, make: (b: ArrayBuffer, off: number, len: number) => T, size: number): T {
  return make(v.data.buffer as ArrayBuffer, v.data.byteOffset, v.data.byteLength / size);
}


function writerFor(v: EngineVector, col: FieldColumn, ctx: FormatContext): FieldWriter | undefined {
  const { codec, format } = col;
  const kind = col.column.type.kind;
  const oid = codec.oid;
  const valid = v.valid;
  const binary = format === 1;
  if (format !== 0 && format !== 1) return undefined;
  switch (kind) {
    case 'boolean': {
      if (v.layout !== 'bool' || oid !== OID.bool) return undefined;
      const d = v.data;
      return (w, r) => {
        if (isNull(valid, r)) w.int32(-1);
        else w.field8(binary ? (d[r] !== 0 ? 1 : 0) : d[r] !== 0 ? 116 : 102); // 't' / 'f'
      };
    }
    case 'smallint':
    case 'integer':
    case 'bigint': {
      // The announced type may differ from the engine's: the front-end pins PostgreSQL's own
      // (generate_series(1, n) is int4 in PostgreSQL, BIGINT in the engine). Text is the same
      // digits either way; binary is the announced width, and a value that does not fit it goes
      // the row path's way (writeValue).
      const width = INT_OID_BYTES.get(oid);
      const layout = kind === 'smallint' ? 'int16' : kind === 'integer' ? 'int32' : 'int64';
      if (width === undefined || v.scale !== undefined || v.layout !== layout) return undefined;
      const slow = (w: Writer, x: number | bigint): void => {
        writeValue(w, codec, x, format, ctx);
      };
      const put = binary ? binaryInt(width, slow) : writeIntText;
      if (layout === 'int64') {
        const a = view(v, (b, o, n) => new Int32Array(b, o, n), 4);
        if (binary && width === 8) {
          return (w, r) => {
            if (isNull(valid, r)) w.int32(-1);
            else w.field64(a[2 * r + 1]!, a[2 * r]!);
          };
        }
        return int64Field(a, valid, put, slow);
      }
      const a = layout === 'int16' ? view(v, (b, o, n) => new Int16Array(b, o, n), 2) : view(v, (b, o, n) => new Int32Array(b, o, n), 4);
      return (w, r) => {
        if (isNull(valid, r)) w.int32(-1);
        else put(w, a[r]!);
      };
    }
    case 'double': {
      if (v.layout !== 'float64' || oid !== OID.float8) return undefined;
      const a = view(v, (b, o, n) => new Float64Array(b, o, n), 8);
      if (binary) {
        return (w, r) => {
          if (isNull(valid, r)) w.int32(-1);
          else w.fieldFloat64(a[r]!);
        };
      }
      return (w, r) => {
        if (isNull(valid, r)) w.int32(-1);
        else writeValue(w, codec, a[r]!, 0, ctx);
      };
    }
    case 'decimal': {
      const scale = v.scale;
      if (scale === undefined || oid !== OID.numeric) return undefined;
      const factor = 10 ** scale;
      /** A safe scaled integer: written in place; else (int64 beyond ±2^53) through its text. */
      const put = binary
        ? (w: Writer, x: number) => writeNumericBinaryScaled(w, x, scale, factor)
        : (w: Writer, x: number) => writeDecimalText(w, x, scale, factor);
      if (v.layout === 'int16' || v.layout === 'int32') {
        const a = v.layout === 'int16' ? view(v, (b, o, n) => new Int16Array(b, o, n), 2) : view(v, (b, o, n) => new Int32Array(b, o, n), 4);
        return (w, r) => {
          if (isNull(valid, r)) w.int32(-1);
          else put(w, a[r]!);
        };
      }
      if (v.layout !== 'int64') return undefined;
      const a = view(v, (b, o, n) => new Int32Array(b, o, n), 4);
      return int64Field(a, valid, put, (w, x) => writeValue(w, codec, decimalTextBig(x, scale), format, ctx));
    }
    case 'date': {
      if (v.layout !== 'int32' || oid !== OID.date) return undefined;
      const a = view(v, (b, o, n) => new Int32Array(b, o, n), 4);
      return (w, r) => {
        if (isNull(valid, r)) {
          w.int32(-1);
          return;
        }
        const days = a[r]!;
        if (binary) {
          if (days > -FAST_DAYS && days < FAST_DAYS) w.field32(days - PG_EPOCH_DAYS);
          else writeValue(w, codec, new EngineDate(days), 1, ctx);
        } else if (!writeDateText(w, days)) writeValue(w, codec, new EngineDate(days), 0, ctx);
      };
    }
    case 'timestamp':
    case 'timestamptz': {
      const tz = kind === 'timestamptz';
      if (v.layout !== 'int64' || oid !== (tz ? OID.timestamptz : OID.timestamp)) return undefined;
      const a = view(v, (b, o, n) => new Int32Array(b, o, n), 4);
      const zone = tz ? ctx.timeZone : undefined;
      const slow = (w: Writer, us: bigint) => writeValue(w, codec, new EngineTimestamp(us, tz), format, ctx);
      return int64Field(a, valid, (w, us) => {
        if (binary) {
          if (us > -FAST_BINARY_US && us < FAST_BINARY_US) {
            const v = us - PG_EPOCH_US;
            const hi = Math.floor(v / 0x1_0000_0000);
            w.field64(hi, v - hi * 0x1_0000_0000);
            return;
          }
        } else if (us > -FAST_TEXT_US && us < FAST_TEXT_US && writeTimestampTextUs(w, us, zone)) return;
        slow(w, BigInt(us));
      }, slow);
    }
    case 'varchar': {
      if (v.layout !== 'varchar' || v.strings === undefined || !TEXT_OIDS.has(oid)) return undefined;
      const { sources, ref } = v.strings;
      return (w, r) => {
        if (isNull(valid, r)) {
          w.int32(-1);
          return;
        }
        const src = sources[ref[3 * r]!]!;
        const start = ref[3 * r + 1]!;
        const len = ref[3 * r + 2]!;
        const at = w.length;
        const buf = w.reserve(4 + len);
        putInt32(buf, at, len);
        if (len <= 32) for (let i = 0; i < len; i++) buf[at + 4 + i] = src[start + i]!;
        else buf.set(src.subarray(start, start + len), at + 4);
        w.advance(4 + len);
      };
    }
    default:
      return undefined;
  }
}

