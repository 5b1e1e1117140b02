/**
 * Layout of the resource tree: a layered drawing of our own (no graph library), columns by depth
 * from the root and rows in depth-first order, so every subtree occupies its own band of rows and
 * a parent sits centred beside its children. Disjoint bands mean nodes never overlap, and the
 * whole layout is one sort of each child list plus linear walks: O(n log n), fast at thousands of
 * nodes.
 *
 * A Kubernetes object can have several owners; the tree uses the first owner reachable from the
 * root (the others still get an edge), which also makes owner cycles harmless.
 */

export type LayoutNodeInput = {
  readonly id: string;
  /** Ids of the owners; unknown ids are ignored (a node without a known one hangs off the root). */
  readonly parentIds: readonly string[];
};

export type LayoutOptions = {
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly columnGap: number;
  readonly rowGap: number;
  /** Ids whose descendants are hidden. */
  readonly collapsed?: ReadonlySet<string>;
  /** Order of siblings; default by id. */
  readonly compare?: (a: string, b: string) => number;
};

export type Box = { readonly x: number; readonly y: number; readonly depth: number };

export type TreeLayout = {
  /** Visible nodes only, by id. */
  readonly boxes: ReadonlyMap<string, Box>;
  /** Owner → owned, between visible nodes; `tree` marks the edge the layout follows. */
  readonly edges: readonly { readonly from: string; readonly to: string; readonly tree: boolean }[];
  /** Number of children in the tree of every node that has any (visible or collapsed). */
  readonly childCount: ReadonlyMap<string, number>;
  readonly width: number;
  readonly height: number;
};

/** Tree children lists: BFS from the root, each node taken by the first owner that reaches it. */
function treeChildren(
  rootId: string,
  nodes: readonly LayoutNodeInput[],
  compare: (a: string, b: string) => number,
): Map<string, string[]> {
  const known = new Set(nodes.map((n) => n.id));
  const owned = new Map<string, string[]>();
  const orphans: string[] = [];
  for (const n of nodes) {
    if (n.id === rootId) continue;
    const parents = n.parentIds.filter((p) => known.has(p) && p !== n.id);
    if (parents.length === 0) orphans.push(n.id);
    for (const p of parents) {
      const list = owned.get(p);
      if (list) list.push(n.id);
      else owned.set(p, [n.id]);
    }
  }
  owned.set(rootId, [...(owned.get(rootId) ?? []), ...orphans]);
  const children = new Map<string, string[]>();
  const seen = new Set([rootId]);
  const queue = [rootId];
  const visit = (from: number) => {
    for (let head = from; head < queue.length; head++) {
      const id = queue[head] ?? '';
      const mine: string[] = [];
      for (const c of owned.get(id) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        mine.push(c);
        queue.push(c);
      }
      if (mine.length > 0) children.set(id, [...(children.get(id) ?? []), ...mine].sort(compare));
    }
  };
  visit(0);
  // Owner cycles not reachable from the root (a owns b owns a): the first node of each cycle
  // hangs off the root, the rest below it as owned.
  for (const n of nodes) {
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    const from = queue.length;
    queue.push(n.id);
    children.set(rootId, [...(children.get(rootId) ?? []), n.id].sort(compare));
    visit(from);
  }
  return children;
}

/** Rows by depth-first walk (iterative, so deep chains cannot overflow the stack). */
function assignRows(
  rootId: string,
  children: ReadonlyMap<string, readonly string[]>,
  collapsed: ReadonlySet<string>,
): Map<string, { row: number; depth: number }> {
  const rows = new Map<string, { row: number; depth: number }>();
  let nextRow = 0;
  const stack: { id: string; depth: number; expanded: boolean }[] = [
    { id: rootId, depth: 0, expanded: false },
  ];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const kids = collapsed.has(top.id) ? [] : (children.get(top.id) ?? []);
    if (kids.length === 0) {
      rows.set(top.id, { row: nextRow++, depth: top.depth });
      continue;
    }
    if (top.expanded) {
      const first = rows.get(kids[0] ?? '')?.row ?? nextRow;
      const last = rows.get(kids.at(-1) ?? '')?.row ?? first;
      rows.set(top.id, { row: (first + last) / 2, depth: top.depth });
      continue;
    }
    stack.push({ ...top, expanded: true });
    for (let i = kids.length - 1; i >= 0; i--)
      stack.push({ id: kids[i] ?? '', depth: top.depth + 1, expanded: false });
  }
  return rows;
}

/** Tree edges of visible, expanded parents, then extra owners' edges between visible nodes. */
function edgesBetween(
  nodes: readonly LayoutNodeInput[],
  children: ReadonlyMap<string, readonly string[]>,
  boxes: ReadonlyMap<string, Box>,
  collapsed: ReadonlySet<string>,
) {
  const edges: { from: string; to: string; tree: boolean }[] = [];
  const treeParent = new Map<string, string>();
  const shown = (id: string) => boxes.has(id) && !collapsed.has(id);
  for (const [parent, kids] of children) {
    if (!shown(parent)) continue;
    for (const k of kids) {
      treeParent.set(k, parent);
      edges.push({ from: parent, to: k, tree: true });
    }
  }
  for (const n of nodes) {
    if (!boxes.has(n.id)) continue;
    for (const p of new Set(n.parentIds))
      if (p !== treeParent.get(n.id) && p !== n.id && shown(p))
        edges.push({ from: p, to: n.id, tree: false });
  }
  return edges;
}

/** Lays out the tree rooted at `rootId`; see the module comment for the rules. */
export function layoutTree(
  rootId: string,
  nodes: readonly LayoutNodeInput[],
  options: LayoutOptions,
): TreeLayout {
  const compare = options.compare ?? ((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0));
  const collapsed = options.collapsed ?? new Set<string>();
  const children = treeChildren(rootId, nodes, compare);
  const rows = assignRows(rootId, children, collapsed);
  const colStep = options.nodeWidth + options.columnGap;
  const rowStep = options.nodeHeight + options.rowGap;
  const boxes = new Map<string, Box>();
  let maxDepth = 0;
  let maxRow = 0;
  for (const [id, { row, depth }] of rows) {
    boxes.set(id, { x: depth * colStep, y: row * rowStep, depth });
    maxDepth = Math.max(maxDepth, depth);
    maxRow = Math.max(maxRow, row);
  }
  const edges = edgesBetween(nodes, children, boxes, collapsed);
  const childCount = new Map([...children].map(([id, kids]) => [id, kids.length]));
  return {
    boxes,
    edges,
    childCount,
    width: maxDepth * colStep + options.nodeWidth,
    height: boxes.size === 0 ? 0 : maxRow * rowStep + options.nodeHeight,
  };
}

export const minZoom = 0.1;
export const maxZoom = 2;

/** A zoom level kept within what stays readable or useful. */
export function clampZoom(z: number): number {
  return Math.min(maxZoom, Math.max(minZoom, Math.round(z * 100) / 100));
}

/** The zoom that shows the whole drawing in the viewport (never above 1: fit does not enlarge). */
export function fitZoom(width: number, height: number, viewWidth: number, viewHeight: number) {
  if (width <= 0 || height <= 0 || viewWidth <= 0 || viewHeight <= 0) return 1;
  return clampZoom(Math.min(1, viewWidth / width, viewHeight / height));
}

/**
 * The SVG path of `edges` (one path for all, so a thousand edges are one DOM element): from the
 * owner's right edge to the owned one's left edge, as a horizontal S-curve.
 */
export function edgesPath(
  layout: TreeLayout,
  edges: readonly { readonly from: string; readonly to: string }[],
  nodeWidth: number,
  nodeHeight: number,
): string {
  const parts: string[] = [];
  for (const e of edges) {
    const a = layout.boxes.get(e.from);
    const b = layout.boxes.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + nodeWidth;
    const y1 = a.y + nodeHeight / 2;
    const x2 = b.x;
    const y2 = b.y + nodeHeight / 2;
    const mid = (x1 + x2) / 2;
    parts.push(`M${x1} ${y1}C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}`);
  }
  return parts.join('');
}
