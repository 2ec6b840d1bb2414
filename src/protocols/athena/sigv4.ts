/**
 * AWS Signature Version 4, the server's side: parse the `Authorization` header (or a presigned
 * URL's query), rebuild the canonical request from what arrived on the wire, and compute the
 * signature the client must have sent. Pure: no sockets, no clock, no key lookup.
 *
 * Invariants:
 * - The canonical request is built from the request as received (raw path and query), never from
 *   a re-serialized URL, so any client that follows the specification verifies.
 * - Services other than S3 sign the normalized path URI-encoded a second time; S3 signs the path
 *   as sent (`uriEscapePath: false` in the AWS SDKs).
 * - Signatures are compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A request as it arrived: what SigV4 signs. */
export interface WireRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query. */
  rawPath: string;
  /** The query string as sent, without `?` (empty when none). */
  rawQuery: string;
  /** Header values by lower-case name (Node's `IncomingMessage.headers`). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What a client claims: its key, scope and signature. */
export interface SignedClaim {
  accessKeyId: string;
  /** `yyyymmdd` of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  /** Lower-case header names, in the order the client listed them. */
  signedHeaders: string[];
  signature: string;
  /** `X-Amz-Date` (`yyyymmddThhmmssZ`). */
  amzDate: string;
  /** Presigned URLs only: seconds the URL is valid after amzDate. */
  expiresSeconds?: number;
}

/** A header or query that is present but does not follow SigV4. */
export class SigV4FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigV4FormatError';
  }
}

/** `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` plus the request's X-Amz-Date. */
export function parseAuthorizationHeader(value: string, amzDate: string | undefined): SignedClaim {
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) throw new SigV4FormatError(`Unsupported authorization type: only ${ALGORITHM} (Signature Version 4) is accepted`);
  const params = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !params.get(k));
  if (missing.length > 0) {
    throw new SigV4FormatError(`Authorization header requires ${missing.map((k) => `'${k}'`).join(', ')} parameter${missing.length > 1 ? 's' : ''}. Authorization=${value.split(',')[0]}`);
  }
  if (!amzDate) throw new SigV4FormatError("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  return claim(params.get('Credential')!, params.get('SignedHeaders')!, params.get('Signature')!, amzDate);
}

/** A presigned URL's `X-Amz-*` query parameters, or undefined when the query has none. */
export function parsePresignedQuery(rawQuery: string): SignedClaim | undefined {
  const q = new Map(parseQuery(rawQuery));
  if (!q.has('X-Amz-Algorithm') && !q.has('X-Amz-Signature')) return undefined;
  if (q.get('X-Amz-Algorithm') !== ALGORITHM) throw new SigV4FormatError(`X-Amz-Algorithm must be ${ALGORITHM}`);
  const need = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Expires'];
  const missing = need.filter((k) => !q.get(k));
  if (missing.length > 0) throw new SigV4FormatError(`Query-string authentication requires the ${missing.join(', ')} parameters`);
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) throw new SigV4FormatError('X-Amz-Expires must be a whole number of seconds from 1 to 604800');
  return { ...claim(q.get('X-Amz-Credential')!, q.get('X-Amz-SignedHeaders')!, q.get('X-Amz-Signature')!, q.get('X-Amz-Date')!), expiresSeconds: expires };
}

function claim(credential: string, signedHeaders: string, signature: string, amzDate: string): SignedClaim {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || parts.some((p) => p === '')) {
    throw new SigV4FormatError(`Credential should be scoped to a valid access key, date, region and service: <key>/<yyyymmdd>/<region>/<service>/aws4_request, got "${credential}"`);
  }
  if (!/^\d{8}$/.test(parts[1]!)) throw new SigV4FormatError(`Credential date "${parts[1]}" is not yyyymmdd`);
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) throw new SigV4FormatError(`X-Amz-Date "${amzDate}" is not in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'`);
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new SigV4FormatError('Signature must be 64 lower-case hex digits');
  const headers = signedHeaders.split(';');
  if (headers.some((h) => h === '' || h !== h.toLowerCase())) throw new SigV4FormatError(`SignedHeaders "${signedHeaders}" must be lower-case names separated by ';'`);
  return { accessKeyId: parts[0]!, scopeDate: parts[1]!, region: parts[2]!, service: parts[3]!, signedHeaders: headers, signature, amzDate };
}

/** `X-Amz-Date` as a Date, or undefined when it is not a valid instant. */
export function parseAmzDate(amzDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// ---------------------------------------------------------------------------------------------
// The canonical request

export interface CanonicalOptions {
  /** S3 signs the path as sent; other services normalize it and URI-encode it once more. */
  s3: boolean;
  /** The payload's SHA-256 (hex), or UNSIGNED-PAYLOAD. */
  payloadHash: string;
}

export function canonicalRequest(req: WireRequest, signedHeaders: readonly string[], opts: CanonicalOptions): string {
  return [
    req.method.toUpperCase(),
    opts.s3 ? req.rawPath || '/' : canonicalPath(req.rawPath),
    canonicalQuery(req.rawQuery),
    ...signedHeaders.map((h) => `${h}:${canonicalHeaderValue(req.headers[h])}`),
    '',
    signedHeaders.join(';'),
    opts.payloadHash,
  ].join('\n');
}

/** RFC 3986 normalization (`.` and `..` segments removed), each byte percent-encoded again except `/`. */
function canonicalPath(rawPath: string): string {
  const path = rawPath || '/';
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${out.join('/')}${out.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

/** Query parameters decoded, re-encoded the SigV4 way, sorted by name then value; X-Amz-Signature left out. */
function canonicalQuery(rawQuery: string): string {
  return parseQuery(rawQuery)
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Decoded `name=value` pairs of a raw query string (`+` is a plus, as SigV4 clients send it). */
export function parseQuery(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [safeDecode(p), ''] : [safeDecode(p.slice(0, eq)), safeDecode(p.slice(eq + 1))];
    });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Percent-encodes every byte except the unreserved characters A-Z a-z 0-9 - . _ ~. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalHeaderValue(v: string | string[] | undefined): string {
  const text = Array.isArray(v) ? v.join(',') : (v ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

// ---------------------------------------------------------------------------------------------
// Signing

export function scopeOf(c: Pick<SignedClaim, 'scopeDate' | 'region' | 'service'>): string {
  return `${c.scopeDate}/${c.region}/${c.service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, scopeDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** The signature a client holding `secret` computes for this request. */
export function computeSignature(secret: string, claimed: SignedClaim, req: WireRequest, opts: CanonicalOptions): string {
  const canonical = canonicalRequest(req, claimed.signedHeaders, opts);
  const key = signingKey(secret, claimed.scopeDate, claimed.region, claimed.service);
  return createHmac('sha256', key).update(stringToSign(claimed.amzDate, scopeOf(claimed), canonical)).digest('hex');
}

/** Whether the claimed signature is the one `secret` gives (constant time). */
export function signatureMatches(secret: string, claimed: SignedClaim, req: WireRequest, opts: CanonicalOptions): boolean {
  const expected = Buffer.from(computeSignature(secret, claimed, req, opts), 'hex');
  const given = Buffer.from(claimed.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
