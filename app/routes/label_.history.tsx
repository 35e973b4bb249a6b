import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { formatDateTime } from '../utils/format';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { change, recentLabels } from '../utils/label.server';

export const meta: MetaFunction = () => [{ title: 'Your labels · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const labels = await recentLabels(user, 100);
  return json({ labels: labels.map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })) });
}

type Result = { ok: true; message: string } | ActionErrors;

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const form = await readForm(request);
  try {
    const label = formString(form, 'label');
    const { previous } = await change(user, formString(form, 'labelId'), label);
    return json<Result>({ ok: true, message: `Changed “${previous}” to “${label}”.` });
  } catch (error) {
    return userErrorResponse(error);
  }
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['labels'][number];

function ChangeLabel({ row }: { row: Row }) {
  const navigation = useNavigation();
  if (!row.editable) return <span className="muted small">locked after 7 days</span>;
  const busy = navigation.formData?.get('labelId') === row.id;
  return (
    <Form method="post" className="row" style={{ gap: '0.3rem' }}>
      <input type="hidden" name="labelId" value={row.id} />
      <select
        name="label"
        defaultValue={row.label}
        aria-label={`New label for “${row.text.slice(0, 40)}”`}
        style={{ width: 'auto' }}
      >
        {row.labels.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Change'}
      </button>
    </Form>
  );
}

const col = createColumnHelper<Row>();
const columns = [
  col.accessor('createdAt', { header: 'When', cell: (c) => formatDateTime(c.getValue()) }),
  col.accessor('projectName', { header: 'Project' }),
  col.accessor('text', { header: 'Text', cell: (c) => <span dir="auto">{c.getValue()}</span> }),
  col.accessor('label', { header: 'Your label' }),
  col.accessor((r) => (r.source === 'audit' ? 'audit' : ''), { id: 'kind', header: 'Kind' }),
  col.display({
    id: 'change',
    header: 'Change',
    enableHiding: false,
    cell: (c) => <ChangeLabel row={c.row.original} />,
  }),
];

export default function LabelHistory() {
  const { labels } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  return (
    <div className="page stack">
      <PageHeader
        title="Your recent labels"
        description="Labels can be changed for 7 days; each change is recorded in the audit log."
        actions={
          <Link to="/label" className="button button-primary">
            Back to labeling
          </Link>
        }
      />
      {result?.ok ? (
        <div className="alert alert-success" role="status">
          {result.message}
        </div>
      ) : result ? (
        <div className="alert alert-error" role="alert">
          {result.formError ?? Object.values(result.fieldErrors)[0]}
        </div>
      ) : null}
      {labels.length === 0 ? (
        <div className="card empty">You have not labelled any items yet.</div>
      ) : (
        <DataTable data={labels} columns={columns} label="Your recent labels" />
      )}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
