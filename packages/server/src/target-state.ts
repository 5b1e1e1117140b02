/**
 * The target state as the API server sees it: an Application's source rendered in this process
 * with @gitward/target, with the repository credentials, namespace defaulting and tracking the
 * controller uses, so `manifests` and `managed-resources` show what the controller would apply.
 * Routes depend on the TargetSource interface only; main.ts (or a test) builds it.
 */
import {
  repoCredentialsFor,
  type ReconcileSettings,
  type RepoTrust,
  type ScopeLookup,
} from '@gitward/engine';
import {
  ErrorCode,
  GitwardError,
  secretTypeLabel,
  withTracking,
  trackingAnnotation,
  type ApiGroup,
  type Application,
  type KubeObject,
} from '@gitward/model';
import type { ApiResourceIndex } from '@gitward/infra';
import type { TargetRenderer } from '@gitward/target';
import type { ClusterStore } from './cluster/store.ts';

/** One rendering of an app's source: the objects, or why there are none. */
export type TargetState =
  | {
      readonly ok: true;
      /** Namespaces defaulted to the destination's, tracking set, as the controller compares them. */
      readonly objects: readonly KubeObject[];
      /** The resolved revision: a commit SHA, or a chart version. */
      readonly revision: string;
      readonly sourceType: string;
    }
  | { readonly ok: false; readonly error: GitwardError };

/** What rendering needs of the destination cluster: its kinds' scopes and its version. */
export interface RenderDestination {
  discover(): Promise<ApiResourceIndex>;
  /** Without the leading "v" (e.g. "1.34.4"), for Helm. */
  kubeVersion(): Promise<string>;
}

export interface TargetSource {
  /**
   * The app's source at `revision` (its targetRevision when absent), namespaces defaulted and
   * API versions taken from `destination` (the control plane's cluster when absent).
   */
  render(
    app: Application,
    opts?: { readonly revision?: string; readonly destination?: RenderDestination },
  ): Promise<TargetState>;
}

export interface TargetSourceDeps {
  readonly renderer: TargetRenderer;
  readonly store: ClusterStore;
  /** The destination's version without the leading "v" (e.g. "1.34.4"), for Helm. */
  readonly kubeVersion: () => Promise<string>;
  readonly group: ApiGroup;
  /** Whom repository connections trust (known hosts, TLS certs ConfigMaps); absent: nobody extra. */
  readonly repoTrust?: () => Promise<RepoTrust>;
  /**
   * What a render takes from the settings ConfigMap, as the controller reads it: how rendered
   * objects are marked as the app's, and kustomize's binaries and options. Asked per render: the
   * ConfigMap can change at run time.
   */
  readonly settings: () => Promise<
    Pick<
      ReconcileSettings,
      'trackingMethod' | 'instanceLabelKey' | 'kustomize' | 'helmValuesFileSchemes'
    >
  >;
}

/** The TargetSource over a renderer and the cluster (repo Secrets, discovery). */
export function createTargetSource(d: TargetSourceDeps): TargetSource {
  const label = secretTypeLabel(d.group);
  const annotation = trackingAnnotation(d.group);
  const secretsPath = `/api/v1/namespaces/${encodeURIComponent(d.store.namespace)}/secrets`;

  // Read per render, as the controller does: a repository added a moment ago must work at once.
  // A lookup for the source and its submodules (each by its own URL), over one read.
  async function credentialsLookup(project: string) {
    const [secrets, trust] = await Promise.all([d.store.list(secretsPath, label), d.repoTrust?.()]);
    return (url: string) => repoCredentialsFor(url, project, secrets, label, trust);
  }

  const inCluster: RenderDestination = {
    discover: () => d.store.discover(),
    kubeVersion: d.kubeVersion,
  };

  async function render(
    app: Application,
    opts: { revision?: string; destination?: RenderDestination } = {},
  ): Promise<TargetState> {
    const first = app.spec.source ?? app.spec.sources?.[0];
    if (!first)
      return {
        ok: false,
        error: new GitwardError(
          ErrorCode.InvalidSpec,
          `application ${app.metadata.name} has no source`,
        ),
      };
    const source = opts.revision ? { ...first, targetRevision: opts.revision } : first;
    const destination = opts.destination ?? inCluster;
    const [index, kubeVersion, credentialsFor, settings] = await Promise.all([
      destination.discover(),
      destination.kubeVersion(),
      credentialsLookup(app.spec.project),
      d.settings(),
    ]);
    const credentials = credentialsFor(source.repoURL);
    const scope: ScopeLookup = (g, k) => index.lookup(g, k)?.namespaced;
    const out = await d.renderer.render({
      appName: app.metadata.name,
      project: app.spec.project,
      source,
      destinationNamespace: app.spec.destination.namespace,
      kubeVersion,
      apiVersions: index.apiVersions(),
      scope,
      kustomize: settings.kustomize,
      helmValuesFileSchemes: settings.helmValuesFileSchemes,
      credentialsFor,
      ...(credentials ? { credentials } : {}),
    });
    if (out.kind === 'failed') return { ok: false, error: out.error };
    const objects = out.kind === 'rendered' ? out.objects : [];
    return {
      ok: true,
      objects: objects.map((o) =>
        withTracking(
          o,
          app.metadata.name,
          settings.trackingMethod,
          annotation,
          settings.instanceLabelKey,
        ),
      ),
      revision: out.revision,
      sourceType: out.sourceType,
    };
  }

  return { render };
}
