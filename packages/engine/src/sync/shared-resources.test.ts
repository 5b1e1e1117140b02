import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { sharedResourceMessages } from './shared-resources.ts';

const cm = (
  name: string,
  annotations: Record<string, string> = {},
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', annotations, labels },
});
const gw = (app: string, name: string) => ({
  'gitward.dev/tracking-id': `${app}:/ConfigMap:ns/${name}`,
});
const argo = (app: string, name: string) => ({
  'argocd.argoproj.io/tracking-id': `${app}:/ConfigMap:ns/${name}`,
});

describe('sharedResourceMessages', () => {
  const cases: { name: string; desired: KubeObject; live?: KubeObject; expected: string[] }[] = [
    {
      name: 'tracked by another app (gitward.dev)',
      desired: cm('shared', gw('mine', 'shared')),
      live: cm('shared', gw('theirs', 'shared')),
      expected: ['ConfigMap/shared is part of applications mine and theirs'],
    },
    {
      name: 'tracked by another app (argoproj.io), namespaced app shown as ns/app',
      desired: cm('shared', argo('mine', 'shared')),
      live: cm('shared', argo('team_theirs', 'shared')),
      expected: ['ConfigMap/shared is part of applications mine and team/theirs'],
    },
    {
      name: 'already ours',
      desired: cm('c', gw('mine', 'c')),
      live: cm('c', gw('mine', 'c')),
      expected: [],
    },
    { name: 'not live yet', desired: cm('c', gw('mine', 'c')), expected: [] },
    {
      name: 'live but untracked',
      desired: cm('c', gw('mine', 'c')),
      live: cm('c'),
      expected: [],
    },
    {
      name: 'a chart instance label does not count when the app tracks by annotation',
      desired: cm('c', gw('mine', 'c'), { 'app.kubernetes.io/instance': 'release' }),
      live: cm('c', {}, { 'app.kubernetes.io/instance': 'other' }),
      expected: [],
    },
    {
      name: 'label tracking: another instance label',
      desired: cm('c', {}, { 'app.kubernetes.io/instance': 'mine' }),
      live: cm('c', {}, { 'app.kubernetes.io/instance': 'theirs' }),
      expected: ['ConfigMap/c is part of applications mine and theirs'],
    },
  ];
  it.each(cases)('$name', ({ desired, live, expected }) => {
    expect(sharedResourceMessages([desired], () => live)).toEqual(expected);
  });
});
