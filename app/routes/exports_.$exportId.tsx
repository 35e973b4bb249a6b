/** One export snapshot: its dataset card, what it holds, and the download. */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { Markdown } from '../components/markdown';
import { requireRole } from '../utils/auth.server';
import { notFound } from '../utils/http.server';
import { formatDateTime } from '../utils/format';
import * as exportsApi from '../utils/exports.server';

export const meta: MetaFunction = () => [{ title: 'Export snapshot · Arbiter' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, 'researcher', 'lead', 'admin');
  const id = z.uuid().safeParse(params.exportId);
  const row = id.success ? await exportsApi.find(id.data) : undefined;
  if (!row) throw notFound('No such export.');
  return json({
    ...row,
    byte_size: row.byte_size === null ? null : Number(row.byte_size),
    created_at: row.created_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
  });
}

export default function ExportPage() {
  const e = useLoaderData<typeof loader>();
  return (
    <div className="page stack">
      <p className="small">
        <Link to={`/exports?project=${encodeURIComponent(e.slug)}`}>← Exports of {e.project_name}</Link>
      </p>
      <PageHeader
        title={`${e.format} export of ${e.project_name}`}
        description={`${formatDateTime(e.created_at)} by ${e.display_name ?? 'an API token'} · ${e.status}${e.row_count !== null ? ` · ${e.row_count.toLocaleString('en')} records` : ''}`}
      />
      {e.status === 'ready' ? (
        <p className="row">
          <a className="button button-primary" href={`/exports/${e.id}/download`}>
            Download
          </a>
          <span className="small muted">
            SHA-256 <code>{e.sha256}</code>: every download of this snapshot is the same bytes.
          </span>
        </p>
      ) : e.status === 'failed' ? (
        <p className="alert alert-error">This export failed: {e.error}</p>
      ) : (
        <p className="alert alert-warning">This export is still being written; reload in a moment.</p>
      )}
      {e.dataset_card ? (
        <section className="card" aria-label="Dataset card">
          <Markdown text={e.dataset_card} />
        </section>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
