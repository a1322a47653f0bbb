import { createContext, type AnchorHTMLAttributes, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';

/**
 * A small history router. Pages have real paths (`/stacks/{id}`), so the links the control plane hands out —
 * the run links of SPEC §7.6 — open the right page; the server answers every such path with the console.
 */

export interface Location {
  path: string;
  /** A one-off message for the page navigated to ("Integration … set up"); gone on the next navigation. */
  notice: string | null;
  /** False for the page the browser loaded, true once the console has navigated (links, back and forward). */
  navigated: boolean;
}

interface RouterValue {
  location: Location;
  navigate(path: string, options?: { notice?: string; replace?: boolean }): void;
}

const RouterContext = createContext<RouterValue | null>(null);

function currentPath(): string {
  return window.location.pathname;
}

export function Router({ children }: { children: ComponentChildren }) {
  const [location, setLocation] = useState<Location>({ path: currentPath(), notice: null, navigated: false });
  useEffect(() => {
    const onPopState = () => setLocation({ path: currentPath(), notice: null, navigated: true });
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);
  const value = useMemo<RouterValue>(
    () => ({
      location,
      navigate(path, options = {}) {
        if (options.replace === true) window.history.replaceState(null, '', path);
        else window.history.pushState(null, '', path);
        setLocation({ path: currentPath(), notice: options.notice ?? null, navigated: true });
      },
    }),
    [location],
  );
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const router = useContext(RouterContext);
  if (router === null) throw new Error('useRouter outside <Router>');
  return router;
}

/** The parameters of `path` when it matches `pattern` (`/stacks/:id`), or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter((part) => part !== '');
  const have = path.split('/').filter((part) => part !== '');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = have[index] as string;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (part !== actual) {
      return null;
    }
  }
  return params;
}

type AnchorProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** An in-console link: a real `<a href>` (so it opens in a new tab too) that navigates without a reload. */
export function Link({ href, onClick, ...rest }: AnchorProps) {
  const { navigate } = useRouter();
  return (
    <a
      {...rest}
      href={href}
      onClick={(event) => {
        if (typeof onClick === 'function') onClick(event);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    />
  );
}
