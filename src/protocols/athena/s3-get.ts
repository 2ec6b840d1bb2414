/**
 * A read-only S3 endpoint for query results on the Athena port, so clients that download result
 * files themselves (PyAthena's Pandas/Arrow cursors, Athena JDBC 3.x's S3 result fetcher) can use
 * the same endpoint URL: path-style `GET|HEAD /runlake-results/<org>/<key>` (GetObject /
 * HeadObject, with single byte ranges and If-Match/If-None-Match), `HEAD /runlake-results`
 * (HeadBucket) and `GET /runlake-results?list-type=2` (ListObjectsV2, inside the caller's folder).
 *
 * Authentication is SigV4 for service `s3` with the organization's own access key (header or
 * presigned URL). An organization reads only `s3://runlake-results/<org>/…`. Errors are S3's XML
 * (`<Error><Code>NoSuchKey</Code>…`); HEAD errors have no body. Objects are served as
 * `application/octet-stream` with their MD5 as ETag (SDKs that verify it do).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ObjectInfo, ObjectStore } from '../../lake/object-store.ts';
import { analyticsDisabled } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import { AuthError, authenticate, type AuthDirectory, type AuthFailure, type AuthOptions } from './auth.ts';
import { RESULTS_BUCKET, storeKeyForS3 } from './result-location.ts';
import { EMPTY_SHA256, UNSIGNED_PAYLOAD, parseQuery, type WireRequest } from './sigv4.ts';

export interface S3Options {
  store: ObjectStore;
  directory: AuthDirectory;
  auth: AuthOptions;
  log: Logger;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function handleS3Request(req: IncomingMessage, res: ServerResponse, wire: WireRequest, o: S3Options): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const head = req.method === 'HEAD';
  try {
    req.resume();
    const auth = await authenticate(wire, 's3', (claim) => {
      const h = req.headers['x-amz-content-sha256'];
      if (typeof h === 'string' && h !== '') return h;
      return claim.expiresSeconds !== undefined ? UNSIGNED_PAYLOAD : EMPTY_SHA256;
    }, o.directory, o.auth).catch((e: unknown) => {
      throw e instanceof AuthError ? s3AuthError(e.failure) : e;
    });
    const org = auth.org.name;
    const { bucket, key } = splitPath(wire.rawPath);
    if (req.method !== 'GET' && !head) throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource: this endpoint serves query results read-only (GET, HEAD)');
    if (bucket !== RESULTS_BUCKET) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    if (key === '') {
      if (head) return send(res, 200, requestId, { 'x-amz-bucket-region': o.auth.region });
      return await listObjects(res, requestId, wire, org, o.store);
    }
    const storeKey = storeKeyForS3(bucket, key, org);
    if (!storeKey) {
      throw new S3Error(403, 'AccessDenied', `Access Denied: this access key reads only s3://${RESULTS_BUCKET}/${org}/ (organization ${org}'s query results)`);
    }
    const info = await o.store.head(storeKey);
    if (!info) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    await getObject(req, res, requestId, info, storeKey, o.store, head);
  } catch (e) {
    const err = e instanceof S3Error ? e : undefined;
    if (!err) o.log.error('S3 result request failed', { requestId, error: e instanceof Error ? e.message : String(e) });
    const s3 = err ?? new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const headers: Record<string, string | number> = {};
    if (s3.code === 'InvalidRange' && s3.extra.ActualObjectSize) headers['content-range'] = `bytes */${s3.extra.ActualObjectSize}`;
    send(res, s3.status, requestId, headers, head ? undefined : errorXml(s3, requestId));
  }
}

function splitPath(rawPath: string): { bucket: string; key: string } {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const slash = path.indexOf('/');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new S3Error(400, 'InvalidURI', 'Couldn\'t parse the specified URI.');
    }
  };
  return slash < 0 ? { bucket: decode(path), key: '' } : { bucket: decode(path.slice(0, slash)), key: decode(path.slice(slash + 1)) };
}

async function getObject(req: IncomingMessage, res: ServerResponse, requestId: string, info: ObjectInfo, key: string, store: ObjectStore, head: boolean): Promise<void> {
  const etag = `"${await md5Of(store, info)}"`;
  const common = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    etag,
    'last-modified': info.modifiedAt.toUTCString(),
  };
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch === 'string' && !etagListHas(ifMatch, etag)) throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
  const ifNoneMatch = req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && etagListHas(ifNoneMatch, etag)) return send(res, 304, requestId, common);

  const range = parseRange(req.headers.range, info.size);
  if (range === 'unsatisfiable') throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { ActualObjectSize: String(info.size), RangeRequested: String(req.headers.range) });
  const [start, end] = range ?? [0, info.size - 1];
  const length = info.size === 0 ? 0 : end - start + 1;
  const headers = {
    ...common,
    'content-length': length,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}),
    'x-amz-request-id': requestId,
  };
  res.writeHead(range ? 206 : 200, headers);
  if (head || length === 0) {
    res.end();
    return;
  }
  if (store.localPath) {
    await pipeline(createReadStream(store.localPath(key), { start, end }), res);
    return;
  }
  const body = await store.get(key);
  if (!body) throw new Error(`result object ${key} disappeared while being read`);
  res.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength).subarray(start, end + 1));
}

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; multiple ranges are ignored (the whole object), as S3 does. */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  if (start >= size) return 'unsatisfiable';
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (end < start) return undefined;
  return [start, end];
}

function etagListHas(header: string, etag: string): boolean {
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === etag || `"${v}"` === etag;
  });
}

const md5Cache = new Map<string, string>();

/** The object's MD5 (hex), remembered by key, size and modification time. */
async function md5Of(store: ObjectStore, info: ObjectInfo): Promise<string> {
  const id = `${info.key}\u0000${info.size}\u0000${info.modifiedAt.getTime()}`;
  const hit = md5Cache.get(id);
  if (hit) return hit;
  const hash = createHash('md5');
  if (store.localPath) await pipeline(createReadStream(store.localPath(info.key)), hash);
  else hash.update((await store.get(info.key)) ?? new Uint8Array());
  const hex = hash.digest('hex');
  md5Cache.set(id, hex);
  if (md5Cache.size > 10_000) md5Cache.delete(md5Cache.keys().next().value!);
  return hex;
}

/** ListObjectsV2 inside the caller's folder (prefix must be under `<org>/`). */
async function listObjects(res: ServerResponse, requestId: string, wire: WireRequest, org: string, store: ObjectStore): Promise<void> {
  const q = new Map(parseQuery(wire.rawQuery));
  if (q.get('list-type') !== '2') throw new S3Error(501, 'NotImplemented', 'Only ListObjectsV2 (list-type=2) is implemented for listing query results');
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Math.min(1000, Math.max(0, Number(q.get('max-keys') ?? 1000) || 0));
  const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
  if (!prefix.startsWith(`${org}/`) && prefix !== org) {
    throw new S3Error(403, 'AccessDenied', `Access Denied: list with a prefix inside ${org}/ (organization ${org}'s query results)`);
  }
  const area = `orgs/${org}/athena-results/`;
  const all = (await store.list(area)).map((o) => ({ ...o, s3Key: `${org}/${o.key.slice(area.length)}` }));
  const contents: { key: string; size: number; modified: Date }[] = [];
  const prefixes = new Set<string>();
  let truncated = false;
  let lastKey = '';
  for (const o of all) {
    if (!o.s3Key.startsWith(prefix) || o.s3Key <= after) continue;
    const rest = o.s3Key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    const entry = cut >= 0 ? `${prefix}${rest.slice(0, cut + delimiter.length)}` : undefined;
    if (entry && prefixes.has(entry)) continue;
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true;
      break;
    }
    if (entry) prefixes.add(entry);
    else contents.push({ key: o.s3Key, size: o.size, modified: o.modifiedAt });
    lastKey = o.s3Key;
  }
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${RESULTS_BUCKET}</Name><Prefix>${esc(prefix)}</Prefix>${delimiter ? `<Delimiter>${esc(delimiter)}</Delimiter>` : ''}`,
    `<KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
    ...(truncated ? [`<NextContinuationToken>${esc(lastKey)}</NextContinuationToken>`] : []),
    ...contents.map((c) => `<Contents><Key>${esc(c.key)}</Key><LastModified>${c.modified.toISOString()}</LastModified><Size>${c.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`),
    ...[...prefixes].map((p) => `<CommonPrefixes><Prefix>${esc(p)}</Prefix></CommonPrefixes>`),
    '</ListBucketResult>',
  ].join('');
  send(res, 200, requestId, { 'content-type': 'application/xml' }, xml);
}

function send(res: ServerResponse, status: number, requestId: string, headers: Record<string, string | number>, body?: string): void {
  const buf = body === undefined ? undefined : Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    'x-amz-request-id': requestId,
    ...(buf ? { 'content-type': 'application/xml', 'content-length': buf.length } : {}),
  });
  res.end(buf);
}

function errorXml(e: S3Error, requestId: string): string {
  const extra = Object.entries(e.extra).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${esc(e.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
}

function esc(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

const HELP = "connection.json lists each organization's access_key_id and secret_access_key";

function s3AuthError(f: AuthFailure): S3Error {
  switch (f.kind) {
    case 'missing':
      return new S3Error(403, 'AccessDenied', `Access Denied: sign requests with AWS Signature Version 4 (service s3) using an organization's access key (${HELP})`);
    case 'malformed':
      return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${f.message}`);
    case 'wrong_region':
      return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${f.region}' is wrong; expecting '${f.expected}'`, { Region: f.expected });
    case 'wrong_service':
      return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the service '${f.service}' is wrong; expecting '${f.expected}'`);
    case 'scope_date':
      return new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the date '${f.scopeDate}' does not match X-Amz-Date '${f.amzDate}'`);
    case 'skew':
      return new S3Error(403, 'RequestTimeTooSkewed', "The difference between the request time and the current time is too large. Check the client's clock.", { RequestTime: f.amzDate, ServerTime: f.serverDate });
    case 'presign_expired':
      return new S3Error(403, 'AccessDenied', 'Request has expired', { X_Amz_Expires: String(f.expiresSeconds) });
    case 'unknown_key':
      return new S3Error(403, 'InvalidAccessKeyId', `The AWS Access Key Id you provided does not exist in our records. (${HELP})`, { AWSAccessKeyId: f.accessKeyId });
    case 'bad_signature':
      return new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { AWSAccessKeyId: f.accessKeyId });
    case 'org_unavailable':
      return new S3Error(403, 'AccessDenied', f.reason === 'disabled' ? analyticsDisabled(f.org).message : 'the organization of this access key no longer exists');
  }
}
