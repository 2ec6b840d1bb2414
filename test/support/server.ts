/** Starts a real `runlake serve` child process on a data dir, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerInfo } from '../../src/app/server-info.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'runlake.js');

export interface ServerProcess {
  child: ChildProcess;
  info: ServerInfo;
  output(): string;
  /** Stops with SIGTERM and waits for the exit. */
  stop(): Promise<void>;
  /** kill -9: no chance to flush anything. */
  kill9(): Promise<void>;
}

export async function startServe(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  const infoPath = join(dataDir, 'server.json');
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--http-port', '0', '--pg-port', '0', '--https-port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  let info: ServerInfo | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`runlake serve exited with ${child.exitCode}:\n${out}`);
    if (existsSync(infoPath)) {
      try {
        const i = JSON.parse(readFileSync(infoPath, 'utf8')) as ServerInfo;
        // server.json is written before the banner listing the ports: wait for the whole banner.
        if (i.pid === child.pid && out.includes('Press Ctrl+C to stop.')) {
          info = i;
          break;
        }
      } catch {
        // being written
      }
    }
    await sleep(50);
  }
  if (!info) {
    child.kill('SIGKILL');
    throw new Error(`runlake serve did not start within 30 s:\n${out}`);
  }
  return {
    child,
    info,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `runlake …` as a child process; resolves its exit code and output. */
export async function runCli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.input ?? '');
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}
