/**
 * The awsJson1_1 edge of the Athena API: `POST /` with `X-Amz-Target: AmazonAthena.<Operation>`
 * (matched case-insensitively) and a JSON body. Per request: SigV4 authentication (service
 * `athena`), routing, JSON parsing, the API rate limit, the operation, and the response —
 * `200 application/x-amz-json-1.1` or an error with `__type`, `x-amzn-ErrorType` and the status
 * of its type. Every response carries `x-amzn-RequestId`.
 *
 * Invariant: only AthenaApiErrors (and RunlakeErrors, translated) reach the client with their
 * message; anything else is logged and answered as a bare InternalServerException.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { analyticsDisabled, isRunlakeError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import { AuthError, authenticate, type AuthDirectory, type AuthFailure, type AuthOptions } from './auth.ts';
import type { DebugLog } from '../../util/debug-log.ts';
import { debugFailure, debugRequest, debugResponse, type AthenaDebugLogs } from './debug-log.ts';
import { AthenaApiError, invalidRequest, toAthenaError } from './errors.ts';
import { OPERATIONS, type ApiDeps } from './operations/index.ts';
import { sha256Hex, type WireRequest } from './sigv4.ts';
import type { Throttle } from './throttle.ts';
import { Input } from './validate.ts';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'amazonathena.';
/** A QueryString may be 256 KiB and JSON escaping can grow it up to 6 times. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface JsonApiOptions {
  deps: ApiDeps;
  directory: AuthDirectory;
  auth: AuthOptions;
  throttle: Throttle;
  log: Logger;
  /** Per-access-key debug logs the operator turned on (debug-log.ts). */
  debug?: AthenaDebugLogs;
}

const OPERATION_BY_LOWER = new Map(Object.keys(OPERATIONS).map((name) => [name.toLowerCase(), name]));

export async function handleJsonRequest(req: IncomingMessage, res: ServerResponse, wire: WireRequest, o: JsonApiOptions): Promise<void> {
  const requestId = randomUUID();
  const started = performance.now();
  let operation = '-';
  let debug: DebugLog | undefined;
  try {
    const body = await readBody(req);
    const auth = await authenticate(wire, 'athena', (claim) => {
      const header = req.headers['x-amz-content-sha256'];
      return typeof header === 'string' && claim.signedHeaders.includes('x-amz-content-sha256') ? header : sha256Hex(body);
    }, o.directory, o.auth).catch((e: unknown) => {
      throw e instanceof AuthError ? authError(e.failure, o.auth.region) : e;
    });
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.toLowerCase().startsWith(TARGET_PREFIX) ? OPERATION_BY_LOWER.get(target.slice(TARGET_PREFIX.length).toLowerCase()) : undefined;
    if (!name) {
      throw new AthenaApiError('UnknownOperationException', target === '' ? 'Missing X-Amz-Target header: name the operation, e.g. AmazonAthena.StartQueryExecution' : `Operation ${target} is not supported by this endpoint`);
    }
    operation = name;
    debug = o.debug?.logFor(auth.accessKeyId, auth.org.name);
    const def = OPERATIONS[name]!;
    const json = parseJson(body);
    debugRequest(debug, operation, requestId, json);
    const input = new Input(json);
    o.throttle.take(auth.accessKeyId, def.cls);
    const principal = { org: auth.org.name, name: auth.accessKeyId };
    const out = await def.run({ caller: { principal, org: auth.org }, accessKeyId: auth.accessKeyId, deps: o.deps }, input);
    send(res, 200, requestId, out);
    const ms = Math.round(performance.now() - started);
    debugResponse(debug, operation, requestId, ms, out);
    o.log.debug('athena request', { operation, status: 200, ms, requestId });
  } catch (e) {
    const err = toAthenaError(e);
    if (!(e instanceof AthenaApiError) && !isRunlakeError(e)) {
      o.log.error('athena request failed with an internal error', { operation, requestId, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
    send(res, err.status, requestId, err.body(), err.type);
    const ms = Math.round(performance.now() - started);
    debugFailure(debug, operation, requestId, ms, err.status, err.type, err.message);
    o.log.debug('athena request', { operation, status: err.status, error: err.type, ms, requestId });
  }
}

function send(res: ServerResponse, status: number, requestId: string, body: unknown, errorType?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw invalidRequest(`The request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AthenaApiError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AthenaApiError('SerializationException', 'Start of structure or map found where not expected: the request body must be a JSON object');
  return v as Record<string, unknown>;
}

const HELP = "connection.json lists each organization's access_key_id and secret_access_key";

/** SigV4 and organization failures, worded as the AWS JSON services word them, plus what to do. */
export function authError(f: AuthFailure, region: string): AthenaApiError {
  switch (f.kind) {
    case 'missing':
      return new AthenaApiError('MissingAuthenticationTokenException', `Missing Authentication Token: sign requests with AWS Signature Version 4 using an organization's access key (${HELP})`);
    case 'malformed':
      return new AthenaApiError('IncompleteSignatureException', f.message);
    case 'wrong_region':
      return new AthenaApiError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${f.region}'. This endpoint's region is '${f.expected}': configure the client with region ${region}`);
    case 'wrong_service':
      return new AthenaApiError('InvalidSignatureException', `Credential should be scoped to correct service: '${f.expected}'. `);
    case 'scope_date':
      return new AthenaApiError('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${f.scopeDate}' != '${f.amzDate.slice(0, 8)}', from '${f.amzDate}'.`);
    case 'skew':
      return new AthenaApiError(
        'InvalidSignatureException',
        f.tooEarly
          ? `Signature expired: ${f.amzDate} is now earlier than the server's time ${f.serverDate} minus ${f.skewMinutes} min. Check the client's clock.`
          : `Signature not yet current: ${f.amzDate} is still later than the server's time ${f.serverDate} plus ${f.skewMinutes} min. Check the client's clock.`,
      );
    case 'presign_expired':
      return new AthenaApiError('InvalidSignatureException', `Signature expired: the presigned request of ${f.amzDate} was valid for ${f.expiresSeconds} seconds`);
    case 'unknown_key':
      return new AthenaApiError('UnrecognizedClientException', `The security token included in the request is invalid: access key ${f.accessKeyId} is unknown or revoked (${HELP})`);
    case 'bad_signature':
      return new AthenaApiError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details. ' +
          `(Access key ${f.accessKeyId}: check its secret access key in connection.json.)`,
      );
    case 'org_unavailable':
      return new AthenaApiError(
        'AccessDeniedException',
        f.reason === 'disabled'
          ? analyticsDisabled(f.org).message
          : `the organization of this access key no longer exists`,
      );
  }
}
