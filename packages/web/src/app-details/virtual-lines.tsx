/**
 * A scrolling box of fixed-height lines that puts only the visible ones (plus a margin) in the
 * DOM: a 20,000-line manifest or diff costs a few dozen elements, so the tab never freezes.
 */
import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { lineHeight, visibleRange } from './virtual-range.ts';

export function VirtualLines(props: {
  count: number;
  renderLine: (index: number) => ReactNode;
  label: string;
  className?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight || 600 });
    measure();
    const ro = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(measure);
    ro?.observe(el);
    return () => ro?.disconnect();
  }, []);

  const [first, last] = visibleRange(view.top, view.height, props.count);
  const lines: ReactNode[] = [];
  for (let i = first; i < last; i++)
    lines.push(
      <div key={i} className="vl-line" style={{ top: i * lineHeight, height: lineHeight }}>
        {props.renderLine(i)}
      </div>,
    );
  return (
    <div
      ref={box}
      className={`vl-box${props.className ? ` ${props.className}` : ''}`}
      role="region"
      aria-label={props.label}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        setView({ top: el.scrollTop, height: el.clientHeight || 600 });
      }}
    >
      <div className="vl-sizer" style={{ height: props.count * lineHeight }}>
        {lines}
      </div>
    </div>
  );
}
