/**
 * Backend (server → client) messages of the PostgreSQL v3 protocol: serialize (the server) and
 * parse (tests and clients). Pure functions over bytes.
 */
import { ProtocolViolation, Reader, Writer } from './bytes.ts';

export type TransactionStatus = 'I' | 'T' | 'E';

/** One column of a RowDescription. */
export interface FieldDescription {
  name: string;
  /** The table's OID when the column is a plain table column, else 0. */
  tableOid: number;
  /** The column's attribute number in that table, else 0. */
  columnAttr: number;
  typeOid: number;
  /** pg_type.typlen: a fixed size in bytes, or -1 (varlena) / -2 (cstring). */
  typeSize: number;
  /** pg_attribute.atttypmod, -1 when none. */
  typeModifier: number;
  /** 0 text, 1 binary. */
  format: number;
}

/**
 * The fields of an ErrorResponse or NoticeResponse, by their protocol code. `severity` is
 * localized (S), `severityNonLocalized` is not (V, since PostgreSQL 9.6); `code` is the SQLSTATE.
 */
export interface NoticeFields {
  severity: string; // S
  severityNonLocalized?: string; // V
  code: string; // C
  message: string; // M
  detail?: string; // D
  hint?: string; // H
  /** A 1-based character (not byte) index into the query string (P). */
  position?: number;
  internalPosition?: number; // p
  internalQuery?: string; // q
  where?: string; // W
  schema?: string; // s
  table?: string; // t
  column?: string; // c
  dataType?: string; // d
  constraint?: string; // n
  file?: string; // F
  line?: number; // L
  routine?: string; // R
}

const FIELD_CODES: [keyof NoticeFields, string][] = [
  ['severity', 'S'],
  ['severityNonLocalized', 'V'],
  ['code', 'C'],
  ['message', 'M'],
  ['detail', 'D'],
  ['hint', 'H'],
  ['position', 'P'],
  ['internalPosition', 'p'],
  ['internalQuery', 'q'],
  ['where', 'W'],
  ['schema', 's'],
  ['table', 't'],
  ['column', 'c'],
  ['dataType', 'd'],
  ['constraint', 'n'],
  ['file', 'F'],
  ['line', 'L'],
  ['routine', 'R'],
];
const NUMERIC_FIELDS = new Set<keyof NoticeFields>(['position', 'internalPosition', 'line']);
const FIELD_BY_CODE = new Map(FIELD_CODES.map(([k, c]) => [c.charCodeAt(0), k]));

export type BackendMessage =
  | { type: 'AuthenticationOk' }
  | { type: 'AuthenticationCleartextPassword' }
  | { type: 'AuthenticationMD5Password'; salt: Buffer }
  | { type: 'AuthenticationSASL'; mechanisms: string[] }
  | { type: 'AuthenticationSASLContinue'; data: Buffer }
  | { type: 'AuthenticationSASLFinal'; data: Buffer }
  | { type: 'ParameterStatus'; name: string; value: string }
  | { type: 'BackendKeyData'; processId: number; secretKey: Buffer }
  | { type: 'ReadyForQuery'; status: TransactionStatus }
  | { type: 'RowDescription'; fields: FieldDescription[] }
  /** null = SQL NULL. */
  | { type: 'DataRow'; values: (Buffer | null)[] }
  | { type: 'CommandComplete'; tag: string }
  | { type: 'EmptyQueryResponse' }
  | { type: 'ErrorResponse'; fields: NoticeFields }
  | { type: 'NoticeResponse'; fields: NoticeFields }
  | { type: 'ParseComplete' }
  | { type: 'BindComplete' }
  | { type: 'CloseComplete' }
  | { type: 'NoData' }
  | { type: 'PortalSuspended' }
  | { type: 'ParameterDescription'; types: number[] }
  /** `format` 0 text / 1 binary for the whole copy; `columnFormats` one per column. */
  | { type: 'CopyOutResponse'; format: number; columnFormats: number[] }
  | { type: 'CopyInResponse'; format: number; columnFormats: number[] }
  | { type: 'CopyData'; data: Buffer }
  | { type: 'CopyDone' }
  | { type: 'NegotiateProtocolVersion'; newestMinor: number; unrecognized: string[] }
  | { type: 'NotificationResponse'; processId: number; channel: string; payload: string };

export const BACKEND_TYPE_BYTES: Record<BackendMessage['type'], number> = {
  AuthenticationOk: 0x52,
  AuthenticationCleartextPassword: 0x52,
  AuthenticationMD5Password: 0x52,
  AuthenticationSASL: 0x52,
  AuthenticationSASLContinue: 0x52,
  AuthenticationSASLFinal: 0x52, // R
  ParameterStatus: 0x53, // S
  BackendKeyData: 0x4b, // K
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
  DataRow: 0x44, // D
  CommandComplete: 0x43, // C
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  NoticeResponse: 0x4e, // N
  ParseComplete: 0x31, // 1
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  NoData: 0x6e, // n
  PortalSuspended: 0x73, // s
  ParameterDescription: 0x74, // t
  CopyOutResponse: 0x48, // H
  CopyInResponse: 0x47, // G
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  NegotiateProtocolVersion: 0x76, // v
  NotificationResponse: 0x41, // A
};

const AUTH_CODES = { ok: 0, cleartext: 3, md5: 5, sasl: 10, saslContinue: 11, saslFinal: 12 } as const;

function writeNoticeFields(w: Writer, f: NoticeFields): void {
  for (const [key, code] of FIELD_CODES) {
    const v = f[key];
    if (v === undefined || v === '') continue;
    w.byte(code.charCodeAt(0)).cstring(String(v));
  }
  w.byte(0);
}

/** Appends one message to `w` (messages are batched into one buffer per socket write). */
export function serializeBackend(m: BackendMessage, w = new Writer(64)): Writer {
  w.begin(BACKEND_TYPE_BYTES[m.type]);
  switch (m.type) {
    case 'AuthenticationOk':
      w.int32(AUTH_CODES.ok);
      break;
    case 'AuthenticationCleartextPassword':
      w.int32(AUTH_CODES.cleartext);
      break;
    case 'AuthenticationMD5Password':
      w.int32(AUTH_CODES.md5).bytes(m.salt);
      break;
    case 'AuthenticationSASL':
      w.int32(AUTH_CODES.sasl);
      for (const mech of m.mechanisms) w.cstring(mech);
      w.byte(0);
      break;
    case 'AuthenticationSASLContinue':
      w.int32(AUTH_CODES.saslContinue).bytes(m.data);
      break;
    case 'AuthenticationSASLFinal':
      w.int32(AUTH_CODES.saslFinal).bytes(m.data);
      break;
    case 'ParameterStatus':
      w.cstring(m.name).cstring(m.value);
      break;
    case 'BackendKeyData':
      w.int32(m.processId).bytes(m.secretKey);
      break;
    case 'ReadyForQuery':
      w.byte(m.status.charCodeAt(0));
      break;
    case 'RowDescription':
      w.int16(m.fields.length);
      for (const f of m.fields) {
        w.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(f.typeOid).int16(f.typeSize).int32(f.typeModifier).int16(f.format);
      }
      break;
    case 'DataRow':
      w.int16(m.values.length);
      for (const v of m.values) {
        if (v === null) w.int32(-1);
        else w.int32(v.length).bytes(v);
      }
      break;
    case 'CommandComplete':
      w.cstring(m.tag);
      break;
    case 'ErrorResponse':
    case 'NoticeResponse':
      writeNoticeFields(w, m.fields);
      break;
    case 'ParameterDescription':
      w.int16(m.types.length);
      for (const t of m.types) w.uint32(t);
      break;
    case 'CopyOutResponse':
    case 'CopyInResponse':
      w.byte(m.format).int16(m.columnFormats.length);
      for (const f of m.columnFormats) w.int16(f);
      break;
    case 'CopyData':
      w.bytes(m.data);
      break;
    case 'NegotiateProtocolVersion':
      w.int32((3 << 16) | m.newestMinor).int32(m.unrecognized.length);
      for (const o of m.unrecognized) w.cstring(o);
      break;
    case 'NotificationResponse':
      w.int32(m.processId).cstring(m.channel).cstring(m.payload);
      break;
    case 'EmptyQueryResponse':
    case 'ParseComplete':
    case 'BindComplete':
    case 'CloseComplete':
    case 'NoData':
    case 'PortalSuspended':
    case 'CopyDone':
      break;
  }
  return w.finish();
}

/** Messages as one buffer. */
export function backendBytes(...messages: BackendMessage[]): Buffer {
  const w = new Writer(256);
  for (const m of messages) serializeBackend(m, w);
  return w.take();
}

function readNoticeFields(r: Reader): NoticeFields {
  const out: Partial<Record<keyof NoticeFields, string | number>> = {};
  for (;;) {
    const code = r.byte();
    if (code === 0) break;
    const value = r.cstring();
    const key = FIELD_BY_CODE.get(code);
    if (key === undefined) continue; // unknown fields are ignored, as the protocol asks
    out[key] = NUMERIC_FIELDS.has(key) ? Number(value) : value;
  }
  if (typeof out.severity !== 'string' || typeof out.code !== 'string' || typeof out.message !== 'string') {
    throw new ProtocolViolation('error or notice without severity, code or message');
  }
  return out as unknown as NoticeFields;
}

/** Parses one backend message (tests and clients). */
export function parseBackendMessage(type: number, body: Buffer): BackendMessage {
  const r = new Reader(body);
  let m: BackendMessage;
  switch (type) {
    case 0x52: {
      const code = r.int32();
      switch (code) {
        case AUTH_CODES.ok:
          m = { type: 'AuthenticationOk' };
          break;
        case AUTH_CODES.cleartext:
          m = { type: 'AuthenticationCleartextPassword' };
          break;
        case AUTH_CODES.md5:
          m = { type: 'AuthenticationMD5Password', salt: Buffer.from(r.bytes(4)) };
          break;
        case AUTH_CODES.sasl: {
          const mechanisms: string[] = [];
          for (;;) {
            const s = r.cstring();
            if (s === '') break;
            mechanisms.push(s);
          }
          m = { type: 'AuthenticationSASL', mechanisms };
          break;
        }
        case AUTH_CODES.saslContinue:
          return { type: 'AuthenticationSASLContinue', data: Buffer.from(r.rest()) };
        case AUTH_CODES.saslFinal:
          return { type: 'AuthenticationSASLFinal', data: Buffer.from(r.rest()) };
        default:
          throw new ProtocolViolation(`unsupported authentication request ${code}`);
      }
      r.end('Authentication');
      return m;
    }
    case 0x53:
      m = { type: 'ParameterStatus', name: r.cstring(), value: r.cstring() };
      break;
    case 0x4b:
      return { type: 'BackendKeyData', processId: r.int32(), secretKey: Buffer.from(r.rest()) };
    case 0x5a: {
      const s = String.fromCharCode(r.byte());
      if (s !== 'I' && s !== 'T' && s !== 'E') throw new ProtocolViolation(`invalid transaction status ${s}`);
      m = { type: 'ReadyForQuery', status: s };
      break;
    }
    case 0x54: {
      const n = r.int16();
      const fields: FieldDescription[] = [];
      for (let i = 0; i < n; i++) {
        fields.push({
          name: r.cstring(),
          tableOid: r.uint32(),
          columnAttr: r.int16(),
          typeOid: r.uint32(),
          typeSize: r.int16(),
          typeModifier: r.int32(),
          format: r.int16(),
        });
      }
      m = { type: 'RowDescription', fields };
      break;
    }
    case 0x44: {
      const n = r.int16();
      const values: (Buffer | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.int32();
        values.push(len === -1 ? null : Buffer.from(r.bytes(len)));
      }
      m = { type: 'DataRow', values };
      break;
    }
    case 0x43:
      m = { type: 'CommandComplete', tag: r.cstring() };
      break;
    case 0x49:
      m = { type: 'EmptyQueryResponse' };
      break;
    case 0x45:
      m = { type: 'ErrorResponse', fields: readNoticeFields(r) };
      break;
    case 0x4e:
      m = { type: 'NoticeResponse', fields: readNoticeFields(r) };
      break;
    case 0x31:
      m = { type: 'ParseComplete' };
      break;
    case 0x32:
      m = { type: 'BindComplete' };
      break;
    case 0x33:
      m = { type: 'CloseComplete' };
      break;
    case 0x6e:
      m = { type: 'NoData' };
      break;
    case 0x73:
      m = { type: 'PortalSuspended' };
      break;
    case 0x74: {
      const n = r.int16();
      const types: number[] = [];
      for (let i = 0; i < n; i++) types.push(r.uint32());
      m = { type: 'ParameterDescription', types };
      break;
    }
    case 0x48:
    case 0x47: {
      const format = r.byte();
      const n = r.int16();
      const columnFormats: number[] = [];
      for (let i = 0; i < n; i++) columnFormats.push(r.int16());
      m = { type: type === 0x48 ? 'CopyOutResponse' : 'CopyInResponse', format, columnFormats };
      break;
    }
    case 0x64:
      return { type: 'CopyData', data: Buffer.from(body) };
    case 0x63:
      m = { type: 'CopyDone' };
      break;
    case 0x76: {
      const newestMinor = r.int32() & 0xffff;
      const n = r.int32();
      const unrecognized: string[] = [];
      for (let i = 0; i < n; i++) unrecognized.push(r.cstring());
      m = { type: 'NegotiateProtocolVersion', newestMinor, unrecognized };
      break;
    }
    case 0x41:
      m = { type: 'NotificationResponse', processId: r.int32(), channel: r.cstring(), payload: r.cstring() };
      break;
    default:
      throw new ProtocolViolation(`unknown backend message type ${type}`);
  }
  r.end(m.type);
  return m;
}
