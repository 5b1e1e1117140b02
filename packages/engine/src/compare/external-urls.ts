import type { KubeObject } from '@gitward/model';

const linkPrefix = 'link.argocd.argoproj.io/';

interface IngressSpec {
  tls?: { hosts?: string[] }[];
  rules?: { host?: string; http?: { paths?: { path?: string }[] } }[];
}

function ingressUrls(obj: KubeObject): string[] {
  const spec = (obj['spec'] ?? {}) as IngressSpec;
  const tlsHosts = new Set((spec.tls ?? []).flatMap((t) => t.hosts ?? []));
  const urls: string[] = [];
  for (const rule of spec.rules ?? []) {
    if (!rule.host) continue;
    const scheme = tlsHosts.has(rule.host) ? 'https' : 'http';
    const paths = rule.http?.paths?.map((p) => p.path ?? '') ?? [''];
    for (const p of paths) urls.push(`${scheme}://${rule.host}${p === '/' ? '' : p}`);
  }
  return urls;
}

function loadBalancerUrls(obj: KubeObject): string[] {
  const spec = obj['spec'] as { type?: string } | undefined;
  if (spec?.type !== 'LoadBalancer') return [];
  const ingress =
    (
      obj['status'] as
        { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined
    )?.loadBalancer?.ingress ?? [];
  return ingress
    .map((i) => i.hostname ?? i.ip ?? '')
    .filter(Boolean)
    .map((h) => `http://${h}`);
}

/**
 * The external URLs Argo CD shows for an app: Ingress hosts (https when TLS covers the host),
 * LoadBalancer Services' addresses, and `link.argocd.argoproj.io/<title>: <url>` annotations.
 */
export function externalUrlsOf(objects: readonly KubeObject[]): string[] {
  const urls = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'Ingress') ingressUrls(o).forEach((u) => urls.add(u));
    if (o.kind === 'Service') loadBalancerUrls(o).forEach((u) => urls.add(u));
    for (const [k, v] of Object.entries(o.metadata.annotations ?? {}))
      if (k.startsWith(linkPrefix) && v) urls.add(v);
  }
  return [...urls].sort();
}
