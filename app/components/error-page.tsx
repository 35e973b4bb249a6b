import { isRouteErrorResponse, Link, useLocation, useRouteError } from '@remix-run/react';

interface ForbiddenData {
  kind?: string;
  needed?: string[];
  message?: string;
}

/**
 * The one error boundary: every route exports it, so an error replaces only the failing screen and
 * the navigation stays usable. 403 and 404 say what to do next; anything else is a 500 with no
 * internals shown.
 */
export function RouteErrorBoundary() {
  const error = useRouteError();
  const location = useLocation();
  if (isRouteErrorResponse(error) && error.status === 403) {
    const data = (error.data ?? {}) as ForbiddenData;
    return (
      <ErrorPanel code="403" title="You don't have access to this page">
        <p>{data.message ?? 'Your account does not have the role this page needs.'}</p>
        <p className="muted">
          Go back to your home page to see the work open to you. If you need this page, ask an admin to add
          the role
          {data.needed?.length ? ` (${data.needed.map((r) => r.replace('_', ' ')).join(' or ')})` : ''} to
          your account.
        </p>
        <div className="row">
          <Link to="/" className="button button-primary">
            Go to your home page
          </Link>
          <Link to="/account" className="button">
            Your account
          </Link>
        </div>
      </ErrorPanel>
    );
  }
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <ErrorPanel code="404" title="Page not found">
        <p>
          {(error.data as { message?: string } | null)?.message &&
          (error.data as { message: string }).message !== 'Not found'
            ? (error.data as { message: string }).message
            : 'There is nothing at this address. It may have moved, or the link may be mistyped.'}
        </p>
        <div className="row">
          <Link to="/" className="button button-primary">
            Go to your home page
          </Link>
        </div>
      </ErrorPanel>
    );
  }
  if (isRouteErrorResponse(error)) {
    return (
      <ErrorPanel code={String(error.status)} title={error.statusText || 'Request failed'}>
        <p>{typeof error.data === 'string' ? error.data : 'The request could not be completed.'}</p>
        <Link to="/" className="button">
          Go to your home page
        </Link>
      </ErrorPanel>
    );
  }
  return (
    <ErrorPanel code="500" title="Something went wrong">
      <p>
        Arbiter hit an unexpected error while loading this page. Nothing you submitted before this page was
        lost.
      </p>
      <p className="muted">
        Reload to try again. If it keeps happening, tell an admin the time it happened; the server log has the
        details.
      </p>
      <div className="row">
        <a href={location.pathname + location.search} className="button button-primary">
          Reload
        </a>
        <Link to="/" className="button">
          Go to your home page
        </Link>
      </div>
    </ErrorPanel>
  );
}

function ErrorPanel({ code, title, children }: { code: string; title: string; children: React.ReactNode }) {
  return (
    <div className="center-page">
      <div className="card error-page" role="alert">
        <div className="error-code">ERROR {code}</div>
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}
