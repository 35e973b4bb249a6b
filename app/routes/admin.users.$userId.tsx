import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { CheckboxGroup, Field, FormError } from '../components/form';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import {
  actorOf,
  createInvite,
  logoutEverywhere,
  publicBaseUrl,
  setActive,
  setProfile,
  setRoles,
} from '../utils/accounts.server';
import { getDb } from '../utils/context.server';
import { formatDateTime } from '../utils/format';
import {
  formList,
  formString,
  readForm,
  splitCodes,
  userErrorResponse,
  type ActionErrors,
} from '../utils/forms.server';
import { notFound } from '../utils/http.server';
import { findUserById } from '../../db/queries/users';
import { listAuditEvents } from '../../db/queries/audit-log';
import { ROLE_LABELS, ROLES } from '../../tasks/roles';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.user.email ?? 'User'} · Arbiter` },
];

async function loadUser(userId: string | undefined) {
  const id = z.uuid().safeParse(userId);
  if (!id.success) throw notFound('No such user.');
  const user = await findUserById(getDb(), id.data);
  if (!user) throw notFound('No such user.');
  return user;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, 'admin');
  const user = await loadUser(params.userId);
  const events = await listAuditEvents(getDb(), { limit: 20, aboutUserId: user.id });
  return json({
    user: {
      ...user,
      created_at: user.created_at.toISOString(),
      last_login_at: user.last_login_at?.toISOString() ?? null,
    },
    events: events.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      event: e.event,
      ip: e.ip,
      actor: e.actor_email,
    })),
  });
}

type Result = { ok: true; message: string; link?: string } | ActionErrors;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, 'admin');
  const user = await loadUser(params.userId);
  const form = await readForm(request);
  const actor = actorOf(admin, context);
  try {
    switch (formString(form, 'intent')) {
      case 'roles':
        await setRoles(user.id, formList(form, 'roles') as never, actor);
        return json<Result>({ ok: true, message: 'Roles saved.' });
      case 'profile':
        await setProfile(
          user.id,
          {
            displayName: formString(form, 'displayName'),
            languages: splitCodes(formString(form, 'languages')),
            domains: splitCodes(formString(form, 'domains')),
          },
          actor,
        );
        return json<Result>({ ok: true, message: 'Profile saved.' });
      case 'deactivate':
        if (user.id === admin.id)
          return json<Result>(
            { ok: false, fieldErrors: {}, formError: 'You cannot deactivate yourself.' },
            { status: 400 },
          );
        await setActive(user.id, false, actor);
        return json<Result>({ ok: true, message: 'User deactivated and signed out everywhere.' });
      case 'reactivate':
        await setActive(user.id, true, actor);
        return json<Result>({ ok: true, message: 'User reactivated.' });
      case 'logout-everywhere': {
        const ended = await logoutEverywhere(user.id, actor);
        return json<Result>({ ok: true, message: `Ended ${ended} session(s).` });
      }
      case 'reset-link': {
        const { token } = await createInvite(user.id, user.last_login_at ? 'reset' : 'invite', actor);
        return json<Result>({
          ok: true,
          message:
            'New one-time link created (valid 7 days); any earlier link stops working. It is shown only now:',
          link: `${publicBaseUrl(request)}/invite/${token}`,
        });
      }
      default:
        return json<Result>({ ok: false, fieldErrors: {}, formError: 'Unknown action.' }, { status: 400 });
    }
  } catch (error) {
    return userErrorResponse(error);
  }
}

export default function AdminUser() {
  const { user, events } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const errors = result && !result.ok ? result.fieldErrors : {};
  return (
    <div className="page stack">
      <p className="small">
        <Link to="/admin/users">← All users</Link>
      </p>
      <PageHeader
        title={user.display_name}
        description={
          <>
            {user.email} · {user.is_active ? 'active' : 'deactivated'} · last sign-in{' '}
            {formatDateTime(user.last_login_at)}
          </>
        }
      />
      {result?.ok ? (
        <div className="alert alert-success" role="status">
          <p style={{ margin: result.link ? undefined : 0 }}>{result.message}</p>
          {result.link ? <div className="secret">{result.link}</div> : null}
        </div>
      ) : null}
      <FormError message={result && !result.ok ? result.formError : undefined} />
      <div className="grid">
        <section className="card" aria-labelledby="roles-h">
          <h2 id="roles-h">Roles</h2>
          <Form method="post" className="form">
            <input type="hidden" name="intent" value="roles" />
            <CheckboxGroup
              legend="Roles"
              name="roles"
              options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
              selected={user.roles}
              error={errors.roles}
            />
            <div>
              <button type="submit" className="button-primary">
                Save roles
              </button>
            </div>
          </Form>
        </section>
        <section className="card" aria-labelledby="profile-h">
          <h2 id="profile-h">Profile and expertise</h2>
          <Form method="post" className="form">
            <input type="hidden" name="intent" value="profile" />
            <Field
              label="Display name"
              name="displayName"
              defaultValue={user.display_name}
              required
              error={errors.displayName}
            />
            <Field
              label="Languages"
              name="languages"
              defaultValue={user.languages.join(', ')}
              hint="Empty: all languages."
              error={errors.languages}
            />
            <Field
              label="Domains of expertise"
              name="domains"
              defaultValue={user.domains.join(', ')}
              error={errors.domains}
            />
            <div>
              <button type="submit" className="button-primary">
                Save profile
              </button>
            </div>
          </Form>
        </section>
        <section className="card" aria-labelledby="access-h">
          <h2 id="access-h">Access</h2>
          <div className="stack" style={{ gap: '0.7rem' }}>
            <Form method="post">
              <input type="hidden" name="intent" value="reset-link" />
              <button type="submit">Create a password link</button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="logout-everywhere" />
              <button type="submit">Sign out of all sessions</button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value={user.is_active ? 'deactivate' : 'reactivate'} />
              <button type="submit" className={user.is_active ? 'button-danger' : undefined}>
                {user.is_active ? 'Deactivate user' : 'Reactivate user'}
              </button>
            </Form>
            <p className="small muted" style={{ margin: 0 }}>
              Deactivated users cannot sign in or use API tokens; their judgments stay in the data.
            </p>
          </div>
        </section>
      </div>
      <section className="card" aria-labelledby="events-h">
        <h2 id="events-h">Recent activity by and about this user</h2>
        {events.length === 0 ? (
          <p className="empty">No recorded activity yet.</p>
        ) : (
          <ul className="small" style={{ paddingLeft: '1.1rem', margin: 0 }}>
            {events.map((e) => (
              <li key={e.id}>
                <code>{e.event}</code> {e.actor ? `by ${e.actor}` : ''}{' '}
                <span className="muted">
                  {formatDateTime(e.at)} {e.ip ? `from ${e.ip}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
