import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HealthStatusCode as H, type HealthStatusCode, type KubeObject } from '@gitward/model';
import { parseManifests } from '../manifest/parse.ts';
import { assessHealth } from './index.ts';

const testdata = new URL('testdata/', import.meta.url);

function fixture(file: string): KubeObject {
  const { objects, errors } = parseManifests(readFileSync(new URL(file, testdata), 'utf8'), file);
  const [obj] = objects;
  if (!obj || errors.length > 0) throw new Error(`${file}: not one Kubernetes object`);
  return obj;
}

// [fixture, expected status (undefined: no rule applies), message pattern]
const cases: [string, HealthStatusCode | undefined, RegExp?][] = [
  // Order of checks, opting out, kinds without a rule, versions without a typed conversion
  ['deletion-pending.yaml', H.Progressing, /^Pending deletion$/],
  [
    'deletion-no-rule.yaml',
    H.Progressing,
    /^Pending deletion; blocked by finalizers: example\.com\/keep$/,
  ],
  ['deletion-hook-finalizer.yaml', H.Healthy],
  ['ignore-healthcheck.yaml', undefined],
  ['ignore-healthcheck-false.yaml', H.Progressing, /0 out of 2 new replicas/],
  ['no-rule-configmap.yaml', undefined],
  ['no-rule-application.yaml', undefined],
  [
    'deployment-unsupported-version.yaml',
    H.Unknown,
    /^unsupported Deployment GVK: apps\/v1beta2, Kind=Deployment$/,
  ],
  // Deployment
  ['deployment-healthy.yaml', H.Healthy, /^$/],
  ['deployment-replicas-unset.yaml', H.Healthy],
  ['deployment-suspended.yaml', H.Suspended, /^Deployment is paused$/],
  [
    'deployment-stale-generation.yaml',
    H.Progressing,
    /^Waiting for rollout to finish: observed deployment generation less than desired generation$/,
  ],
  [
    'deployment-degraded-deadline.yaml',
    H.Degraded,
    /^Deployment "web" exceeded its progress deadline$/,
  ],
  [
    'deployment-progressing.yaml',
    H.Progressing,
    /^Waiting for rollout to finish: 1 out of 2 new replicas have been updated\.\.\.$/,
  ],
  [
    'deployment-old-replicas.yaml',
    H.Progressing,
    /^Waiting for rollout to finish: 1 old replicas are pending termination\.\.\.$/,
  ],
  [
    'deployment-unavailable.yaml',
    H.Progressing,
    /^Waiting for rollout to finish: 1 of 2 updated replicas are available\.\.\.$/,
  ],
  // StatefulSet
  [
    'statefulset-unobserved.yaml',
    H.Progressing,
    /^Waiting for statefulset spec update to be observed\.\.\.$/,
  ],
  ['statefulset-not-ready.yaml', H.Progressing, /^Waiting for 1 pods to be ready\.\.\.$/],
  [
    'statefulset-partition-progressing.yaml',
    H.Progressing,
    /^Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated\.\.\.$/,
  ],
  [
    'statefulset-partition-complete.yaml',
    H.Healthy,
    /^partitioned roll out complete: 2 new pods have been updated\.\.\.$/,
  ],
  ['statefulset-ondelete.yaml', H.Healthy, /^statefulset has 3 ready pods$/],
  [
    'statefulset-revision-progressing.yaml',
    H.Progressing,
    /^waiting for statefulset rolling update to complete 1 pods at revision db-2\.\.\.$/,
  ],
  [
    'statefulset-healthy.yaml',
    H.Healthy,
    /^statefulset rolling update complete 3 pods at revision db-2\.\.\.$/,
  ],
  // DaemonSet
  [
    'daemonset-stale-generation.yaml',
    H.Progressing,
    /observed daemon set generation less than desired generation$/,
  ],
  ['daemonset-ondelete.yaml', H.Healthy, /^daemon set 1 out of 3 new pods have been updated$/],
  [
    'daemonset-updating.yaml',
    H.Progressing,
    /^Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated\.\.\.$/,
  ],
  [
    'daemonset-unavailable.yaml',
    H.Progressing,
    /^Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available\.\.\.$/,
  ],
  ['daemonset-healthy.yaml', H.Healthy],
  // ReplicaSet
  [
    'replicaset-stale-generation.yaml',
    H.Progressing,
    /observed replica set generation less than desired generation$/,
  ],
  ['replicaset-replica-failure.yaml', H.Degraded, /exceeded quota: compute/],
  [
    'replicaset-progressing.yaml',
    H.Progressing,
    /^Waiting for rollout to finish: 1 out of 3 new replicas are available\.\.\.$/,
  ],
  ['replicaset-healthy.yaml', H.Healthy],
  // Pod
  ['pod-crashloop.yaml', H.Degraded, /^back-off 5m0s restarting failed container=app/],
  ['pod-imagepullbackoff.yaml', H.Degraded, /^Back-off pulling image "web:nope"$/],
  ['pod-errimagepull.yaml', H.Degraded, /^ErrImagePull$/],
  [
    'pod-config-error.yaml',
    H.Degraded,
    /^secret "db" not found, Back-off pulling image "proxy:nope"$/,
  ],
  ['pod-backoff-restart-never.yaml', H.Progressing],
  ['pod-ignore-restart-policy-backoff.yaml', H.Degraded, /Back-off pulling image "vm:nope"/],
  ['pod-ignore-restart-policy-ready.yaml', H.Healthy],
  ['pod-ignore-restart-policy-hook.yaml', H.Progressing],
  ['pod-pending.yaml', H.Progressing, /^0\/3 nodes are available: 3 Insufficient cpu\.$/],
  ['pod-succeeded.yaml', H.Healthy],
  [
    'pod-failed-message.yaml',
    H.Degraded,
    /^Failed: Evicted: The node was low on resource: memory\.$/,
  ],
  [
    'pod-failed-terminated-message.yaml',
    H.Degraded,
    /^Failed: container app terminated: Error \(exit code 1\): relation "users" already exists$/,
  ],
  [
    'pod-failed-oomkilled.yaml',
    H.Degraded,
    /^Failed: container app terminated: OOMKilled \(exit code 137\)$/,
  ],
  [
    'pod-failed-exit-code.yaml',
    H.Degraded,
    /^Failed: container wait-db terminated: Error \(exit code 3\)$/,
  ],
  [
    'pod-failed-waiting.yaml',
    H.Degraded,
    /^Failed: DeadlineExceeded: Pod was active on the node longer than the specified deadline; container main waiting: ImagePullBackOff: Back-off pulling image "migrate:nope"$/,
  ],
  ['pod-failed-no-detail.yaml', H.Degraded, /^Failed$/],
  ['pod-running-ready.yaml', H.Healthy],
  [
    'pod-running-restarted.yaml',
    H.Degraded,
    /^container "app" is not ready; it last terminated: Error \(exit code 2\)$/,
  ],
  ['pod-running-not-ready.yaml', H.Progressing, /^containers with unready status: \[app\]$/],
  ['pod-running-restart-never.yaml', H.Progressing],
  ['pod-running-restart-onfailure.yaml', H.Progressing],
  ['pod-running-no-restart-policy.yaml', H.Unknown],
  ['pod-unknown-phase.yaml', H.Unknown, /^node "n1" is unreachable$/],
  // Service and Ingress
  ['service-clusterip.yaml', H.Healthy],
  ['service-loadbalancer-pending.yaml', H.Progressing, /load balancer/],
  ['service-loadbalancer-ready.yaml', H.Healthy],
  ['ingress-healthy.yaml', H.Healthy],
  ['ingress-unassigned.yaml', H.Progressing, /address/],
  ['ingress-extensions-healthy.yaml', H.Healthy],
  // PersistentVolumeClaim
  ['pvc-bound.yaml', H.Healthy],
  ['pvc-pending.yaml', H.Progressing, /bound/],
  ['pvc-lost.yaml', H.Degraded, /lost/],
  ['pvc-no-status.yaml', H.Unknown, /^Unknown claim phase ""$/],
  // Job
  ['job-running.yaml', H.Progressing, /^Job is running: 1 active, 0 succeeded, 1 failed pods$/],
  ['job-succeeded.yaml', H.Healthy],
  [
    'job-failed.yaml',
    H.Degraded,
    /^BackoffLimitExceeded: Job has reached the specified backoff limit$/,
  ],
  [
    'job-failed-condition-false.yaml',
    H.Degraded,
    /^DeadlineExceeded: Job was active longer than specified deadline$/,
  ],
  ['job-suspended.yaml', H.Suspended, /^Job suspended$/],
  ['job-resumed.yaml', H.Healthy, /^Job resumed$/],
  // HorizontalPodAutoscaler
  ['hpa-v1-failed-get-scale.yaml', H.Degraded, /unable to get the target current scale/],
  ['hpa-v1-failed-update-scale.yaml', H.Degraded, /unable to update the target scale/],
  ['hpa-v1-object-metric-failed.yaml', H.Degraded, /unable to get metric requests/],
  ['hpa-v1-healthy.yaml', H.Healthy, /^recommended size matches current size$/],
  ['hpa-v1-no-annotation.yaml', H.Progressing, /^Waiting to Autoscale$/],
  ['hpa-v1-empty-conditions.yaml', H.Progressing, /^Waiting to Autoscale$/],
  [
    'hpa-v1-invalid-annotation.yaml',
    H.Unknown,
    /^failed to convert conditions annotation to typed: /,
  ],
  ['hpa-v2-healthy.yaml', H.Healthy, /^recommended size matches current size$/],
  ['hpa-v2-scaling-limited.yaml', H.Healthy, /more than the maximum replica count/],
  ['hpa-v2-progressing.yaml', H.Progressing, /^Waiting to Autoscale$/],
  ['hpa-v2-no-status.yaml', H.Progressing, /^Waiting to Autoscale$/],
  ['hpa-v2-failed-get-resource-metric.yaml', H.Degraded, /missing request for cpu/],
  ['hpa-v2-failed-get-pods-metric.yaml', H.Degraded, /packets-per-second/],
  ['hpa-v2-failed-get-external-metric.yaml', H.Degraded, /queue_depth/],
  ['hpa-v2-invalid-selector.yaml', H.Degraded, /no selector/],
  [
    'hpa-v2beta2-failed-compute-replicas.yaml',
    H.Unknown,
    /^unsupported HPA GVK: autoscaling\/v2beta2, Kind=HorizontalPodAutoscaler$/,
  ],
  ['hpa-v2beta1-healthy.yaml', H.Unknown, /^unsupported HPA GVK: autoscaling\/v2beta1/],
  [
    'hpa-unsupported-version.yaml',
    H.Unknown,
    /^unsupported HPA GVK: autoscaling\/v3alpha1, Kind=HorizontalPodAutoscaler$/,
  ],
  // APIService
  ['apiservice-available.yaml', H.Healthy, /^Passed: all checks passed$/],
  ['apiservice-unavailable.yaml', H.Progressing, /^MissingEndpoints: endpoints for service/],
  ['apiservice-no-conditions.yaml', H.Progressing, /^Waiting to be processed$/],
  ['apiservice-v1beta1-available.yaml', H.Healthy, /^Local: /],
  // CronJob (Argo CD's built-in Lua check)
  ['cronjob-suspended.yaml', H.Healthy, /^CronJob is Suspended$/],
  ['cronjob-no-status.yaml', H.Progressing, /^Waiting for CronJob$/],
  ['cronjob-never-scheduled.yaml', H.Healthy, /^CronJob has not been scheduled yet$/],
  [
    'cronjob-never-succeeded.yaml',
    H.Healthy,
    /^The CronJob never completed successfully\. It may not be healthy$/,
  ],
  [
    'cronjob-active.yaml',
    H.Healthy,
    /^The job is running\. Its last execution may not have been successful$/,
  ],
  [
    'cronjob-degraded.yaml',
    H.Degraded,
    /^CronJob has not completed its last execution successfully$/,
  ],
  ['cronjob-healthy.yaml', H.Healthy, /^CronJob has completed its last execution successfully$/],
  // Argo Workflow
  ['workflow-no-status.yaml', H.Progressing, /^$/],
  ['workflow-pending.yaml', H.Progressing],
  ['workflow-running.yaml', H.Progressing, /^step 2 of 3$/],
  ['workflow-succeeded.yaml', H.Healthy],
  ['workflow-failed.yaml', H.Degraded, /^child "etl-x7k2-123" failed$/],
  ['workflow-error.yaml', H.Degraded, /^pod deleted$/],
  ['workflow-unknown-phase.yaml', H.Unknown],
];

describe('assessHealth', () => {
  it.each(cases)('%s is %s', (file, status, message) => {
    const got = assessHealth(fixture(file));
    expect(got?.status).toBe(status);
    if (message) expect(got?.message ?? '').toMatch(message);
  });

  it('has a case for every fixture and a fixture for every case', () => {
    const files = readdirSync(testdata).filter((f) => f.endsWith('.yaml'));
    expect(cases.map(([file]) => file).sort()).toEqual(files.sort());
  });

  it('leaves an empty message out rather than setting it to ""', () => {
    expect(assessHealth(fixture('deployment-healthy.yaml'))).toEqual({ status: H.Healthy });
  });
});
