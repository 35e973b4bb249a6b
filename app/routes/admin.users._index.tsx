import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useRef } from 'react';
import { DataTable } from '../components/data-table';
import { CheckboxGroup, Field, FormError } from '../components/form';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { actorOf, createInvite, createUser, publicBaseUrl } from '../utils/accounts.server';
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
import { listUsers } from '../../db/queries/users';
import { ROLE_LABELS, ROLES } from '../../tasks/roles';

export const meta: MetaFunction = () => [{ title: 'Users · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'admin');
  const users = await listUsers(getDb());
  return json({
    users: users.map((u) => ({
      id: u.id,
      email: u.email,
      display_name: u.display_name,
      roles: u.roles,
      languages: u.languages,
      domains: u.domains,
      is_active: u.is_active,
      created_at: u.created_at.toISOString(),
      last_login_at: u.last_login_at?.toISOString() ?? null,
    })),
  });
}

type CreateResult = { ok: true; email: string; inviteUrl: string; expiresAt: string } | ActionErrors;

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, 'admin');
  const form = await readForm(request);
  try {
    const actor = actorOf(admin, context);
    const user = await createUser(
      {
        email: formString(form, 'email'),
        displayName: formString(form, 'displayName') || undefined,
        roles: formList(form, 'roles') as never,
        languages: splitCodes(formString(form, 'languages')),
        domains: splitCodes(formString(form, 'domains')),
      },
      actor,
    );
    const invite = await createInvite(user.id, 'invite', actor);
    return json<CreateResult>({
      ok: true,
      email: user.email,
      inviteUrl: `${publicBaseUrl(request)}/invite/${invite.token}`,
      expiresAt: invite.expiresAt.toISOString(),
    });
  } catch (error) {
    return userErrorResponse(error);
  }
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['users'][number];
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('email', {
    header: 'Email',
    cell: (c) => <Link to={`/admin/users/${c.row.original.id}`}>{c.getValue()}</Link>,
  }),
  col.accessor('display_name', { header: 'Name' }),
  col.accessor((r) => r.roles.join(', '), {
    id: 'roles',
    header: 'Roles',
    cell: (c) => (
      <span className="row" style={{ gap: '0.3rem' }}>
        {c.row.original.roles.map((r) => (
          <span key={r} className="badge badge-accent">
            {ROLE_LABELS[r]}
          </span>
        ))}
      </span>
    ),
  }),
  col.accessor((r) => r.languages.join(', '), { id: 'languages', header: 'Languages' }),
  col.accessor((r) => r.domains.join(', '), { id: 'domains', header: 'Domains' }),
  col.accessor('is_active', {
    header: 'Status',
    cell: (c) =>
      c.getValue() ? (
        <span className="badge badge-success">Active</span>
      ) : (
        <span className="badge badge-danger">Deactivated</span>
      ),
    meta: { csv: (r) => (r.is_active ? 'active' : 'deactivated') },
  }),
  col.accessor('last_login_at', { header: 'Last sign-in', cell: (c) => formatDateTime(c.getValue()) }),
  col.accessor('created_at', { header: 'Created', cell: (c) => formatDateTime(c.getValue()) }),
];

export default function AdminUsers() {
  const { users } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as CreateResult | undefined;
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = result && !result.ok ? result.fieldErrors : {};
  useEffect(() => {
    if (result?.ok) formRef.current?.reset();
  }, [result]);
  return (
    <div className="page stack">
      <PageHeader
        title="Users"
        description="Create accounts, set roles and expertise, deactivate people who leave."
      />
      <DataTable
        data={users}
        columns={columns}
        label="Users"
        initialSorting={[{ id: 'email', desc: false }]}
        initialHidden={['domains']}
      />
      <section className="card" aria-labelledby="new-user">
        <h2 id="new-user">Invite a user</h2>
        <p className="muted small">
          Arbiter creates the account and gives you a one-time link (valid 7 days) for the person to set their
          own password. Send it to them however your team shares such things.
        </p>
        {result?.ok ? (
          <div className="alert alert-success" role="status" style={{ marginBottom: '1rem' }}>
            <p>
              Created <strong>{result.email}</strong>. Their sign-up link, valid until{' '}
              {formatDateTime(result.expiresAt)}, is shown only now:
            </p>
            <div className="secret" aria-label="Invite link">
              {result.inviteUrl}
            </div>
          </div>
        ) : null}
        <Form method="post" className="form" ref={formRef}>
          <FormError message={result && !result.ok ? result.formError : undefined} />
          <Field label="Email" name="email" type="email" required error={errors.email} />
          <Field
            label="Display name"
            name="displayName"
            type="text"
            hint="Optional; defaults to the part before @."
            error={errors.displayName}
          />
          <CheckboxGroup
            legend="Roles"
            name="roles"
            options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            selected={['annotator']}
            error={errors.roles}
          />
          <Field
            label="Languages"
            name="languages"
            type="text"
            hint="Codes separated by commas, e.g. en, de. Empty: all languages."
            error={errors.languages}
          />
          <Field
            label="Domains of expertise"
            name="domains"
            type="text"
            hint="e.g. medical, legal, code. Empty: none."
            error={errors.domains}
          />
          <div>
            <button type="submit" className="button-primary" disabled={navigation.state === 'submitting'}>
              Create user and invite link
            </button>
          </div>
        </Form>
      </section>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
