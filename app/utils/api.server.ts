/**
 * The researchers' JSON API under /api/v1: bearer tokens only (no cookies, so no CSRF surface),
 * errors as `{ "error": "..." }` with the right status.
 */
import { json, type AppLoadContext } from '@remix-run/node';
import { verifyApiToken, type TokenPrincipal } from '../../tasks/api-tokens';
import { hasRole } from '../../tasks/roles';
import { findProjectBySlug } from '../../db/queries/projects';
import { getAppContext } from './context.server';

export function apiError(status: number, error: string, headers: HeadersInit = {}): Response {
  return json({ error }, { status, headers: { 'Cache-Control': 'no-store', ...headers } });
}

/** The token's principal, or throws 401 (missing, unknown, revoked, expired) / 403 (role gone). */
export async function requireApiPrincipal(
  request: Request,
  context: AppLoadContext,
): Promise<TokenPrincipal> {
  const header = request.headers.get('Authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw apiError(
      401,
      'Send an API token as "Authorization: Bearer arb_…". Researchers create tokens on their account page.',
      {
        'WWW-Authenticate': 'Bearer realm="arbiter"',
      },
    );
  }
  const principal = await verifyApiToken(getAppContext().db, match[1]!, {
    ip: context.clientIp,
    path: new URL(request.url).pathname,
  });
  if (!principal) {
    throw apiError(401, 'This token is not valid: it is unknown, revoked or expired.', {
      'WWW-Authenticate': 'Bearer realm="arbiter", error="invalid_token"',
    });
  }
  if (!hasRole(principal.user, 'researcher')) {
    throw apiError(403, 'The account that owns this token no longer has the researcher role.');
  }
  return principal;
}

/** 403 unless the token carries `scope` (read, export, score). */
export function requireScope(principal: TokenPrincipal, scope: string): void {
  if (!principal.token.scopes.includes(scope))
    throw apiError(
      403,
      `This token lacks the "${scope}" scope; create a token with it on your account page.`,
    );
}

/**
 * The project the request names, when the token may reach it. A token scoped to another project
 * gets the same 404 as a project that does not exist, so it learns nothing about other projects.
 */
export async function requireApiProject(principal: TokenPrincipal, slug: string | undefined) {
  const project = slug ? await findProjectBySlug(getAppContext().db, slug) : undefined;
  if (!project || (principal.token.projectId && principal.token.projectId !== project.id))
    throw apiError(404, `No project "${slug ?? ''}" for this token.`);
  return project;
}

/** A JSON request body, or a 400 that says what is wrong with it. */
export async function readJsonBody(request: Request): Promise<unknown> {
  if (!(request.headers.get('Content-Type') ?? '').includes('application/json'))
    throw apiError(415, 'Send the body as JSON (Content-Type: application/json).');
  try {
    return await request.json();
  } catch {
    throw apiError(400, 'The body is not valid JSON.');
  }
}
