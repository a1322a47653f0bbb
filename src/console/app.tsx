import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api';
import { PageHeading } from './components/common';
import { ApiContext } from './context';
import { SignInPage } from './pages/SignIn';
import { HOME, routes, sections } from './routes';
import { Link, matchPath, Router, useRouter } from './router';
import { forgetApiKey, storedApiKey, storeApiKey } from './session';

export function App() {
  return (
    <Router>
      <Console />
    </Router>
  );
}

function Console() {
  const [apiKey, setApiKey] = useState<string | null>(storedApiKey);
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null);
  const api = useMemo(
    () =>
      apiKey === null
        ? null
        : new ApiClient(apiKey, (message) => {
            forgetApiKey();
            setApiKey(null);
            setSignedOutBecause(`The control plane no longer accepts this API key (${message}). Sign in again.`);
          }),
    [apiKey],
  );

  if (api === null) {
    return (
      <SignInPage
        message={signedOutBecause}
        onSignIn={(key) => {
          storeApiKey(key);
          setSignedOutBecause(null);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <Layout
        onSignOut={() => {
          forgetApiKey();
          setSignedOutBecause('Signed out. The API key is forgotten by this tab.');
          setApiKey(null);
        }}
      />
    </ApiContext.Provider>
  );
}

function Layout({ onSignOut }: { onSignOut: () => void }) {
  const { location, navigate } = useRouter();
  const path = location.path.replace(/\/+$/, '') || '/';
  useEffect(() => {
    if (path === '/') navigate(HOME, { replace: true });
  }, [path]);
  const found = routes.map((route) => ({ route, params: matchPath(route.pattern, path) })).find(({ params }) => params !== null);
  const title = found?.route.title ?? 'Page not found';
  useEffect(() => {
    document.title = `${title} · Liftgate`;
  }, [title]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href={HOME} class="brand">
          Liftgate
        </Link>
        <nav aria-label="Main">
          <ul>
            {sections.map((section) => (
              <li key={section.path}>
                <Link href={section.path} aria-current={path === section.path || path.startsWith(`${section.path}/`) ? 'page' : undefined}>
                  {section.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="secondary sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        {location.notice === null ? null : (
          <p role="status" class="notice success">
            {location.notice}
          </p>
        )}
        {found === undefined ? (
          path === '/' ? null : <NotFound />
        ) : (
          // Keyed by path: every page starts fresh (its loads, its focus) when the path changes.
          <div key={path}>{found.route.render(found.params as Record<string, string>)}</div>
        )}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        The console has no page at this address. Go to <Link href={HOME}>Source code</Link>.
      </p>
    </>
  );
}
