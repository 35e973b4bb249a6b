import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { PageHeader } from '../components/layout';
import { ProjectProgress } from '../components/project-progress';
import { RouteErrorBoundary } from '../components/error-page';
import { requireUser } from '../utils/auth.server';
import { loadHome } from '../utils/home.server';
import { formatDateTime } from '../utils/format';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from '../../tasks/roles';

export const meta: MetaFunction = () => [{ title: 'Home · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return json({ user: { display_name: user.display_name, roles: user.roles }, ...(await loadHome(user)) });
}

const unitNoun = (type: string) => (type === 'preference' ? 'pairs' : 'items');

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const { user } = data;
  return (
    <div className="page stack">
      <PageHeader
        title={`Welcome, ${user.display_name}`}
        description={
          <span className="row" style={{ gap: '0.4rem' }}>
            Signed in as
            {user.roles.map((role) => (
              <span key={role} className="badge badge-accent">
                {ROLE_LABELS[role]}
              </span>
            ))}
          </span>
        }
      />

      {data.annotator ? (
        <section aria-labelledby="annotation-work" className="stack">
          <h2 id="annotation-work">Your annotation work</h2>
          <p className="muted">{ROLE_DESCRIPTIONS.annotator}</p>
          {data.annotator.projects.length === 0 ? (
            <div className="card empty">
              No projects are open to you yet. A lead adds you to a project, or opens it to everyone.
            </div>
          ) : (
            <div className="grid">
              {data.annotator.projects.map((project) => (
                <article key={project.id} className="card" aria-label={project.name}>
                  <div className="card-head">
                    <h3>{project.name}</h3>
                    <span className="badge">{project.type}</span>
                  </div>
                  <p className="small muted">{project.description}</p>
                  <ProjectProgress
                    completed={project.completed}
                    units={project.units}
                    noun={unitNoun(project.type)}
                  />
                  <p style={{ marginTop: '0.8rem', marginBottom: 0 }}>
                    {project.type === 'preference' ? (
                      <Link to={`/compare?project=${project.slug}`} className="button button-primary">
                        Compare responses
                      </Link>
                    ) : (
                      <Link to={`/label?project=${project.slug}`} className="button button-primary">
                        Label texts
                      </Link>
                    )}
                  </p>
                  <p className="small" style={{ marginTop: '0.6rem', marginBottom: 0 }}>
                    Your {project.type === 'preference' ? 'judgments' : 'labels'}:{' '}
                    <strong>{data.annotator!.mine[project.id] ?? 0}</strong>
                  </p>
                </article>
              ))}
            </div>
          )}
        </section>
      ) : null}

      {data.reviewer ? (
        <section aria-labelledby="safety-work" className="card">
          <h2 id="safety-work">Safety review</h2>
          <p className="muted">{ROLE_DESCRIPTIONS.safety_reviewer}</p>
          <div className="stat">{data.reviewer.awaitingReview}</div>
          <div className="stat-label">
            responses flagged high or critical, or by two annotators, awaiting review
          </div>
          <p style={{ marginTop: '0.8rem', marginBottom: 0 }}>
            <Link to="/review" className="button button-primary">
              Open the review queue
            </Link>
          </p>
        </section>
      ) : null}

      {data.overview ? (
        <section aria-labelledby="projects-overview" className="card">
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h2 id="projects-overview">Projects</h2>
            <Link to="/projects">All projects</Link>
          </div>
          {data.overview.projects.length === 0 ? (
            <p className="empty">No projects yet.</p>
          ) : (
            <div className="stack" style={{ gap: '0.9rem', marginTop: '0.5rem' }}>
              {data.overview.projects.map((project) => (
                <div key={project.id}>
                  <div className="row" style={{ justifyContent: 'space-between' }}>
                    <Link to={`/projects/${project.slug}`}>
                      <strong>{project.name}</strong>
                    </Link>
                    <span className="small muted">
                      {project.judgments.toLocaleString('en')}{' '}
                      {project.type === 'preference' ? 'judgments' : 'labels'}
                    </span>
                  </div>
                  <ProjectProgress
                    completed={project.completed}
                    units={project.units}
                    noun={unitNoun(project.type)}
                  />
                </div>
              ))}
            </div>
          )}
        </section>
      ) : null}

      {data.researcher ? (
        <section aria-labelledby="research-work" className="card">
          <h2 id="research-work">Research</h2>
          <p className="muted">{ROLE_DESCRIPTIONS.researcher}</p>
          <p>
            You have <strong>{data.researcher.activeTokens}</strong> active API{' '}
            {data.researcher.activeTokens === 1 ? 'token' : 'tokens'}.{' '}
            <Link to="/account#tokens">Manage API tokens</Link>
          </p>
        </section>
      ) : null}

      {data.admin ? (
        <section aria-labelledby="admin-work" className="grid">
          <div className="card">
            <h2 id="admin-work">Users</h2>
            <div className="stats">
              {ROLES.map((role) => (
                <div key={role}>
                  <div className="stat">{data.admin!.usersByRole[role] ?? 0}</div>
                  <div className="stat-label">{ROLE_LABELS[role]}</div>
                </div>
              ))}
            </div>
            <p style={{ marginTop: '0.8rem', marginBottom: 0 }}>
              <Link to="/admin/users">Manage users</Link>
            </p>
          </div>
          <div className="card">
            <h2>Recent activity</h2>
            <ul className="small" style={{ paddingLeft: '1.1rem', margin: 0 }}>
              {data.admin.recent.map((e) => (
                <li key={e.id}>
                  <code>{e.event}</code> {e.actor ? `by ${e.actor}` : ''}{' '}
                  <span className="muted">{formatDateTime(e.at)}</span>
                </li>
              ))}
            </ul>
            <p style={{ marginTop: '0.8rem', marginBottom: 0 }}>
              <Link to="/admin/audit">Full audit log</Link>
            </p>
          </div>
        </section>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
