/**
 * Client-side routing without a router library: the URL (path + query string) is the one source
 * of truth, changed with history.pushState and read through useSyncExternalStore, so every
 * component that reads the route re-renders when it changes (links, back/forward, filters).
 */
import { useMemo, useSyncExternalStore } from 'react';
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';

const listeners = new Set<() => void>();

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/**
 * Goes to `path` (may carry a query string). `replace` rewrites the current history entry instead,
 * which filter changes use so Back leaves the page instead of undoing each keystroke.
 */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', path);
  else {
    window.history.pushState(null, '', path);
    window.scrollTo(0, 0);
  }
  for (const fn of [...listeners]) fn();
}

export type Route = { path: string; query: URLSearchParams };

/** The current path and query string; re-renders the caller when either changes. */
export function useRoute(): Route {
  const href = useSyncExternalStore(subscribe, snapshot);
  return useMemo(() => {
    const url = new URL(href, window.location.origin);
    return { path: url.pathname, query: url.searchParams };
  }, [href]);
}

export type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: string;
  children?: ReactNode;
};

/** A real <a href> (so it can be opened in a new tab) that navigates in place on a plain click. */
export function Link(props: LinkProps) {
  const { to, onClick, children, ...rest } = props;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0) return;
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={click} {...rest}>
      {children}
    </a>
  );
}
