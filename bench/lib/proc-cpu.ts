/**
 * bench/lib/proc-cpu — CPU time a server spends, read from Linux /proc: a process's user + system
 * time (all its threads), or a whole PostgreSQL cluster's (the postmaster and its children). On a
 * shared machine wall-clock rates move with other load; CPU seconds per row measure the server's
 * own work. Returns NaN where /proc is not available.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let tick: number | undefined;
function ticksPerSecond(): number {
  if (tick === undefined) {
    try {
      tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tick = 100;
    }
  }
  return tick;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far; with `reaped`, also its ended children's. */
export function processCpuSeconds(pid: number, reaped = false): number {
  const f = statFields(pid);
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  if (!f) return NaN;
  return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) / ticksPerSecond();
}

export function parentPid(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[1]) : undefined;
}

/**
 * CPU seconds of a process and its children, live and ended (a PostgreSQL postmaster: its
 * backends, and parallel workers that have exited).
 */
export function treeCpuSeconds(rootPid: number): number {
  let total = processCpuSeconds(rootPid, true);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid !== rootPid && parentPid(pid) === rootPid) total += processCpuSeconds(pid);
  }
  return total;
}
