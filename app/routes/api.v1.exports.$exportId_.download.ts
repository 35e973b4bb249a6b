import type { LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { apiError, requireApiPrincipal, requireScope } from '../utils/api.server';
import * as exportsApi from '../utils/exports.server';

/** GET: a ready snapshot's file, streamed (scope export); the X-Content-SHA256 header carries its hash. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const principal = await requireApiPrincipal(request, context);
  requireScope(principal, 'export');
  const id = z.uuid().safeParse(params.exportId);
  const row = id.success ? await exportsApi.find(id.data) : undefined;
  if (!row || (principal.token.projectId && principal.token.projectId !== row.project_id))
    return apiError(404, 'No such export for this token.');
  if (row.status !== 'ready')
    return apiError(409, `This export is ${row.status}; download it once it is ready.`);
  return exportsApi.downloadResponse(row.id, 'no-store');
}
