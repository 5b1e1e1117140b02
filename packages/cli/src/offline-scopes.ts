import type { ScopeLookup } from '@gitward/engine';

// Cluster-scoped kinds of Kubernetes itself. Used ONLY by `gitward render` without a cluster to
// ask: the controller always asks the destination's discovery. Any other kind of these groups
// is namespaced; kinds of other groups are unknown (reported, left without namespace).
const clusterScoped: Record<string, readonly string[]> = {
  '': ['Namespace', 'Node', 'PersistentVolume', 'ComponentStatus'],
  'rbac.authorization.k8s.io': ['ClusterRole', 'ClusterRoleBinding'],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  'apiregistration.k8s.io': ['APIService'],
  'admissionregistration.k8s.io': [
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
    'MutatingAdmissionPolicy',
    'MutatingAdmissionPolicyBinding',
  ],
  'storage.k8s.io': [
    'StorageClass',
    'CSIDriver',
    'CSINode',
    'VolumeAttachment',
    'VolumeAttributesClass',
  ],
  'scheduling.k8s.io': ['PriorityClass'],
  'node.k8s.io': ['RuntimeClass'],
  'networking.k8s.io': ['IngressClass', 'IPAddress', 'ServiceCIDR'],
  'certificates.k8s.io': ['CertificateSigningRequest', 'ClusterTrustBundle'],
  'flowcontrol.apiserver.k8s.io': ['FlowSchema', 'PriorityLevelConfiguration'],
  'resource.k8s.io': ['DeviceClass', 'ResourceSlice'],
};
const knownGroups = new Set([
  ...Object.keys(clusterScoped),
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
]);

/** The scope of built-in kinds, for rendering with no cluster to ask. */
export const offlineScopes: ScopeLookup = (group, kind) => {
  if (!knownGroups.has(group)) return undefined;
  return !(clusterScoped[group] ?? []).includes(kind);
};
