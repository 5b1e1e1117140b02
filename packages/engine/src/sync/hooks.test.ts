import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { deletePoliciesOf, syncRoleOf, syncWaveOf, type SyncRole } from './hooks.ts';

const obj = (annotations: Record<string, string>): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'j', namespace: 'ns', annotations },
});

describe('syncRoleOf', () => {
  const cases: { name: string; annotations: Record<string, string>; role: SyncRole }[] = [
    { name: 'no annotation: a resource', annotations: {}, role: { kind: 'resource' } },
    {
      name: 'Argo hook',
      annotations: { 'argocd.argoproj.io/hook': 'PreSync' },
      role: { kind: 'hook', phases: ['PreSync'] },
    },
    {
      name: 'comma list: one phase each, in sync order, deduplicated',
      annotations: { 'argocd.argoproj.io/hook': 'PostSync, PreSync,PostSync' },
      role: { kind: 'hook', phases: ['PreSync', 'PostSync'] },
    },
    {
      name: 'SyncFail and Sync hooks',
      annotations: { 'argocd.argoproj.io/hook': 'SyncFail,Sync' },
      role: { kind: 'hook', phases: ['Sync', 'SyncFail'] },
    },
    {
      name: 'Skip alone: never applied',
      annotations: { 'argocd.argoproj.io/hook': 'Skip' },
      role: { kind: 'ignored', reason: 'Skip' },
    },
    {
      name: 'Skip with a phase: a hook of that phase',
      annotations: { 'argocd.argoproj.io/hook': 'Skip,PreSync' },
      role: { kind: 'hook', phases: ['PreSync'] },
    },
    {
      name: 'PreDelete/PostDelete are not part of a sync',
      annotations: { 'argocd.argoproj.io/hook': 'PreDelete,PostDelete' },
      role: { kind: 'ignored', reason: 'NoSyncPhase' },
    },
    {
      name: 'the Argo annotation wins over Helm',
      annotations: { 'argocd.argoproj.io/hook': 'Sync', 'helm.sh/hook': 'pre-install' },
      role: { kind: 'hook', phases: ['Sync'] },
    },
    {
      name: 'an Argo annotation of no valid type falls back to Helm',
      annotations: { 'argocd.argoproj.io/hook': 'Bogus', 'helm.sh/hook': 'post-upgrade' },
      role: { kind: 'hook', phases: ['PostSync'] },
    },
    {
      name: 'Helm pre-install/pre-upgrade → PreSync',
      annotations: { 'helm.sh/hook': 'pre-install,pre-upgrade' },
      role: { kind: 'hook', phases: ['PreSync'] },
    },
    {
      name: 'Helm post-install/post-upgrade → PostSync',
      annotations: { 'helm.sh/hook': 'post-install, post-upgrade' },
      role: { kind: 'hook', phases: ['PostSync'] },
    },
    {
      name: 'Helm mixed with an unmapped type keeps the mapped phases',
      annotations: { 'helm.sh/hook': 'pre-install,test' },
      role: { kind: 'hook', phases: ['PreSync'] },
    },
    {
      name: 'Helm crd-install is an ordinary resource',
      annotations: { 'helm.sh/hook': 'crd-install' },
      role: { kind: 'resource' },
    },
    {
      name: 'other Helm hook types leave the object out',
      annotations: { 'helm.sh/hook': 'test' },
      role: { kind: 'ignored', reason: 'NoSyncPhase' },
    },
    {
      name: 'Helm pre-delete leaves the object out',
      annotations: { 'helm.sh/hook': 'pre-delete' },
      role: { kind: 'ignored', reason: 'NoSyncPhase' },
    },
  ];
  it.each(cases)('$name', ({ annotations, role }) => {
    expect(syncRoleOf(obj(annotations))).toEqual(role);
  });
});

describe('syncWaveOf', () => {
  const cases: { annotations: Record<string, string>; wave: number }[] = [
    { annotations: {}, wave: 0 },
    { annotations: { 'argocd.argoproj.io/sync-wave': '3' }, wave: 3 },
    { annotations: { 'argocd.argoproj.io/sync-wave': '-2' }, wave: -2 },
    { annotations: { 'argocd.argoproj.io/sync-wave': '+4' }, wave: 4 },
    { annotations: { 'helm.sh/hook-weight': '-5' }, wave: -5 },
    { annotations: { 'argocd.argoproj.io/sync-wave': '1', 'helm.sh/hook-weight': '9' }, wave: 1 },
    // Go's Atoi rejects these, so the Helm weight (or 0) applies.
    { annotations: { 'argocd.argoproj.io/sync-wave': '1.5', 'helm.sh/hook-weight': '7' }, wave: 7 },
    { annotations: { 'argocd.argoproj.io/sync-wave': ' 2' }, wave: 0 },
  ];
  it.each(cases)('$annotations → $wave', ({ annotations, wave }) => {
    expect(syncWaveOf(obj(annotations))).toBe(wave);
  });
});

describe('deletePoliciesOf', () => {
  const cases: { annotations: Record<string, string>; policies: string[] }[] = [
    { annotations: {}, policies: ['BeforeHookCreation'] },
    {
      annotations: { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,HookFailed' },
      policies: ['HookSucceeded', 'HookFailed'],
    },
    {
      annotations: { 'helm.sh/hook-delete-policy': 'hook-succeeded, before-hook-creation' },
      policies: ['HookSucceeded', 'BeforeHookCreation'],
    },
    {
      annotations: {
        'argocd.argoproj.io/hook-delete-policy': 'hook-failed',
        'helm.sh/hook-delete-policy': 'hook-failed',
      },
      policies: ['HookFailed'],
    },
    {
      annotations: { 'argocd.argoproj.io/hook-delete-policy': 'Never' },
      policies: ['BeforeHookCreation'],
    },
  ];
  it.each(cases)('$annotations → $policies', ({ annotations, policies }) => {
    expect(deletePoliciesOf(obj(annotations))).toEqual(policies);
  });
});
