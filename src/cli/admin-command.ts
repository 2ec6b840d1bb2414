/**
 * Helpers the control-plane commands (org, keys, users, tokens) share: opening the control plane
 * (through a running server when there is one) and printing tables or JSON.
 */
import type { Command } from 'commander';
import { openAdmin } from '../app/admin-client.ts';
import type { AdminOps } from '../control/admin.ts';
import { configFrom, withDataDirOptions } from './options.ts';

export type CommandOptions = Record<string, unknown> & { json?: boolean };

/** Runs `fn` against the data dir's control plane and closes it afterwards. */
export async function withAdmin<T>(opts: CommandOptions, fn: (admin: AdminOps) => Promise<T>): Promise<T> {
  const { admin, close } = await openAdmin(configFrom(opts));
  try {
    return await fn(admin);
  } finally {
    await close();
  }
}

/** A leaf command with the data-dir options and `--json`. */
export function adminCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return withDataDirOptions(parent.command(nameAndArgs).description(description)).option('--json', 'print JSON instead of a table');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints rows as an aligned table with an upper-case header; `empty` when there are none. */
export function printTable<T>(rows: readonly T[], columns: readonly [header: string, cell: (row: T) => string][], empty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const cells = [columns.map(([h]) => h.toUpperCase()), ...rows.map((r) => columns.map(([, f]) => f(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  for (const line of cells) process.stdout.write(`${line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
}

/** `2024-03-15T14:30:00.000Z` → `2024-03-15 14:30:00Z`; `-` for null. */
export function when(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

