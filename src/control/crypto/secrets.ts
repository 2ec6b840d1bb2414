/**
 * Encryption of stored secrets (access-key secrets, which SigV4 needs back in clear) under one
 * 32-byte master key, with AES-256-GCM.
 *
 * The master key comes from the configuration (`masterKey` / `RUNLAKE_MASTER_KEY`, hex or base64
 * of 32 bytes); without one it is generated once into `<data-dir>/master.key` (mode 0600) and
 * reused. Each ciphertext names the key that made it (a key id derived from the key, which reveals
 * nothing about it), so decrypting under another key fails with a clear message instead of garbage,
 * and GCM's tag catches any tampering. Callers bind a ciphertext to its row with `context`
 * (additional authenticated data), so a ciphertext copied onto another row does not decrypt.
 *
 * Format: `v1:<key id, 16 hex>:<12-byte IV, base64url>:<ciphertext + 16-byte tag, base64url>`.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../config/config.ts';
import { RunlakeError } from '../../util/errors.ts';

export const MASTER_KEY_FILE = 'master.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** A secret could not be decrypted: wrong master key, or the stored value was altered. */
export class SecretDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptError';
  }
}

/** Parses a master key given as hex (64 characters) or base64/base64url (of 32 bytes). */
export function parseMasterKey(text: string, source: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) key = Buffer.from(t, 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new ConfigError([
      `${source} must be ${KEY_BYTES} random bytes written as 64 hex characters or as base64 ` +
        `(e.g. the output of \`openssl rand -hex 32\`)`,
    ]);
  }
  return key;
}

/**
 * The master key: the configured one when given, else the one in `<dataDir>/master.key`, which
 * is created (owner-only, atomically, so two processes starting at once agree) when missing.
 */
export function loadMasterKey(opts: { dataDir: string; masterKey?: string | undefined }): Buffer {
  if (opts.masterKey !== undefined && opts.masterKey !== '') return parseMasterKey(opts.masterKey, 'masterKey (RUNLAKE_MASTER_KEY)');
  const path = join(opts.dataDir, MASTER_KEY_FILE);
  let text: string;
  try {
    if (!existsSync(path)) createKeyFile(opts.dataDir, path);
    // Tighten a file someone copied in with loose permissions; the key guards every stored secret.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RunlakeError('unavailable', `cannot read or create the master key file ${path}: ${(e as Error).message}`);
  }
  return parseMasterKey(text, `the master key file ${path}`);
}

function createKeyFile(dataDir: string, path: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails if the file exists, so exactly one process's key wins and nobody sees a partial file.
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Encrypts and decrypts secrets under one master key. */
export class SecretBox {
  /** Identifies the key without revealing it (HMAC of a fixed label, 16 hex characters). */
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`a master key is ${KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
    this.keyId = createHmac('sha256', this.key).update('runlake master key id v1').digest('hex').slice(0, 16);
  }

  static load(opts: { dataDir: string; masterKey?: string | undefined }): SecretBox {
    return new SecretBox(loadMasterKey(opts));
  }

  /** Encrypts `plaintext`; `context` (e.g. the access key id) must be given again to decrypt. */
  encrypt(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}:${this.keyId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  decrypt(sealed: string, context = ''): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new SecretDecryptError('a stored secret is not in a format this version of Runlake understands');
    }
    const [, keyId, ivText, bodyText] = parts as [string, string, string, string];
    if (keyId.length !== this.keyId.length || !timingSafeEqual(Buffer.from(keyId), Buffer.from(this.keyId))) {
      throw new SecretDecryptError(
        `a stored secret was encrypted with master key ${keyId}, but the configured master key is ${this.keyId}; ` +
          `configure the original key (masterKey / RUNLAKE_MASTER_KEY, or restore <data-dir>/${MASTER_KEY_FILE})`,
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SecretDecryptError('a stored secret is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(this.aad(context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptError('a stored secret failed its integrity check: it was altered or belongs to another record');
    }
  }

  private aad(context: string): Buffer {
    return Buffer.from(`runlake-secret-v1\0${context}`, 'utf8');
  }
}
