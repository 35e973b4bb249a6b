import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { requireApiPrincipal } from '../utils/api.server';

/** Who this token acts for, and what it may reach. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, token } = await requireApiPrincipal(request, context);
  return json({
    user: { email: user.email, display_name: user.display_name, roles: user.roles },
    token: { id: token.id, scopes: token.scopes, project_id: token.projectId },
  });
}
