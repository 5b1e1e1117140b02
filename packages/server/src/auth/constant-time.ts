/**
 * Constant-time comparison of secrets (signatures, tokens, passwords). Owns nothing else: bcrypt
 * and jose compare their own secrets in constant time already.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether two secrets are equal, in time independent of where they differ. Both sides are hashed
 * first because timingSafeEqual needs equal lengths and an early length check would leak it.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
