import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import {
  apiError,
  readJsonBody,
  requireApiPrincipal,
  requireApiProject,
  requireScope,
} from '../utils/api.server';
import * as exportsApi from '../utils/exports.server';
import { UserInputError } from '../../tasks/errors';
import { exportJson } from '../utils/api-exports.server';

/** GET: the project's export snapshots (scope read). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const principal = await requireApiPrincipal(request, context);
  requireScope(principal, 'read');
  const project = await requireApiProject(principal, params.slug);
  const rows = await exportsApi.list({ projectId: project.id, limit: 200 });
  return json({ exports: rows.map(exportJson) });
}

/** POST {format, csv?, margin?, filters?}: starts an export snapshot (scope export); 202 with its id. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== 'POST') return apiError(405, 'Use POST to start an export.');
  const principal = await requireApiPrincipal(request, context);
  requireScope(principal, 'export');
  const project = await requireApiProject(principal, params.slug);
  const body = await readJsonBody(request);
  try {
    const { exportId } = await exportsApi.create(project.id, body, {
      userId: principal.user.id,
      email: principal.user.email,
      tokenId: principal.token.id,
    });
    return json(
      { id: exportId, status: 'pending', url: `/api/v1/exports/${exportId}` },
      { status: 202, headers: { Location: `/api/v1/exports/${exportId}` } },
    );
  } catch (error) {
    if (error instanceof UserInputError)
      return json({ error: error.message, field: error.field ?? null }, { status: 400 });
    throw error;
  }
}
