/**
 * The Diff tab: live (as the comparison normalised it) against what a sync would make of it,
 * unified or side by side, computed by line-diff.ts and drawn by VirtualLines, so only visible
 * lines exist in the DOM however long the manifests are.
 */
import { useMemo, useState } from 'react';
import { Segmented } from '../components/segmented.tsx';
import { diffLines, diffStats, sideBySide, splitLines, type DiffLine } from './line-diff.ts';
import { VirtualLines } from './virtual-lines.tsx';

type Layout = 'unified' | 'split';
const layouts: readonly { value: Layout; label: string }[] = [
  { value: 'unified', label: 'Unified' },
  { value: 'split', label: 'Side by side' },
];

const mark = { same: ' ', add: '+', del: '-' } as const;

function Cell(props: { line: DiffLine | undefined; side?: 'old' | 'new' }) {
  const l = props.line;
  if (!l) return <div className="diff-cell diff-empty" />;
  const no = props.side === 'new' ? l.newNo : props.side === 'old' ? l.oldNo : undefined;
  return (
    <div className={`diff-cell diff-${l.op}`}>
      <span className="diff-no">{no ?? ''}</span>
      <span className="diff-mark" aria-hidden="true">
        {mark[l.op]}
      </span>
      <span className="diff-text">{l.text}</span>
    </div>
  );
}

function UnifiedLine(props: { line: DiffLine | undefined }) {
  const l = props.line;
  if (!l) return null;
  return (
    <div className={`diff-row diff-${l.op}`}>
      <span className="diff-no">{l.oldNo ?? ''}</span>
      <span className="diff-no">{l.newNo ?? ''}</span>
      <span className="diff-mark" aria-hidden="true">
        {mark[l.op]}
      </span>
      <span className="diff-text">{l.text}</span>
    </div>
  );
}

export function DiffView(props: { oldText: string; newText: string }) {
  const [mode, setMode] = useState<Layout>('unified');
  const lines = useMemo(
    () => diffLines(splitLines(props.oldText), splitLines(props.newText)),
    [props.oldText, props.newText],
  );
  const rows = useMemo(() => (mode === 'split' ? sideBySide(lines) : []), [lines, mode]);
  const stats = diffStats(lines);
  return (
    <div className="diff-view">
      <div className="diff-toolbar">
        <Segmented
          label="Diff layout"
          className="details-segmented"
          buttonClass="button"
          options={layouts}
          value={mode}
          onChange={setMode}
        />
        <span className="details-muted">
          {stats.added === 0 && stats.deleted === 0
            ? 'No differences'
            : `${stats.added} added, ${stats.deleted} removed`}
        </span>
      </div>
      {mode === 'unified' ? (
        <VirtualLines
          label="Unified diff"
          className="diff-lines"
          count={lines.length}
          renderLine={(i) => <UnifiedLine line={lines[i]} />}
        />
      ) : (
        <VirtualLines
          label="Side by side diff"
          className="diff-lines diff-split"
          count={rows.length}
          renderLine={(i) => (
            <div className="diff-split-row">
              <Cell line={rows[i]?.left} side="old" />
              <Cell line={rows[i]?.right} side="new" />
            </div>
          )}
        />
      )}
    </div>
  );
}

/** A manifest as read-only lines (the Live and Desired tabs), also rendered lazily. */
export function ManifestLines(props: { text: string; label: string }) {
  const lines = useMemo(() => splitLines(props.text), [props.text]);
  return (
    <VirtualLines
      label={props.label}
      className="manifest-lines"
      count={lines.length}
      renderLine={(i) => (
        <div className="manifest-line">
          <span className="diff-no">{i + 1}</span>
          <span className="diff-text">{lines[i]}</span>
        </div>
      )}
    />
  );
}
