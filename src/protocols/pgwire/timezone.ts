/**
 * The session TimeZone: validating a `SET TimeZone` value and finding a zone's UTC offset at an
 * instant (for timestamptz text output and for timestamps without an offset in parameters).
 * Uses the platform's IANA database (Intl); UTC needs none of it.
 */

export interface TimeZone {
  /** The name reported in ParameterStatus and SHOW. */
  readonly name: string;
  /** Seconds east of UTC at the instant `epochMs` (UTC ms). */
  offsetAt(epochMs: number): number;
  /** Seconds east of UTC for a wall-clock time in this zone (the later offset where ambiguous). */
  offsetForLocal(localEpochMs: number): number;
}

class FixedZone implements TimeZone {
  constructor(readonly name: string, private readonly offset: number) {}
  offsetAt(): number {
    return this.offset;
  }
  offsetForLocal(): number {
    return this.offset;
  }
}

const HOUR_MS = 3_600_000;

class IanaZone implements TimeZone {
  private readonly fmt: Intl.DateTimeFormat;
  /** Offsets by UTC hour; zone transitions fall on whole minutes but nearly always on the hour. */
  private readonly cache = new Map<number, number>();

  constructor(readonly name: string, intlId: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', { timeZone: intlId, timeZoneName: 'longOffset' });
  }

  offsetAt(epochMs: number): number {
    const hour = Math.floor(epochMs / HOUR_MS);
    const start = this.exact(hour * HOUR_MS);
    const end = this.exact((hour + 1) * HOUR_MS - 1);
    // A transition inside this hour (rare: half-hour zones in history): ask for the exact instant.
    return start === end ? start : this.exactUncached(epochMs);
  }

  offsetForLocal(localEpochMs: number): number {
    // Two passes settle the offset except inside a DST gap or overlap (PostgreSQL then uses the
    // offset in force before the transition for gaps; we accept the second pass's answer).
    const first = this.offsetAt(localEpochMs);
    const second = this.offsetAt(localEpochMs - first * 1000);
    return second;
  }

  private exact(epochMs: number): number {
    let v = this.cache.get(epochMs);
    if (v === undefined) {
      v = this.exactUncached(epochMs);
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(epochMs, v);
    }
    return v;
  }

  private exactUncached(epochMs: number): number {
    if (!Number.isFinite(epochMs) || Math.abs(epochMs) > 8.64e15) return 0;
    const part = this.fmt.formatToParts(epochMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(part);
    if (!m || m[1] === undefined) return 0;
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === '-' ? -secs : secs;
  }
}

export const UTC: TimeZone = new FixedZone('UTC', 0);

const UTC_NAMES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'z', 'zulu', 'universal', 'etc/universal', 'uct', 'etc/uct', 'greenwich']);

/**
 * The zone a `SET TimeZone` value names, or undefined when it names none. As PostgreSQL reads it:
 * - IANA names in any case (`europe/paris` → Europe/Paris) and the UTC aliases;
 * - a plain number is hours east of UTC, ISO-style (`+02`, `-7`, `5.5`), shown as `<+02>-02`;
 * - a POSIX-style offset, optionally after an abbreviation, counts hours *west* of UTC
 *   (`GMT-02:00` and `-05:30` are east of UTC; pgJDBC sends the former for offset-only JVM zones).
 */
export function resolveTimeZone(value: string): TimeZone | undefined {
  const v = value.trim();
  if (UTC_NAMES.has(v.toLowerCase())) return v.toLowerCase() === 'utc' ? UTC : new FixedZone(canonicalUtcName(v), 0);
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) {
    const secs = Math.round(Number(v) * 3600);
    if (Math.abs(secs) > 15 * 3600) return undefined;
    return new FixedZone(`<${isoLabel(secs)}>${isoLabel(-secs).replace(/^\+/, '')}`, secs);
  }
  const posix = /^(?:[A-Za-z]{3,}|<[^>]+>)?([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/.exec(v);
  if (posix) {
    const west = Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60 + Number(posix[4] ?? 0);
    if (west > 24 * 3600) return undefined;
    return new FixedZone(v, posix[1] === '-' ? west : -west);
  }
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(v)) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
    // Report the database's spelling when the client's differs only in case (as PostgreSQL
    // does), else the client's own (an alias such as Asia/Calcutta stays as given).
    return new IanaZone(resolved.toLowerCase() === v.toLowerCase() ? resolved : v, resolved);
  } catch {
    return undefined;
  }
}

/** `+02`, `-05:30` (seconds east). */
function isoLabel(secs: number): string {
  const a = Math.abs(secs);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return `${secs < 0 ? '-' : '+'}${String(h).padStart(2, '0')}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

function canonicalUtcName(v: string): string {
  const known = ['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z', 'Zulu', 'Universal', 'Etc/Universal', 'UCT', 'Etc/UCT', 'Greenwich'];
  return known.find((k) => k.toLowerCase() === v.toLowerCase()) ?? 'UTC';
}
