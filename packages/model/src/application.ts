/**
 * The Application, AppProject and ApplicationSet types: one zod schema per object, from which the
 * TypeScript types (z.infer) and the CRDs' OpenAPI schemas (crd.ts) are both derived, so the two
 * cannot drift apart. Field names follow Argo CD's exactly, so Argo CD manifests work unchanged.
 */
import { z } from 'zod';

const preserveUnknown = { 'x-kubernetes-preserve-unknown-fields': true } as const;
const str = z.string();
const strList = z.array(str);
const strMap = z.record(str, str);

/** Kubernetes object metadata, as far as gitward reads or writes it. */
export const objectMetaSchema = z.object({
  name: str,
  namespace: str.optional(),
  labels: strMap.optional(),
  annotations: strMap.optional(),
  finalizers: strList.optional(),
  uid: str.optional(),
  resourceVersion: str.optional(),
  generation: z.number().int().optional(),
  creationTimestamp: str.optional(),
  deletionTimestamp: str.optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

const nameValue = z.object({ name: str, value: str });
const jsonnetVar = z.object({ name: str, value: str, code: z.boolean().optional() });

export const helmSourceSchema = z
  .object({
    valueFiles: strList
      .optional()
      .describe('values files, relative to the source path; later files win'),
    values: str.optional().describe('values as a YAML string'),
    valuesObject: z
      .record(str, z.unknown())
      .meta(preserveUnknown)
      .optional()
      .describe('values as an object; wins over values'),
    parameters: z
      .array(z.object({ name: str, value: str, forceString: z.boolean().optional() }))
      .optional()
      .describe('--set (or --set-string with forceString) parameters; win over all values'),
    fileParameters: z.array(z.object({ name: str, path: str })).optional(),
    releaseName: str.optional().describe('defaults to the Application name'),
    skipCrds: z.boolean().optional(),
    skipSchemaValidation: z.boolean().optional(),
    skipTests: z.boolean().optional(),
    ignoreMissingValueFiles: z.boolean().optional(),
    passCredentials: z.boolean().optional(),
    version: str.optional(),
    namespace: str.optional(),
    kubeVersion: str.optional(),
    apiVersions: strList.optional(),
  })
  .describe('Helm options; rendering is `helm template`');

export const kustomizeSourceSchema = z.object({
  namePrefix: str.optional(),
  nameSuffix: str.optional(),
  images: strList.optional().describe('image overrides: name=new:tag, img:tag or img@digest'),
  commonLabels: strMap.optional(),
  commonAnnotations: strMap.optional(),
  commonAnnotationsEnvsubst: z.boolean().optional(),
  forceCommonLabels: z.boolean().optional(),
  forceCommonAnnotations: z.boolean().optional(),
  labelWithoutSelector: z.boolean().optional(),
  labelIncludeTemplates: z.boolean().optional(),
  namespace: str.optional(),
  replicas: z.array(z.object({ name: str, count: z.number().int() })).optional(),
  patches: z
    .array(
      z.object({
        path: str.optional(),
        patch: str.optional(),
        target: z
          .object({
            group: str.optional(),
            version: str.optional(),
            kind: str.optional(),
            name: str.optional(),
            namespace: str.optional(),
            labelSelector: str.optional(),
            annotationSelector: str.optional(),
          })
          .optional(),
        options: z.record(str, z.boolean()).optional(),
      }),
    )
    .optional(),
  components: strList.optional(),
  ignoreMissingComponents: z.boolean().optional(),
  version: str.optional(),
  kubeVersion: str.optional(),
  apiVersions: strList.optional(),
});

export const directorySourceSchema = z.object({
  recurse: z.boolean().optional(),
  include: str.optional().describe('glob of files to include; {a,b} alternation'),
  exclude: str.optional().describe('glob of files to exclude; wins over include'),
  disableExtensionFilter: z.boolean().optional(),
  jsonnet: z
    .object({
      extVars: z.array(jsonnetVar).optional(),
      tlas: z.array(jsonnetVar).optional(),
      libs: strList.optional(),
    })
    .optional(),
});

export const pluginSourceSchema = z.object({
  name: str.optional(),
  env: z.array(nameValue).optional(),
  parameters: z
    .array(
      z.object({
        name: str,
        string: str.optional(),
        array: strList.optional(),
        map: strMap.optional(),
      }),
    )
    .optional(),
});

export const applicationSourceSchema = z.object({
  repoURL: str.describe('git repository or Helm chart repository URL'),
  path: str.optional().describe('directory inside the repository'),
  targetRevision: str
    .optional()
    .describe('branch, tag, commit SHA, HEAD; for charts a version or semver range'),
  chart: str.optional().describe('chart name, for Helm chart repositories'),
  ref: str.optional(),
  name: str.optional(),
  helm: helmSourceSchema.optional(),
  kustomize: kustomizeSourceSchema.optional(),
  directory: directorySourceSchema.optional(),
  plugin: pluginSourceSchema.optional(),
});
export type ApplicationSource = z.infer<typeof applicationSourceSchema>;
export type HelmSource = z.infer<typeof helmSourceSchema>;
export type KustomizeSource = z.infer<typeof kustomizeSourceSchema>;
export type DirectorySource = z.infer<typeof directorySourceSchema>;
export type PluginSource = z.infer<typeof pluginSourceSchema>;

export const destinationSchema = z.object({
  server: str.optional().describe('API server URL; https://kubernetes.default.svc is this cluster'),
  name: str.optional().describe('cluster name; in-cluster is this cluster'),
  namespace: str.optional(),
});
export type ApplicationDestination = z.infer<typeof destinationSchema>;

export const retryStrategySchema = z.object({
  limit: z.number().int().optional().describe('<0 unlimited, 0 none'),
  backoff: z
    .object({
      duration: str.optional(),
      factor: z.number().int().optional(),
      maxDuration: str.optional(),
    })
    .optional(),
  refresh: z.boolean().optional(),
});

export const syncPolicySchema = z.object({
  automated: z
    .object({
      enabled: z.boolean().optional(),
      prune: z.boolean().optional(),
      selfHeal: z.boolean().optional(),
      allowEmpty: z.boolean().optional(),
    })
    .optional(),
  syncOptions: strList.optional(),
  retry: retryStrategySchema.optional(),
  managedNamespaceMetadata: z
    .object({ labels: strMap.optional(), annotations: strMap.optional() })
    .optional(),
});

const resourceRef = z.object({
  group: str.optional(),
  kind: str,
  name: str,
  namespace: str.optional(),
});

export const applicationSpecSchema = z
  .object({
    project: str.describe('the AppProject this Application belongs to'),
    destination: destinationSchema.meta({
      'x-kubernetes-validations': [
        { rule: 'has(self.server) || has(self.name)', message: 'destination needs server or name' },
      ],
    }),
    source: applicationSourceSchema.optional(),
    sources: z.array(applicationSourceSchema).optional(),
    syncPolicy: syncPolicySchema.optional(),
    ignoreDifferences: z
      .array(
        z.object({
          group: str.optional(),
          kind: str,
          name: str.optional(),
          namespace: str.optional(),
          jsonPointers: strList.optional(),
          jqPathExpressions: strList.optional(),
          managedFieldsManagers: strList.optional(),
        }),
      )
      .optional(),
    revisionHistoryLimit: z.number().int().optional(),
    info: z.array(nameValue).optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: 'has(self.source) || has(self.sources)',
        message: 'spec.source or spec.sources is required',
      },
    ],
  });
export type ApplicationSpec = z.infer<typeof applicationSpecSchema>;

export const syncOperationSchema = z.object({
  revision: str.optional(),
  revisions: strList.optional(),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  syncStrategy: z
    .object({
      hook: z.object({ force: z.boolean().optional() }).optional(),
      apply: z.object({ force: z.boolean().optional() }).optional(),
    })
    .optional(),
  resources: z.array(resourceRef).optional(),
  syncOptions: strList.optional(),
  source: applicationSourceSchema.optional(),
  sources: z.array(applicationSourceSchema).optional(),
  manifests: strList.optional(),
  autoHealAttemptsCount: z.number().int().optional(),
});

export const operationSchema = z.object({
  initiatedBy: z.object({ username: str.optional(), automated: z.boolean().optional() }).optional(),
  info: z.array(nameValue).optional(),
  retry: retryStrategySchema.optional(),
  sync: syncOperationSchema.optional(),
});
export type Operation = z.infer<typeof operationSchema>;

export const SyncStatusCode = {
  Synced: 'Synced',
  OutOfSync: 'OutOfSync',
  Unknown: 'Unknown',
} as const;
export type SyncStatusCode = (typeof SyncStatusCode)[keyof typeof SyncStatusCode];
export const HealthStatusCode = {
  Healthy: 'Healthy',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  Suspended: 'Suspended',
  Missing: 'Missing',
  Unknown: 'Unknown',
} as const;
export type HealthStatusCode = (typeof HealthStatusCode)[keyof typeof HealthStatusCode];
export const OperationPhase = {
  Running: 'Running',
  Terminating: 'Terminating',
  Failed: 'Failed',
  Error: 'Error',
  Succeeded: 'Succeeded',
} as const;
export type OperationPhase = (typeof OperationPhase)[keyof typeof OperationPhase];

/** Condition types an Application can carry (Argo CD's names). */
export const ApplicationConditionType = {
  InvalidSpecError: 'InvalidSpecError',
  ComparisonError: 'ComparisonError',
  SyncError: 'SyncError',
  DeletionError: 'DeletionError',
  UnknownError: 'UnknownError',
  SharedResourceWarning: 'SharedResourceWarning',
  RepeatedResourceWarning: 'RepeatedResourceWarning',
  ExcludedResourceWarning: 'ExcludedResourceWarning',
  OrphanedResourceWarning: 'OrphanedResourceWarning',
} as const;
export type ApplicationConditionType =
  (typeof ApplicationConditionType)[keyof typeof ApplicationConditionType];

const healthSchema = z.object({
  status: str.optional(),
  message: str.optional(),
  lastTransitionTime: str.optional(),
});
const comparedToSchema = z.object({
  source: applicationSourceSchema.optional(),
  sources: z.array(applicationSourceSchema).optional(),
  destination: destinationSchema.optional(),
  ignoreDifferences: z.array(z.record(str, z.unknown()).meta(preserveUnknown)).optional(),
});
const resourceResultSchema = z.object({
  group: str.optional(),
  version: str.optional(),
  kind: str.optional(),
  namespace: str.optional(),
  name: str.optional(),
  status: str.optional(),
  message: str.optional(),
  hookType: str.optional(),
  hookPhase: str.optional(),
  syncPhase: str.optional(),
  images: strList.optional(),
});

export const applicationStatusSchema = z.object({
  sync: z
    .object({
      status: str.optional(),
      revision: str.optional(),
      revisions: strList.optional(),
      comparedTo: comparedToSchema.optional(),
    })
    .optional(),
  health: healthSchema.optional(),
  operationState: z
    .object({
      operation: operationSchema.optional(),
      phase: str.optional(),
      message: str.optional(),
      syncResult: z
        .object({
          resources: z.array(resourceResultSchema).optional(),
          revision: str.optional(),
          revisions: strList.optional(),
          source: applicationSourceSchema.optional(),
          sources: z.array(applicationSourceSchema).optional(),
        })
        .optional(),
      startedAt: str.optional(),
      finishedAt: str.optional(),
      retryCount: z.number().int().optional(),
    })
    .optional(),
  history: z
    .array(
      z.object({
        id: z.number().int(),
        revision: str.optional(),
        revisions: strList.optional(),
        deployedAt: str.optional(),
        deployStartedAt: str.optional(),
        source: applicationSourceSchema.optional(),
        sources: z.array(applicationSourceSchema).optional(),
        initiatedBy: z
          .object({ username: str.optional(), automated: z.boolean().optional() })
          .optional(),
      }),
    )
    .optional(),
  resources: z
    .array(
      z.object({
        group: str.optional(),
        version: str.optional(),
        kind: str.optional(),
        namespace: str.optional(),
        name: str.optional(),
        status: str.optional(),
        health: healthSchema.optional(),
        hook: z.boolean().optional(),
        requiresPruning: z.boolean().optional(),
        syncWave: z.number().int().optional(),
        requiresDeletionConfirmation: z.boolean().optional(),
      }),
    )
    .optional(),
  conditions: z
    .array(z.object({ type: str, message: str, lastTransitionTime: str.optional() }))
    .optional(),
  reconciledAt: str.optional(),
  observedAt: str.optional(),
  sourceType: str.optional(),
  sourceTypes: strList.optional(),
  summary: z.object({ externalURLs: strList.optional(), images: strList.optional() }).optional(),
  controllerNamespace: str.optional(),
});
export type ApplicationStatus = z.infer<typeof applicationStatusSchema>;

export const applicationSchema = z.object({
  apiVersion: str,
  kind: z.literal('Application'),
  metadata: objectMetaSchema,
  spec: applicationSpecSchema,
  operation: operationSchema.optional(),
  status: applicationStatusSchema.optional(),
});
/** An Application: a set of resources from one source (or several), sent to one destination. */
export type Application = z.infer<typeof applicationSchema>;

const groupKind = z.object({ group: str, kind: str });

export const appProjectSpecSchema = z.object({
  description: str.optional(),
  sourceRepos: strList.optional().describe('allowed repository URL globs; !glob denies'),
  destinations: z.array(destinationSchema).optional(),
  clusterResourceWhitelist: z.array(groupKind.extend({ name: str.optional() })).optional(),
  clusterResourceBlacklist: z.array(groupKind.extend({ name: str.optional() })).optional(),
  namespaceResourceWhitelist: z.array(groupKind).optional(),
  namespaceResourceBlacklist: z.array(groupKind).optional(),
  roles: z
    .array(
      z.object({
        name: str,
        description: str.optional(),
        policies: strList.optional(),
        groups: strList.optional(),
        jwtTokens: z
          .array(
            z.object({
              iat: z.number().int(),
              exp: z.number().int().optional(),
              id: str.optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
  syncWindows: z
    .array(
      z.object({
        kind: z.enum(['allow', 'deny']),
        schedule: str,
        duration: str,
        applications: strList.optional(),
        namespaces: strList.optional(),
        clusters: strList.optional(),
        manualSync: z.boolean().optional(),
        timeZone: str.optional(),
        andOperator: z.boolean().optional(),
        syncOverrun: z.boolean().optional(),
        description: str.optional(),
      }),
    )
    .optional(),
  orphanedResources: z
    .object({
      warn: z.boolean().optional(),
      ignore: z
        .array(z.object({ group: str.optional(), kind: str.optional(), name: str.optional() }))
        .optional(),
    })
    .optional(),
  signatureKeys: z.array(z.object({ keyID: str })).optional(),
  sourceNamespaces: strList.optional(),
  permitOnlyProjectScopedClusters: z.boolean().optional(),
  destinationServiceAccounts: z
    .array(z.object({ server: str, namespace: str.optional(), defaultServiceAccount: str }))
    .optional(),
});
export type AppProjectSpec = z.infer<typeof appProjectSpecSchema>;

export const appProjectSchema = z.object({
  apiVersion: str,
  kind: z.literal('AppProject'),
  metadata: objectMetaSchema,
  spec: appProjectSpecSchema,
  status: z
    .object({ jwtTokensByRole: z.record(str, z.unknown()).meta(preserveUnknown).optional() })
    .optional(),
});
/** An AppProject: a team's guardrails (repositories, destinations, kinds, roles, sync windows). */
export type AppProject = z.infer<typeof appProjectSchema>;

/** ApplicationSet: the schema is installed now; the controller for it arrives in a later issue. */
export const applicationSetSpecSchema = z.object({
  generators: z.array(z.record(str, z.unknown()).meta(preserveUnknown)),
  template: z.object({
    metadata: z.object({
      name: str.optional(),
      namespace: str.optional(),
      labels: strMap.optional(),
      annotations: strMap.optional(),
      finalizers: strList.optional(),
    }),
    spec: applicationSpecSchema,
  }),
  goTemplate: z.boolean().optional(),
  goTemplateOptions: strList.optional(),
  templatePatch: str.optional(),
  syncPolicy: z
    .object({
      preserveResourcesOnDeletion: z.boolean().optional(),
      applicationsSync: z
        .enum(['create-only', 'create-update', 'create-delete', 'sync'])
        .optional(),
    })
    .optional(),
  strategy: z.record(str, z.unknown()).meta(preserveUnknown).optional(),
  preservedFields: z
    .object({ annotations: strList.optional(), labels: strList.optional() })
    .optional(),
  ignoreApplicationDifferences: z
    .array(
      z.object({
        name: str.optional(),
        jsonPointers: strList.optional(),
        jqPathExpressions: strList.optional(),
      }),
    )
    .optional(),
});

/** The health of one object or of a whole Application. */
export interface HealthStatus {
  readonly status: HealthStatusCode;
  readonly message?: string;
}
