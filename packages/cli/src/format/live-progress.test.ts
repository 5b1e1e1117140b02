import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { clipLine, redrawFrame, renderProgressFrame } from './live-progress.ts';

const ESC = String.fromCodePoint(27);

const app = (over: Partial<NonNullable<Application['status']>> = {}): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'prod' },
    source: { repoURL: 'https://git.example/web.git', path: '.' },
  },
  status: {
    sync: { status: 'OutOfSync' },
    health: { status: 'Progressing' },
    resources: [
      { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web', status: 'OutOfSync' },
      { kind: 'ConfigMap', namespace: 'prod', name: 'settings', status: 'Synced' },
    ],
    operationState: {
      phase: 'Running',
      message: 'waiting for healthy state of apps/Deployment/web',
      syncResult: {
        resources: [
          {
            group: 'apps',
            kind: 'Deployment',
            namespace: 'prod',
            name: 'web',
            status: 'Synced',
            message: 'deployment.apps/web configured',
            hookPhase: 'Running',
          },
        ],
      },
    },
    ...over,
  },
});

const wide = { columns: 200, rows: 50 };

describe('live progress frame', () => {
  it('shows the app, its operation and every resource in one aligned table', () => {
    expect(renderProgressFrame(app(), undefined, wide)).toEqual([
      'web  OutOfSync  Progressing',
      'Operation Running: waiting for healthy state of apps/Deployment/web',
      '',
      'GROUP  KIND        NAMESPACE  NAME      STATUS     HEALTH  HOOK  MESSAGE',
      'apps   Deployment  prod       web       OutOfSync                deployment.apps/web configured',
      '       ConfigMap   prod       settings  Synced',
    ]);
  });

  it('takes health from the resource tree, and shows only the selected resources', () => {
    const tree = {
      nodes: [
        {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'prod',
          name: 'web',
          health: { status: 'Healthy' },
        },
      ],
    };
    const lines = renderProgressFrame(app(), tree, {
      ...wide,
      include: (r) => r.kind === 'Deployment',
    });
    expect(lines.slice(3)).toEqual([
      'GROUP  KIND        NAMESPACE  NAME  STATUS     HEALTH   HOOK  MESSAGE',
      'apps   Deployment  prod       web   OutOfSync  Healthy        deployment.apps/web configured',
    ]);
  });

  it('cuts lines to the terminal width and frames to its height', () => {
    const lines = renderProgressFrame(app(), undefined, { columns: 20, rows: 5 });
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.length <= 20)).toBe(true);
    expect(lines.at(-1)).toBe('... 3 more');
  });

  it('keeps colour codes when cutting, and resets the colour after a cut', () => {
    const red = `${ESC}[31mDegraded${ESC}[39m`;
    expect(clipLine(`x ${red}`, 20)).toBe(`x ${red}`);
    expect(clipLine(`x ${red}`, 4)).toBe(`x ${ESC}[31mDe${ESC}[0m`);
  });

  it('replaces the previous frame in place', () => {
    expect(redrawFrame(0, ['a', 'b'])).toBe(`${ESC}[Ja\nb\n`);
    expect(redrawFrame(2, ['c'])).toBe(`${ESC}[2F${ESC}[Jc\n`);
  });
});
