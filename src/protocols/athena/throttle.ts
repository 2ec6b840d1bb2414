/**
 * API call rates, as Athena limits them: a token bucket per access key and API class (calls per
 * second, burst), refilled continuously. An empty bucket answers ThrottlingException "Rate
 * exceeded", which the AWS SDKs and PyAthena retry with backoff. Query concurrency is not limited
 * here (that is the query service's per-organization limit, TooManyRequestsException).
 */
import { AthenaApiError } from './errors.ts';

export const API_CLASSES = ['list', 'batch', 'startStop', 'get', 'metadata'] as const;
export type ApiClass = (typeof API_CLASSES)[number];

export interface Rate {
  perSecond: number;
  burst: number;
}

/** Athena's published per-account rates (research §6); metadata calls share the GetQueryExecution rate. */
export const DEFAULT_RATES: Readonly<Record<ApiClass, Rate>> = Object.freeze({
  list: { perSecond: 5, burst: 10 },
  batch: { perSecond: 20, burst: 40 },
  startStop: { perSecond: 20, burst: 80 },
  get: { perSecond: 100, burst: 200 },
  metadata: { perSecond: 100, burst: 200 },
});

interface Bucket {
  tokens: number;
  at: number;
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rates: Readonly<Record<ApiClass, Rate>> = DEFAULT_RATES,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one call from the key's bucket of that class, or throws ThrottlingException. */
  take(accessKeyId: string, cls: ApiClass): void {
    const rate = this.rates[cls];
    const id = `${cls}\u0000${accessKeyId}`;
    const t = this.now();
    const b = this.buckets.get(id) ?? { tokens: rate.burst, at: t };
    b.tokens = Math.min(rate.burst, b.tokens + ((t - b.at) / 1000) * rate.perSecond);
    b.at = t;
    this.buckets.set(id, b);
    if (b.tokens < 1) throw new AthenaApiError('ThrottlingException', 'Rate exceeded');
    b.tokens -= 1;
    if (this.buckets.size > 10_000) this.forgetFull(t);
  }

  /** Drops buckets that have refilled completely (they behave like new ones). */
  private forgetFull(t: number): void {
    for (const [id, b] of this.buckets) {
      const cls = id.slice(0, id.indexOf('\u0000')) as ApiClass;
      const rate = this.rates[cls];
      if (b.tokens + ((t - b.at) / 1000) * rate.perSecond >= rate.burst) this.buckets.delete(id);
    }
  }
}
