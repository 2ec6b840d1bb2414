/**
 * Frontend (client → server) messages of the PostgreSQL v3 protocol: parse and serialize.
 * Pure functions over bytes; the server parses, test clients serialize.
 *
 * Two framings exist. Before the StartupMessage, packets carry no type byte: Int32 length then
 * body (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage are told apart by the first
 * Int32 of the body). After it, every message is a type byte, an Int32 length (counting itself)
 * and the body. `body` below is always the bytes after the length.
 */
import { ProtocolViolation, Reader, Writer } from './bytes.ts';

/** Protocol 3.0, as the StartupMessage's version field. */
export const PROTOCOL_3_0 = (3 << 16) | 0;
export const SSL_REQUEST_CODE = (1234 << 16) | 5679;
export const GSSENC_REQUEST_CODE = (1234 << 16) | 5680;
export const CANCEL_REQUEST_CODE = (1234 << 16) | 5678;

export type DescribeTarget = 'S' | 'P';

export type StartupPacket =
  | { type: 'SSLRequest' }
  | { type: 'GSSENCRequest' }
  /** `secretKey` is 4 bytes in protocol 3.0 (longer keys exist from 3.2). */
  | { type: 'CancelRequest'; processId: number; secretKey: Buffer }
  /** `protocolVersion` is major << 16 | minor; `params` in the order sent (user, database, options, GUCs…). */
  | { type: 'StartupMessage'; protocolVersion: number; params: Map<string, string> };

export type FrontendMessage =
  /**
   * 'p': PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share one type byte;
   * only the authentication step tells which, so the body stays raw (see `parseAuthResponse`).
   */
  | { type: 'AuthResponse'; body: Buffer }
  | { type: 'Query'; sql: string }
  | { type: 'Parse'; name: string; sql: string; paramTypes: number[] }
  | {
      type: 'Bind';
      portal: string;
      statement: string;
      /** 0 codes: all text; 1 code: applies to every parameter; else one per parameter. */
      paramFormats: number[];
      /** null = SQL NULL. */
      params: (Buffer | null)[];
      /** 0 codes: all text; 1 code: applies to every column; else one per column. */
      resultFormats: number[];
    }
  | { type: 'Describe'; target: DescribeTarget; name: string }
  /** `maxRows` 0 = no limit. */
  | { type: 'Execute'; portal: string; maxRows: number }
  | { type: 'Sync' }
  | { type: 'Flush' }
  | { type: 'Close'; target: DescribeTarget; name: string }
  | { type: 'Terminate' }
  | { type: 'CopyData'; data: Buffer }
  | { type: 'CopyDone' }
  | { type: 'CopyFail'; message: string }
  /** 'F': the legacy fast-path function call; kept raw (the server refuses it). */
  | { type: 'FunctionCall'; body: Buffer };

/** The body of a 'p' message, read according to the authentication step. */
export type AuthResponse =
  | { type: 'PasswordMessage'; password: string }
  /** `data` null when the client sent length -1 (no initial response). */
  | { type: 'SASLInitialResponse'; mechanism: string; data: Buffer | null }
  | { type: 'SASLResponse'; data: Buffer };

export const FRONTEND_TYPE_BYTES: Record<FrontendMessage['type'], number> = {
  AuthResponse: 0x70, // p
  Query: 0x51, // Q
  Parse: 0x50, // P
  Bind: 0x42, // B
  Describe: 0x44, // D
  Execute: 0x45, // E
  Sync: 0x53, // S
  Flush: 0x48, // H
  Close: 0x43, // C
  Terminate: 0x58, // X
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyFail: 0x66, // f
  FunctionCall: 0x46, // F
};

/** Parses a startup-phase packet body (after its Int32 length). */
export function parseStartupPacket(body: Buffer): StartupPacket {
  const r = new Reader(body);
  const code = r.int32();
  switch (code) {
    case SSL_REQUEST_CODE:
      r.end('SSLRequest');
      return { type: 'SSLRequest' };
    case GSSENC_REQUEST_CODE:
      r.end('GSSENCRequest');
      return { type: 'GSSENCRequest' };
    case CANCEL_REQUEST_CODE: {
      const processId = r.int32();
      const secretKey = Buffer.from(r.rest());
      if (secretKey.length < 4 || secretKey.length > 256) throw new ProtocolViolation('invalid length of cancel request packet');
      return { type: 'CancelRequest', processId, secretKey };
    }
    default: {
      if (code >>> 16 !== 3) {
        throw new ProtocolViolation(`unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0 to 3.0`);
      }
      const params = new Map<string, string>();
      for (;;) {
        const name = r.cstring();
        if (name === '') break;
        params.set(name, r.cstring());
      }
      if (r.remaining !== 0) throw new ProtocolViolation('invalid startup packet layout: expected terminator as last byte');
      return { type: 'StartupMessage', protocolVersion: code, params };
    }
  }
}

export function serializeStartupPacket(p: StartupPacket): Buffer {
  const w = new Writer(64).begin();
  switch (p.type) {
    case 'SSLRequest':
      w.int32(SSL_REQUEST_CODE);
      break;
    case 'GSSENCRequest':
      w.int32(GSSENC_REQUEST_CODE);
      break;
    case 'CancelRequest':
      w.int32(CANCEL_REQUEST_CODE).int32(p.processId).bytes(p.secretKey);
      break;
    case 'StartupMessage':
      w.int32(p.protocolVersion);
      for (const [k, v] of p.params) w.cstring(k).cstring(v);
      w.byte(0);
      break;
  }
  return w.finish().take();
}

function readFormats(r: Reader, what: string): number[] {
  const n = r.int16();
  if (n < 0) throw new ProtocolViolation(`invalid ${what} count`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.int16();
    if (f !== 0 && f !== 1) throw new ProtocolViolation(`unsupported format code: ${f}`);
    out.push(f);
  }
  return out;
}

function readTarget(r: Reader, what: string): DescribeTarget {
  const t = r.byte();
  if (t === 0x53) return 'S';
  if (t === 0x50) return 'P';
  throw new ProtocolViolation(`invalid ${what} message subtype ${t}`);
}

/** Parses a typed frontend message; an unknown type byte is a protocol violation. */
export function parseFrontendMessage(type: number, body: Buffer): FrontendMessage {
  const r = new Reader(body);
  let m: FrontendMessage;
  switch (type) {
    case 0x70:
      return { type: 'AuthResponse', body: Buffer.from(body) };
    case 0x51:
      m = { type: 'Query', sql: r.cstring() };
      r.end('Query');
      return m;
    case 0x50: {
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.int16();
      if (n < 0) throw new ProtocolViolation('invalid Parse parameter count');
      const paramTypes: number[] = [];
      for (let i = 0; i < n; i++) paramTypes.push(r.uint32());
      r.end('Parse');
      return { type: 'Parse', name, sql, paramTypes };
    }
    case 0x42: {
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats = readFormats(r, 'parameter format');
      const n = r.int16();
      if (n < 0) throw new ProtocolViolation('invalid Bind parameter count');
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.int32();
        if (len === -1) params.push(null);
        else if (len < 0) throw new ProtocolViolation(`invalid Bind parameter length ${len}`);
        else params.push(Buffer.from(r.bytes(len)));
      }
      const resultFormats = readFormats(r, 'result format');
      r.end('Bind');
      return { type: 'Bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 0x44: {
      const target = readTarget(r, 'Describe');
      m = { type: 'Describe', target, name: r.cstring() };
      r.end('Describe');
      return m;
    }
    case 0x45: {
      const portal = r.cstring();
      const maxRows = r.int32();
      r.end('Execute');
      return { type: 'Execute', portal, maxRows: maxRows < 0 ? 0 : maxRows };
    }
    case 0x53:
      r.end('Sync');
      return { type: 'Sync' };
    case 0x48:
      r.end('Flush');
      return { type: 'Flush' };
    case 0x43: {
      const target = readTarget(r, 'Close');
      m = { type: 'Close', target, name: r.cstring() };
      r.end('Close');
      return m;
    }
    case 0x58:
      r.end('Terminate');
      return { type: 'Terminate' };
    case 0x64:
      return { type: 'CopyData', data: Buffer.from(body) };
    case 0x63:
      return { type: 'CopyDone' };
    case 0x66:
      m = { type: 'CopyFail', message: r.cstring() };
      r.end('CopyFail');
      return m;
    case 0x46:
      return { type: 'FunctionCall', body: Buffer.from(body) };
    default:
      throw new ProtocolViolation(`invalid frontend message type ${type}`);
  }
}

/** Reads a 'p' body as the message the authentication step expects. */
export function parseAuthResponse(expect: AuthResponse['type'], body: Buffer): AuthResponse {
  const r = new Reader(body);
  switch (expect) {
    case 'PasswordMessage': {
      const password = r.cstring();
      r.end('password');
      return { type: 'PasswordMessage', password };
    }
    case 'SASLInitialResponse': {
      const mechanism = r.cstring();
      const len = r.int32();
      const data = len === -1 ? null : Buffer.from(r.bytes(len));
      r.end('SASLInitialResponse');
      return { type: 'SASLInitialResponse', mechanism, data };
    }
    case 'SASLResponse':
      return { type: 'SASLResponse', data: Buffer.from(body) };
  }
}

export function serializeAuthResponse(m: AuthResponse): Buffer {
  const w = new Writer(64).begin(0x70);
  switch (m.type) {
    case 'PasswordMessage':
      w.cstring(m.password);
      break;
    case 'SASLInitialResponse':
      w.cstring(m.mechanism);
      if (m.data === null) w.int32(-1);
      else w.int32(m.data.length).bytes(m.data);
      break;
    case 'SASLResponse':
      w.bytes(m.data);
      break;
  }
  return w.finish().take();
}

export function serializeFrontend(m: FrontendMessage, w = new Writer(64)): Writer {
  w.begin(FRONTEND_TYPE_BYTES[m.type]);
  switch (m.type) {
    case 'AuthResponse':
      w.bytes(m.body);
      break;
    case 'Query':
      w.cstring(m.sql);
      break;
    case 'Parse':
      w.cstring(m.name).cstring(m.sql).int16(m.paramTypes.length);
      for (const t of m.paramTypes) w.uint32(t);
      break;
    case 'Bind':
      w.cstring(m.portal).cstring(m.statement).int16(m.paramFormats.length);
      for (const f of m.paramFormats) w.int16(f);
      w.int16(m.params.length);
      for (const p of m.params) {
        if (p === null) w.int32(-1);
        else w.int32(p.length).bytes(p);
      }
      w.int16(m.resultFormats.length);
      for (const f of m.resultFormats) w.int16(f);
      break;
    case 'Describe':
    case 'Close':
      w.byte(m.target.charCodeAt(0)).cstring(m.name);
      break;
    case 'Execute':
      w.cstring(m.portal).int32(m.maxRows);
      break;
    case 'CopyData':
      w.bytes(m.data);
      break;
    case 'CopyFail':
      w.cstring(m.message);
      break;
    case 'FunctionCall':
      w.bytes(m.body);
      break;
    case 'Sync':
    case 'Flush':
    case 'Terminate':
    case 'CopyDone':
      break;
  }
  return w.finish();
}

/** One message as bytes (tests and clients). */
export function frontendBytes(...messages: FrontendMessage[]): Buffer {
  const w = new Writer(256);
  for (const m of messages) serializeFrontend(m, w);
  return w.take();
}
