// ARM's regional token-bucket throttling per subscription and operation kind
// (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
export type RequestKind = 'reads' | 'writes' | 'deletes';

const LIMITS: Record<RequestKind, { size: number; refillPerSecond: number }> = {
  reads: { size: 250, refillPerSecond: 25 },
  writes: { size: 200, refillPerSecond: 10 },
  deletes: { size: 200, refillPerSecond: 10 },
};

interface Bucket {
  tokens: number;
  at: number;
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  readonly enabled: boolean;
  constructor(enabled = true) {
    this.enabled = enabled;
  }

  /** Takes a token; returns the remaining count, or the seconds to wait when the bucket is empty. */
  take(subscriptionId: string, kind: RequestKind, now = Date.now()): { ok: true; remaining: number } | { ok: false; retryAfter: number } {
    const limit = LIMITS[kind];
    const key = `${subscriptionId.toLowerCase()}:${kind}`;
    const b = this.buckets.get(key) ?? { tokens: limit.size, at: now };
    b.tokens = Math.min(limit.size, b.tokens + ((now - b.at) / 1000) * limit.refillPerSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (!this.enabled) return { ok: true, remaining: limit.size - 1 };
    if (b.tokens < 1) return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - b.tokens) / limit.refillPerSecond)) };
    b.tokens -= 1;
    return { ok: true, remaining: Math.floor(b.tokens) };
  }
}
