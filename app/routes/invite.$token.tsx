import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { FormError, NewPasswordFields } from '../components/form';
import { RouteErrorBoundary } from '../components/error-page';
import { createUserSession } from '../utils/auth.server';
import { findInvite, redeemInvite } from '../utils/accounts.server';
import { formString, invalid, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';

export const meta: MetaFunction = () => [
  { title: 'Set your password · Arbiter' },
  { name: 'referrer', content: 'no-referrer' },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const invite = await findInvite(params.token ?? '');
  return json({ invite: invite ? { email: invite.user.email, purpose: invite.purpose } : null });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const password = formString(form, 'password');
  if (password !== formString(form, 'confirm')) return invalid('confirm', 'The two passwords differ.');
  try {
    const user = await redeemInvite(params.token ?? '', password, context.clientIp);
    return createUserSession(request, user.id, '/', context.clientIp);
  } catch (error) {
    return userErrorResponse(error, { token: '' });
  }
}

export default function Invite() {
  const { invite } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionErrors | undefined;
  return (
    <div className="center-page">
      <div className="card auth-card">
        {invite ? (
          <>
            <h1>{invite.purpose === 'invite' ? 'Welcome to Arbiter' : 'Reset your password'}</h1>
            <p className="muted small">
              Choose a password for <strong>{invite.email}</strong>. This link works once.
            </p>
            <Form method="post" className="form">
              <FormError message={result?.formError} />
              <NewPasswordFields name="password" errors={result?.fieldErrors ?? {}} autoFocus />
              <button type="submit" className="button-primary">
                Set password and sign in
              </button>
            </Form>
          </>
        ) : (
          <>
            <h1>This link does not work</h1>
            <p>
              It has been used already, has expired, or was replaced by a newer link. Ask an admin for a new
              one.
            </p>
            <Link to="/login" className="button">
              Go to sign in
            </Link>
          </>
        )}
      </div>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
