/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it: verifier creation in PostgreSQL's
 * stored format, and the pure server-side steps a pgwire listener needs (parse the client's
 * messages, build the server-first message, check the ClientProof, compute the ServerSignature).
 * No sockets here; channel binding is not offered (gs2 flag `n` or `y`), as for PostgreSQL over
 * a connection without `SCRAM-SHA-256-PLUS`.
 *
 *   SaltedPassword = Hi(SASLprep(password), salt, i)        (PBKDF2-HMAC-SHA-256)
 *   ClientKey      = HMAC(SaltedPassword, "Client Key")     StoredKey = H(ClientKey)
 *   ServerKey      = HMAC(SaltedPassword, "Server Key")
 *   AuthMessage    = client-first-bare + "," + server-first + "," + client-final-without-proof
 *   ClientProof    = ClientKey XOR HMAC(StoredKey, AuthMessage)
 *   ServerSignature = HMAC(ServerKey, AuthMessage)
 *
 * Verifier format: `SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>`.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
export const SCRAM_DEFAULT_ITERATIONS = 4096;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** A malformed SCRAM message from a client (answer it with an authentication failure). */
export class ScramProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScramProtocolError';
  }
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** Hi(): PBKDF2 with HMAC-SHA-256 and a 32-byte output. */
export function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, KEY_BYTES, 'sha256');
}

/** The verifier of `password`, in PostgreSQL's format. */
export function createScramVerifier(password: string, opts: { iterations?: number; salt?: Buffer } = {}): string {
  const iterations = opts.iterations ?? SCRAM_DEFAULT_ITERATIONS;
  const salt = opts.salt ?? randomBytes(SALT_BYTES);
  const salted = saltedPassword(password, salt, iterations);
  const storedKey = sha256(hmac(salted, 'Client Key'));
  const serverKey = hmac(salted, 'Server Key');
  return formatScramVerifier({ iterations, salt, storedKey, serverKey });
}

export function formatScramVerifier(v: ScramVerifier): string {
  return `${SCRAM_MECHANISM}$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

export function parseScramVerifier(text: string): ScramVerifier {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) throw new Error('not a SCRAM-SHA-256 verifier');
  const v: ScramVerifier = {
    iterations: Number(m[1]),
    salt: Buffer.from(m[2]!, 'base64'),
    storedKey: Buffer.from(m[3]!, 'base64'),
    serverKey: Buffer.from(m[4]!, 'base64'),
  };
  if (v.iterations < 1 || v.storedKey.length !== KEY_BYTES || v.serverKey.length !== KEY_BYTES) {
    throw new Error('not a SCRAM-SHA-256 verifier');
  }
  return v;
}

/** True when `password` is the one the verifier was made from. */
export function scramVerifierMatches(verifier: ScramVerifier, password: string): boolean {
  const salted = saltedPassword(password, verifier.salt, verifier.iterations);
  return timingSafeEqual(sha256(hmac(salted, 'Client Key')), verifier.storedKey);
}

// ---------------------------------------------------------------------------------------------
// Messages

export interface ClientFirstMessage {
  /** `n,,` or `y,,` (with the authzid part, which PostgreSQL ignores). */
  gs2Header: string;
  /** The username inside the message (PostgreSQL clients usually send it empty). */
  username: string;
  clientNonce: string;
  /** The message without the GS2 header; the first part of the AuthMessage. */
  clientFirstBare: string;
}

export function parseClientFirstMessage(message: string): ClientFirstMessage {
  const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/.exec(message);
  if (!m) throw new ScramProtocolError('malformed SCRAM client-first-message');
  if (m[1]!.startsWith('p=')) throw new ScramProtocolError('SCRAM channel binding is not supported here; use SCRAM-SHA-256');
  const bare = m[3]!;
  const attrs = parseAttributes(bare);
  const nonce = attrs.get('r');
  if (attrs.has('m')) throw new ScramProtocolError('SCRAM extensions are not supported');
  if (nonce === undefined || !isPrintableNonce(nonce)) throw new ScramProtocolError('SCRAM client-first-message has no valid nonce');
  return {
    gs2Header: `${m[1]},${m[2] ?? ''},`,
    username: decodeSaslName(attrs.get('n') ?? ''),
    clientNonce: nonce,
    clientFirstBare: bare,
  };
}

/** `r=<client nonce><server nonce>,s=<salt>,i=<iterations>`. */
export function serverFirstMessage(clientNonce: string, serverNonce: string, verifier: ScramVerifier): string {
  return `r=${clientNonce}${serverNonce},s=${verifier.salt.toString('base64')},i=${verifier.iterations}`;
}

/** A fresh random server nonce (printable, no commas). */
export function newServerNonce(): string {
  return randomBytes(18).toString('base64');
}

export interface ClientFinalMessage {
  /** The `c=` value: base64 of the GS2 header (no channel-binding data). */
  channelBinding: string;
  /** The combined client + server nonce. */
  nonce: string;
  proof: Buffer;
  /** The message up to (not including) `,p=`; the last part of the AuthMessage. */
  withoutProof: string;
}

export function parseClientFinalMessage(message: string): ClientFinalMessage {
  const at = message.lastIndexOf(',p=');
  if (at < 0) throw new ScramProtocolError('SCRAM client-final-message has no proof');
  const withoutProof = message.slice(0, at);
  const attrs = parseAttributes(withoutProof);
  const channelBinding = attrs.get('c');
  const nonce = attrs.get('r');
  const proofText = message.slice(at + 3);
  if (channelBinding === undefined || nonce === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(proofText)) {
    throw new ScramProtocolError('malformed SCRAM client-final-message');
  }
  return { channelBinding, nonce, proof: Buffer.from(proofText, 'base64'), withoutProof };
}

export function authMessage(clientFirstBare: string, serverFirst: string, clientFinalWithoutProof: string): string {
  return `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
}

/**
 * Checks a ClientProof against the StoredKey: ClientKey = ClientProof XOR HMAC(StoredKey,
 * AuthMessage) must hash to StoredKey. Constant-time.
 */
export function verifyClientProof(verifier: ScramVerifier, authMsg: string, clientProof: Buffer): boolean {
  if (clientProof.length !== KEY_BYTES) return false;
  const signature = hmac(verifier.storedKey, authMsg);
  const clientKey = Buffer.alloc(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) clientKey[i] = clientProof[i]! ^ signature[i]!;
  return timingSafeEqual(sha256(clientKey), verifier.storedKey);
}

/** ServerSignature = HMAC(ServerKey, AuthMessage); sent back as `v=<base64>`. */
export function serverSignature(verifier: ScramVerifier, authMsg: string): Buffer {
  return hmac(verifier.serverKey, authMsg);
}

/** `v=<ServerSignature b64>`. */
export function serverFinalMessage(verifier: ScramVerifier, authMsg: string): string {
  return `v=${serverSignature(verifier, authMsg).toString('base64')}`;
}

export interface ScramFinalCheck {
  ok: boolean;
  /** The server-final-message to send when ok. */
  serverFinal?: string;
  /** Why not, for the server's log (never tell the client more than "authentication failed"). */
  reason?: string;
}

/**
 * The whole server-side check of a client-final-message: channel-binding echo, nonce, proof.
 * `clientFirst` and `serverFirst` are what was exchanged before.
 */
export function checkClientFinal(
  verifier: ScramVerifier,
  clientFirst: ClientFirstMessage,
  serverFirst: string,
  clientFinalText: string,
): ScramFinalCheck {
  let final: ClientFinalMessage;
  try {
    final = parseClientFinalMessage(clientFinalText);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (final.channelBinding !== Buffer.from(clientFirst.gs2Header, 'utf8').toString('base64')) {
    return { ok: false, reason: 'SCRAM channel-binding data does not match the client-first-message' };
  }
  const expectedNonce = /(?:^|,)r=([^,]*)/.exec(serverFirst)?.[1];
  if (expectedNonce === undefined || final.nonce !== expectedNonce) return { ok: false, reason: 'SCRAM nonce mismatch' };
  const msg = authMessage(clientFirst.clientFirstBare, serverFirst, final.withoutProof);
  if (!verifyClientProof(verifier, msg, final.proof)) return { ok: false, reason: 'wrong password' };
  return { ok: true, serverFinal: serverFinalMessage(verifier, msg) };
}

/** The client's side of the proof (for tests and for Runlake's own clients). */
export function clientProof(password: string, salt: Buffer, iterations: number, authMsg: string): Buffer {
  const salted = saltedPassword(password, salt, iterations);
  const clientKey = hmac(salted, 'Client Key');
  const signature = hmac(sha256(clientKey), authMsg);
  const proof = Buffer.alloc(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) proof[i] = clientKey[i]! ^ signature[i]!;
  return proof;
}

function parseAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m) throw new ScramProtocolError('malformed SCRAM attribute');
    if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  }
  return out;
}

function isPrintableNonce(nonce: string): boolean {
  return nonce.length > 0 && /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce);
}

function decodeSaslName(name: string): string {
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/**
 * SASLprep (RFC 4013) for passwords: non-ASCII spaces map to a space, "commonly mapped to
 * nothing" characters are dropped, then NFKC. Printable ASCII (every access-key secret) is
 * unchanged. Like PostgreSQL, a string SASLprep would prohibit is used as it is rather than refused.
 */
export function saslPrep(password: string): string {
  if (/^[\x20-\x7e]*$/.test(password)) return password;
  let out = '';
  for (const ch of password) {
    const c = ch.codePointAt(0)!;
    if (isNonAsciiSpace(c)) out += ' ';
    else if (!isMappedToNothing(c)) out += ch;
  }
  const mapped = out.normalize('NFKC');
  return [...mapped].some(isProhibited) ? password : mapped;
}

/** Control characters, lone surrogates and specials (RFC 3454 C.2, C.5, C.6), roughly. */
function isProhibited(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || (c >= 0xfff9 && c <= 0xfffd);
}

/** RFC 3454 C.1.2. */
function isNonAsciiSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200b) || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** RFC 3454 B.1. */
function isMappedToNothing(c: number): boolean {
  return (
    c === 0xad || c === 0x34f || c === 0x1806 || (c >= 0x180b && c <= 0x180d) || c === 0x200c || c === 0x200d ||
    c === 0x2060 || (c >= 0xfe00 && c <= 0xfe0f) || c === 0xfeff
  );
}
