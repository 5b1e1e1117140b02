import type { KubeObject } from '@gitward/model';
import { getJson, kubectl } from './kubectl.ts';
import { appNamespace } from './sync-fixtures.ts';

// ConfigMaps with one value: the simplest object whose change a sync test can read back.

/** A ConfigMap manifest (JSON) with `data.value`. */
export const valueConfigMap = (name: string, value: string): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } });

/** The live `data.value` of such a ConfigMap. */
export const liveValue = async (namespace: string, name: string): Promise<string | undefined> =>
  (await getJson<KubeObject & { data?: { value?: string } }>(['-n', namespace, 'configmap', name]))
    .data?.value;

/**
 * Sets one key of the settings ConfigMap `gitward-cm` (undefined: takes it out again) by
 * server-side apply with the caller's own field manager: the ConfigMap is created when missing
 * and other keys stay as they are.
 */
export const setSettingsKey = (manager: string, key: string, value: string | undefined) =>
  kubectl(
    ['apply', '--server-side', `--field-manager=${manager}`, '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gitward-cm', namespace: appNamespace },
      ...(value === undefined ? {} : { data: { [key]: value } }),
    }),
  );
