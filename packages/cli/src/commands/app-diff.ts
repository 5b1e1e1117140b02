/**
 * `app diff --local DIR` and `app diff --revision REV`: the target comes from the client (a local
 * render, or the server's render of another revision) and is compared with the live state the
 * server reports for the app (managed-resources), the way the server compares Git with live: the
 * engine's 2-way diff, the app's ignoreDifferences applied, Secrets masked. Pure.
 */
import { diffResource, syncRoleOf } from '@gitward/engine';
import {
  formatResourceKey,
  resourceKeyOf,
  type Application,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';
import type { ResourceDiff as ApiResourceDiff } from '../api/index.ts';

/** One resource that differs, ready to print. */
export interface DiffItem {
  readonly key: ResourceKey;
  readonly diff: string;
}

function parseState(json: string | undefined): KubeObject | undefined {
  if (!json || json === 'null') return undefined;
  const v = JSON.parse(json) as unknown;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as KubeObject) : undefined;
}

/**
 * The resources whose live state differs from `target`: each target object (hooks left out, as
 * Argo CD's diff does) against its live object, then each live managed object the target no
 * longer has (it would be pruned). Ordered as the target, then the rest by key.
 */
export function diffAgainstLive(
  app: Application,
  target: readonly KubeObject[],
  managed: readonly ApiResourceDiff[],
): DiffItem[] {
  const live = new Map<string, KubeObject>();
  for (const m of managed) {
    if (m.hook) continue;
    const obj = parseState(m.liveState);
    const key: ResourceKey = {
      group: m.group ?? '',
      kind: m.kind,
      namespace: m.namespace ?? '',
      name: m.name,
    };
    if (obj) live.set(formatResourceKey(key), obj);
  }
  const opts = { ignoreDifferences: app.spec.ignoreDifferences ?? [] };
  const out: DiffItem[] = [];
  const seen = new Set<string>();
  for (const obj of target) {
    if (syncRoleOf(obj).kind !== 'resource') continue;
    const key = resourceKeyOf(obj);
    const id = formatResourceKey(key);
    seen.add(id);
    const d = diffResource(obj, live.get(id), undefined, opts);
    if (d.modified) out.push({ key, diff: d.diff });
  }
  const gone = [...live].filter(([id]) => !seen.has(id)).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [, obj] of gone) {
    const d = diffResource(undefined, obj, undefined, opts);
    out.push({ key: d.key, diff: d.diff });
  }
  return out;
}

/** Argo CD's header line of one resource's diff: `===== group/Kind namespace/name ======`. */
export function diffHeader(key: {
  group?: string | undefined;
  kind: string;
  namespace?: string | undefined;
  name: string;
}): string {
  return `\n===== ${key.group ?? ''}/${key.kind} ${key.namespace ?? ''}/${key.name} ======`;
}
