/**
 * How CLI commands find a server running on the same data dir: the server writes
 * `<data-dir>/server.json` (mode 0600) with its pid, HTTP URL and a per-run admin token, and removes
 * it on shutdown. A command that changes state goes through that server's admin API when it is
 * alive, so a data dir never has two writers.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServerInfo {
  pid: number;
  httpUrl: string;
  adminToken: string;
}

export function serverInfoPath(dataDir: string): string {
  return join(dataDir, 'server.json');
}

export async function writeServerInfo(dataDir: string, info: ServerInfo): Promise<void> {
  await writeFile(serverInfoPath(dataDir), JSON.stringify(info, null, 2), { mode: 0o600 });
}

export function removeServerInfo(dataDir: string, pid = process.pid): void {
  const info = readServerInfo(dataDir);
  if (info && info.pid === pid) rmSync(serverInfoPath(dataDir), { force: true });
}

/** The running server's info, or undefined when none is running (a stale file is ignored). */
export function readServerInfo(dataDir: string): ServerInfo | undefined {
  const p = serverInfoPath(dataDir);
  if (!existsSync(p)) return undefined;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8')) as ServerInfo;
    if (typeof info.pid !== 'number' || !isAlive(info.pid)) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
