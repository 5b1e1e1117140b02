/**
 * The sources the benchmarks render and sync: a directory of 1,000 objects (mostly ConfigMaps,
 * some Deployments and Services), a small Helm chart and a kustomize base with an overlay. They
 * are generated, so the object count is exact and nothing large lives in the repository.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '@gitward/model';

export const objectCount = 1000;
const deployments = 20;
const services = 20;

function configMap(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, labels: { bench: 'gitward' } },
    data: { index: String(i), payload: `value-${i}-`.repeat(8) },
  };
}

function deployment(i: number): KubeObject {
  const labels = { app: `web-${i}` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${i}`, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'main',
              image: `registry.invalid/web-${i}:1`,
              ports: [{ containerPort: 8080 }],
            },
          ],
        },
      },
    },
  };
}

function service(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `web-${i}` },
    spec: { selector: { app: `web-${i}` }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

/** The 1,000 objects, without namespace (the destination gives it). */
export function thousandObjects(): KubeObject[] {
  const cms = objectCount - deployments - services;
  return [
    ...Array.from({ length: cms }, (_, i) => configMap(i)),
    ...Array.from({ length: deployments }, (_, i) => deployment(i)),
    ...Array.from({ length: services }, (_, i) => service(i)),
  ];
}

/** One JSON file per object: the directory source reads many files, as real repositories have. */
export async function writeThousandObjects(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(
    thousandObjects().map((o, i) =>
      writeFile(join(dir, `${String(i).padStart(4, '0')}.json`), JSON.stringify(o)),
    ),
  );
}

const chartYaml = `apiVersion: v2
name: bench
version: 0.1.0
`;
const valuesYaml = `replicas: 2
image: registry.invalid/bench:1
configs: 50
`;
const deploymentTpl = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {app: {{ .Release.Name }}}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: main
          image: {{ .Values.image }}
`;
const configsTpl = `{{- range $i := until (int .Values.configs) }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $.Release.Name }}-{{ $i }}
data:
  index: "{{ $i }}"
{{- end }}
`;

/** A Helm chart of one Deployment, one Service and 50 ConfigMaps. */
export async function writeHelmChart(dir: string): Promise<void> {
  await mkdir(join(dir, 'templates'), { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), chartYaml);
  await writeFile(join(dir, 'values.yaml'), valuesYaml);
  await writeFile(join(dir, 'templates', 'deployment.yaml'), deploymentTpl);
  await writeFile(join(dir, 'templates', 'configs.yaml'), configsTpl);
  await writeFile(
    join(dir, 'templates', 'service.yaml'),
    JSON.stringify(service(0)).replace('web-0', '{{ .Release.Name }}'),
  );
}

/** A kustomize base (Deployment, Service, 50 ConfigMaps) and an overlay at `overlay/`. */
export async function writeKustomizeOverlay(dir: string): Promise<void> {
  const base = join(dir, 'base');
  const overlay = join(dir, 'overlay');
  await mkdir(base, { recursive: true });
  await mkdir(overlay, { recursive: true });
  const files = ['deployment.json', 'service.json', 'configs.yaml'];
  await writeFile(join(base, 'deployment.json'), JSON.stringify(deployment(0)));
  await writeFile(join(base, 'service.json'), JSON.stringify(service(0)));
  await writeFile(
    join(base, 'configs.yaml'),
    Array.from({ length: 50 }, (_, i) => JSON.stringify(configMap(i))).join('\n---\n'),
  );
  await writeFile(
    join(base, 'kustomization.yaml'),
    `resources:\n${files.map((f) => `  - ${f}`).join('\n')}\n`,
  );
  await writeFile(
    join(overlay, 'kustomization.yaml'),
    `resources:\n  - ../base\nnamePrefix: prod-\ncommonLabels:\n  env: prod\nimages:\n  - name: registry.invalid/web-0\n    newTag: "2"\n`,
  );
}
