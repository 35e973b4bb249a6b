import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { NewProjectForm } from '../components/projects/new-project-form';
import { actorOf } from '../utils/accounts.server';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { newProject } from '../utils/projects.server';
import { hasRole } from '../../tasks/roles';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { ProjectProgress } from '../components/project-progress';
import { RouteErrorBoundary } from '../components/error-page';
import { denyAccess, requireRole } from '../utils/auth.server';
import { getDb } from '../utils/context.server';
import { formatDateTime } from '../utils/format';
import { listProjectSummaries } from '../../db/queries/projects';

export const meta: MetaFunction = () => [{ title: 'Projects · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'lead', 'researcher', 'admin');
  const projects = await listProjectSummaries(getDb());
  return json({
    canCreate: hasRole(user, 'lead', 'admin'),
    projects: projects.map((p) => ({ ...p, created_at: p.created_at.toISOString() })),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead', 'researcher', 'admin');
  if (!hasRole(user, 'lead', 'admin'))
    throw await denyAccess(request, user, ['lead', 'admin'], 'Only leads and admins create projects.');
  const form = await readForm(request);
  const type = formString(form, 'type');
  // sent back with an error, so the form keeps what was typed
  const values = Object.fromEntries(
    ['name', 'slug', 'type', 'labels', 'redundancy', 'description'].map((k) => [k, formString(form, k)]),
  );
  try {
    const project = await newProject(
      {
        slug: formString(form, 'slug'),
        name: formString(form, 'name'),
        type: type as never,
        description: formString(form, 'description'),
        redundancy: formString(form, 'redundancy') || undefined,
        labelSet:
          type === 'sentiment'
            ? formString(form, 'labels')
                .split(',')
                .map((l) => l.trim())
                .filter(Boolean)
            : [],
      },
      actorOf(user, context),
    );
    return redirect(`/projects/${project.slug}`);
  } catch (error) {
    return userErrorResponse(error, {}, { values });
  }
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
  const { projects, canCreate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    (ActionErrors & { values?: Record<string, string> }) | undefined;
  return (
    <div className="page stack">
      <PageHeader
        title="Projects"
        description="Every project with its progress toward the redundancy it asks for."
      />
      {result?.formError ? (
        <div className="alert alert-error" role="alert">
          {result.formError}
        </div>
      ) : null}
      {canCreate ? (
        <NewProjectForm errors={result?.fieldErrors ?? {}} values={result?.values ?? {}} open={!!result} />
      ) : null}
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
