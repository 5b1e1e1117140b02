/**
 * Git webhook authentication for the API server (node:crypto). Parsing and app matching are
 * pure and live in @gitward/engine.
 */
export {
  verifyWebhook,
  type VerifyResult,
  type WebhookProvider,
  type WebhookSecrets,
} from './verify.ts';
