import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '@gitward/model';
import { encodeBase64 } from './base64.ts';
import { diffResource, type DiffOptions, type IgnoreDifference } from './index.ts';

type Side = 'desired' | 'live' | 'predicted';

function fixture(name: string, side: Side): KubeObject | undefined {
  const url = new URL(`testdata/${name}.${side}.yaml`, import.meta.url);
  return existsSync(url) ? (parse(readFileSync(url, 'utf8')) as KubeObject) : undefined;
}

function diffCase(name: string, opts?: DiffOptions) {
  return diffResource(
    fixture(name, 'desired'),
    fixture(name, 'live'),
    fixture(name, 'predicted'),
    opts,
  );
}

const ignore = (...rules: IgnoreDifference[]): DiffOptions => ({ ignoreDifferences: rules });
const replicasPointer = ignore({
  group: 'apps',
  kind: 'Deployment',
  jsonPointers: ['/spec/replicas'],
});
const sidecarImage = ignore({
  group: 'apps',
  kind: 'Deployment',
  jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "sidecar") | .image'],
});
const hpa = ignore({
  group: 'apps',
  kind: 'Deployment',
  managedFieldsManagers: ['kube-controller-manager'],
});
const checksum = { jsonPointers: ['/metadata/labels/checksum'] };

// [case, modified, a snippet the diff must contain ("" when it must be empty), options]
const cases: [string, boolean, string, DiffOptions?][] = [
  ['server-metadata', false, ''],
  ['deployment-defaults', false, ''],
  ['service-defaults', false, ''],
  ['replicas-change', true, '-  replicas: 2\n+  replicas: 3\n'],
  ['image-change', true, '-        - image: nginx:1.26\n+        - image: nginx:1.27\n'],
  ['label-removed-from-live', true, '     app: web\n+    team: shop\n'],
  ['label-removed-from-git', true, '     app: web\n-    team: shop\n'],
  ['label-removed-from-git-2way', false, ''],
  ['containers-by-name', false, ''],
  [
    'container-image-by-name',
    true,
    '-          image: busybox:1.35\n+          image: busybox:1.36\n',
  ],
  ['secret-stringdata', false, ''],
  ['secret-change', true, '-  password: ++++++++++++\n+  password: ++++++++\n   user: ++++++++\n'],
  ['replicas-change', false, '', replicasPointer],
  ['container-image-by-name', false, '', sidecarImage],
  ['image-change', true, '+        - image: nginx:1.27\n', sidecarImage],
  ['hpa-replicas', true, '-  replicas: 7\n+  replicas: 3\n'],
  ['hpa-replicas', false, '', hpa],
  ['replicas-change', true, '+  replicas: 3\n', hpa],
  ['configmap-label-drift', true, '-    checksum: bbbb\n+    checksum: aaaa\n'],
  ['configmap-label-drift', false, '', ignore({ group: '*', kind: '*', ...checksum })],
  [
    'configmap-label-drift',
    false,
    '',
    ignore({ kind: 'ConfigMap', name: 'settings', ...checksum }),
  ],
  ['configmap-label-drift', true, 'checksum', ignore({ group: 'apps', kind: '*', ...checksum })],
  [
    'configmap-label-drift',
    true,
    'checksum',
    ignore({ kind: 'ConfigMap', name: 'other', ...checksum }),
  ],
  ['predicted-defaults', false, ''],
  ['missing-live', true, '--- live\n+++ target\n@@ -0,0 +1,7 @@\n+apiVersion: v1\n'],
  ['missing-desired', true, '--- live\n+++ target\n@@ -1,7 +0,0 @@\n-apiVersion: v1\n'],
  ['role-empty-rules', false, ''],
  ['endpoints-order', false, ''],
];

describe('diffResource on fixtures', () => {
  it.each(cases)('%s: modified=%s', (name, modified, snippet, opts) => {
    const d = diffCase(name, opts);
    expect(d.modified).toBe(modified);
    if (snippet === '') expect(d.diff).toBe('');
    else expect(d.diff).toContain(snippet);
  });
});

describe('diffResource details', () => {
  it('normalizes server metadata, status and client annotations away', () => {
    const d = diffCase('server-metadata');
    expect(d.normalizedLive).toEqual(fixture('server-metadata', 'desired'));
    expect(d.key).toEqual({ group: '', kind: 'ConfigMap', namespace: 'shop', name: 'settings' });
  });

  it('lays desired over live in 2-way mode, so defaults appear on both sides', () => {
    const d = diffCase('replicas-change');
    expect(d.diff).toContain('   progressDeadlineSeconds: 600\n');
    expect(d.normalizedTarget).toMatchObject({ spec: { replicas: 3, revisionHistoryLimit: 10 } });
    expect(d.normalizedLive).not.toHaveProperty('status');
  });

  it('shows a missing live object as all additions and a missing desired one as all removals', () => {
    const created = diffCase('missing-live');
    expect(created.normalizedLive).toBeUndefined();
    expect(bodyLines(created.diff).every((l) => l.startsWith('+'))).toBe(true);
    const extraneous = diffCase('missing-desired');
    expect(extraneous.normalizedTarget).toBeUndefined();
    expect(extraneous.key.name).toBe('old');
    expect(bodyLines(extraneous.diff).every((l) => l.startsWith('-'))).toBe(true);
    expect(extraneous.diff).not.toContain('uid');
  });

  it('never shows a Secret value, in plaintext or base64', () => {
    const d = diffCase('secret-change');
    const shown = JSON.stringify([d.diff, d.normalizedTarget, d.normalizedLive]);
    for (const secret of ['admin', 'correct-horse', 'hunter2-old']) {
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(encodeBase64(secret));
    }
    expect(d.normalizedTarget).toMatchObject({ data: { user: '++++++++', password: '++++++++' } });
    expect(d.normalizedLive).toMatchObject({
      data: { user: '++++++++', password: '++++++++++++' },
    });
  });

  it('rejects being called with nothing to compare', () => {
    expect(() => diffResource(undefined, undefined, undefined)).toThrow(/all missing/);
  });
});

function bodyLines(diff: string): string[] {
  return diff
    .split('\n')
    .filter((l) => l !== '')
    .slice(3);
}
