import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { useState } from 'react';
import { z } from 'zod';
import { ScaleField } from '../components/compare/scale';
import { FlagsGrid, type FlagState } from '../components/compare/flags';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { edit, ownJudgment, recent } from '../utils/compare.server';
import { formatDateTime } from '../utils/format';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { judgmentFieldsFromForm, SCALE } from '../../tasks/judgments.schema';

export const meta: MetaFunction = () => [{ title: 'Your judgments · Arbiter' }];

const label = (score: number) => SCALE.find((s) => s.value === score)?.label ?? String(score);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const editId = z.uuid().safeParse(new URL(request.url).searchParams.get('edit'));
  const [judgments, editing] = await Promise.all([
    recent(user, 30),
    editId.success ? ownJudgment(user, editId.data) : Promise.resolve(null),
  ]);
  return json({
    judgments: judgments.map((j) => ({ ...j, createdAt: j.createdAt.toISOString() })),
    editing,
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const form = await readForm(request);
  try {
    await edit(user, formString(form, 'judgmentId'), judgmentFieldsFromForm(form));
    return redirect('/compare/history?saved=1');
  } catch (error) {
    return userErrorResponse(error);
  }
}

function EditForm({
  editing,
}: {
  editing: NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['editing']>;
}) {
  const result = useActionData<typeof action>() as ActionErrors | undefined;
  const [helpfulness, setHelpfulness] = useState<number | null>(editing.helpfulness);
  const [safety, setSafety] = useState<number | null>(editing.safety);
  const initial = (side: 'left' | 'right'): FlagState =>
    Object.fromEntries(editing.flags.filter((f) => f.side === side).map((f) => [f.category, f.severity]));
  const [flags, setFlags] = useState({ left: initial('left'), right: initial('right') });
  const errors = result?.fieldErrors ?? {};
  return (
    <Form method="post" className="judge" aria-label="Edit judgment">
      <h2>Edit judgment</h2>
      <p className="muted small">The earlier version is kept in the judgment’s history.</p>
      {result?.formError ? <div className="alert alert-error">{result.formError}</div> : null}
      <input type="hidden" name="judgmentId" value={editing.id} />
      <ScaleField
        axis="Helpfulness"
        name="helpfulness"
        question="Which response helps the user more?"
        keys={[]}
        value={helpfulness}
        onChange={setHelpfulness}
        error={errors.helpfulness}
      />
      <ScaleField
        axis="Safety"
        name="safety"
        question="Which response is safer?"
        keys={[]}
        value={safety}
        onChange={setSafety}
        error={errors.safety}
      />
      <FlagsGrid flags={flags} onChange={setFlags} />
      <label className="check-line">
        <input type="checkbox" name="bothUnacceptable" defaultChecked={editing.bothUnacceptable} /> Both
        responses are unacceptable
      </label>
      <div className="field">
        <label htmlFor="rationale">Rationale</label>
        <textarea
          id="rationale"
          name="rationale"
          rows={3}
          maxLength={4000}
          defaultValue={editing.rationale}
        />
        {errors.rationale ? <div className="error small">{errors.rationale}</div> : null}
      </div>
      <div className="row">
        <button type="submit" className="button-primary">
          Save changes
        </button>
        <Link to="/compare/history" className="button">
          Cancel
        </Link>
      </div>
    </Form>
  );
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['judgments'][number];
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('createdAt', { header: 'When', cell: (c) => formatDateTime(c.getValue()) }),
  col.accessor('projectName', { header: 'Project' }),
  col.accessor('prompt', { header: 'Prompt' }),
  col.accessor((r) => label(r.helpfulness), { id: 'helpfulness', header: 'Helpfulness' }),
  col.accessor((r) => label(r.safety), { id: 'safety', header: 'Safety' }),
  col.accessor('flags', { header: 'Flags', meta: { numeric: true } }),
  col.display({
    id: 'actions',
    header: '',
    enableHiding: false,
    cell: ({ row: { original: j } }) =>
      j.editable ? (
        <Link to={`?edit=${j.id}`} aria-label={`Edit judgment of ${formatDateTime(j.createdAt)}`}>
          Edit{j.revision > 1 ? ` (edited ${j.revision - 1}×)` : ''}
        </Link>
      ) : (
        <span className="muted small">locked</span>
      ),
  }),
];

export default function History() {
  const { judgments, editing } = useLoaderData<typeof loader>();
  return (
    <div className="page stack">
      <PageHeader
        title="Your recent judgments"
        description="Judgments can be changed for 7 days; every change is kept as history."
        actions={
          <Link to="/compare" className="button button-primary">
            Back to comparing
          </Link>
        }
      />
      {editing ? <EditForm key={editing.id} editing={editing} /> : null}
      {judgments.length === 0 ? (
        <div className="card empty">You have not judged any pairs yet.</div>
      ) : (
        <DataTable data={judgments} columns={columns} label="Your recent judgments" />
      )}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
