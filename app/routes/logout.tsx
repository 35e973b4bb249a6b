import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { logout } from '../utils/auth.server';

export async function action({ request }: ActionFunctionArgs) {
  return logout(request);
}

// Signing out changes state, so it is a POST only; a link to /logout lands on the home page.
export async function loader(_: LoaderFunctionArgs) {
  return redirect('/');
}
