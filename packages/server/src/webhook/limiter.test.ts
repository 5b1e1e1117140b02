import { describe, expect, it } from 'vitest';
import { createWebhookLimiter } from './limiter.ts';

describe('createWebhookLimiter', () => {
  it('allows perWindow calls per client per window, then says how long to wait', () => {
    const clock = { t: 0 };
    const limiter = createWebhookLimiter({ perWindow: 3, windowMs: 1000, now: () => clock.t });
    for (let i = 0; i < 3; i++) expect(limiter.take('10.0.0.1')).toEqual({ allowed: true });
    clock.t = 400;
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(limiter.take('10.0.0.2')).toEqual({ allowed: true });
    clock.t = 1000;
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: true });
  });

  it('counts an IPv6 /64 as one client', () => {
    const limiter = createWebhookLimiter({ perWindow: 1 });
    expect(limiter.take('2001:db8::1').allowed).toBe(true);
    expect(limiter.take('2001:db8::2').allowed).toBe(false);
  });

  it('remembers at most maxClients', () => {
    const limiter = createWebhookLimiter({ maxClients: 100 });
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${Math.floor(i / 256)}.${i % 256}`);
    expect(limiter.size()).toBe(100);
  });
});
