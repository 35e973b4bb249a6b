/**
 * POST /review/labels: a labelled safety file (BeaverTails CSV or JSONL) into a project, all or
 * nothing. Its own path so the server's upload body limit applies (every other form is capped at
 * ARBITER_MAX_BODY_BYTES); the outcome goes back to the review page's Safety model panel.
 */
import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { UserInputError } from '../../tasks/errors';
import { actorOf } from '../utils/accounts.server';
import { requireRole } from '../utils/auth.server';
import { importUploadedLabels, MAX_LABEL_UPLOAD_BYTES, safetyProjects } from '../utils/safety.server';
import { readForm } from '../utils/forms.server';

/** Multipart framing around the file: a few hundred bytes, with room to spare. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export async function action({ request, context }: ActionFunctionArgs) {
  const reviewer = await requireRole(request, 'safety_reviewer');
  const wanted = new URL(request.url).searchParams.get('project');
  const projects = await safetyProjects();
  const project = projects.find((p) => p.slug === wanted) ?? projects[0];
  const back = (query: Record<string, string>) =>
    redirect(
      `/review?${new URLSearchParams({ ...(project ? { project: project.slug } : {}), ...query })}#safety-model`,
    );
  if (!project) return back({ labelError: 'There is no preference project to import labels into.' });
  // refused before the body is read: the file would be held in memory to parse it
  const length = Number(request.headers.get('content-length') ?? NaN);
  if (!Number.isFinite(length) || length > MAX_LABEL_UPLOAD_BYTES + FORM_OVERHEAD_BYTES)
    return back({
      labelError: Number.isFinite(length)
        ? `The file is larger than 64 MB; import it with arbiter safety import.`
        : 'The upload did not say its size; send it from the form on this page.',
    });
  try {
    const file = (await readForm(request)).get('labels');
    const report = await importUploadedLabels(project.id, file instanceof File ? file : null, {
      ...actorOf(reviewer, context),
      userId: reviewer.id,
      email: reviewer.email,
    });
    return back({ imported: String(report.labels), unsafe: String(report.unsafe) });
  } catch (error) {
    if (error instanceof UserInputError) return back({ labelError: error.message });
    throw error;
  }
}

// an upload is a POST; a link here lands on the review page
export const loader = () => redirect('/review');
