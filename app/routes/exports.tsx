/**
 * Exports (researchers, leads, admins): start an export of a project with its format and filters,
 * follow its progress, and download any earlier snapshot again, byte-identical, with its dataset card.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { ProjectPicker } from '../components/project-picker';
import { RouteErrorBoundary } from '../components/error-page';
import { Field, FormError } from '../components/form';
import { requireRole } from '../utils/auth.server';
import { formString, invalid, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { formatDateTime } from '../utils/format';
import { usePollWhile } from '../utils/use-poll';
import * as exportsApi from '../utils/exports.server';
import * as quality from '../utils/quality.server';

export const meta: MetaFunction = () => [{ title: 'Exports · Arbiter' }];

const FORMATS = [
  { value: 'trl', label: 'TRL preference, standard (prompt, chosen, rejected as text)', kind: 'preference' },
  {
    value: 'trl-conversational',
    label: 'TRL preference, conversational (message lists)',
    kind: 'preference',
  },
  { value: 'hh-rlhf', label: 'Anthropic HH-RLHF transcripts', kind: 'preference' },
  { value: 'openai', label: 'OpenAI preference fine-tuning', kind: 'preference' },
  { value: 'kto', label: 'KTO (unpaired, label true/false)', kind: 'preference' },
  { value: 'judgments', label: 'Raw judgments with provenance', kind: 'preference' },
  { value: 'consensus', label: 'Consensus per pair and axis', kind: 'preference' },
  { value: 'sentiment', label: 'Sentiment labels with provenance', kind: 'sentiment' },
] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'researcher', 'lead', 'admin');
  const slug = new URL(request.url).searchParams.get('project');
  const projects = await quality.projects();
  const project = projects.find((p) => p.slug === slug) ?? projects[0] ?? null;
  const rows = project ? await exportsApi.list({ projectId: project.id, limit: 200 }) : [];
  return json({
    projects,
    project,
    exports: rows.map((r) => ({
      ...r,
      byte_size: r.byte_size === null ? null : Number(r.byte_size),
      created_at: r.created_at.toISOString(),
      finished_at: r.finished_at?.toISOString() ?? null,
      rowsSoFar: Number((r.progress as { rows?: number } | null)?.rows ?? 0),
    })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, 'researcher', 'lead', 'admin');
  const form = await readForm(request);
  const project = await quality.projectBySlug(formString(form, 'project'));
  if (!project) return invalid('project', 'Choose a project.');
  const text = (name: string) => formString(form, name).trim() || undefined;
  try {
    await exportsApi.create(
      project.id,
      {
        format: formString(form, 'format'),
        csv: form.get('csv') === 'on',
        parquet: form.get('parquet') === 'on',
        margin: form.get('margin') === 'on',
        filters: {
          axis: text('axis'),
          since: text('since'),
          until: text('until'),
          minAgreement: text('minAgreement'),
          minJudgments: text('minJudgments'),
          minReliability: text('minReliability'),
          minGoldAccuracy: text('minGoldAccuracy'),
          excludeGold: form.get('excludeGold') === 'on',
          excludeRepeats: form.get('includeRepeats') !== 'on',
          ties: text('ties'),
          safetyOverrides: text('safetyOverrides'),
          reliabilityWeighted: text('reliabilityWeighted'),
        },
      },
      { userId: user.id, email: user.email },
    );
  } catch (error) {
    return userErrorResponse(error);
  }
  return redirect(`/exports?project=${encodeURIComponent(project.slug)}`);
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['exports'][number];
const col = createColumnHelper<Row>();
const size = (bytes: number | null) =>
  bytes === null
    ? '–'
    : bytes < 1024 * 1024
      ? `${Math.max(1, Math.round(bytes / 1024))} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const columns = [
  col.accessor('created_at', { header: 'When', cell: (c) => formatDateTime(c.getValue()) }),
  col.accessor((r) => `${r.format}${r.encoding === 'csv' ? ' (CSV)' : ''}`, {
    id: 'format',
    header: 'Format',
  }),
  col.accessor('status', {
    header: 'Status',
    cell: ({ row: { original: r } }) =>
      r.status === 'ready' ? (
        <span className="badge badge-success">ready</span>
      ) : r.status === 'failed' ? (
        <span className="badge badge-danger" title={r.error ?? ''}>
          failed
        </span>
      ) : (
        <span className="badge">
          {r.status === 'pending' ? 'waiting' : `writing · ${r.rowsSoFar.toLocaleString('en')} records`}
        </span>
      ),
  }),
  col.accessor('row_count', { header: 'Records', meta: { numeric: true } }),
  col.accessor('byte_size', { header: 'Size', cell: (c) => size(c.getValue()), meta: { numeric: true } }),
  col.accessor((r) => r.display_name ?? (r.token_id ? 'API token' : ''), { id: 'by', header: 'By' }),
  col.accessor('sha256', {
    header: 'SHA-256',
    cell: (c) => (c.getValue() ? <code title={c.getValue()!}>{c.getValue()!.slice(0, 12)}…</code> : '–'),
  }),
  col.display({
    id: 'actions',
    header: 'Files',
    cell: ({ row: { original: r } }) =>
      r.status === 'ready' ? (
        <>
          <a href={`/exports/${r.id}/download`}>Download</a> ·{' '}
          <Link to={`/exports/${r.id}`}>Dataset card</Link>
        </>
      ) : r.status === 'failed' ? (
        <span className="small">{r.error}</span>
      ) : null,
  }),
];

export default function ExportsPage() {
  const { projects, project, exports } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrors>();
  const busy = useNavigation().state !== 'idle';
  usePollWhile(
    exports.some((e) => e.status === 'pending' || e.status === 'running'),
    1500,
  );
  if (!project)
    return (
      <div className="page stack">
        <PageHeader title="Exports" description="No projects yet." />
      </div>
    );
  const formats = FORMATS.filter((f) => f.kind === project.type);
  const error = (name: string) => errors?.fieldErrors[name];
  return (
    <div className="page stack">
      <PageHeader
        title="Exports"
        description="Training-ready files and full-provenance data, each kept as a snapshot you can download again byte-identical."
      />
      <ProjectPicker projects={projects} current={project.slug} />
      <section className="card" aria-labelledby="new-export-h">
        <h2 id="new-export-h">New export</h2>
        <Form method="post" className="form form-wide" key={project.slug}>
          <input type="hidden" name="project" value={project.slug} />
          <div className="field">
            <label htmlFor="format">Format</label>
            <select id="format" name="format" defaultValue={formats[0]!.value} style={{ width: 'auto' }}>
              {formats.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
            {error('format') ? <div className="error">{error('format')}</div> : null}
          </div>
          <div className="row">
            <label className="check-line">
              <input type="checkbox" name="csv" /> CSV (judgments, consensus, sentiment)
            </label>
            {project.type === 'preference' ? (
              <label className="check-line">
                <input type="checkbox" name="parquet" /> Parquet (judgments, consensus)
              </label>
            ) : null}
            {project.type === 'preference' ? (
              <label className="check-line">
                <input type="checkbox" name="margin" /> Add the graded strength as <code>margin</code> (TRL)
              </label>
            ) : null}
          </div>
          {error('csv') || error('margin') ? (
            <div className="error">{error('csv') ?? error('margin')}</div>
          ) : null}
          <fieldset className="fieldset">
            <legend>Filters (empty: every pair with a preference)</legend>
            <div className="row">
              {project.type === 'preference' ? (
                <label className="field">
                  <span>Axis</span>
                  <select name="axis" defaultValue="helpfulness" style={{ width: 'auto' }}>
                    <option value="helpfulness">helpfulness</option>
                    <option value="safety">safety</option>
                  </select>
                </label>
              ) : null}
              <Field label="From" name="since" type="date" error={error('since')} />
              <Field label="Until" name="until" type="date" error={error('until')} />
            </div>
            {project.type === 'preference' ? (
              <div className="row">
                <Field
                  label="Minimum agreement"
                  name="minAgreement"
                  type="number"
                  step="0.05"
                  min={0}
                  max={1}
                  placeholder="0"
                  error={error('minAgreement')}
                />
                <Field
                  label="Minimum judgments"
                  name="minJudgments"
                  type="number"
                  min={1}
                  placeholder="1"
                  error={error('minJudgments')}
                />
                <Field
                  label="Minimum annotator reliability"
                  name="minReliability"
                  type="number"
                  step="0.05"
                  min={0}
                  max={1}
                  error={error('minReliability')}
                />
                <Field
                  label="Minimum gold accuracy"
                  name="minGoldAccuracy"
                  type="number"
                  step="0.05"
                  min={0}
                  max={1}
                  error={error('minGoldAccuracy')}
                />
              </div>
            ) : null}
            <div className="row">
              <label className="check-line">
                <input type="checkbox" name="excludeGold" /> Leave out gold items
              </label>
              {project.type === 'preference' ? (
                <>
                  <label className="check-line">
                    <input type="checkbox" name="includeRepeats" /> Raw judgments: include consistency repeats
                  </label>
                  <label className="field">
                    <span>Ties</span>
                    <select name="ties" defaultValue="drop" style={{ width: 'auto' }}>
                      <option value="drop">drop</option>
                      <option value="keep">keep (consensus only)</option>
                    </select>
                  </label>
                  <label className="field">
                    <span>Safety overrides helpfulness</span>
                    <select name="safetyOverrides" defaultValue="project" style={{ width: 'auto' }}>
                      <option value="project">as the project says</option>
                      <option value="yes">yes</option>
                      <option value="no">no</option>
                    </select>
                  </label>
                  <label className="field">
                    <span>Reliability weights</span>
                    <select name="reliabilityWeighted" defaultValue="project" style={{ width: 'auto' }}>
                      <option value="project">as the project says</option>
                      <option value="yes">yes</option>
                      <option value="no">no</option>
                    </select>
                  </label>
                </>
              ) : null}
            </div>
          </fieldset>
          <FormError message={errors?.formError} />
          <div>
            <button className="button button-primary" type="submit" disabled={busy}>
              Start export
            </button>
          </div>
        </Form>
      </section>
      <section className="card" aria-labelledby="snapshots-h">
        <h2 id="snapshots-h">Snapshots</h2>
        <DataTable
          data={exports}
          columns={columns}
          label="Export snapshots"
          empty={<p className="empty">No exports of this project yet. Start one above.</p>}
        />
      </section>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
