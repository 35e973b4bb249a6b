import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { Field, FormError, NewPasswordFields } from '../components/form';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { denyAccess, requireUser } from '../utils/auth.server';
import {
  actorOf,
  changePassword,
  createApiToken,
  listApiTokens,
  logoutEverywhere,
  revokeApiToken,
} from '../utils/accounts.server';
import { getDb } from '../utils/context.server';
import { formatDateTime } from '../utils/format';
import { formString, invalid, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { getSession, getSessionStorage, storedSessionId } from '../utils/session.server';
import { listSessionsOfUser } from '../../db/queries/sessions';
import { listProjectSummaries } from '../../db/queries/projects';
import { hasRole, ROLE_LABELS } from '../../tasks/roles';

export const meta: MetaFunction = () => [{ title: 'Account · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const db = getDb();
  const current = storedSessionId(await getSession(request));
  const sessions = await listSessionsOfUser(db, user.id, new Date());
  const canUseApi = hasRole(user, 'researcher');
  return json({
    user: {
      email: user.email,
      display_name: user.display_name,
      roles: user.roles,
      languages: user.languages,
      domains: user.domains,
    },
    sessions: sessions.map((s) => ({
      current: s.id === current,
      created_at: s.created_at.toISOString(),
      last_seen_at: s.last_seen_at.toISOString(),
      ip: s.ip,
      user_agent: s.user_agent,
    })),
    canUseApi,
    tokens: canUseApi
      ? (await listApiTokens(user.id)).map((t) => ({
          ...t,
          created_at: t.created_at.toISOString(),
          expires_at: t.expires_at?.toISOString() ?? null,
          last_used_at: t.last_used_at?.toISOString() ?? null,
          revoked_at: t.revoked_at?.toISOString() ?? null,
        }))
      : [],
    projects: canUseApi ? (await listProjectSummaries(db)).map((p) => ({ id: p.id, name: p.name })) : [],
  });
}

type Result = ({ ok: true; message: string; token?: string } | ActionErrors) & { intent: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const intent = formString(form, 'intent');
  const actor = actorOf(user, context);
  const tag = async (response: Response) => {
    const body = (await response.json()) as object;
    return json({ ...body, intent } as Result, { status: response.status });
  };
  try {
    switch (intent) {
      case 'password': {
        const next = formString(form, 'next');
        if (next !== formString(form, 'confirm'))
          return tag(invalid('confirm', 'The two new passwords differ.'));
        const session = await getSession(request);
        await changePassword(
          {
            userId: user.id,
            email: user.email,
            current: formString(form, 'current'),
            next,
            keepSessionId: storedSessionId(session) ?? undefined,
          },
          actor,
        );
        return json<Result>({
          ok: true,
          intent,
          message: 'Password changed. Your other sessions were signed out.',
        });
      }
      case 'logout-everywhere': {
        await logoutEverywhere(user.id, actor);
        const session = await getSession(request);
        return redirect('/login', {
          headers: { 'Set-Cookie': await getSessionStorage().destroySession(session) },
        });
      }
      case 'create-token': {
        if (!hasRole(user, 'researcher'))
          throw await denyAccess(request, user, ['researcher'], 'API tokens are for researcher accounts.');
        const created = await createApiToken(
          user.id,
          {
            name: formString(form, 'name'),
            projectId: formString(form, 'projectId') || null,
            expiresInDays: formString(form, 'expiresInDays') || null,
          },
          actor,
        );
        return json<Result>({
          ok: true,
          intent,
          message: 'Token created. Copy it now: it is shown only once.',
          token: created.token,
        });
      }
      case 'revoke-token': {
        if (!hasRole(user, 'researcher'))
          throw await denyAccess(request, user, ['researcher'], 'API tokens are for researcher accounts.');
        await revokeApiToken(user.id, formString(form, 'tokenId'), actor);
        return json<Result>({ ok: true, intent, message: 'Token revoked; requests using it now get 401.' });
      }
      default:
        return tag(invalid(undefined, 'Unknown action.'));
    }
  } catch (error) {
    if (error instanceof Response) throw error;
    return tag(userErrorResponse(error, { next: 'next', current: 'current' }));
  }
}

export default function Account() {
  const { user, sessions, canUseApi, tokens, projects } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const errorsFor = (intent: string) =>
    result && !result.ok && result.intent === intent ? result.fieldErrors : {};
  const okFor = (intent: string) => (result?.ok && result.intent === intent ? result : null);
  return (
    <div className="page stack">
      <PageHeader
        title="Your account"
        description={`${user.email} · ${user.roles.map((r) => ROLE_LABELS[r]).join(', ')}`}
      />
      <div className="grid">
        <section className="card" aria-labelledby="profile-h">
          <h2 id="profile-h">Profile</h2>
          <dl className="props small">
            <dt className="muted">Name</dt>
            <dd>{user.display_name}</dd>
            <dt className="muted">Languages</dt>
            <dd>{user.languages.length ? user.languages.join(', ') : 'all'}</dd>
            <dt className="muted">Domains of expertise</dt>
            <dd>{user.domains.length ? user.domains.join(', ') : 'none set'}</dd>
          </dl>
          <p className="small muted" style={{ marginBottom: 0 }}>
            An admin sets roles, languages and domains.
          </p>
        </section>
        <section className="card" aria-labelledby="password-h">
          <h2 id="password-h">Change password</h2>
          {okFor('password') ? (
            <div className="alert alert-success" role="status">
              {okFor('password')!.message}
            </div>
          ) : null}
          <Form method="post" className="form">
            <input type="hidden" name="intent" value="password" />
            <Field
              label="Current password"
              name="current"
              type="password"
              autoComplete="current-password"
              required
              error={errorsFor('password').current}
            />
            <NewPasswordFields name="next" errors={errorsFor('password')} />
            <div>
              <button type="submit" className="button-primary">
                Change password
              </button>
            </div>
          </Form>
        </section>
      </div>

      <section className="card" aria-labelledby="sessions-h">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 id="sessions-h">Where you are signed in</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="logout-everywhere" />
            <button type="submit" className="button-danger">
              Sign out everywhere
            </button>
          </Form>
        </div>
        <div className="table-wrap">
          <table className="data" aria-label="Sessions">
            <thead>
              <tr>
                <th>Browser</th>
                <th>Address</th>
                <th>Signed in</th>
                <th>Last active</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s, i) => (
                <tr key={i}>
                  <td>
                    {(s.user_agent ?? 'unknown').slice(0, 80)}{' '}
                    {s.current ? <span className="badge badge-accent">this session</span> : null}
                  </td>
                  <td>{s.ip ?? '—'}</td>
                  <td>{formatDateTime(s.created_at)}</td>
                  <td>{formatDateTime(s.last_seen_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {canUseApi ? (
        <section className="card" id="tokens" aria-labelledby="tokens-h">
          <h2 id="tokens-h">API tokens</h2>
          <p className="small muted">
            Send a token as <code>Authorization: Bearer arb_…</code> to <code>/api/v1/</code>. Tokens are
            read-only, can be limited to one project, and stop working the moment you revoke them.
          </p>
          {okFor('create-token')?.token ? (
            <div className="alert alert-success" role="status" style={{ marginBottom: '1rem' }}>
              <p>{okFor('create-token')!.message}</p>
              <div className="secret" aria-label="New API token">
                {okFor('create-token')!.token}
              </div>
            </div>
          ) : null}
          {okFor('revoke-token') ? (
            <div className="alert alert-success" role="status" style={{ marginBottom: '1rem' }}>
              {okFor('revoke-token')!.message}
            </div>
          ) : null}
          <FormError
            message={
              result && !result.ok && result.intent.endsWith('token')
                ? (result.formError ?? Object.values(result.fieldErrors)[0])
                : undefined
            }
          />
          {tokens.length ? (
            <div className="table-wrap" style={{ marginBottom: '1rem' }}>
              <table className="data" aria-label="API tokens">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Token</th>
                    <th>Project</th>
                    <th>Last used</th>
                    <th>Expires</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.map((t) => (
                    <tr key={t.id}>
                      <td>{t.name}</td>
                      <td>
                        <code>{t.token_prefix}…</code>
                      </td>
                      <td>{projects.find((p) => p.id === t.project_id)?.name ?? 'all projects'}</td>
                      <td>{formatDateTime(t.last_used_at)}</td>
                      <td>{t.expires_at ? formatDateTime(t.expires_at) : 'never'}</td>
                      <td>
                        {t.revoked_at ? (
                          <span className="badge badge-danger">revoked</span>
                        ) : (
                          <Form method="post">
                            <input type="hidden" name="intent" value="revoke-token" />
                            <input type="hidden" name="tokenId" value={t.id} />
                            <button
                              type="submit"
                              className="button-danger"
                              aria-label={`Revoke token ${t.name}`}
                            >
                              Revoke
                            </button>
                          </Form>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No tokens yet.</p>
          )}
          {/* keyed by the token count, so the form starts empty again after each new token */}
          <Form method="post" className="form" key={tokens.length}>
            <input type="hidden" name="intent" value="create-token" />
            <Field
              label="Token name"
              name="name"
              required
              placeholder="e.g. training cluster"
              error={errorsFor('create-token').name}
            />
            <div className="field">
              <label htmlFor="token-project">Project</label>
              <select id="token-project" name="projectId" defaultValue="">
                <option value="">All projects</option>
                {projects.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            <Field
              label="Expires after (days)"
              name="expiresInDays"
              type="number"
              min={1}
              max={3650}
              hint="Empty: never."
              error={errorsFor('create-token').expiresInDays}
            />
            <div>
              <button type="submit" className="button-primary">
                Create token
              </button>
            </div>
          </Form>
        </section>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
