/**
 * The TLS certificate of the Athena API and the PostgreSQL wire listener: the configured one
 * (`RUNLAKE_TLS_CERT` / `RUNLAKE_TLS_KEY`, PEM files), or a self-signed one generated on first run
 * into `<data-dir>/tls/` (kept, so clients that trusted it keep trusting it). docs/operations/tls.md
 * says how to trust it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { RunlakeError } from '../util/errors.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Where the certificate came from (a path), for logs and connection details. */
  certPath: string;
  selfSigned: boolean;
}

export async function loadOrCreateTls(dataDir: string, env: Record<string, string | undefined> = process.env): Promise<TlsMaterial> {
  const certPath = env.RUNLAKE_TLS_CERT;
  const keyPath = env.RUNLAKE_TLS_KEY;
  if (certPath || keyPath) {
    if (!certPath || !keyPath) throw new RunlakeError('bad_request', 'set both RUNLAKE_TLS_CERT and RUNLAKE_TLS_KEY (PEM files), or neither to use a generated certificate');
    try {
      return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, selfSigned: false };
    } catch (e) {
      throw new RunlakeError('bad_request', `cannot read the TLS certificate or key: ${(e as Error).message}`);
    }
  }
  const dir = join(dataDir, 'tls');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), certPath: cert, selfSigned: true };
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'Runlake local' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 3650 * 86_400_000),
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  await mkdir(dir, { recursive: true });
  await writeFile(key, pems.private, { mode: 0o600 });
  await chmod(key, 0o600);
  await writeFile(cert, pems.cert);
  return { cert: pems.cert, key: pems.private, certPath: cert, selfSigned: true };
}
