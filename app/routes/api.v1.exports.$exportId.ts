import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { z } from 'zod';
import { apiError, requireApiPrincipal, requireScope } from '../utils/api.server';
import * as exportsApi from '../utils/exports.server';
import { exportJson } from '../utils/api-exports.server';

/** GET: one snapshot's status, counts and dataset card (scope read). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const principal = await requireApiPrincipal(request, context);
  requireScope(principal, 'read');
  const id = z.uuid().safeParse(params.exportId);
  const row = id.success ? await exportsApi.find(id.data) : undefined;
  if (!row || (principal.token.projectId && principal.token.projectId !== row.project_id))
    return apiError(404, 'No such export for this token.');
  return json({
    ...exportJson(row),
    project: row.slug,
    counts: row.counts,
    model_versions: row.model_versions,
    dataset_card: row.dataset_card,
  });
}
