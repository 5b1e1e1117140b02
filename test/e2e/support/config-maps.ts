import type { KubeObject } from '@gitward/model';
import { getJson } from './kubectl.ts';

// ConfigMaps with one value: the simplest object whose change a sync test can read back.

/** A ConfigMap manifest (JSON) with `data.value`. */
export const valueConfigMap = (name: string, value: string): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } });

/** The live `data.value` of such a ConfigMap. */
export const liveValue = async (namespace: string, name: string): Promise<string | undefined> =>
  (await getJson<KubeObject & { data?: { value?: string } }>(['-n', namespace, 'configmap', name]))
    .data?.value;
