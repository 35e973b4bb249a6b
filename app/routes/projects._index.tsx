import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { ProjectProgress } from '../components/project-progress';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { getDb } from '../utils/context.server';
import { formatDateTime } from '../utils/format';
import { listProjectSummaries } from '../../db/queries/projects';

export const meta: MetaFunction = () => [{ title: 'Projects · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'lead', 'researcher', 'admin');
  const projects = await listProjectSummaries(getDb());
  return json({ projects: projects.map((p) => ({ ...p, created_at: p.created_at.toISOString() })) });
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['projects'][number];
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('name', {
    header: 'Project',
    cell: (c) => (
      <div>
        <Link to={`/projects/${c.row.original.slug}`}>
          <strong>{c.getValue()}</strong>
        </Link>
        <div className="small muted">{c.row.original.slug}</div>
      </div>
    ),
  }),
  col.accessor('type', { header: 'Type', cell: (c) => <span className="badge">{c.getValue()}</span> }),
  col.accessor('units', { header: 'Units', meta: { numeric: true } }),
  col.accessor('judgments', { header: 'Judgments', meta: { numeric: true } }),
  col.accessor((r) => (r.units ? r.completed / r.units : 0), {
    id: 'progress',
    header: 'Progress',
    cell: (c) => (
      <ProjectProgress
        completed={c.row.original.completed}
        units={c.row.original.units}
        noun={c.row.original.type === 'preference' ? 'pairs' : 'items'}
      />
    ),
    meta: { csv: (r) => (r.units ? (r.completed / r.units).toFixed(3) : '0') },
  }),
  col.accessor('members_only', {
    header: 'Access',
    cell: (c) => (c.getValue() ? 'Members only' : 'Everyone'),
  }),
  col.accessor('created_at', { header: 'Created', cell: (c) => formatDateTime(c.getValue()) }),
];

export default function Projects() {
  const { projects } = useLoaderData<typeof loader>();
  return (
    <div className="page">
      <PageHeader
        title="Projects"
        description="Every project with its progress toward the redundancy it asks for."
      />
      <DataTable
        data={projects}
        columns={columns}
        label="Projects"
        empty="No projects yet. Seed the demo data with `arbiter demo` on an empty database."
        initialSorting={[{ id: 'name', desc: false }]}
      />
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
