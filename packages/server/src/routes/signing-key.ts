import { ensureServerSecretKey, SERVER_SECRET_KEY } from '../auth/index.ts';
import type { RouteRequest } from './route.ts';

/**
 * The signing key, read through the settings cache so a key rotated in the Secret is used within
 * a second without a restart. An operator may also delete it to rotate: the first login after
 * that makes a new one (conditionally, so replicas racing to make one end up sharing one).
 */
export async function signingKey(r: RouteRequest): Promise<string> {
  const settings = await r.ctx.settings.get();
  const existing = Object.hasOwn(settings.secret, SERVER_SECRET_KEY)
    ? settings.secret[SERVER_SECRET_KEY]
    : undefined;
  if (existing) return existing;
  let key = '';
  await r.ctx.store.updateSecret(r.ctx.names.secret, (data) => {
    const ensured = ensureServerSecretKey(data);
    key = ensured.key;
    return Object.keys(ensured.updates).length > 0 ? ensured.updates : undefined;
  });
  r.ctx.settings.invalidate();
  r.ctx.logger.info('no signing key in the settings Secret: made a new one');
  return key;
}
