import type { KubeObject } from '@gitward/model';

/** What an action changes: an object to patch (the whole new object) or to create. */
export interface ImpactedResource {
  readonly operation: 'patch' | 'create';
  readonly resource: KubeObject;
}
