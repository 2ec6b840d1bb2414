/**
 * DuckDB result chunks as engine rows, fast: the common scalar types (booleans, integers, floats,
 * decimals up to 18 digits, varchar, date, timestamp, timestamptz) are read column by column
 * straight from the vectors' memory through DuckDB's C API (@duckdb/node-bindings, the layer
 * under @duckdb/node-api), without node-api's per-value objects; every other type goes through
 * node-api's vectors and `engineValue`.
 *
 * Invariant: the rows are exactly `chunk.getRows().map((r) => r.map(engineValue))`, value for
 * value and type for type (test/engine/chunk-rows.test.ts compares both over every type).
 * `chunkMaker` also exposes those types' vectors as EngineVectors (the same values, in place);
 * they are valid while the EngineChunk, which holds the DuckDB chunk, is reachable.
 */
import { endianness } from 'node:os';
import duckdb from '@duckdb/node-bindings';
import { DuckDBDecimalType, DuckDBTypeId, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import { EngineDate, EngineTimestamp, type EngineChunk, type EngineRow, type EngineValue, type EngineVector } from '../engine.ts';
import { engineValue } from './convert.ts';
import { decimalText, decimalTextBig } from '../decimal-text.ts';

/** Fills column `col` of `rows` (n rows) from the chunk. */
type ColumnReader = (chunk: DuckDBDataChunk, col: number, n: number, rows: EngineRow[]) => void;

/**
 * Chunks of a result whose column types are `types` as EngineChunks: rows on demand (chunkReader),
 * and the vectors of the types with an EngineVector layout. The EngineChunk holds the DuckDB chunk,
 * which owns the memory its vectors view.
 */
export function chunkMaker(types: readonly DuckDBType[]): (chunk: DuckDBDataChunk) => EngineChunk {
  const read = chunkReader(types);
  const vectors = types.map(vectorFor);
  return (chunk) => new DuckDBEngineChunk(chunk, read, vectors);
}

class DuckDBEngineChunk implements EngineChunk {
  readonly length: number;
  private rowList: EngineRow[] | undefined;
  private readonly vectorList: (EngineVector | undefined | null)[];
  constructor(
    private readonly chunk: DuckDBDataChunk,
    private readonly read: (chunk: DuckDBDataChunk) => EngineRow[],
    private readonly vectorReaders: readonly (VectorReader | undefined)[],
  ) {
    this.length = chunk.rowCount;
    this.vectorList = new Array<EngineVector | undefined | null>(vectorReaders.length).fill(null);
  }

  rows(): EngineRow[] {
    return (this.rowList ??= this.read(this.chunk));
  }

  vector(column: number): EngineVector | undefined {
    const known = this.vectorList[column];
    if (known !== null) return known;
    const reader = this.vectorReaders[column];
    const v = reader === undefined ? undefined : reader(this.chunk, column, this.length);
    this.vectorList[column] = v;
    return v;
  }
}

/** Column `col` of a chunk (n rows) as an EngineVector. */
type VectorReader = (chunk: DuckDBDataChunk, col: number, n: number) => EngineVector;

function fixedVector(layout: EngineVector['layout'], size: number, scale?: number): VectorReader {
  return (chunk, col, n) => {
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
    const v: EngineVector = { layout, valid: validity(vector, n), data: data(vector, n * size) };
    if (scale !== undefined) v.scale = scale;
    return v;
  };
}

/** VARCHAR's vector: inline strings referenced in the vector's memory, long ones in copied spans (see READ_VARCHAR). */
const VARCHAR_VECTOR: VectorReader = (chunk, col, n) => {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
  const d = data(vector, n * 16);
  const words = new Uint32Array(d.buffer, d.byteOffset, n * 4);
  const valid = validity(vector, n);
  const ref = new Int32Array(n * 3);
  const sources: Uint8Array[] = [d];
  const long = new LongStrings(words, n);
  for (let i = 0; i < n; i++) {
    if (isNull(valid, i)) continue;
    const len = words[i * 4]!;
    ref[i * 3 + 2] = len;
    if (len <= 12) {
      ref[i * 3 + 1] = i * 16 + 4;
      continue;
    }
    long.add(i);
  }
  const { address } = long;
  const longRows = long.inAddressOrder();
  let k = 0;
  while (k < longRows.length) {
    const { m, start, end } = cluster(longRows, k, address, words);
    const source = sources.length;
    sources.push(readSpan(start, end - start));
    for (let j = k; j < m; j++) {
      const r = longRows[j]!;
      ref[r * 3] = source;
      ref[r * 3 + 1] = address[r]! - start;
    }
    k = m;
  }
  return { layout: 'varchar', valid, data: d, strings: { sources, ref } };
};

/**
 * The rows of a VARCHAR vector whose strings live outside it (longer than 12 bytes), with each
 * one's address (from its string_t: length, prefix, pointer), to be read in address order.
 */
class LongStrings {
  readonly address: Float64Array;
  private readonly rows: number[] = [];
  private sorted = true;
  private last = -1;

  constructor(private readonly words: Uint32Array, n: number) {
    this.address = new Float64Array(n);
  }

  add(row: number): void {
    const a = this.words[row * 4 + 3]! * 0x1_0000_0000 + this.words[row * 4 + 2]!;
    this.address[row] = a;
    if (a < this.last) this.sorted = false;
    this.last = a;
    this.rows.push(row);
  }

  inAddressOrder(): number[] {
    if (!this.sorted) this.rows.sort((x, y) => this.address[x]! - this.address[y]!);
    this.sorted = true;
    return this.rows;
  }
}

/**
 * The cluster of nearby long strings starting at longRows[k] (rows sorted by address; see
 * READ_VARCHAR): it ends before row index `m`, and its bytes are [start, end) in memory.
 */
function cluster(longRows: readonly number[], k: number, address: Float64Array, words: Uint32Array): { m: number; start: number; end: number } {
  const start = address[longRows[k]!]!;
  let end = start + words[longRows[k]! * 4]!;
  let m = k + 1;
  while (m < longRows.length) {
    const r = longRows[m]!;
    const a = address[r]!;
    const e = Math.max(end, a + words[r * 4]!);
    if (a - end >= MIN_PAGE || e - start > MAX_SPAN) break;
    end = e;
    m++;
  }
  return { m, start, end };
}

function vectorFor(t: DuckDBType): VectorReader | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return fixedVector('bool', 1);
    case DuckDBTypeId.SMALLINT:
      return fixedVector('int16', 2);
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.DATE:
      return fixedVector('int32', 4);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return fixedVector('int64', 8);
    case DuckDBTypeId.DOUBLE:
      return fixedVector('float64', 8);
    case DuckDBTypeId.VARCHAR:
      return VARCHAR_VECTOR;
    case DuckDBTypeId.DECIMAL: {
      if (!(t instanceof DuckDBDecimalType)) return undefined;
      if (t.width <= 4) return fixedVector('int16', 2, t.scale);
      if (t.width <= 9) return fixedVector('int32', 4, t.scale);
      if (t.width <= 18) return fixedVector('int64', 8, t.scale);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A converter for chunks of a result whose column types are `types`. */
export function chunkReader(types: readonly DuckDBType[]): (chunk: DuckDBDataChunk) => EngineRow[] {
  const readers = types.map(readerFor);
  return (chunk) => {
    // The chunk owns the memory the readers look at: it must stay reachable (not collected and
    // freed) until they are done, also after its last use in this function.
    reading.add(chunk);
    try {
      const n = chunk.rowCount;
      const rows: EngineRow[] = new Array<EngineRow>(n);
      for (let r = 0; r < n; r++) rows[r] = new Array<EngineValue>(readers.length);
      for (let c = 0; c < readers.length; c++) readers[c]!(chunk, c, n, rows);
      return rows;
    } finally {
      reading.delete(chunk);
    }
  };
}

/** The chunks being read (kept reachable, see chunkReader). */
const reading = new Set<DuckDBDataChunk>();

const LITTLE_ENDIAN = endianness() === 'LE';

/** The vector's validity mask (bit i set = row i not NULL), or null when every row is valid. */
function validity(vector: duckdb.Vector, n: number): Uint8Array | null {
  return (duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8) as Uint8Array | null | undefined) ?? null;
}

const isNull = (mask: Uint8Array | null, i: number): boolean => mask !== null && (mask[i >> 3]! & (1 << (i & 7))) === 0;

function data(vector: duckdb.Vector, bytes: number): Uint8Array {
  return duckdb.vector_get_data(vector, bytes);
}

/** One typed-array kind: its element size and view constructor, and how an element becomes a value. */
function fixed<A extends ArrayLike<unknown>>(size: number, view: (b: ArrayBuffer, off: number, n: number) => A, value: (a: A, i: number) => EngineValue): ColumnReader {
  return (chunk, col, n, rows) => {
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
    const d = data(vector, n * size);
    const a = view(d.buffer as ArrayBuffer, d.byteOffset, n);
    const mask = validity(vector, n);
    for (let i = 0; i < n; i++) rows[i]![col] = isNull(mask, i) ? null : value(a, i);
  };
}

// One reader per type, each with its own loop (monomorphic element access).
const READ_BOOLEAN: ColumnReader = fixed(1, (b, o, n) => new Uint8Array(b, o, n), (a, i) => a[i] !== 0);
const READ_TINYINT: ColumnReader = fixed(1, (b, o, n) => new Int8Array(b, o, n), (a, i) => a[i]!);
const READ_UTINYINT: ColumnReader = fixed(1, (b, o, n) => new Uint8Array(b, o, n), (a, i) => a[i]!);
const READ_SMALLINT: ColumnReader = fixed(2, (b, o, n) => new Int16Array(b, o, n), (a, i) => a[i]!);
const READ_USMALLINT: ColumnReader = fixed(2, (b, o, n) => new Uint16Array(b, o, n), (a, i) => a[i]!);
const READ_INTEGER: ColumnReader = fixed(4, (b, o, n) => new Int32Array(b, o, n), (a, i) => a[i]!);
const READ_UINTEGER: ColumnReader = fixed(4, (b, o, n) => new Uint32Array(b, o, n), (a, i) => a[i]!);
const READ_BIGINT: ColumnReader = fixed(8, (b, o, n) => new BigInt64Array(b, o, n), (a, i) => a[i]!);
const READ_UBIGINT: ColumnReader = fixed(8, (b, o, n) => new BigUint64Array(b, o, n), (a, i) => a[i]!);
const READ_FLOAT: ColumnReader = fixed(4, (b, o, n) => new Float32Array(b, o, n), (a, i) => a[i]!);
const READ_DOUBLE: ColumnReader = fixed(8, (b, o, n) => new Float64Array(b, o, n), (a, i) => a[i]!);
const READ_DATE: ColumnReader = fixed(4, (b, o, n) => new Int32Array(b, o, n), (a, i) => new EngineDate(a[i]!));
const READ_TIMESTAMP: ColumnReader = fixed(8, (b, o, n) => new BigInt64Array(b, o, n), (a, i) => new EngineTimestamp(a[i]!, false));
const READ_TIMESTAMP_TZ: ColumnReader = fixed(8, (b, o, n) => new BigInt64Array(b, o, n), (a, i) => new EngineTimestamp(a[i]!, true));

function readDecimal(width: number, scale: number): ColumnReader | undefined {
  const factor = 10 ** scale;
  if (width <= 4) return fixed(2, (b, o, n) => new Int16Array(b, o, n), (a, i) => decimalText(a[i]!, scale, factor));
  if (width <= 9) return fixed(4, (b, o, n) => new Int32Array(b, o, n), (a, i) => decimalText(a[i]!, scale, factor));
  if (width <= 18) {
    // Two 32-bit halves: an exact number while it is a safe integer, else a bigint.
    return fixed(8, (b, o, n) => new Int32Array(b, o, n * 2), (a, i) => {
      const hi = a[2 * i + 1]!;
      const lo = a[2 * i]! >>> 0;
      if (hi >= -0x20_0000 && hi < 0x20_0000) return decimalText(hi * 0x1_0000_0000 + lo, scale, factor);
      return decimalTextBig((BigInt(hi) << 32n) | BigInt(lo), scale);
    });
  }
  return undefined;
}

/**
 * VARCHAR. A duckdb_string_t is 16 bytes: a UInt32 length, then the bytes inline when they fit in
 * 12, else a 4-byte prefix and a pointer to them. Inline strings are decoded in place. Reading a
 * pointed-to string costs a native call and a new ArrayBuffer, so the longer strings of a chunk
 * are read in spans: their pointers, sorted, form clusters in which no gap between one string's
 * end and the next one's start reaches MIN_PAGE bytes, and each cluster is copied with one call.
 * Memory safety: every page of such a span holds bytes of a live string of the chunk (a gap
 * shorter than a page cannot contain one), so every page read is mapped; the bytes between
 * strings are never decoded. The same pointer (dictionary strings) is decoded once per chunk.
 * Decoding is UTF-8 with replacement, as node-api's TextDecoder does.
 */
const MIN_PAGE = 4096;
/** Longest span copied at once. */
const MAX_SPAN = 1 << 20;
/** A pointer value handed to get_data_from_pointer, which reads the address out of a buffer. */
const POINTER = new ArrayBuffer(8);
const POINTER_HALVES = new Uint32Array(POINTER);

function readSpan(address: number, bytes: number): Buffer {
  POINTER_HALVES[0] = address % 0x1_0000_0000;
  POINTER_HALVES[1] = Math.floor(address / 0x1_0000_0000);
  const u8 = duckdb.get_data_from_pointer(POINTER, 0, bytes);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

const READ_VARCHAR: ColumnReader = (chunk, col, n, rows) => {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
  const d = data(vector, n * 16);
  const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const words = new Uint32Array(d.buffer, d.byteOffset, n * 4);
  const mask = validity(vector, n);
  // Pass 1: inline strings and NULLs; the rows of pointed-to strings, with their addresses.
  const long = new LongStrings(words, n);
  for (let i = 0; i < n; i++) {
    if (isNull(mask, i)) {
      rows[i]![col] = null;
      continue;
    }
    const len = words[i * 4]!;
    if (len <= 12) {
      rows[i]![col] = len === 0 ? '' : b.toString('utf8', i * 16 + 4, i * 16 + 4 + len);
      continue;
    }
    long.add(i);
  }
  const { address } = long;
  const longRows = long.inAddressOrder();
  if (longRows.length === 0) return;
  // Pass 2: clusters of nearby strings, one copy each.
  let k = 0;
  while (k < longRows.length) {
    const { m, start, end } = cluster(longRows, k, address, words);
    const span = readSpan(start, end - start);
    let prevAddress = -1;
    let prevLength = -1;
    let prevText = '';
    for (let j = k; j < m; j++) {
      const r = longRows[j]!;
      const at = address[r]! - start;
      const len = words[r * 4]!;
      if (at !== prevAddress || len !== prevLength) {
        prevText = span.toString('utf8', at, at + len);
        prevAddress = at;
        prevLength = len;
      }
      rows[r]![col] = prevText;
    }
    k = m;
  }
};

/** Any type: node-api's vector and the engine's conversion. */
const READ_ANY: ColumnReader = (chunk, col, n, rows) => {
  const v = chunk.getColumnVector(col);
  for (let i = 0; i < n; i++) rows[i]![col] = engineValue(v.getItem(i));
};

function readerFor(t: DuckDBType): ColumnReader {
  if (!LITTLE_ENDIAN) return READ_ANY;
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return READ_BOOLEAN;
    case DuckDBTypeId.TINYINT:
      return READ_TINYINT;
    case DuckDBTypeId.UTINYINT:
      return READ_UTINYINT;
    case DuckDBTypeId.SMALLINT:
      return READ_SMALLINT;
    case DuckDBTypeId.USMALLINT:
      return READ_USMALLINT;
    case DuckDBTypeId.INTEGER:
      return READ_INTEGER;
    case DuckDBTypeId.UINTEGER:
      return READ_UINTEGER;
    case DuckDBTypeId.BIGINT:
      return READ_BIGINT;
    case DuckDBTypeId.UBIGINT:
      return READ_UBIGINT;
    case DuckDBTypeId.FLOAT:
      return READ_FLOAT;
    case DuckDBTypeId.DOUBLE:
      return READ_DOUBLE;
    case DuckDBTypeId.DATE:
      return READ_DATE;
    case DuckDBTypeId.TIMESTAMP:
      return READ_TIMESTAMP;
    case DuckDBTypeId.TIMESTAMP_TZ:
      return READ_TIMESTAMP_TZ;
    case DuckDBTypeId.VARCHAR:
      return READ_VARCHAR;
    case DuckDBTypeId.DECIMAL:
      return (t instanceof DuckDBDecimalType ? readDecimal(t.width, t.scale) : undefined) ?? READ_ANY;
    default:
      return READ_ANY;
  }
}
