import { describe, expect, it } from 'vitest';
import {
  clampZoom,
  edgesPath,
  fitZoom,
  layoutTree,
  type LayoutNodeInput,
  type TreeLayout,
} from './tree-layout.ts';

const opts = { nodeWidth: 100, nodeHeight: 20, columnGap: 50, rowGap: 10 };
const n = (id: string, ...parentIds: string[]): LayoutNodeInput => ({ id, parentIds });

/** Node ids of each column, top to bottom. */
function columns(layout: TreeLayout): string[][] {
  const cols: [string, number][][] = [];
  for (const [id, b] of layout.boxes) (cols[b.depth] ??= []).push([id, b.y]);
  return cols.map((c) => c.sort((a, b) => a[1] - b[1]).map(([id]) => id));
}

/** No two boxes of a column overlap (boxes of different columns never can). */
function expectNoOverlap(layout: TreeLayout) {
  const byDepth = new Map<number, number[]>();
  for (const b of layout.boxes.values())
    byDepth.set(b.depth, [...(byDepth.get(b.depth) ?? []), b.y]);
  for (const ys of byDepth.values()) {
    ys.sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++)
      expect((ys[i] ?? 0) - (ys[i - 1] ?? 0)).toBeGreaterThanOrEqual(opts.nodeHeight + opts.rowGap);
  }
}

/** Every parent's y lies between its first and last child's: children sit beside the parent. */
function expectChildrenBesideParent(layout: TreeLayout) {
  const kids = new Map<string, number[]>();
  for (const e of layout.edges.filter((x) => x.tree))
    kids.set(e.from, [...(kids.get(e.from) ?? []), layout.boxes.get(e.to)?.y ?? 0]);
  for (const [parent, ys] of kids) {
    const y = layout.boxes.get(parent)?.y ?? NaN;
    expect(y).toBeGreaterThanOrEqual(Math.min(...ys));
    expect(y).toBeLessThanOrEqual(Math.max(...ys));
  }
}

describe('layoutTree', () => {
  it.each([
    { name: 'root alone', nodes: [n('app')], want: [['app']] },
    {
      name: 'deployment → replicaset → pods',
      nodes: [
        n('app'),
        n('deploy', 'app'),
        n('rs', 'deploy'),
        n('pod-b', 'rs'),
        n('pod-a', 'rs'),
        n('svc', 'app'),
      ],
      want: [['app'], ['deploy', 'svc'], ['rs'], ['pod-a', 'pod-b']],
    },
    {
      name: 'unknown owner hangs off the root',
      nodes: [n('app'), n('x', 'gone')],
      want: [['app'], ['x']],
    },
    {
      name: 'owner cycle unreachable from the root is still shown',
      nodes: [n('app'), n('a', 'b'), n('b', 'a')],
      want: [['app'], ['a'], ['b']],
    },
    {
      name: 'second owner gets an edge, not a second copy',
      nodes: [n('app'), n('a', 'app'), n('b', 'app'), n('c', 'a', 'b')],
      want: [['app'], ['a', 'b'], ['c']],
    },
  ])('$name', ({ nodes, want }) => {
    const layout = layoutTree('app', nodes, opts);
    expect(columns(layout)).toEqual(want);
    expectNoOverlap(layout);
    expectChildrenBesideParent(layout);
  });

  it('places columns by depth and centres a parent on its children', () => {
    const layout = layoutTree(
      'app',
      [n('app'), n('a', 'app'), n('a1', 'a'), n('a2', 'a'), n('a3', 'a')],
      opts,
    );
    expect(layout.boxes.get('a1')).toEqual({ x: 300, y: 0, depth: 2 });
    expect(layout.boxes.get('a3')).toEqual({ x: 300, y: 60, depth: 2 });
    expect(layout.boxes.get('a')).toEqual({ x: 150, y: 30, depth: 1 });
    expect(layout.width).toBe(400);
    expect(layout.height).toBe(80);
  });

  it('draws an edge for every owner between visible nodes', () => {
    const layout = layoutTree(
      'app',
      [n('app'), n('a', 'app'), n('b', 'app'), n('c', 'a', 'b')],
      opts,
    );
    expect(layout.edges).toEqual(
      expect.arrayContaining([
        { from: 'app', to: 'a', tree: true },
        { from: 'app', to: 'b', tree: true },
        { from: 'a', to: 'c', tree: true },
        { from: 'b', to: 'c', tree: false },
      ]),
    );
    expect(layout.edges).toHaveLength(4);
  });

  it('hides the descendants of a collapsed node but keeps its child count', () => {
    const nodes = [n('app'), n('d', 'app'), n('rs', 'd'), n('p', 'rs'), n('s', 'app')];
    const layout = layoutTree('app', nodes, { ...opts, collapsed: new Set(['d']) });
    expect([...layout.boxes.keys()].sort()).toEqual(['app', 'd', 's']);
    expect(layout.childCount.get('d')).toBe(1);
    expect(layout.edges).toEqual([
      { from: 'app', to: 'd', tree: true },
      { from: 'app', to: 's', tree: true },
    ]);
  });

  it('orders siblings with the given comparator', () => {
    const layout = layoutTree('app', [n('app'), n('a', 'app'), n('b', 'app')], {
      ...opts,
      compare: (x, y) => y.localeCompare(x),
    });
    expect(columns(layout)).toEqual([['app'], ['b', 'a']]);
  });

  it('lays out 5,000 nodes quickly without overlaps', () => {
    const nodes = [n('app')];
    for (let d = 0; d < 200; d++) {
      nodes.push(n(`deploy-${d}`, 'app'), n(`rs-${d}`, `deploy-${d}`));
      for (let p = 0; p < 23; p++) nodes.push(n(`pod-${d}-${p}`, `rs-${d}`));
    }
    const t0 = performance.now();
    const layout = layoutTree('app', nodes, opts);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(layout.boxes.size).toBe(nodes.length);
    expectNoOverlap(layout);
    expectChildrenBesideParent(layout);
  });
});

describe('zoom and edges', () => {
  it.each([
    [1000, 500, 500, 500, 0.5],
    [100, 100, 1000, 1000, 1],
    [100000, 10, 100, 100, 0.1],
    [0, 0, 100, 100, 1],
  ])('fit %i×%i in %i×%i → %f', (w, h, vw, vh, want) => {
    expect(fitZoom(w, h, vw, vh)).toBe(want);
  });

  it.each([
    [5, 2],
    [0.01, 0.1],
    [1.234, 1.23],
  ])('clamp %f → %f', (z, want) => {
    expect(clampZoom(z)).toBe(want);
  });

  it('draws one curve per edge between visible nodes', () => {
    const layout = layoutTree('app', [n('app'), n('a', 'app')], opts);
    expect(edgesPath(layout, layout.edges, 100, 20)).toBe('M100 10C125 10 125 10 150 10');
    expect(edgesPath(layout, [{ from: 'app', to: 'gone' }], 100, 20)).toBe('');
  });
});
