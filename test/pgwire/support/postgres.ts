/**
 * A throwaway real PostgreSQL server for differential tests (ground truth for text and binary
 * formats and protocol behaviour): initdb in a temp dir, started on a free loopback port with
 * trust authentication, stopped and removed afterwards. PostgreSQL refuses to run as root, so as
 * root it runs as `nobody`. Returns undefined (tests skip, saying why) when no server binaries
 * are installed (Debian: `apt-get install postgresql`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RealPostgres {
  port: number;
  stop(): void;
}

export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRealPostgres(): Promise<RealPostgres | undefined> {
  const bin = postgresBinDir();
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'runlake-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'nobody', '--', cmd, ...args]] as const : [cmd, args] as const;
    return spawnSync(full[0], [...full[1]], { encoding: 'utf8', timeout: 60_000 });
  };
  if (asRoot) chownSync(dir, 65_534, 65_534);
  const data = join(dir, 'data');
  const init = run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const start = run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  if (start.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`);
  }
  return {
    port,
    stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Whether `psql` is installed (Debian: postgresql-client). */
export function psqlPath(): string | undefined {
  for (const p of ['/usr/bin/psql', '/usr/local/bin/psql']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
