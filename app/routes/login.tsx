import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormError } from '../components/form';
import { RouteErrorBoundary } from '../components/error-page';
import { createUserSession, getUser } from '../utils/auth.server';
import { signIn } from '../utils/accounts.server';
import { getAppContext } from '../utils/context.server';
import { safeRedirectPath } from '../utils/http.server';
import { readForm } from '../utils/forms.server';

export const meta: MetaFunction = () => [{ title: 'Sign in · Arbiter' }];

// Remix sends an action's headers on a document request only through this export.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const out = new Headers();
  const retryAfter = actionHeaders.get('Retry-After');
  if (retryAfter) out.set('Retry-After', retryAfter);
  return out;
};

const LoginSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter your email.')
    .max(254, 'That email is too long (254 characters at most).'),
  password: z
    .string()
    .min(1, 'Enter your password.')
    .max(1024, 'That password is too long (1024 characters at most).'),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect('/');
  return json({});
}

function insecureTransportProblem(request: Request): string | null {
  const url = new URL(request.url);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (getAppContext().config.cookieSecure && url.protocol === 'http:' && !local) {
    return 'This server only sends its sign-in cookie over HTTPS, but this page was opened over plain HTTP. Open it through HTTPS, or set ARBITER_COOKIE_SECURE=false on a trusted network.';
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = LoginSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return json({ error: issue.message, field: String(issue.path[0] ?? '') }, { status: 400 });
  }
  const transport = insecureTransportProblem(request);
  if (transport) return json({ error: transport, field: '' }, { status: 400 });
  const result = await signIn(parsed.data.email, parsed.data.password, context.clientIp);
  if (!result.ok) {
    const headers: HeadersInit = result.retryAfterSeconds
      ? { 'Retry-After': String(result.retryAfterSeconds) }
      : {};
    return json(
      { error: result.message, field: '' },
      { status: result.reason === 'rate-limited' ? 429 : 401, headers },
    );
  }
  return createUserSession(
    request,
    result.userId,
    safeRedirectPath(parsed.data.redirectTo),
    context.clientIp,
  );
}

export default function Login() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const busy = navigation.state !== 'idle' && navigation.formAction === '/login';
  return (
    <div className="center-page">
      <div className="card auth-card">
        <h1>Sign in to Arbiter</h1>
        <p className="muted small">Use the account your admin created for you.</p>
        <Form method="post" className="form" replace>
          <FormError message={data?.field ? undefined : data?.error} />
          <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/'} />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus
            error={data?.field === 'email' ? data.error : undefined}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            error={data?.field === 'password' ? data.error : undefined}
          />
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </Form>
        <p className="muted small" style={{ marginTop: '1rem' }}>
          Forgot your password? Ask an admin for a reset link.
        </p>
      </div>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
