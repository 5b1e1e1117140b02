/**
 * CustomResourceDefinitions generated from the zod schemas in application.ts. The API group is a
 * setting: `gitward.dev` for gitward's own kinds, `argoproj.io` to serve Argo CD's kinds so an
 * existing installation's Applications work unchanged.
 */
import { z } from 'zod';
import {
  applicationSetSpecSchema,
  applicationSpecSchema,
  applicationStatusSchema,
  appProjectSchema,
  appProjectSpecSchema,
  operationSchema,
} from './application.ts';

export const ApiGroup = { Gitward: 'gitward.dev', ArgoCD: 'argoproj.io' } as const;
export type ApiGroup = (typeof ApiGroup)[keyof typeof ApiGroup];
export const apiVersionOf = (group: ApiGroup) => `${group}/v1alpha1`;

/** The namespace that holds Applications and AppProjects by default, as Argo CD uses `argocd`. */
export function defaultControlNamespace(group: ApiGroup): string {
  return group === ApiGroup.ArgoCD ? 'argocd' : 'gitward';
}

/**
 * The settings objects in the control namespace, named as Argo CD names them in argoproj.io mode
 * (argocd-cm, ...). The API server reads them all; the controller reads the ConfigMap's health
 * customizations.
 */
export interface SettingsNames {
  readonly cm: string;
  readonly rbacCm: string;
  readonly secret: string;
  readonly initialAdminSecret: string;
  /**
   * A user-given `kubernetes.io/tls` Secret for the API server (argocd-server-tls in argoproj.io
   * mode): when present it wins over the pair the server keeps in the settings Secret.
   */
  readonly serverTlsSecret: string;
  /** The API server's Service, whose in-cluster names the generated certificate covers. */
  readonly serverService: string;
  /**
   * The ConfigMap of config management plugins (argocd-cmp-cm, as Argo CD's install names the one
   * its sidecars mount): every data value a plugin.yaml, read once at startup by both processes.
   */
  readonly cmpCm: string;
  /** Public GnuPG keys (key ID → ASCII-armored key) that verify commits for signatureKeys. */
  readonly gpgKeysCm: string;
  /** OpenSSH known_hosts text (data key `ssh_known_hosts`) for SSH repositories. */
  readonly sshKnownHostsCm: string;
  /** PEM CA certificates for HTTPS repositories, keyed by server name (host, without port). */
  readonly tlsCertsCm: string;
}

export function settingsNames(group: ApiGroup): SettingsNames {
  const prefix = group === ApiGroup.ArgoCD ? 'argocd' : 'gitward';
  return {
    cm: `${prefix}-cm`,
    rbacCm: `${prefix}-rbac-cm`,
    secret: `${prefix}-secret`,
    initialAdminSecret: initialAdminSecretName(group),
    serverTlsSecret: `${prefix}-server-tls`,
    serverService: `${prefix}-server`,
    cmpCm: `${prefix}-cmp-cm`,
    gpgKeysCm: `${prefix}-gpg-keys-cm`,
    sshKnownHostsCm: `${prefix}-ssh-known-hosts-cm`,
    tlsCertsCm: `${prefix}-tls-certs-cm`,
  };
}

/**
 * The Secret in the control namespace that holds the generated first-start admin password in
 * clear (key `password`), as Argo CD's `argocd-initial-admin-secret`: the server writes it,
 * `gitward admin initial-password` reads it, the operator deletes it once the password changed.
 */
export function initialAdminSecretName(group: ApiGroup): string {
  return group === ApiGroup.ArgoCD ? 'argocd-initial-admin-secret' : 'gitward-initial-admin-secret';
}

type Json = Record<string, unknown>;

const safeIntBound = 9007199254740991;

/**
 * Turns zod's OpenAPI output into a Kubernetes structural schema: integer bounds become int64,
 * `additionalProperties` is dropped where it is meaningless or forbidden (beside `properties`, or
 * under preserve-unknown-fields), and defaults are left to the code, not the apiserver.
 */
export function toStructural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStructural);
  if (node === null || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (!keepKey(k, v, src)) continue;
    out[k] = k === 'properties' ? mapValues(v as Json, toStructural) : toStructural(v);
  }
  if (out['type'] === 'integer') out['format'] = 'int64';
  return out;
}

function keepKey(k: string, v: unknown, src: Json): boolean {
  if (k === '$schema' || k === 'default') return false;
  if (k === 'minimum' || k === 'maximum') return Math.abs(v as number) !== safeIntBound;
  if (k !== 'additionalProperties') return true;
  if (v === false || src['x-kubernetes-preserve-unknown-fields'] === true) return false;
  return !(typeof v === 'object' && v !== null && Object.keys(v).length === 0);
}

function mapValues(o: Json, f: (v: unknown) => unknown): Json {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

function openApi(schema: z.ZodType): Json {
  return toStructural(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' })) as Json;
}

interface KindNames {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
}

/**
 * As Argo CD's CRDs: Application and AppProject have no status subresource, ApplicationSet has
 * one. Without it the controller writes an Application's status and removes its refresh
 * annotation in one request instead of two, which halves the apiserver writes of a refresh.
 */
function crd(
  group: ApiGroup,
  names: KindNames,
  schema: Json,
  printerColumns: readonly Json[],
  statusSubresource = false,
): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${names.plural}.${group}`,
      labels: { 'app.kubernetes.io/name': names.plural, 'app.kubernetes.io/part-of': 'gitward' },
    },
    spec: {
      group,
      scope: 'Namespaced',
      names: {
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        singular: names.singular,
        shortNames: [...names.shortNames],
      },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          ...(statusSubresource ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: printerColumns,
        },
      ],
    },
  };
}

function objectSchema(properties: Json, required: readonly string[]): Json {
  return {
    type: 'object',
    required: [...required],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...properties,
    },
  };
}

/** The three CRDs (Application, AppProject, ApplicationSet) for an API group. */
export function customResourceDefinitions(group: ApiGroup): Json[] {
  const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
  const application = crd(
    group,
    {
      kind: 'Application',
      plural: 'applications',
      singular: 'application',
      shortNames: ['app', 'apps'],
    },
    objectSchema(
      {
        spec: openApi(applicationSpecSchema),
        operation: openApi(operationSchema),
        status: openApi(applicationStatusSchema),
      },
      ['metadata', 'spec'],
    ),
    [
      { name: 'Sync', type: 'string', jsonPath: '.status.sync.status' },
      { name: 'Health', type: 'string', jsonPath: '.status.health.status' },
      { name: 'Revision', type: 'string', jsonPath: '.status.sync.revision' },
      { name: 'Project', type: 'string', jsonPath: '.spec.project', priority: 10 },
      age,
    ],
  );
  const project = crd(
    group,
    {
      kind: 'AppProject',
      plural: 'appprojects',
      singular: 'appproject',
      shortNames: ['appproj', 'appprojs'],
    },
    objectSchema(
      { spec: openApi(appProjectSpecSchema), status: openApi(appProjectSchema.shape.status) },
      ['metadata', 'spec'],
    ),
    [{ name: 'Description', type: 'string', jsonPath: '.spec.description' }, age],
  );
  const appSet = crd(
    group,
    {
      kind: 'ApplicationSet',
      plural: 'applicationsets',
      singular: 'applicationset',
      shortNames: ['appset', 'appsets'],
    },
    objectSchema(
      {
        spec: openApi(applicationSetSpecSchema),
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
      ['metadata', 'spec'],
    ),
    [age],
    true,
  );
  return [application, project, appSet];
}

/** The `default` AppProject Argo CD creates at install: every repository, destination and kind. */
export function defaultProject(group: ApiGroup, namespace: string): Json {
  return {
    apiVersion: apiVersionOf(group),
    kind: 'AppProject',
    metadata: { name: 'default', namespace },
    spec: {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };
}

/** Everything an installation needs before the controller starts: CRDs, namespace, default project. */
export function installManifests(
  group: ApiGroup,
  namespace = defaultControlNamespace(group),
): Json[] {
  return [
    ...customResourceDefinitions(group),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    defaultProject(group, namespace),
  ];
}
