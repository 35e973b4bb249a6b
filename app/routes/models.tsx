import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { z } from 'zod';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { ScorePair } from '../components/models/score-pair';
import { TrainForm } from '../components/models/train-form';
import { TrainingStatus } from '../components/models/training-status';
import { VersionDetail } from '../components/models/version-detail';
import { requireRole } from '../utils/auth.server';
import { actorOf } from '../utils/accounts.server';
import { formatDateTime, formatNumber, formatPercent } from '../utils/format';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { notFound } from '../utils/http.server';
import {
  activate,
  modelsOverview,
  refreshQueueNow,
  startSimulation,
  scorePair,
  startTraining,
  type ModelVersionView,
} from '../utils/models.server';
import { ActiveLearningCard } from '../components/models/active-learning-card';
import { SimulationCard } from '../components/models/simulation-card';
import {
  fieldErrors,
  MIN_DECIDED_JUDGMENTS,
  ScorePairSchema,
  trainModelInputFromForm,
  TrainModelSchema,
} from '../../tasks/reward-training.schema';

export const meta: MetaFunction = () => [{ title: 'Reward models · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'lead', 'researcher', 'admin');
  const url = new URL(request.url);
  const slug = url.searchParams.get('project');
  const jobId = z.uuid().safeParse(url.searchParams.get('job'));
  const overview = await modelsOverview({ projectSlug: slug, jobId: jobId.success ? jobId.data : null });
  if (slug && overview.project?.slug !== slug) throw notFound(`No preference project "${slug}".`);
  if (!overview.project) return json({ ...overview, selectedId: null });
  const { versions } = overview;
  const wanted = url.searchParams.get('version');
  const selected =
    versions.find((v) => v.id === wanted) ??
    versions.find((v) => v.isActive) ??
    versions.find((v) => v.status === 'ready') ??
    versions[0];
  return json({ ...overview, selectedId: selected?.id ?? null });
}

type Result = { ok: true; intent: 'activate'; message: string } | (ActionErrors & { intent?: string });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead', 'researcher', 'admin');
  const form = await readForm(request);
  const actor = actorOf(user, context);
  const project = formString(form, 'project');
  const intent = formString(form, 'intent');
  const invalid = (error: z.ZodError) =>
    json<Result>({ ok: false, intent, fieldErrors: fieldErrors(error) }, { status: 400 });
  try {
    if (intent === 'train') {
      const input = trainModelInputFromForm(form);
      const parsed = TrainModelSchema.safeParse(input);
      if (!parsed.success) return invalid(parsed.error);
      const jobId = await startTraining(actor, project, input);
      return redirect(`/models?project=${encodeURIComponent(project)}&job=${jobId}`);
    }
    if (intent === 'activate') {
      const done = await activate(actor, formString(form, 'modelId'));
      return json<Result>({
        ok: true,
        intent,
        message: `Version ${done.version} is now the active ${done.axis} model; ${done.scored} pair(s) scored with it.`,
      });
    }
    if (intent === 'simulate') {
      await startSimulation(actor, project, {
        axis: 'helpfulness',
        strategies: form.getAll('strategy').map(String) as never,
        budget: formString(form, 'budget'),
        batch: formString(form, 'batch'),
        seeds: formString(form, 'seeds'),
      });
      return redirect(`/models?project=${encodeURIComponent(project)}#sim-h`);
    }
    if (intent === 'refresh-queue') {
      const queued = await refreshQueueNow(actor, project);
      return json<Result>({
        ok: true,
        intent: 'activate',
        message: queued
          ? 'The queue is being re-ranked with the active model.'
          : 'A re-ranking is already waiting or running.',
      });
    }
    if (intent === 'score') {
      const parsed = ScorePairSchema.safeParse(Object.fromEntries(form));
      if (!parsed.success) return invalid(parsed.error);
      const score = await scorePair(actor, project, parsed.data);
      return json({ ok: true, intent, score } as const);
    }
    return json<Result>({ ok: false, fieldErrors: {}, formError: 'Unknown action.' }, { status: 400 });
  } catch (error) {
    return userErrorResponse(error, {}, { intent });
  }
}

type Row = ModelVersionView & { projectSlug: string };
const col = createColumnHelper<Row>();

function StatusBadges({ row }: { row: Row }) {
  const tone =
    row.status === 'ready' ? 'badge' : row.status === 'failed' ? 'badge badge-danger' : 'badge badge-accent';
  return (
    <span className="row" style={{ gap: '0.3rem' }}>
      <span className={tone}>{row.status}</span>
      {row.isActive ? <span className="badge badge-success">active</span> : null}
    </span>
  );
}

function ActivateButton({ row }: { row: Row }) {
  const navigation = useNavigation();
  if (row.status !== 'ready' || row.isActive) return null;
  const busy = navigation.formData?.get('modelId') === row.id;
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="activate" />
      <input type="hidden" name="project" value={row.projectSlug} />
      <input type="hidden" name="modelId" value={row.id} />
      <button type="submit" aria-label={`Activate version ${row.version}`} disabled={busy}>
        {busy ? 'Activating…' : 'Activate'}
      </button>
    </Form>
  );
}

const columns = [
  col.accessor('version', {
    header: 'Version',
    cell: (c) => (
      <Link
        to={`/models?project=${c.row.original.projectSlug}&version=${c.row.original.id}`}
        aria-label={`Show version ${c.getValue()}`}
      >
        v{c.getValue()}
      </Link>
    ),
  }),
  col.accessor('axis', { header: 'Axis' }),
  col.accessor('status', {
    header: 'Status',
    cell: (c) => <StatusBadges row={c.row.original} />,
    meta: { csv: (r) => (r.isActive ? `${r.status} (active)` : r.status) },
  }),
  col.accessor('createdAt', { header: 'Created', cell: (c) => formatDateTime(c.getValue()) }),
  col.accessor('createdBy', { header: 'By', cell: (c) => c.getValue() ?? '—' }),
  col.accessor((r) => (r.trainPairs === null ? null : `${r.trainPairs} / ${r.testPairs}`), {
    id: 'pairs',
    header: 'Train / test pairs',
    cell: (c) => c.getValue() ?? '—',
    meta: { numeric: true },
  }),
  col.accessor('accuracy', {
    header: 'Held-out accuracy',
    cell: (c) => formatPercent(c.getValue()),
    meta: { numeric: true },
  }),
  col.accessor('ece', { header: 'ECE', cell: (c) => formatNumber(c.getValue(), 3), meta: { numeric: true } }),
  col.accessor('lengthBaseline', {
    header: 'Length baseline',
    cell: (c) => formatPercent(c.getValue()),
    meta: { numeric: true },
  }),
  col.accessor('trainSeconds', {
    header: 'Train seconds',
    cell: (c) => formatNumber(c.getValue(), 1),
    meta: { numeric: true },
  }),
  col.display({ id: 'actions', header: 'Actions', cell: (c) => <ActivateButton row={c.row.original} /> }),
];

export default function ModelsPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  if (!data.project) {
    return (
      <div className="page">
        <PageHeader title="Reward models" />
        <div className="card empty-state">
          <h2>No preference projects yet</h2>
          <p>
            Reward models learn from the judgments of a preference project. Create one and import prompts and
            responses from the <Link to="/projects">Projects</Link> page, then collect judgments.
          </p>
        </div>
      </div>
    );
  }
  const {
    project,
    projects,
    versions,
    decided,
    facets,
    job,
    selectedId,
    activeLearning,
    simulation,
    consensusPairs,
    minimumSimulationPairs,
  } = data;
  const rows = versions.map((v) => ({ ...v, projectSlug: project.slug }));
  const selected = versions.find((v) => v.id === selectedId) ?? null;
  const scoring =
    selected?.status === 'ready' ? selected : (versions.find((v) => v.status === 'ready') ?? null);
  const enough = Math.max(decided.helpfulness, decided.safety) >= MIN_DECIDED_JUDGMENTS;
  const trainErrors = result && !result.ok && result.intent === 'train' ? result : undefined;
  return (
    <div className="page stack">
      <PageHeader
        title="Reward models"
        description="Bradley-Terry ensembles trained on your judgments, one per axis, measured on held-out pairs. The active version scores every pair."
      />
      <Form method="get" className="row" aria-label="Choose a project">
        <label htmlFor="project-picker">
          <strong>Project</strong>
        </label>
        <select id="project-picker" name="project" defaultValue={project.slug} style={{ width: 'auto' }}>
          {projects.map((p) => (
            <option key={p.slug} value={p.slug}>
              {p.name}
            </option>
          ))}
        </select>
        <button type="submit">Show</button>
      </Form>
      {result?.ok ? (
        <div className="alert alert-success" role="status">
          {result.message}
        </div>
      ) : null}
      {result && !result.ok && result.intent === 'activate' ? (
        <div className="alert alert-error" role="alert">
          {result.formError ?? Object.values(result.fieldErrors)[0]}
        </div>
      ) : null}
      {job ? <TrainingStatus job={job} projectSlug={project.slug} /> : null}
      <section aria-labelledby="versions-h">
        <h2 id="versions-h">Versions</h2>
        {versions.length === 0 ? (
          <div className="card">
            <p style={{ margin: 0 }}>
              <strong>No models yet.</strong>{' '}
              {enough
                ? 'Train the first model with the form below.'
                : `Too few judgments to train the first model: ${decided.helpfulness} decide a winner on helpfulness and ${decided.safety} on safety, and a model needs at least ${MIN_DECIDED_JUDGMENTS}. Judgments come from the compare screen.`}
            </p>
          </div>
        ) : (
          <DataTable
            data={rows}
            columns={columns}
            label="Model versions"
            pageSize={25}
            initialSorting={[{ id: 'createdAt', desc: true }]}
          />
        )}
      </section>
      {selected ? <VersionDetail version={selected} /> : null}
      <ActiveLearningCard status={activeLearning} versions={versions} projectSlug={project.slug} />
      <SimulationCard
        projectSlug={project.slug}
        simulation={simulation}
        decidedPairs={consensusPairs}
        minimumPairs={minimumSimulationPairs}
        errors={result && !result.ok && result.intent === 'simulate' ? result : undefined}
      />
      <div className="grid-2">
        <TrainForm
          key={project.slug}
          projectSlug={project.slug}
          decided={decided}
          facets={facets}
          activateByDefault={!versions.some((v) => v.isActive)}
          errors={trainErrors}
        />
        <ScorePair
          key={`${project.slug}:${scoring?.id ?? ''}`}
          projectSlug={project.slug}
          version={scoring ? { id: scoring.id, version: scoring.version, axis: scoring.axis } : null}
        />
      </div>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
