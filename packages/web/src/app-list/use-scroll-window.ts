/**
 * Where a list element sits in the window's viewport, for virtual rendering: how far its top has
 * scrolled above the viewport, the viewport's height and the element's width. The page itself
 * scrolls (not an inner box), which behaves better on phones; updates are throttled to one per
 * animation frame and rounded to `quantum` pixels so scrolling within a row does not re-render.
 */
import { useEffect, useState, type RefObject } from 'react';

export type ScrollWindow = { scrolled: number; viewportHeight: number; width: number };

export function useScrollWindow(ref: RefObject<HTMLElement | null>, quantum: number): ScrollWindow {
  const [win, setWin] = useState<ScrollWindow>({
    scrolled: 0,
    viewportHeight: typeof window === 'undefined' ? 800 : window.innerHeight,
    width: 0,
  });

  useEffect(() => {
    let frame = 0;
    const measure = () => {
      frame = 0;
      const el = ref.current;
      if (!el) return;
      const rect = el.getBoundingClientRect();
      const step = Math.max(1, quantum);
      const next = {
        scrolled: Math.floor(-rect.top / step) * step,
        viewportHeight: Math.ceil(window.innerHeight / step) * step + step,
        width: Math.floor(rect.width),
      };
      setWin((w) =>
        w.scrolled === next.scrolled &&
        w.viewportHeight === next.viewportHeight &&
        w.width === next.width
          ? w
          : next,
      );
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    const observer = new ResizeObserver(schedule);
    if (ref.current) observer.observe(ref.current);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
      observer.disconnect();
    };
  }, [ref, quantum]);

  return win;
}
