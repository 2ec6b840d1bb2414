/**
 * The `<result file>.metadata` object Athena writes beside every result: protobuf without a
 * published schema. Field numbers as the Athena JDBC drivers read them (burtcorp/athena-jdbc
 * `AthenaMetaDataParser`; research §5) and as measured on files live Athena wrote:
 *
 *   top level   1 engine query id (string), 2 update type (string, DML/CTAS only),
 *               3 update count (varint, DML/CTAS only, written even when 0), 4 ColumnInfo (repeated)
 *   ColumnInfo  1 catalogName, 4 name, 5 label, 6 type, 7 precision, 8 scale,
 *               9 nullable (1 NOT_NULL, 2 NULLABLE, 3 UNKNOWN), 10 caseSensitive
 *
 * Which of 7/8/10 a column carries depends on its type name, not on the values (a 0 precision
 * is still written for the types that have one). Schema and table name (2, 3) are never written.
 * `decodeMetadata` reads the same format back (tests, and a reader of staged results).
 */
import type { ColumnInfo } from './column-info.ts';

const NULLABLE_CODE: Record<ColumnInfo['Nullable'], number> = { NOT_NULL: 1, NULLABLE: 2, UNKNOWN: 3 };
const NULLABLE_NAME: Record<number, ColumnInfo['Nullable']> = { 1: 'NOT_NULL', 2: 'NULLABLE', 3: 'UNKNOWN' };

/** Which of precision (7), scale (8) and caseSensitive (10) a type's column carries. */
function optionalFields(type: string): { precision: boolean; scale: boolean; caseSensitive: boolean } {
  switch (type) {
    case 'tinyint': case 'smallint': case 'integer': case 'bigint': case 'double': case 'float': case 'decimal':
    case 'varchar': case 'char': case 'varbinary': case 'timestamp': case 'time':
    case 'timestamp with time zone': case 'time with time zone':
      return { precision: true, scale: true, caseSensitive: true };
    case 'boolean': case 'interval day to second': case 'interval year to month':
      return { precision: false, scale: false, caseSensitive: true };
    case 'date':
      return { precision: false, scale: true, caseSensitive: true };
    default:
      return { precision: false, scale: false, caseSensitive: false };
  }
}

export interface ResultMetadata {
  /** The engine's query id (a Trino-style `yyyyMMdd_HHmmss_nnnnn_xxxxx`, or the execution id). */
  queryId: string;
  columns: readonly ColumnInfo[];
  /** DML and CTAS: the update type and the rows written. */
  update?: { type: string; count: number };
}

export function encodeMetadata(m: ResultMetadata): Buffer {
  const w = new ProtoWriter();
  w.string(1, m.queryId);
  if (m.update) {
    w.string(2, m.update.type);
    w.varintField(3, m.update.count);
  }
  for (const c of m.columns) w.bytes(4, encodeColumn(c));
  return w.done();
}

function encodeColumn(c: ColumnInfo): Buffer {
  const o = optionalFields(c.Type);
  const w = new ProtoWriter();
  w.string(1, c.CatalogName);
  w.string(4, c.Name);
  w.string(5, c.Label);
  w.string(6, c.Type);
  if (o.precision) w.varintField(7, c.Precision);
  if (o.scale) w.varintField(8, c.Scale);
  w.varintField(9, NULLABLE_CODE[c.Nullable]);
  if (o.caseSensitive) w.varintField(10, c.CaseSensitive ? 1 : 0);
  return w.done();
}

export function decodeMetadata(buf: Uint8Array): ResultMetadata {
  const out: ResultMetadata & { columns: ColumnInfo[] } = { queryId: '', columns: [] };
  let updateType: string | undefined;
  let updateCount: number | undefined;
  for (const f of readFields(buf)) {
    if (f.no === 1 && f.bytes) out.queryId = utf8(f.bytes);
    else if (f.no === 2 && f.bytes) updateType = utf8(f.bytes);
    else if (f.no === 3 && f.value !== undefined) updateCount = f.value;
    else if (f.no === 4 && f.bytes) out.columns.push(decodeColumn(f.bytes));
  }
  if (updateType !== undefined || updateCount !== undefined) out.update = { type: updateType ?? '', count: updateCount ?? 0 };
  return out;
}

function decodeColumn(buf: Uint8Array): ColumnInfo {
  const c: ColumnInfo = { CatalogName: '', SchemaName: '', TableName: '', Name: '', Label: '', Type: '', Precision: 0, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: false };
  for (const f of readFields(buf)) {
    const text = f.bytes ? utf8(f.bytes) : '';
    const n = f.value ?? 0;
    switch (f.no) {
      case 1: c.CatalogName = text; break;
      case 2: c.SchemaName = text; break;
      case 3: c.TableName = text; break;
      case 4: c.Name = text; break;
      case 5: c.Label = text; break;
      case 6: c.Type = text; break;
      case 7: c.Precision = n; break;
      case 8: c.Scale = n; break;
      case 9: c.Nullable = NULLABLE_NAME[n] ?? 'UNKNOWN'; break;
      case 10: c.CaseSensitive = n === 1; break;
    }
  }
  return c;
}

function utf8(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// The protobuf wire format: varints (wire type 0) and length-delimited fields (wire type 2).

class ProtoWriter {
  private readonly parts: Buffer[] = [];

  varintField(no: number, value: number): void {
    this.varint(no * 8);
    this.varint(value);
  }

  string(no: number, s: string): void {
    this.bytes(no, Buffer.from(s, 'utf8'));
  }

  bytes(no: number, b: Buffer): void {
    this.varint(no * 8 + 2);
    this.varint(b.length);
    this.parts.push(b);
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`protobuf varint out of range: ${value}`);
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.parts.push(Buffer.from(out));
  }
}

interface Field {
  no: number;
  value?: number;
  bytes?: Uint8Array;
}

function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated protobuf varint');
      const b = buf[i++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  };
  while (i < buf.length) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) fields.push({ no, value: varint() });
    else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length) throw new Error('truncated protobuf field');
      fields.push({ no, bytes: buf.subarray(i, i + len) });
      i += len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return fields;
}
