/**
 * Chunks: how a month partition is split into files. A chunk is a range of days of the month
 * (by the process's start day); all process-scoped tables share the month's chunks. A small
 * organization has one chunk per month; a month with many processes is split so that no chunk
 * holds much more than `target` processes, and a publish rewrites only the chunks whose days
 * changed — that keeps publishing fast for big organizations without leaving small ones with
 * many tiny files.
 *
 * Pure functions; the publisher applies them.
 */

/** Days of the month, inclusive, 1..31. */
export interface DayRange {
  from: number;
  to: number;
}

export const WHOLE_MONTH: DayRange = { from: 1, to: 31 };

/** Processes per chunk the planner aims for. */
export const DEFAULT_CHUNK_TARGET = 15_000;

const sum = (counts: ReadonlyMap<number, number>, r: DayRange): number => {
  let n = 0;
  for (let d = r.from; d <= r.to; d++) n += counts.get(d) ?? 0;
  return n;
};

/** Splits `within` into contiguous day ranges of about `target` processes each (at least one range). */
export function planChunks(counts: ReadonlyMap<number, number>, target: number, within: DayRange = WHOLE_MONTH): DayRange[] {
  const out: DayRange[] = [];
  let from = within.from;
  let acc = 0;
  for (let d = within.from; d <= within.to; d++) {
    const n = counts.get(d) ?? 0;
    if (n > 0 && acc > 0 && acc + n > target) {
      out.push({ from, to: d - 1 });
      from = d;
      acc = 0;
    }
    acc += n;
  }
  out.push({ from, to: within.to });
  return out;
}

export const overlaps = (a: DayRange, b: DayRange): boolean => a.from <= b.to && b.from <= a.to;

/**
 * Given the month's current chunks and the days that changed, which chunks to drop and which
 * ranges to write instead. Changed days that no current chunk covers (days that had no process)
 * are written as the uncovered run of days around them. A touched chunk that grew past twice the
 * target is split.
 */
export function chunksToRewrite(
  existing: readonly DayRange[],
  dirtyDays: ReadonlySet<number>,
  counts: ReadonlyMap<number, number>,
  target: number,
): { drop: DayRange[]; write: DayRange[] } {
  if (existing.length === 0) return { drop: [], write: planChunks(counts, target) };
  const drop = existing.filter((r) => [...dirtyDays].some((d) => d >= r.from && d <= r.to));
  const write: DayRange[] = [];
  for (const r of drop) write.push(...(sum(counts, r) > 2 * target ? planChunks(counts, target, r) : [r]));
  const covered = (d: number) => existing.some((r) => d >= r.from && d <= r.to);
  for (const d of [...dirtyDays].sort((a, b) => a - b)) {
    if (covered(d) || write.some((r) => d >= r.from && d <= r.to)) continue;
    let from = d;
    let to = d;
    while (from > 1 && !covered(from - 1)) from--;
    while (to < 31 && !covered(to + 1)) to++;
    write.push({ from, to });
  }
  return { drop, write: write.sort((a, b) => a.from - b.from) };
}
