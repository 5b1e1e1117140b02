/**
 * Webhook calls per client: a fixed window per client key (addressKey: an IPv6 /64 counts as one
 * client). A webhook is public, each call may patch many Applications, and a flood must not turn
 * into a flood of writes to the apiserver. Memory is bounded: past `maxClients` the oldest window
 * is dropped.
 */
import { addressKey } from '../auth/rate-limit.ts';

export interface WebhookLimiterOptions {
  /** Calls per client per window; 120 unless set (a busy monorepo pushes far less). */
  readonly perWindow?: number;
  /** 60 s unless set. */
  readonly windowMs?: number;
  /** Clients remembered at once; 10,000 unless set. */
  readonly maxClients?: number;
  readonly now?: () => number;
}

export type WebhookLimit = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface WebhookLimiter {
  /** Counts one call of `address` and says whether it may proceed. */
  take(address: string): WebhookLimit;
  size(): number;
}

export function createWebhookLimiter(opts: WebhookLimiterOptions = {}): WebhookLimiter {
  const perWindow = opts.perWindow ?? 120;
  const windowMs = opts.windowMs ?? 60_000;
  const maxClients = opts.maxClients ?? 10_000;
  const now = opts.now ?? Date.now;
  // Insertion order is window-start order: a client is re-inserted when its window restarts.
  const windows = new Map<string, { start: number; calls: number }>();
  return {
    take(address) {
      const key = addressKey(address).slice(0, 64);
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= windowMs) {
        windows.delete(key);
        if (windows.size >= maxClients) {
          const oldest = windows.keys().next().value;
          if (oldest !== undefined) windows.delete(oldest);
        }
        w = { start: t, calls: 0 };
        windows.set(key, w);
      }
      if (w.calls >= perWindow) return { allowed: false, retryAfterMs: w.start + windowMs - t };
      w.calls += 1;
      return { allowed: true };
    },
    size: () => windows.size,
  };
}
