/**
 * Rate limits on console logins, against password guessing.
 *
 * Two sliding windows of failed attempts, kept in memory:
 * - per client address and username: `maxPerUser` failures within `windowMs` lock that pair
 *   (a guesser at one account is stopped without locking the owner out from elsewhere);
 * - per client address: `maxPerAddress` failures within `windowMs` lock the address (a guesser
 *   spraying many usernames).
 * A locked request is refused before the password is checked, with the seconds until the oldest
 * counted failure leaves the window. A successful login clears its pair's failures.
 */
export interface LoginLimiterOptions {
  windowMs?: number;
  maxPerUser?: number;
  maxPerAddress?: number;
  now?: () => number;
  /** Keys tracked at most (oldest dropped first); default 100,000. */
  maxKeys?: number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly windowMs: number;
  private readonly maxPerUser: number;
  private readonly maxPerAddress: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(opts: LoginLimiterOptions = {}) {
    this.windowMs = opts.windowMs ?? 15 * 60 * 1000;
    this.maxPerUser = opts.maxPerUser ?? 5;
    this.maxPerAddress = opts.maxPerAddress ?? 30;
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  /** Seconds to wait when this attempt is locked out; undefined when it may proceed. */
  retryAfter(address: string, username: string): number | undefined {
    const t = this.now();
    const waits = [
      this.wait(pairKey(address, username), this.maxPerUser, t),
      this.wait(addressKey(address), this.maxPerAddress, t),
    ].filter((w): w is number => w !== undefined);
    return waits.length === 0 ? undefined : Math.max(...waits);
  }

  failed(address: string, username: string): void {
    const t = this.now();
    this.push(pairKey(address, username), t);
    this.push(addressKey(address), t);
  }

  succeeded(address: string, username: string): void {
    this.failures.delete(pairKey(address, username));
  }

  private wait(key: string, max: number, t: number): number | undefined {
    const list = this.recent(key, t);
    if (list.length < max) return undefined;
    return Math.max(1, Math.ceil((list[list.length - max]! + this.windowMs - t) / 1000));
  }

  private recent(key: string, t: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  private push(key: string, t: number): void {
    const list = this.recent(key, t);
    list.push(t);
    this.failures.delete(key);
    this.failures.set(key, list);
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }
}

const pairKey = (address: string, username: string) => `u\u0000${address}\u0000${username.toLowerCase()}`;
const addressKey = (address: string) => `a\u0000${address}`;
