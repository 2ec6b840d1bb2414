/**
 * One codec per PostgreSQL type: text and binary output of engine values, text and binary input
 * of Bind parameters.
 *
 * Which PostgreSQL type an engine type is, and each type's pg_type facts (name, typlen, array
 * type), belong to the catalog (src/catalog/pg-types.ts: exhaustive over engine types, standard
 * OIDs only); every codec is checked against those facts when this module loads.
 */
import { EngineDate, EngineInterval, EngineTime, EngineTimestamp, type EngineType, type EngineValue } from '../../engine/engine.ts';
import { OID, pgTypeInfo, pgTypeOf } from '../../catalog/pg-types.ts';
import { BinaryFormatError, PG_EPOCH_DAYS, PG_EPOCH_MICROS, numericFromBinary, uuidFromBinary, uuidToBinary, writeNumericBinary } from './binary.ts';
import { ProtocolViolation, type Writer } from './messages/bytes.ts';
import {
  InputSyntaxError, parseArrayText, parseBigint, parseBool, parseBytea, parseDate, parseFloat8, parseInteger,
  parseInterval, parseNumeric, parseOid, parseTime, parseTimestamp, parseUuid, type NestedText,
} from './parse.ts';
import {
  DATE_INFINITY, TIMESTAMP_INFINITY, TIMESTAMP_NEG_INFINITY_PG, formatArray, formatBool, formatByteaEscape, formatByteaHex,
  formatDate, formatFloat4, formatFloat8, formatInterval, formatNumeric, formatTime, formatTimestamp, formatTimestamptz,
} from './text.ts';
import { UTC, type TimeZone } from './timezone.ts';
import { writeDateText, writeIntText, writeTimestampText } from './text-fast.ts';

/** The session settings that change how values read and print. */
export interface FormatContext {
  timeZone: TimeZone;
  extraFloatDigits: number;
  byteaOutput: 'hex' | 'escape';
}

export const DEFAULT_FORMAT_CONTEXT: FormatContext = { timeZone: UTC, extraFloatDigits: 1, byteaOutput: 'hex' };

/** PostgreSQL type OIDs (pg_type.oid) this layer speaks: the catalog's (src/catalog/pg-types.ts). */
export { OID, ENGINE_KIND_TO_PG } from '../../catalog/pg-types.ts';

/** How one PostgreSQL type travels. */
export interface PgTypeCodec {
  readonly oid: number;
  /** pg_type.typname */
  readonly name: string;
  /** pg_type.typlen: bytes, or -1 (varlena) / -2 (cstring). */
  readonly typlen: number;
  /** The array type's OID (0 for none). */
  readonly arrayOid: number;
  /** The element type's codec, for array types. */
  readonly element?: PgTypeCodec;
  /** Text output of a non-null value. */
  text(v: EngineValue, ctx: FormatContext): string;
  /** Binary output of a non-null value: Int32 length, then the bytes. */
  binary(v: EngineValue, ctx: FormatContext, w: Writer): void;
  /** Text input (a Bind parameter). Throws InputSyntaxError. */
  parseText(s: string, ctx: FormatContext): EngineValue;
  /** Binary input (a Bind parameter). Throws BinaryFormatError or InputSyntaxError. */
  parseBinary(b: Buffer, ctx: FormatContext): EngineValue;
  /**
   * Optional fast path of text output: writes the DataRow field (length and bytes, the same bytes
   * as `text`) straight into `w` and returns true, or writes nothing and returns false.
   */
  writeText?(v: EngineValue, ctx: FormatContext, w: Writer): boolean;
}

// ---- coercions (an engine may hand a value in a neighbouring JS type) ---------------------------

function asNumber(v: EngineValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return parseFloat8(v);
  throw new BinaryFormatError(`cannot send ${describeValue(v)} as a number`);
}

function asBigInt(v: EngineValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim());
  throw new BinaryFormatError(`cannot send ${describeValue(v)} as an integer`);
}

function describeValue(v: EngineValue): string {
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}

/** int2/int4/int8 text of a safe integer (number or bigint) straight into the DataRow. */
function writeSafeIntText(v: EngineValue, _ctx: FormatContext, w: Writer): boolean {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) return false;
  writeIntText(w, n);
  return true;
}

/** Timestamps within ±FAST_MICROS µs are exact doubles, also after the shift to PostgreSQL's epoch. */
const FAST_MICROS = 8_000_000_000_000_000;
const PG_EPOCH_US = Number(PG_EPOCH_MICROS);

/** Any value as display text (used for text-like types handed a non-string). */
export function displayText(v: EngineValue, ctx: FormatContext = DEFAULT_FORMAT_CONTEXT): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return formatBool(v);
  if (typeof v === 'number') return formatFloat8(v, ctx.extraFloatDigits);
  if (typeof v === 'bigint') return v.toString();
  if (v === null) return '';
  if (v instanceof Uint8Array) return ctx.byteaOutput === 'hex' ? formatByteaHex(v) : formatByteaEscape(v);
  if (v instanceof EngineDate) return formatDate(v.days);
  if (v instanceof EngineTimestamp) return v.withTimeZone ? formatTimestamptz(v.micros, ctx.timeZone) : formatTimestamp(v.micros);
  if (v instanceof EngineTime) return formatTime(v.micros);
  if (v instanceof EngineInterval) return formatInterval(v.months, v.days, v.micros);
  return jsonText(v, undefined, ctx);
}

/**
 * A struct, map or nested list as JSON text (what DuckDB's to_json gives): structs and maps are
 * objects (map keys as strings), lists arrays, 64-bit integers and decimals exact numbers,
 * dates and times strings in PostgreSQL's text format.
 */
export function jsonText(v: EngineValue, type: EngineType | undefined, ctx: FormatContext = DEFAULT_FORMAT_CONTEXT): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? formatFloat8(v, 1) : JSON.stringify(formatFloat8(v, 1));
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') {
    if (type?.kind === 'decimal' || type?.kind === 'hugeint' || type?.kind === 'ubigint') {
      const n = formatNumeric(v);
      return /^-?\d/.test(n) ? n : JSON.stringify(n);
    }
    if (type?.kind === 'json') return v;
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((e) => jsonText(e, type?.kind === 'list' ? type.element : undefined, ctx)).join(',')}]`;
  if (v instanceof Uint8Array || v instanceof EngineDate || v instanceof EngineTimestamp || v instanceof EngineTime || v instanceof EngineInterval) {
    return JSON.stringify(displayText(v, ctx));
  }
  if (type?.kind === 'map' || (type === undefined && isMapValue(v))) {
    const entries = (v as { entries: [EngineValue, EngineValue][] }).entries;
    const parts = entries.map(([k, val]) => `${JSON.stringify(k === null ? 'null' : displayText(k, ctx))}:${jsonText(val, type?.element, ctx)}`);
    return `{${parts.join(',')}}`;
  }
  const fields = type?.kind === 'struct' ? new Map(type.fields?.map((f) => [f.name, f.type])) : undefined;
  const obj = v as { [k: string]: EngineValue };
  return `{${Object.keys(obj).map((k) => `${JSON.stringify(k)}:${jsonText(obj[k]!, fields?.get(k), ctx)}`).join(',')}}`;
}

function isMapValue(v: object): boolean {
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'entries' && Array.isArray((v as { entries: unknown }).entries);
}

// ---- codecs --------------------------------------------------------------------------------------

function badBinary(type: string): BinaryFormatError {
  return new BinaryFormatError(`incorrect binary data format for type ${type}`);
}

function fixedLength(b: Buffer, n: number, type: string): void {
  if (b.length !== n) throw badBinary(type);
}

interface CodecSpec {
  oid: number;
  name: string;
  typlen: number;
  arrayOid: number;
  text: PgTypeCodec['text'];
  binary: PgTypeCodec['binary'];
  parseText: PgTypeCodec['parseText'];
  parseBinary: PgTypeCodec['parseBinary'];
  writeText?: PgTypeCodec['writeText'];
}

/** A codec, checked against the catalog's facts of its type (name, typlen, array type) at load. */
const codec = (s: CodecSpec): PgTypeCodec => {
  const info = pgTypeInfo(s.oid);
  if (!info || info.name !== s.name || info.typlen !== s.typlen || info.arrayOid !== s.arrayOid) {
    throw new Error(`pgwire codec ${s.name} (${s.oid}) disagrees with the catalog's pg_type facts`);
  }
  return s;
};

const utf8Binary = (v: EngineValue, ctx: FormatContext, w: Writer): void => {
  w.lengthPrefixedUtf8(displayText(v, ctx));
};

/** text, varchar, bpchar, name, unknown: the same bytes either way. */
function textLike(oid: number, name: string, typlen: number, arrayOid: number): PgTypeCodec {
  return codec({
    oid, name, typlen, arrayOid,
    text: (v, ctx) => displayText(v, ctx),
    binary: utf8Binary,
    parseText: (s) => s,
    parseBinary: (b) => b.toString('utf8'),
  });
}

function intCodec(oid: number, name: string, bytes: 2 | 4, arrayOid: number): PgTypeCodec {
  return codec({
    oid, name, typlen: bytes, arrayOid,
    text: (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : asBigInt(v).toString()),
    writeText: writeSafeIntText,
    binary: (v, _ctx, w) => {
      const n = asNumber(v);
      w.int32(bytes);
      if (bytes === 2) w.int16(n);
      else w.int32(n);
    },
    parseText: (s) => parseInteger(s, bytes === 2 ? 16 : 32),
    parseBinary: (b) => {
      fixedLength(b, bytes, name);
      return bytes === 2 ? b.readInt16BE(0) : b.readInt32BE(0);
    },
  });
}

/** oid and the reg* types: unsigned 32-bit on the wire; reg* text is whatever name the engine gives. */
function oidCodec(oid: number, name: string, arrayOid: number): PgTypeCodec {
  return codec({
    oid, name, typlen: 4, arrayOid,
    text: (v, ctx) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : displayText(v, ctx)),
    binary: (v, _ctx, w) => {
      if (typeof v === 'string' && !/^\d+$/.test(v)) throw new BinaryFormatError(`binary format of ${name} needs a numeric OID, got "${v}"`);
      const n = asNumber(v);
      w.int32(4).uint32(n >>> 0);
    },
    parseText: (s) => (name === 'oid' ? parseOid(s) : /^\s*\d+\s*$/.test(s) ? parseOid(s) : s),
    parseBinary: (b) => {
      fixedLength(b, 4, name);
      return b.readUInt32BE(0);
    },
  });
}

function toDays(v: EngineValue): number {
  if (v instanceof EngineDate) return v.days;
  if (v instanceof EngineTimestamp) return Number((v.micros - (((v.micros % 86_400_000_000n) + 86_400_000_000n) % 86_400_000_000n)) / 86_400_000_000n);
  if (typeof v === 'string') return parseDate(v).days;
  if (typeof v === 'number') return v;
  throw new BinaryFormatError(`cannot send ${describeValue(v)} as a date`);
}

function toMicros(v: EngineValue, withTimeZone: boolean, ctx: FormatContext): bigint {
  if (v instanceof EngineTimestamp) return v.micros;
  if (v instanceof EngineDate) return BigInt(v.days) * 86_400_000_000n;
  if (typeof v === 'string') return parseTimestamp(v, withTimeZone, ctx.timeZone).micros;
  if (typeof v === 'bigint') return v;
  throw new BinaryFormatError(`cannot send ${describeValue(v)} as a timestamp`);
}

function timeMicros(v: EngineValue): bigint {
  if (v instanceof EngineTime) return v.micros;
  if (typeof v === 'string') return parseTime(v).micros;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  throw new BinaryFormatError(`cannot send ${describeValue(v)} as a time`);
}

function toInterval(v: EngineValue): EngineInterval {
  if (v instanceof EngineInterval) return v;
  if (typeof v === 'string') return parseInterval(v);
  throw new BinaryFormatError(`cannot send ${describeValue(v)} as an interval`);
}

function timestampCodec(withTimeZone: boolean): PgTypeCodec {
  const name = withTimeZone ? 'timestamptz' : 'timestamp';
  return codec({
    oid: withTimeZone ? OID.timestamptz : OID.timestamp,
    name,
    typlen: 8,
    arrayOid: withTimeZone ? 1185 : 1115,
    text: (v, ctx) => {
      if (typeof v === 'string') return v;
      const micros = toMicros(v, withTimeZone, ctx);
      return withTimeZone ? formatTimestamptz(micros, ctx.timeZone) : formatTimestamp(micros);
    },
    writeText: (v, ctx, w) => v instanceof EngineTimestamp && writeTimestampText(w, v.micros, withTimeZone ? ctx.timeZone : undefined),
    binary: (v, ctx, w) => {
      const micros = toMicros(v, withTimeZone, ctx);
      const us = Number(micros);
      if (us > -FAST_MICROS && us < FAST_MICROS) {
        w.int32(8).int64n(us - PG_EPOCH_US);
        return;
      }
      const out = micros === TIMESTAMP_INFINITY ? TIMESTAMP_INFINITY : micros === -TIMESTAMP_INFINITY || micros === TIMESTAMP_NEG_INFINITY_PG ? TIMESTAMP_NEG_INFINITY_PG : micros - PG_EPOCH_MICROS;
      w.int32(8).int64(out);
    },
    parseText: (s, ctx) => parseTimestamp(s, withTimeZone, ctx.timeZone),
    parseBinary: (b) => {
      fixedLength(b, 8, name);
      const raw = b.readBigInt64BE(0);
      const micros = raw === TIMESTAMP_INFINITY ? TIMESTAMP_INFINITY : raw === TIMESTAMP_NEG_INFINITY_PG ? -TIMESTAMP_INFINITY : raw + PG_EPOCH_MICROS;
      return new EngineTimestamp(micros, withTimeZone);
    },
  });
}

/** numeric's text for any numeric-ish engine value. */
function numericText(v: EngineValue): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return formatNumeric(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  throw new BinaryFormatError(`cannot send ${describeValue(v)} as numeric`);
}

const SCALARS: PgTypeCodec[] = [
  codec({
    oid: OID.bool, name: 'bool', typlen: 1, arrayOid: 1000,
    text: (v) => (typeof v === 'boolean' ? formatBool(v) : formatBool(asNumber(v) !== 0)),
    binary: (v, _ctx, w) => {
      w.int32(1).byte(v === true || (typeof v !== 'boolean' && asNumber(v) !== 0) ? 1 : 0);
    },
    parseText: (s) => parseBool(s),
    parseBinary: (b) => {
      fixedLength(b, 1, 'boolean');
      return b[0] !== 0;
    },
  }),
  codec({
    oid: OID.bytea, name: 'bytea', typlen: -1, arrayOid: 1001,
    text: (v, ctx) => {
      const b = v instanceof Uint8Array ? v : Buffer.from(displayText(v, ctx), 'utf8');
      return ctx.byteaOutput === 'hex' ? formatByteaHex(b) : formatByteaEscape(b);
    },
    binary: (v, ctx, w) => {
      const b = v instanceof Uint8Array ? v : Buffer.from(displayText(v, ctx), 'utf8');
      w.int32(b.length).bytes(b);
    },
    parseText: (s) => parseBytea(s),
    parseBinary: (b) => Buffer.from(b),
  }),
  codec({
    oid: OID.char, name: 'char', typlen: 1, arrayOid: 1002,
    text: (v, ctx) => displayText(v, ctx),
    binary: (v, ctx, w) => {
      const b = Buffer.from(displayText(v, ctx), 'utf8').subarray(0, 1);
      w.int32(b.length).bytes(b);
    },
    parseText: (s) => s,
    parseBinary: (b) => b.toString('utf8'),
  }),
  textLike(OID.name, 'name', 64, 1003),
  codec({
    oid: OID.int8, name: 'int8', typlen: 8, arrayOid: 1016,
    text: (v) => asBigInt(v).toString(),
    writeText: writeSafeIntText,
    binary: (v, _ctx, w) => {
      w.int32(8).int64(asBigInt(v));
    },
    parseText: (s) => parseBigint(s),
    parseBinary: (b) => {
      fixedLength(b, 8, 'bigint');
      return b.readBigInt64BE(0);
    },
  }),
  intCodec(OID.int2, 'int2', 2, 1005),
  intCodec(OID.int4, 'int4', 4, 1007),
  oidCodec(OID.regproc, 'regproc', 1008),
  textLike(OID.text, 'text', -1, 1009),
  oidCodec(OID.oid, 'oid', 1028),
  codec({
    oid: OID.json, name: 'json', typlen: -1, arrayOid: 199,
    text: (v, ctx) => (typeof v === 'string' ? v : jsonText(v, undefined, ctx)),
    binary: (v, ctx, w) => {
      w.lengthPrefixedUtf8(typeof v === 'string' ? v : jsonText(v, undefined, ctx));
    },
    parseText: (s) => s,
    parseBinary: (b) => b.toString('utf8'),
  }),
  codec({
    oid: OID.float4, name: 'float4', typlen: 4, arrayOid: 1021,
    text: (v, ctx) => formatFloat4(asNumber(v), ctx.extraFloatDigits),
    binary: (v, _ctx, w) => {
      w.int32(4).float32(asNumber(v));
    },
    parseText: (s) => Math.fround(parseFloat8(s, 'real')),
    parseBinary: (b) => {
      fixedLength(b, 4, 'real');
      return b.readFloatBE(0);
    },
  }),
  codec({
    oid: OID.float8, name: 'float8', typlen: 8, arrayOid: 1022,
    text: (v, ctx) => formatFloat8(asNumber(v), ctx.extraFloatDigits),
    binary: (v, _ctx, w) => {
      w.int32(8).float64(asNumber(v));
    },
    parseText: (s) => parseFloat8(s),
    parseBinary: (b) => {
      fixedLength(b, 8, 'double precision');
      return b.readDoubleBE(0);
    },
  }),
  textLike(OID.unknown, 'unknown', -2, 0),
  textLike(OID.bpchar, 'bpchar', -1, 1014),
  textLike(OID.varchar, 'varchar', -1, 1015),
  codec({
    oid: OID.date, name: 'date', typlen: 4, arrayOid: 1182,
    text: (v) => (typeof v === 'string' ? v : formatDate(toDays(v))),
    writeText: (v, _ctx, w) => v instanceof EngineDate && writeDateText(w, v.days),
    binary: (v, _ctx, w) => {
      const days = toDays(v);
      w.int32(4).int32(days === DATE_INFINITY ? 0x7fffffff : days === -DATE_INFINITY || days === -DATE_INFINITY - 1 ? -0x80000000 : days - PG_EPOCH_DAYS);
    },
    parseText: (s) => parseDate(s),
    parseBinary: (b) => {
      fixedLength(b, 4, 'date');
      const raw = b.readInt32BE(0);
      return new EngineDate(raw === 0x7fffffff ? DATE_INFINITY : raw === -0x80000000 ? -DATE_INFINITY : raw + PG_EPOCH_DAYS);
    },
  }),
  codec({
    oid: OID.time, name: 'time', typlen: 8, arrayOid: 1183,
    text: (v) => (typeof v === 'string' ? v : formatTime(timeMicros(v))),
    binary: (v, _ctx, w) => {
      w.int32(8).int64(timeMicros(v));
    },
    parseText: (s) => parseTime(s),
    parseBinary: (b) => {
      fixedLength(b, 8, 'time');
      return new EngineTime(b.readBigInt64BE(0));
    },
  }),
  timestampCodec(false),
  timestampCodec(true),
  codec({
    oid: OID.interval, name: 'interval', typlen: 16, arrayOid: 1187,
    text: (v) => {
      if (typeof v === 'string') return v;
      const i = toInterval(v);
      return formatInterval(i.months, i.days, i.micros);
    },
    binary: (v, _ctx, w) => {
      const i = toInterval(v);
      w.int32(16).int64(i.micros).int32(i.days).int32(i.months);
    },
    parseText: (s) => parseInterval(s),
    parseBinary: (b) => {
      fixedLength(b, 16, 'interval');
      return new EngineInterval(b.readInt32BE(12), b.readInt32BE(8), b.readBigInt64BE(0));
    },
  }),
  codec({
    // Engine times carry no zone; a timetz column (an override) is sent at UTC.
    oid: OID.timetz, name: 'timetz', typlen: 12, arrayOid: 1270,
    text: (v) => (typeof v === 'string' ? v : `${formatTime(timeMicros(v))}+00`),
    binary: (v, _ctx, w) => {
      w.int32(12).int64(timeMicros(v)).int32(0);
    },
    parseText: (s) => parseTime(s),
    parseBinary: (b) => {
      fixedLength(b, 12, 'time with time zone');
      return new EngineTime(b.readBigInt64BE(0) + BigInt(b.readInt32BE(8)) * 1_000_000n);
    },
  }),
  codec({
    oid: OID.numeric, name: 'numeric', typlen: -1, arrayOid: 1231,
    text: (v) => numericText(v),
    binary: (v, _ctx, w) => {
      writeNumericBinary(w, numericText(v));
    },
    parseText: (s) => parseNumeric(s),
    parseBinary: (b) => numericFromBinary(b),
  }),
  oidCodec(OID.regclass, 'regclass', 2210),
  oidCodec(OID.regtype, 'regtype', 2211),
  codec({
    oid: OID.uuid, name: 'uuid', typlen: 16, arrayOid: 2951,
    text: (v, ctx) => (typeof v === 'string' ? v.toLowerCase() : v instanceof Uint8Array ? uuidFromBinary(Buffer.from(v)) : displayText(v, ctx)),
    binary: (v, ctx, w) => {
      const b = v instanceof Uint8Array ? Buffer.from(v) : uuidToBinary(displayText(v, ctx));
      w.int32(16).bytes(b);
    },
    parseText: (s) => parseUuid(s),
    parseBinary: (b) => uuidFromBinary(b),
  }),
  codec({
    oid: OID.jsonb, name: 'jsonb', typlen: -1, arrayOid: 3807,
    text: (v, ctx) => (typeof v === 'string' ? v : jsonText(v, undefined, ctx)),
    binary: (v, ctx, w) => {
      const s = typeof v === 'string' ? v : jsonText(v, undefined, ctx);
      const n = Buffer.byteLength(s, 'utf8');
      w.int32(n + 1).byte(1).utf8(s);
    },
    parseText: (s) => s,
    parseBinary: (b) => {
      if (b[0] !== 1) throw new BinaryFormatError('unsupported jsonb version number');
      return b.subarray(1).toString('utf8');
    },
  }),
  oidCodec(OID.regnamespace, 'regnamespace', 4090),
];

// ---- arrays --------------------------------------------------------------------------------------

/** array_send / array_recv and array_out / array_in over an element codec. */
export function arrayCodec(element: PgTypeCodec): PgTypeCodec {
  const oid = element.arrayOid;
  const name = `_${element.name}`;
  const textOf = (v: EngineValue, ctx: FormatContext): string => {
    if (!Array.isArray(v)) return typeof v === 'string' ? v : displayText(v, ctx);
    return formatArray(v.map((e) => (e === null ? null : Array.isArray(e) ? null : element.text(e, ctx))));
  };
  const fromText = (t: NestedText, ctx: FormatContext): EngineValue =>
    t === null ? null : Array.isArray(t) ? t.map((x) => fromText(x, ctx)) : element.parseText(t, ctx);
  return codec({
    oid, name, typlen: -1, arrayOid: 0,
    text: (v, ctx) => {
      if (Array.isArray(v) && v.some(Array.isArray)) return nestedArrayText(v, element, ctx);
      return textOf(v, ctx);
    },
    binary: (v, ctx, w) => {
      if (!Array.isArray(v)) throw new BinaryFormatError(`cannot send ${describeValue(v)} as an array`);
      const dims: number[] = [];
      for (let level: EngineValue = v; Array.isArray(level); level = level[0] ?? null) {
        dims.push(level.length);
        if (level.length === 0) break;
      }
      const flat: EngineValue[] = [];
      const walk = (x: EngineValue, depth: number): void => {
        if (depth === dims.length) {
          flat.push(x);
          return;
        }
        if (!Array.isArray(x) || x.length !== dims[depth]) throw new BinaryFormatError('multidimensional arrays must have sub-arrays with matching dimensions');
        for (const e of x) walk(e, depth + 1);
      };
      walk(v, 0);
      const empty = dims[0] === 0;
      const at = w.length;
      w.int32(0); // length, back-patched
      w.int32(empty ? 0 : dims.length).int32(flat.some((e) => e === null) ? 1 : 0).uint32(element.oid);
      if (!empty) for (const d of dims) w.int32(d).int32(1);
      for (const e of flat) {
        if (e === null) w.int32(-1);
        else element.binary(e, ctx, w);
      }
      w.patchInt32(at, w.length - at - 4);
    },
    parseText: (s, ctx) => fromText(parseArrayText(s), ctx),
    parseBinary: (b, ctx) => {
      if (b.length < 12) throw badBinary(name);
      const ndim = b.readInt32BE(0);
      const elemOid = b.readUInt32BE(8);
      if (ndim < 0 || ndim > 6) throw new BinaryFormatError(`invalid number of dimensions: ${ndim}`);
      if (elemOid !== element.oid) throw new BinaryFormatError(`binary data has array element type ${elemOid} instead of expected ${element.oid}`);
      if (ndim === 0) return [];
      const dims: number[] = [];
      let pos = 12;
      for (let i = 0; i < ndim; i++) {
        if (pos + 8 > b.length) throw badBinary(name);
        dims.push(b.readInt32BE(pos));
        pos += 8;
      }
      const total = dims.reduce((a, d) => a * d, 1);
      const flat: EngineValue[] = [];
      for (let i = 0; i < total; i++) {
        if (pos + 4 > b.length) throw badBinary(name);
        const len = b.readInt32BE(pos);
        pos += 4;
        if (len === -1) {
          flat.push(null);
          continue;
        }
        if (len < 0 || pos + len > b.length) throw badBinary(name);
        flat.push(element.parseBinary(b.subarray(pos, pos + len), ctx));
        pos += len;
      }
      if (pos !== b.length) throw badBinary(name);
      const build = (depth: number, offset: { i: number }): EngineValue[] => {
        const out: EngineValue[] = [];
        for (let k = 0; k < dims[depth]!; k++) out.push(depth === dims.length - 1 ? flat[offset.i++]! : build(depth + 1, offset));
        return out;
      };
      return build(0, { i: 0 });
    },
  });
}

function nestedArrayText(v: EngineValue[], element: PgTypeCodec, ctx: FormatContext): string {
  const level = (x: EngineValue): string => {
    if (Array.isArray(x)) return `{${x.map(level).join(',')}}`;
    return formatArray([x === null ? null : element.text(x, ctx)]).slice(1, -1);
  };
  return level(v);
}

/** int2vector / oidvector: space-separated text, array binary. */
function vectorCodec(oid: number, name: string, element: PgTypeCodec, arrayOid: number): PgTypeCodec {
  const arr = arrayCodec(element);
  return codec({
    oid, name, typlen: -1, arrayOid,
    text: (v, ctx) => (Array.isArray(v) ? v.map((e) => (e === null ? '' : element.text(e, ctx))).join(' ') : displayText(v, ctx)),
    binary: (v, ctx, w) => arr.binary(v, ctx, w),
    parseText: (s, ctx) => s.trim().split(/\s+/).filter((t) => t !== '').map((t) => element.parseText(t, ctx)),
    parseBinary: (b, ctx) => arr.parseBinary(b, ctx),
  });
}

const BY_OID = new Map<number, PgTypeCodec>();
for (const c of SCALARS) BY_OID.set(c.oid, c);
for (const c of SCALARS) if (c.arrayOid !== 0) BY_OID.set(c.arrayOid, arrayCodec(c));
BY_OID.set(OID.int2vector, vectorCodec(OID.int2vector, 'int2vector', BY_OID.get(OID.int2)!, 1006));
BY_OID.set(OID.oidvector, vectorCodec(OID.oidvector, 'oidvector', BY_OID.get(OID.oid)!, 1013));

/** The codec of a PostgreSQL type OID this layer speaks, or undefined. */
export function codecForOid(oid: number): PgTypeCodec | undefined {
  return BY_OID.get(oid);
}

// ---- engine types ----------------------------------------------------------------------------------

/** A result column's type as RowDescription announces it, with the codec for its values. */
export interface PgColumnType {
  oid: number;
  typlen: number;
  typmod: number;
  codec: PgTypeCodec;
}

/** Struct/map/nested-list columns need their engine type to print (map vs struct). */
function jsonCodecFor(type: EngineType): PgTypeCodec {
  const base = BY_OID.get(OID.json)!;
  return {
    ...base,
    text: (v, ctx) => (typeof v === 'string' ? v : jsonText(v, type, ctx)),
    binary: (v, ctx, w) => {
      w.lengthPrefixedUtf8(typeof v === 'string' ? v : jsonText(v, type, ctx));
    },
  };
}

export function pgColumnType(type: EngineType): PgColumnType {
  const t = pgTypeOf(type);
  if (t.oid === OID.json && type.kind !== 'json') return { ...t, codec: jsonCodecFor(type) };
  return { ...t, codec: BY_OID.get(t.oid)! };
}

// ---- parameters ---------------------------------------------------------------------------------

/** A Bind parameter that does not decode; `sqlstate` is PostgreSQL's for the case. */
export class ParamDecodeError extends Error {
  constructor(readonly sqlstate: string, message: string) {
    super(message);
    this.name = 'ParamDecodeError';
  }
}

/**
 * A Bind parameter as an engine value. Text parameters of unknown type (OID 0 or 705) stay
 * strings; typed ones are read by their type's input function. `index` is 0-based.
 */
export function decodeParam(oid: number, format: number, bytes: Buffer, ctx: FormatContext, index: number): EngineValue {
  if (format === 0) {
    const text = bytes.toString('utf8');
    if (oid === 0 || oid === OID.unknown) return text;
    const c = BY_OID.get(oid);
    if (!c) return text;
    try {
      return c.parseText(text, ctx);
    } catch (e) {
      if (e instanceof InputSyntaxError) throw new ParamDecodeError(e.sqlstate, e.message);
      if (e instanceof BinaryFormatError) throw new ParamDecodeError('22P02', e.message);
      throw e;
    }
  }
  const c = oid === 0 || oid === OID.unknown ? undefined : BY_OID.get(oid);
  if (!c) {
    throw new ParamDecodeError('22P03', `binary format of parameter $${index + 1} of type ${oid} is not supported; send it as text`);
  }
  try {
    return c.parseBinary(bytes, ctx);
  } catch (e) {
    if (e instanceof BinaryFormatError || e instanceof ProtocolViolation || e instanceof RangeError) {
      throw new ParamDecodeError('22P03', `incorrect binary data format in bind parameter ${index + 1}`);
    }
    if (e instanceof InputSyntaxError) throw new ParamDecodeError(e.sqlstate, e.message);
    throw e;
  }
}

/** Encodes one non-null value for a DataRow field (length-prefixed) in the requested format. */
export function writeValue(w: Writer, c: PgTypeCodec, v: EngineValue, format: number, ctx: FormatContext): void {
  if (v === null) {
    w.int32(-1);
    return;
  }
  if (format === 1) c.binary(v, ctx, w);
  else if (c.writeText === undefined || !c.writeText(v, ctx, w)) w.lengthPrefixedUtf8(c.text(v, ctx));
}
