import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import {
  apiError,
  readJsonBody,
  requireApiPrincipal,
  requireApiProject,
  requireScope,
} from '../utils/api.server';
import { scorePairs } from '../utils/api-pairs.server';
import { UserInputError } from '../../tasks/errors';

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireApiPrincipal(request, context);
  return apiError(405, 'POST {"axis": "helpfulness", "pairs": [{"prompt", "a", "b"}]} to score pairs.');
}

/** POST {axis?, pairs: [{prompt, a, b}] (≤ 100)}: scores with the project's active reward model (scope score). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const principal = await requireApiPrincipal(request, context);
  requireScope(principal, 'score');
  const project = await requireApiProject(principal, params.slug);
  const body = await readJsonBody(request);
  try {
    return json(await scorePairs(project, body));
  } catch (error) {
    if (error instanceof UserInputError)
      return json(
        { error: error.message, field: error.field ?? null },
        { status: error.code === 'not-found' ? 404 : 400 },
      );
    throw error;
  }
}
