/**
 * Which lines of a fixed-line-height list are in (or near) view: the arithmetic behind the lazy
 * manifest and diff rendering, kept apart from the component so it is tested without a DOM.
 */

export const lineHeight = 20;
/** Lines rendered beyond each edge of the view, so fast scrolling shows no blank band. */
export const overscan = 20;

/** First and last (exclusive) index to render for a scroll position. */
export function visibleRange(
  scrollTop: number,
  viewHeight: number,
  count: number,
): [number, number] {
  const first = Math.min(count, Math.max(0, Math.floor(scrollTop / lineHeight) - overscan));
  const last = Math.min(count, Math.ceil((scrollTop + viewHeight) / lineHeight) + overscan);
  return [first, Math.max(first, last)];
}
