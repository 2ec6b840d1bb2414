/**
 * A real `runlake serve` child over demo data (`runlake demo --no-serve`: organizations acme and
 * globex with generated workflow data), for the pgwire end-to-end suites: node-postgres clients of
 * either organization over verified TLS, the server's pgwire port and process id. The data dir is
 * removed by `stop`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { runCli, startServe, type ServerProcess } from '../../support/server.ts';

export interface DemoOrg {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface DemoServer {
  dataDir: string;
  server: ServerProcess;
  pgPort: number;
  acme: DemoOrg;
  globex: DemoOrg;
  /** A node-postgres client (not yet connected) over TLS verified against the server's certificate. */
  client(org?: DemoOrg, config?: Partial<pg.ClientConfig>): pg.Client;
  stop(): Promise<void>;
}

export async function startDemoServer(opts: { processes?: number; env?: Record<string, string> } = {}): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runlake-pg-demo-'));
  const demo = await runCli(['demo', '--no-serve', '--quiet', '--data-dir', dataDir, '--processes', String(opts.processes ?? 20), '--http-port', '0', '--https-port', '0', '--pg-port', '0']);
  if (demo.code !== 0) throw new Error(`runlake demo failed:\n${demo.stdout}${demo.stderr}`);
  const conn = JSON.parse(readFileSync(join(dataDir, 'connection.json'), 'utf8')) as {
    orgs: { name: string; access_key_id: string; secret_access_key: string }[];
  };
  const org = (name: string): DemoOrg => {
    const o = conn.orgs.find((x) => x.name === name)!;
    return { name, accessKeyId: o.access_key_id, secretAccessKey: o.secret_access_key };
  };
  const server = await startServe(dataDir, [], opts.env ?? {});
  let pgPort = 0;
  for (let i = 0; i < 200 && pgPort === 0; i++) {
    pgPort = Number(/PostgreSQL wire: +[^:\s]+:(\d+)/.exec(server.output())?.[1] ?? 0);
    if (pgPort === 0) await sleep(50);
  }
  if (pgPort === 0) {
    await server.stop();
    throw new Error(`the server did not report its pgwire port:\n${server.output()}`);
  }
  const ca = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
  const acme = org('acme');
  return {
    dataDir, server, pgPort, acme, globex: org('globex'),
    client: (o = acme, config = {}) =>
      new pg.Client({ host: '127.0.0.1', port: pgPort, database: o.name, user: o.accessKeyId, password: o.secretAccessKey, ssl: { ca }, ...config }),
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
