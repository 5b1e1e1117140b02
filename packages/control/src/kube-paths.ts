import type { ApiResource } from '@gitward/infra';

/** The REST path of a resource type, an object of it, or its subresource. */
export function resourcePath(
  res: ApiResource,
  namespace?: string,
  name?: string,
  sub?: string,
): string {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const tail = name ? `/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}` : '';
  return `${base}${ns}/${res.plural}${tail}`;
}

/**
 * Server-side apply: the content type and the field manager every apply (or dry run) uses. The
 * server's dry runs use the controller's manager too, so a field the controller applied and Git
 * no longer has is predicted gone by both.
 */
export const applyPatch = 'application/apply-patch+yaml';
export const fieldManager = 'gitward';
