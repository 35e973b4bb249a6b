import { json, redirect } from '@remix-run/node';
import type { Role } from '../../db/schema';

/** Data carried by a 403 response, so the error page can say what the user can do instead. */
export interface ForbiddenData {
  kind: 'forbidden';
  needed: Role[];
  message: string;
}

export function forbidden(needed: Role[], message?: string): Response {
  return json<ForbiddenData>(
    {
      kind: 'forbidden',
      needed,
      message: message ?? `This page is for ${needed.map((r) => r.replace('_', ' ')).join(' or ')} accounts.`,
    },
    { status: 403 },
  );
}

export function notFound(message = 'Not found'): Response {
  return json({ kind: 'not-found', message }, { status: 404 });
}

/** A same-site path to return to after login; anything else (absolute URLs, //host) becomes "/". */
export function safeRedirectPath(
  value: FormDataEntryValue | string | null | undefined,
  fallback = '/',
): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\')
  ) {
    return fallback;
  }
  return value;
}

export function redirectToLogin(request: Request): Response {
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  return redirect(back === '/' ? '/login' : `/login?redirectTo=${encodeURIComponent(back)}`);
}
