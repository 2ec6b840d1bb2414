/**
 * `<data-dir>/connection.json` (mode 0600): everything a user needs to connect, as DESIGN.md fixes
 * it. It holds secrets, shown nowhere else after creation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';

export interface ConnectionOrg {
  name: string;
  database: string;
  workgroup: string;
  access_key_id: string;
  secret_access_key: string;
  console_user: string;
  console_password: string;
  /** The Athena query-result location this organization may write to. */
  output_location: string;
}

export interface ConnectionFile {
  orgs: ConnectionOrg[];
  pgwire: { host: string; port: number; tls: boolean };
  athena: { endpoint: string; region: string; output_location: string };
  console: { url: string };
  ingest: { url: string; token: string };
  operator?: { console_user: string; console_password: string };
}

export const connectionFilePath = (dataDir: string): string => join(dataDir, 'connection.json');

export function readConnectionFile(dataDir: string): ConnectionFile | undefined {
  const p = connectionFilePath(dataDir);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ConnectionFile;
  } catch {
    return undefined;
  }
}

export async function writeConnectionFile(dataDir: string, c: ConnectionFile): Promise<void> {
  const p = connectionFilePath(dataDir);
  await writeFile(p, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  await chmod(p, 0o600);
}
