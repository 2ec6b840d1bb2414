/**
 * Authenticates one request of the Athena endpoint with SigV4: the Authorization header (or a
 * presigned URL), the credential scope (this server's region, the expected service, the date of
 * X-Amz-Date), the clock-skew window, the access key (an organization's, not revoked) and the
 * signature over the request as received. Then the organization itself: it must exist and have
 * analytics enabled.
 *
 * Failures are typed (`AuthFailure`), not worded for one protocol: the JSON API and the S3 GET
 * endpoint each answer them in their own error shape. Checks that do not need the key run first;
 * an unknown key and a wrong secret are told apart, as AWS does (UnrecognizedClient vs
 * InvalidSignature), because users need to know which of the two to fix.
 */
import type { Organization } from '../../control/control-store.ts';
import {
  SigV4FormatError,
  formatAmzDate,
  parseAmzDate,
  parseAuthorizationHeader,
  parsePresignedQuery,
  signatureMatches,
  uriEncode,
  type SignedClaim,
  type WireRequest,
} from './sigv4.ts';

/** What authentication needs from the control plane. */
export interface AuthDirectory {
  /** The key when it exists and is not revoked. */
  resolveAccessKey(accessKeyId: string): Promise<{ org: string; secretAccessKey: string } | undefined>;
  /** Records use of the key (best effort). */
  touchAccessKey?(accessKeyId: string): Promise<void>;
  getOrg(name: string): Promise<Organization | undefined>;
}

export interface AuthOptions {
  region: string;
  /** How far X-Amz-Date may be from the server's clock (AWS: 15 minutes). */
  maxSkewMs?: number;
  now?: () => Date;
}

export type AuthFailure =
  | { kind: 'missing' }
  | { kind: 'malformed'; message: string }
  | { kind: 'wrong_region'; region: string; expected: string }
  | { kind: 'wrong_service'; service: string; expected: string }
  | { kind: 'scope_date'; scopeDate: string; amzDate: string }
  | { kind: 'skew'; amzDate: string; serverDate: string; tooEarly: boolean; skewMinutes: number }
  | { kind: 'presign_expired'; amzDate: string; expiresSeconds: number }
  | { kind: 'unknown_key'; accessKeyId: string }
  | { kind: 'bad_signature'; accessKeyId: string }
  | { kind: 'org_unavailable'; org: string; reason: 'missing' | 'disabled' };

export class AuthError extends Error {
  constructor(readonly failure: AuthFailure) {
    super(failure.kind);
    this.name = 'AuthError';
  }
}

export interface Authenticated {
  accessKeyId: string;
  org: Organization;
}

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * `payloadHash` is the body's SHA-256 for the JSON API; for S3 the client's
 * `x-amz-content-sha256` (or UNSIGNED-PAYLOAD for presigned URLs).
 */
export async function authenticate(
  req: WireRequest,
  service: 'athena' | 's3',
  payloadHash: (claim: SignedClaim) => string,
  dir: AuthDirectory,
  opts: AuthOptions,
): Promise<Authenticated> {
  const claim = parseClaim(req);
  if (claim.region !== opts.region) throw new AuthError({ kind: 'wrong_region', region: claim.region, expected: opts.region });
  if (claim.service !== service) throw new AuthError({ kind: 'wrong_service', service: claim.service, expected: service });
  if (!claim.amzDate.startsWith(claim.scopeDate)) throw new AuthError({ kind: 'scope_date', scopeDate: claim.scopeDate, amzDate: claim.amzDate });
  if (!claim.signedHeaders.includes('host')) throw new AuthError({ kind: 'malformed', message: "'Host' must be a signed header" });
  const signedAt = parseAmzDate(claim.amzDate);
  if (!signedAt) throw new AuthError({ kind: 'malformed', message: `X-Amz-Date "${claim.amzDate}" is not a valid date` });
  const now = (opts.now ?? (() => new Date()))();
  checkTime(claim, signedAt, now, opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);

  const key = await dir.resolveAccessKey(claim.accessKeyId);
  if (!key) throw new AuthError({ kind: 'unknown_key', accessKeyId: claim.accessKeyId });
  const hash = payloadHash(claim);
  const variants = service === 's3' ? s3PathVariants(req) : [req];
  if (!variants.some((v) => signatureMatches(key.secretAccessKey, claim, v, { s3: service === 's3', payloadHash: hash }))) {
    throw new AuthError({ kind: 'bad_signature', accessKeyId: claim.accessKeyId });
  }
  const org = await dir.getOrg(key.org);
  if (!org) throw new AuthError({ kind: 'org_unavailable', org: key.org, reason: 'missing' });
  if (!org.analyticsEnabled) throw new AuthError({ kind: 'org_unavailable', org: org.name, reason: 'disabled' });
  dir.touchAccessKey?.(claim.accessKeyId).catch(() => undefined);
  return { accessKeyId: claim.accessKeyId, org };
}

function parseClaim(req: WireRequest): SignedClaim {
  const header = req.headers.authorization;
  try {
    if (typeof header === 'string' && header !== '') {
      const amzDate = req.headers['x-amz-date'];
      return parseAuthorizationHeader(header, typeof amzDate === 'string' ? amzDate : undefined);
    }
    const presigned = parsePresignedQuery(req.rawQuery);
    if (presigned) return presigned;
  } catch (e) {
    if (e instanceof SigV4FormatError) throw new AuthError({ kind: 'malformed', message: e.message });
    throw e;
  }
  throw new AuthError({ kind: 'missing' });
}

function checkTime(claim: SignedClaim, signedAt: Date, now: Date, maxSkewMs: number): void {
  if (claim.expiresSeconds !== undefined) {
    if (now.getTime() > signedAt.getTime() + claim.expiresSeconds * 1000) {
      throw new AuthError({ kind: 'presign_expired', amzDate: claim.amzDate, expiresSeconds: claim.expiresSeconds });
    }
    if (signedAt.getTime() - now.getTime() > maxSkewMs) {
      throw new AuthError({ kind: 'skew', amzDate: claim.amzDate, serverDate: formatAmzDate(now), tooEarly: false, skewMinutes: maxSkewMs / 60_000 });
    }
    return;
  }
  const skew = signedAt.getTime() - now.getTime();
  if (Math.abs(skew) > maxSkewMs) {
    throw new AuthError({ kind: 'skew', amzDate: claim.amzDate, serverDate: formatAmzDate(now), tooEarly: skew < 0, skewMinutes: maxSkewMs / 60_000 });
  }
}

/** S3 clients sign the path as they sent it; some encode characters differently than SigV4's canonical form, so both are tried. */
function s3PathVariants(req: WireRequest): WireRequest[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.rawPath);
  } catch {
    return [req];
  }
  const canonical = decoded.split('/').map(uriEncode).join('/');
  return canonical === req.rawPath ? [req] : [req, { ...req, rawPath: canonical }];
}
