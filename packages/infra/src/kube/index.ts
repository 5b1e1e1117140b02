/**
 * A small Kubernetes API client: kubeconfig loading, JSON requests over a keep-alive HTTPS agent,
 * and resource discovery (aggregated v2 with the legacy fallback).
 */
export type {
  ApiResource,
  ApiResourceIndex,
  KubeClient,
  KubeConnection,
  KubeMethod,
  KubeRequestOptions,
  KubeResponse,
} from './types.ts';
export { loadKubeconfig } from './kubeconfig.ts';
export { createKubeClient, type KubeClientOptions } from './client.ts';
export { buildIndex, discoverResources, type DiscoveryGet } from './discovery.ts';
