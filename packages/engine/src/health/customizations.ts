/**
 * Health customizations from the settings ConfigMap (argocd-cm / gitward-cm), as far as gitward
 * can honour them before Lua support lands (issue 17): Argo CD ≥ 1.8 gives Application resources
 * no health of their own, and its docs tell app-of-apps users to add
 * `resource.customizations.health.argoproj.io_Application`, a Lua script returning the child
 * app's `status.health`. When that key (or its gitward.dev twin, or the same entry in the
 * `resource.customizations` YAML) is present, whatever its script says, Application resources of
 * both API groups are judged by {@link applicationHealth}, the documented script's behaviour, so a
 * sync wave waits until a child app is Healthy and the parent's health follows its children.
 * TEMPORARY: replaced by running the configured Lua once issue 17 lands.
 */
import { parse } from 'yaml';
import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { fieldAt, health, objectAt, stringAt } from './fields.ts';

/** Both API groups' Application kinds: gitward's own and Argo CD's. */
const applicationGroups = ['argoproj.io', 'gitward.dev'] as const;

/** Whether `group/kind` is an Application of either API group (a child app in app-of-apps). */
export const isApplicationKind = (group: string, kind: string): boolean =>
  kind === 'Application' && (applicationGroups as readonly string[]).includes(group);

/** A health check configured in settings, by `group/Kind` (core group empty). */
export type HealthOverrides = ReadonlyMap<string, (obj: KubeObject) => HealthStatus>;

export const noHealthOverrides: HealthOverrides = new Map();

const validCodes: ReadonlySet<string> = new Set(Object.values(HealthStatusCode));

/**
 * The health Argo CD's documented app-of-apps script gives a child Application: its
 * `status.health.status` and message; Progressing while it has none yet; a status that is no
 * health code is Unknown (as Argo CD treats a script's invalid answer).
 */
export function applicationHealth(obj: KubeObject): HealthStatus {
  const childHealth = objectAt(fieldAt(obj, 'status', 'health'));
  const status = stringAt(childHealth, 'status');
  const message = stringAt(childHealth, 'message');
  if (!status) return health(HealthStatusCode.Progressing, message);
  if (!validCodes.has(status))
    return health(HealthStatusCode.Unknown, `invalid health status ${JSON.stringify(status)}`);
  return health(status as HealthStatusCode, message);
}

const perKindKey = (group: string) => `resource.customizations.health.${group}_Application`;

/** The `resource.customizations` YAML (keyed `group/Kind`) names a health.lua for an Application. */
function inCustomizationsYaml(settings: Record<string, unknown>): boolean {
  const text = Object.hasOwn(settings, 'resource.customizations')
    ? settings['resource.customizations']
    : undefined;
  if (typeof text !== 'string') return false;
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return false;
  }
  const byKind = objectAt(doc);
  return applicationGroups.some((g) => {
    const key = `${g}/Application`;
    return byKind !== undefined && Object.hasOwn(byKind, key)
      ? Object.hasOwn(objectAt(byKind[key]) ?? {}, 'health.lua')
      : false;
  });
}

/**
 * The health overrides a settings ConfigMap's `data` asks for (outside input: read by own
 * property only; anything but a map asks for none). Today only the app-of-apps Application check
 * is known; other health customizations need Lua and are left to the built-in rules.
 */
export function healthOverridesOf(data: unknown): HealthOverrides {
  const settings = objectAt(data);
  if (!settings) return noHealthOverrides;
  const wanted =
    applicationGroups.some((g) => Object.hasOwn(settings, perKindKey(g))) ||
    inCustomizationsYaml(settings);
  if (!wanted) return noHealthOverrides;
  return new Map(applicationGroups.map((g) => [`${g}/Application`, applicationHealth]));
}
