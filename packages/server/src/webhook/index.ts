/**
 * Git webhooks for the API server: authentication (node:crypto), a per-client rate limit, and
 * the shared index of apps by repository. Parsing and app matching are pure and live in
 * @gitward/engine.
 */
export {
  verifyWebhook,
  type VerifyResult,
  type WebhookProvider,
  type WebhookSecrets,
} from './verify.ts';
export { createAppIndex, type AppIndex } from './app-index.ts';
export {
  createWebhookLimiter,
  type WebhookLimit,
  type WebhookLimiter,
  type WebhookLimiterOptions,
} from './limiter.ts';
