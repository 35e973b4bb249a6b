/**
 * Who is asking, and may they. Loaders and actions call these first so handlers stay linear:
 * `const user = await requireRole(request, 'lead')` either returns the user or throws a redirect
 * (not signed in) or a 403 (signed in, wrong role).
 */
import { redirect } from '@remix-run/node';
import { insertAuditEvent } from '../../db/queries/audit-log';
import type { PublicUser } from '../../db/queries/users';
import type { Role } from '../../db/schema';
import { hasRole } from '../../tasks/roles';
import { getAppContext } from './context.server';
import { getSession, getSessionStorage, getSessionUser, startUserSession } from './session.server';
import { forbidden, redirectToLogin } from './http.server';

export type { PublicUser };

/** The signed-in, active user, or null. A deactivated user's session counts as signed out. */
export async function getUser(request: Request): Promise<PublicUser | null> {
  const user = await getSessionUser(request);
  return user?.is_active ? user : null;
}

export async function requireUser(request: Request): Promise<PublicUser> {
  const user = await getUser(request);
  if (!user) throw redirectToLogin(request);
  return user;
}

/** The user if they hold any of `roles`; otherwise a redirect to login or a 403. */
export async function requireRole(request: Request, ...roles: Role[]): Promise<PublicUser> {
  const user = await requireUser(request);
  if (!hasRole(user, ...roles)) throw await denyAccess(request, user, roles);
  return user;
}

/**
 * The 403 for a signed-in user who lacks the role for what they asked, recorded in the audit log
 * (`access.denied`, reason "role"), so an account trying pages or forms it may not use shows up.
 */
export async function denyAccess(
  request: Request,
  user: PublicUser,
  needed: Role[],
  message?: string,
): Promise<Response> {
  await insertAuditEvent(getAppContext().db, {
    event: 'access.denied',
    actorUserId: user.id,
    actorEmail: user.email,
    details: { reason: 'role', needed, method: request.method, path: new URL(request.url).pathname },
  });
  return forbidden(needed, message);
}

/** Signs the user in with a fresh session and redirects. */
export async function createUserSession(
  request: Request,
  userId: string,
  redirectTo: string,
  ip: string,
): Promise<Response> {
  const storage = getSessionStorage();
  const old = await getSession(request);
  if (old.id) await storage.destroySession(old);
  const session = await startUserSession(userId, { ip, userAgent: request.headers.get('User-Agent') ?? '' });
  return redirect(redirectTo, { headers: { 'Set-Cookie': await storage.commitSession(session) } });
}

export async function logout(request: Request): Promise<Response> {
  const storage = getSessionStorage();
  const session = await getSession(request);
  return redirect('/login', { headers: { 'Set-Cookie': await storage.destroySession(session) } });
}
