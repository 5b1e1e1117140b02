/**
 * The UI contract's names, checked by rendering the details page's parts to HTML on the server
 * (no DOM needed): node attributes and accessible names, badges, diff line classes, lazy lines.
 */
import type { Application } from '@gitward/model';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AppSummary, Conditions } from './app-summary.tsx';
import { DiffView } from './diff-view.tsx';
import { OperationPanel } from './operation-panel.tsx';
import type { ResourceNode } from '@gitward/model';
import { buildGraph } from './resource-graph.ts';
import { ResourceTreeView } from './resource-tree-view.tsx';
import { ResourcesListView } from './resources-list-view.tsx';

const app: Application = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', namespace: 'gitward' },
  spec: {
    project: 'default',
    source: { repoURL: 'https://git.example/repo.git', path: 'guestbook', targetRevision: 'main' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
    syncPolicy: { automated: { prune: true } },
  },
  status: {
    sync: { status: 'OutOfSync', revision: '0123456789abcdef0123456789abcdef01234567' },
    health: { status: 'Progressing' },
    conditions: [{ type: 'ComparisonError', message: 'repository not found' }],
    resources: [
      {
        group: 'apps',
        kind: 'Deployment',
        namespace: 'demo',
        name: 'web',
        status: 'OutOfSync',
        health: { status: 'Healthy' },
      },
    ],
    operationState: {
      phase: 'Running',
      message: 'waiting for healthy state',
      syncResult: {
        resources: [
          { group: 'apps', kind: 'Deployment', namespace: 'demo', name: 'web', status: 'Synced' },
        ],
      },
    },
  },
};
const tree: ResourceNode[] = [
  { group: 'apps', kind: 'Deployment', namespace: 'demo', name: 'web', uid: 'd' },
  {
    group: 'apps',
    kind: 'ReplicaSet',
    namespace: 'demo',
    name: 'web-1',
    uid: 'r',
    parentRefs: [{ group: 'apps', kind: 'Deployment', namespace: 'demo', name: 'web', uid: 'd' }],
    health: { status: 'Healthy' },
  },
];
const html = (el: Parameters<typeof renderToStaticMarkup>[0]) => renderToStaticMarkup(el);
const noop = () => undefined;

describe('details page contract', () => {
  const nodes = buildGraph(app, tree);

  it('tree nodes carry data-node, role=button, "<Kind> <name>" and their badges', () => {
    const out = html(createElement(ResourceTreeView, { nodes, onOpen: noop }));
    for (const [label, name] of [
      ['Application/guestbook', 'Application guestbook'],
      ['Deployment/web', 'Deployment web'],
      ['ReplicaSet/web-1', 'ReplicaSet web-1'],
    ])
      expect(out).toMatch(
        new RegExp(`data-node="${label}" role="button" tabindex="0" aria-label="${name}"`),
      );
    const deploy = out.slice(out.indexOf('data-node="Deployment/web"'));
    expect(deploy).toMatch(/data-status="OutOfSync"/);
    expect(out).toContain('aria-label="Collapse Deployment web"');
    for (const b of ['Zoom in', 'Zoom out', 'Fit']) expect(out).toContain(`>${b}</button>`);
    // A child (not managed) has a health badge but no sync badge.
    const rs = out.slice(out.indexOf('data-node="ReplicaSet/web-1"'));
    expect(rs.slice(0, rs.indexOf('</div>', rs.indexOf('tree-node-badges')))).not.toContain(
      'title="Sync:',
    );
  });

  it('list rows open by a button named "<Kind> <name>"', () => {
    const out = html(createElement(ResourcesListView, { nodes, onOpen: noop }));
    expect(out).toContain('data-resource="Deployment/web"');
    expect(out).toContain('aria-label="Deployment web"');
    expect(out).not.toContain('data-resource="Application/guestbook"');
  });

  it('summary shows source, revisions, destination, policy; conditions stand out', () => {
    const out = html(createElement(AppSummary, { app })) + html(createElement(Conditions, { app }));
    for (const text of [
      'https://git.example/repo.git',
      'guestbook',
      'main',
      '0123456',
      'demo',
      'Automated (prune)',
      'ComparisonError',
      'repository not found',
    ])
      expect(out).toContain(text);
  });

  it('the operation region has its phase, message and results', () => {
    const out = html(createElement(OperationPanel, { app }));
    expect(out).toMatch(/<section[^>]*aria-labelledby="details-operation-title"/);
    expect(out).toContain('id="details-operation-title">Operation</h2>');
    expect(out).toContain('data-status="Running"');
    expect(out).toContain('waiting for healthy state');
    expect(out).toContain('data-result="Deployment/web"');
  });

  it('a failed sync shows why: the operation message and each failed result’s message', () => {
    const why = 'BackoffLimitExceeded: Job has reached the specified backoff limit';
    const failed: Application = {
      ...app,
      status: {
        ...app.status,
        operationState: {
          phase: 'Failed',
          message: `one or more synchronization tasks completed unsuccessfully, reason: batch/Job demo/migrate-1: ${why}`,
          syncResult: {
            resources: [
              {
                group: 'batch',
                kind: 'Job',
                namespace: 'demo',
                name: 'migrate-1',
                status: 'Synced',
                hookType: 'PreSync',
                hookPhase: 'Failed',
                message: why,
              },
            ],
          },
        },
      },
    };
    const out = html(createElement(OperationPanel, { app: failed }));
    expect(out).toContain(`reason: batch/Job demo/migrate-1: ${why}`);
    expect(out).toMatch(
      new RegExp(`data-result="Job/migrate-1".*<td class="details-message-cell">${why}</td>`),
    );
  });

  it('the diff marks lines and renders only the first screen of a huge one', () => {
    const old = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n');
    const changed = old.replace('line 1\n', 'line one\n');
    const out = html(createElement(DiffView, { oldText: old, newText: changed }));
    expect(out).toContain('diff-row diff-del');
    expect(out).toContain('diff-row diff-add');
    expect(out).toContain('>Unified</button>');
    expect(out).toContain('>Side by side</button>');
    expect(out.match(/class="vl-line"/g)?.length ?? 0).toBeLessThan(100);
  });

  it('draws every node of a 1,000-resource tree, and each edge in one path', () => {
    const big: Application = {
      ...app,
      status: {
        resources: Array.from({ length: 250 }, (_, i) => ({
          group: 'apps',
          kind: 'Deployment',
          namespace: 'demo',
          name: `web-${i}`,
          status: 'Synced',
        })),
      },
    };
    const children: ResourceNode[] = Array.from({ length: 250 }, (_, i) => [
      {
        group: 'apps',
        kind: 'ReplicaSet',
        namespace: 'demo',
        name: `web-${i}-rs`,
        uid: `rs-${i}`,
        parentRefs: [
          { group: 'apps', kind: 'Deployment', namespace: 'demo', name: `web-${i}`, uid: `d-${i}` },
        ],
      },
      ...[0, 1].map((p) => ({
        group: '',
        kind: 'Pod',
        namespace: 'demo',
        name: `web-${i}-pod-${p}`,
        uid: `p-${i}-${p}`,
        parentRefs: [
          {
            group: 'apps',
            kind: 'ReplicaSet',
            namespace: 'demo',
            name: `web-${i}-rs`,
            uid: `rs-${i}`,
          },
        ],
      })),
    ]).flat();
    const bigNodes = buildGraph(big, children);
    const out = html(createElement(ResourceTreeView, { nodes: bigNodes, onOpen: noop }));
    expect(out.match(/data-node=/g)).toHaveLength(1001);
    expect(out.match(/<path/g)).toHaveLength(2);
  });
});
