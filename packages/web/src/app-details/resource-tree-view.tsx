/**
 * The resource tree: the Application, its managed resources and what they made, laid out by
 * tree-layout.ts and drawn as absolutely positioned HTML nodes over one SVG path of edges. Zoom is
 * a CSS transform of the whole drawing, so zooming re-renders no node; nodes are memoised, so a
 * status change re-renders only the nodes whose data changed. That keeps 1,000 resources fluid.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { HealthBadge, SyncBadge } from '../components/status-badges.tsx';
import { nodeLabel, rootId, sameNode, type GraphNode } from './resource-graph.ts';
import { clampZoom, edgesPath, fitZoom, layoutTree } from './tree-layout.ts';

const nodeWidth = 240;
const nodeHeight = 52;
const layoutOptions = { nodeWidth, nodeHeight, columnGap: 64, rowGap: 14 };
const pad = 16;

/** Short marks for common kinds, so a node is recognised before its name is read. */
const kindMark: Record<string, string> = {
  Application: 'APP',
  Deployment: 'DEP',
  ReplicaSet: 'RS',
  Pod: 'POD',
  Service: 'SVC',
  ConfigMap: 'CM',
  Secret: 'SEC',
  StatefulSet: 'STS',
  DaemonSet: 'DS',
  Job: 'JOB',
  CronJob: 'CJ',
  Ingress: 'ING',
  Namespace: 'NS',
  ServiceAccount: 'SA',
  PersistentVolumeClaim: 'PVC',
  EndpointSlice: 'EPS',
};

type NodeProps = {
  node: GraphNode;
  x: number;
  y: number;
  childCount: number;
  collapsed: boolean;
  onOpen: (id: string) => void;
  onToggle: (id: string) => void;
};

const TreeNode = memo(function TreeNode(props: NodeProps) {
  const { node } = props;
  const open = () => props.onOpen(node.id);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open();
    }
  };
  const label = `${node.kind} ${node.name}`;
  return (
    <div
      className={`tree-node${node.root ? ' tree-node-root' : ''}${node.requiresPruning ? ' tree-node-prune' : ''}`}
      data-node={nodeLabel(node)}
      role="button"
      tabIndex={0}
      aria-label={label}
      style={{ left: props.x + pad, top: props.y + pad, width: nodeWidth, height: nodeHeight }}
      onClick={open}
      onKeyDown={onKey}
      title={node.healthMessage ? `${label}: ${node.healthMessage}` : label}
    >
      <span className="tree-node-mark" aria-hidden="true">
        {kindMark[node.kind] ?? node.kind.slice(0, 3).toUpperCase()}
      </span>
      <span className="tree-node-text">
        <span className="tree-node-name">{node.name}</span>
        <span className="tree-node-kind">
          {node.kind}
          {node.requiresPruning ? ' · prune' : ''}
          {node.hook ? ' · hook' : ''}
        </span>
      </span>
      <span className="tree-node-badges">
        {node.managed || node.root ? <SyncBadge status={node.sync} compact /> : null}
        {/* As Argo CD: a kind without a health check (ConfigMap, Secret) shows no health. */}
        {node.health || node.root ? <HealthBadge status={node.health} compact /> : null}
      </span>
      {props.childCount > 0 ? (
        <button
          type="button"
          className="tree-node-toggle"
          aria-label={`${props.collapsed ? 'Expand' : 'Collapse'} ${label}`}
          aria-expanded={!props.collapsed}
          onClick={(e) => {
            e.stopPropagation();
            props.onToggle(node.id);
          }}
        >
          {props.collapsed ? `+${props.childCount}` : '−'}
        </button>
      ) : null}
    </div>
  );
}, sameProps);

/** Memo test: a node re-renders only when what it shows changed (the graph is rebuilt often). */
function sameProps(a: NodeProps, b: NodeProps): boolean {
  return (
    a.x === b.x &&
    a.y === b.y &&
    a.childCount === b.childCount &&
    a.collapsed === b.collapsed &&
    a.onOpen === b.onOpen &&
    a.onToggle === b.onToggle &&
    sameNode(a.node, b.node)
  );
}

export function ResourceTreeView(props: {
  nodes: readonly GraphNode[];
  onOpen: (id: string) => void;
}) {
  const { nodes } = props;
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [zoom, setZoom] = useState(1);
  const viewport = useRef<HTMLDivElement>(null);

  const order = useMemo(() => new Map(nodes.map((n, i) => [n.id, i])), [nodes]);
  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n])), [nodes]);
  const layout = useMemo(
    () =>
      layoutTree(rootId, nodes, {
        ...layoutOptions,
        collapsed,
        compare: (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0),
      }),
    [nodes, collapsed, order],
  );
  const treePath = useMemo(
    () =>
      edgesPath(
        layout,
        layout.edges.filter((e) => e.tree),
        nodeWidth,
        nodeHeight,
      ),
    [layout],
  );
  const extraPath = useMemo(
    () =>
      edgesPath(
        layout,
        layout.edges.filter((e) => !e.tree),
        nodeWidth,
        nodeHeight,
      ),
    [layout],
  );

  const onToggle = useCallback((id: string) => {
    setCollapsed((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const width = layout.width + 2 * pad;
  const height = layout.height + 2 * pad;
  const fit = () => {
    const el = viewport.current;
    if (el) setZoom(fitZoom(width, height, el.clientWidth, el.clientHeight));
  };

  // ctrl+wheel zooms the drawing instead of the page; React's wheel listener is passive, so
  // preventDefault needs a listener of our own.
  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      setZoom((z) => clampZoom(z * (e.deltaY < 0 ? 1.1 : 1 / 1.1)));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  return (
    <div className="tree-view">
      <div className="tree-toolbar" role="toolbar" aria-label="Tree zoom">
        <button
          className="button"
          type="button"
          onClick={() => setZoom((z) => clampZoom(z * 1.25))}
        >
          Zoom in
        </button>
        <button
          className="button"
          type="button"
          onClick={() => setZoom((z) => clampZoom(z / 1.25))}
        >
          Zoom out
        </button>
        <button className="button" type="button" onClick={fit}>
          Fit
        </button>
        <span className="details-muted" aria-live="polite">
          {Math.round(zoom * 100)}% · {layout.boxes.size} of {nodes.length} nodes shown
        </span>
      </div>
      <div className="tree-viewport" ref={viewport}>
        <div className="tree-sizer" style={{ width: width * zoom, height: height * zoom }}>
          <div className="tree-canvas" style={{ width, height, transform: `scale(${zoom})` }}>
            <svg className="tree-edges" width={width} height={height} aria-hidden="true">
              <g transform={`translate(${pad} ${pad})`}>
                <path className="tree-edge" d={treePath} />
                <path className="tree-edge tree-edge-extra" d={extraPath} />
              </g>
            </svg>
            {[...layout.boxes].map(([id, box]) => {
              const node = byId.get(id);
              return node ? (
                <TreeNode
                  key={id}
                  node={node}
                  x={box.x}
                  y={box.y}
                  childCount={layout.childCount.get(id) ?? 0}
                  collapsed={collapsed.has(id)}
                  onOpen={props.onOpen}
                  onToggle={onToggle}
                />
              ) : null;
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
