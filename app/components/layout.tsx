import { Form, Link, NavLink } from '@remix-run/react';
import type { ReactNode } from 'react';
import { navFor } from '../utils/nav';

export interface ShellUser {
  email: string;
  display_name: string;
  roles: string[];
}

export function AppShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Arbiter home">
          <span className="brand-mark" aria-hidden="true">
            A
          </span>
          Arbiter
        </Link>
        {user ? (
          <>
            <nav className="nav" aria-label="Main">
              {navFor(user.roles).map((item) => (
                <NavLink key={item.to} to={item.to} end={item.to === '/'} prefetch="intent">
                  {item.label}
                </NavLink>
              ))}
            </nav>
            <div className="usermenu">
              <span className="who" title={user.email}>
                {user.display_name}
              </span>
              <Form method="post" action="/logout">
                <button type="submit" className="button-link">
                  Sign out
                </button>
              </Form>
            </div>
          </>
        ) : (
          <div style={{ flex: 1 }} />
        )}
      </header>
      <main id="main">{children}</main>
    </>
  );
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p>{description}</p> : null}
      </div>
      {actions ? <div className="row">{actions}</div> : null}
    </div>
  );
}
