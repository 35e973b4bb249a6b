/** The calibration report as a download: ?project=slug&format=csv|json (leads). */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireRole } from '../utils/auth.server';
import { notFound } from '../utils/http.server';
import * as quality from '../utils/quality.server';
import { reportCsv } from '../../tasks/quality/report-export';

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'lead');
  const url = new URL(request.url);
  const project = await quality.projectBySlug(url.searchParams.get('project') ?? '');
  if (!project) throw notFound('No such project.');
  const { report, computedAt } = await quality.latestReport(project.id);
  const format = url.searchParams.get('format') === 'json' ? 'json' : 'csv';
  const stamp = (computedAt ?? new Date()).toISOString().slice(0, 10);
  const name = `calibration-${project.slug}-${stamp}.${format}`;
  // no report yet: the header alone (CSV) or report null (JSON), so a script can tell "nothing yet" from an error
  const body =
    format === 'json'
      ? JSON.stringify({ project: project.slug, computedAt, report }, null, 2)
      : reportCsv(report ?? { annotators: [] });
  return new Response(body, {
    headers: {
      'Content-Type': format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}"`,
    },
  });
}
