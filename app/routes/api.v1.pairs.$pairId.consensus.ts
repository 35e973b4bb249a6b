import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { z } from 'zod';
import { apiError, requireApiPrincipal, requireScope } from '../utils/api.server';
import { pairConsensusFor } from '../utils/api-pairs.server';

/** GET: a pair's consensus on both axes and its preference (scope read). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const principal = await requireApiPrincipal(request, context);
  requireScope(principal, 'read');
  const id = z.uuid().safeParse(params.pairId);
  const found = id.success ? await pairConsensusFor(id.data) : null;
  if (!found || (principal.token.projectId && principal.token.projectId !== found.projectId))
    return apiError(404, 'No such pair for this token.');
  return json(found.body);
}
