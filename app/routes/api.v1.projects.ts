import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { requireApiPrincipal } from '../utils/api.server';
import { getDb } from '../utils/context.server';
import { listProjectSummaries } from '../../db/queries/projects';

/** Projects with their progress; a token scoped to one project sees only that one. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token } = await requireApiPrincipal(request, context);
  const projects = await listProjectSummaries(getDb());
  return json({
    projects: projects
      .filter((p) => !token.projectId || p.id === token.projectId)
      .map((p) => ({
        id: p.id,
        slug: p.slug,
        name: p.name,
        type: p.type,
        units: p.units,
        completed: p.completed,
        judgments: p.judgments,
        redundancy: p.redundancy,
        created_at: p.created_at,
      })),
  });
}
