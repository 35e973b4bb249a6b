/**
 * The leads' dashboard: who is reliable, who drifts, which method settles disagreements and why,
 * and how well the project agrees. Reads the precomputed quality report (a job refreshes it), so
 * it stays fast however many judgments there are.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { ProjectPicker } from '../components/project-picker';
import { RouteErrorBoundary } from '../components/error-page';
import { Sparkline } from '../components/charts';
import { requireRole } from '../utils/auth.server';
import { formString, readForm } from '../utils/forms.server';
import { formatDateTime } from '../utils/format';
import { usePollWhile } from '../utils/use-poll';
import * as quality from '../utils/quality.server';
import type { AnnotatorReport } from '../../tasks/quality/report';
import { FLAG_TEXT, durationText, fixed, percent, pValueText } from '../utils/calibration-format';

export const meta: MetaFunction = () => [{ title: 'Calibration · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'lead');
  const slug = new URL(request.url).searchParams.get('project');
  const projects = await quality.projects();
  const project = projects.find((p) => p.slug === slug) ?? projects[0] ?? null;
  if (!project) return json({ projects, project: null, latest: null });
  const latest = await quality.latestReport(project.id);
  return json({ projects, project, latest });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead');
  const form = await readForm(request);
  const project = await quality.projectBySlug(formString(form, 'project'));
  if (!project) throw new Response('No such project.', { status: 404 });
  await quality.requestRefresh(project.id, user.id);
  return redirect(`/calibration?project=${encodeURIComponent(project.slug)}`);
}

type Row = AnnotatorReport & { projectSlug: string };
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('name', {
    header: 'Annotator',
    cell: ({ row: { original: a } }) => (
      <Link to={`/calibration/${a.annotator}?project=${encodeURIComponent(a.projectSlug)}`}>{a.name}</Link>
    ),
  }),
  col.accessor((a) => a.flags.join(' '), {
    id: 'flags',
    header: 'Flags',
    cell: ({ row: { original: a } }) =>
      a.flags.length ? (
        a.flags.map((f) => (
          <span key={f} className="badge badge-danger" title={FLAG_TEXT[f].why}>
            {FLAG_TEXT[f].label}
          </span>
        ))
      ) : (
        <span className="muted small">none</span>
      ),
  }),
  col.accessor('volume', { header: 'Judgments', meta: { numeric: true } }),
  col.accessor((a) => a.agreement.rate, {
    id: 'agreement',
    // the weakest first: that is who a lead looks for
    sortDescFirst: false,
    header: 'Agreement',
    cell: (c) => percent(c.getValue()),
    meta: { numeric: true },
    sortUndefined: 'last',
  }),
  col.accessor((a) => a.weekly.map((w) => w.agreement), {
    id: 'trend',
    header: 'Weekly agreement',
    enableSorting: false,
    cell: ({ row: { original: a } }) => (
      <Sparkline values={a.weekly.map((w) => w.agreement)} label={`${a.name}, agreement per week`} />
    ),
    meta: { csv: (a) => a.weekly.map((w) => (w.agreement === null ? '' : w.agreement.toFixed(3))).join(' ') },
  }),
  col.accessor((a) => a.gold.accuracy, {
    id: 'gold',
    // the weakest first: that is who a lead looks for
    sortDescFirst: false,
    header: 'Gold accuracy',
    cell: ({ row: { original: a } }) =>
      a.gold.n === 0 ? (
        <span className="muted small">no gold yet</span>
      ) : (
        <>
          {percent(a.gold.accuracy)}{' '}
          <span className="small muted">
            [{percent(a.gold.low)}–{percent(a.gold.high)}] of {a.gold.n}
          </span>
        </>
      ),
    meta: { numeric: true, csv: (a) => a.gold.accuracy ?? '' },
    sortUndefined: 'last',
  }),
  col.accessor((a) => a.position.leftRate, {
    id: 'left',
    header: 'Chose left',
    cell: ({ row: { original: a } }) => (
      <>
        {percent(a.position.leftRate)}{' '}
        {a.position.pValue !== null ? (
          <span className="small muted">{pValueText(a.position.pValue)}</span>
        ) : null}
      </>
    ),
    meta: { numeric: true, csv: (a) => a.position.leftRate ?? '' },
    sortUndefined: 'last',
  }),
  col.accessor((a) => a.length.excess, {
    id: 'length',
    header: 'Longer vs consensus',
    cell: (c) => (c.getValue() === null ? '–' : `${c.getValue()! >= 0 ? '+' : ''}${percent(c.getValue())}`),
    meta: { numeric: true },
    sortUndefined: 'last',
  }),
  col.accessor('tieRate', { header: 'Ties', cell: (c) => percent(c.getValue()), meta: { numeric: true } }),
  col.accessor('skipRate', { header: 'Skips', cell: (c) => percent(c.getValue()), meta: { numeric: true } }),
  col.accessor('flagRate', {
    header: 'Flagged',
    cell: (c) => percent(c.getValue()),
    meta: { numeric: true },
  }),
  col.accessor((a) => a.consistency.flipRate, {
    id: 'flips',
    header: 'Repeat flips',
    cell: ({ row: { original: a } }) =>
      a.consistency.n === 0 ? '–' : `${percent(a.consistency.flipRate)} of ${a.consistency.n}`,
    meta: { numeric: true, csv: (a) => a.consistency.flipRate ?? '' },
    sortUndefined: 'last',
  }),
  col.accessor((a) => (a.medianTimeMs === null ? null : a.medianTimeMs / 1000), {
    id: 'time',
    header: 'Median s',
    cell: (c) => fixed(c.getValue(), 0),
    meta: { numeric: true },
    sortUndefined: 'last',
  }),
  col.accessor('reliability', {
    sortDescFirst: false,
    header: 'Reliability (DS)',
    cell: (c) => fixed(c.getValue(), 2),
    meta: { numeric: true },
    sortUndefined: 'last',
  }),
];

const METHOD_NAMES = {
  majority: 'Majority vote',
  'dawid-skene': 'Dawid-Skene',
  'one-coin': 'One-coin Dawid-Skene',
};

export default function CalibrationPage() {
  const { projects, project, latest } = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== 'idle';
  usePollWhile(!!latest?.pending, 1500);
  if (!project || !latest)
    return (
      <div className="page stack">
        <PageHeader title="Calibration" description="No projects yet: create one and import data first." />
      </div>
    );
  const report = latest.report;
  const rows: Row[] = report ? report.annotators.map((a) => ({ ...a, projectSlug: project.slug })) : [];
  const flagged = rows.filter((r) => r.flags.length > 0).length;
  return (
    <div className="page stack">
      <PageHeader
        title="Calibration"
        description="Who is reliable, who drifts, which items are ambiguous, and whether the data is good enough to train on."
      />
      <div className="row">
        <ProjectPicker projects={projects} current={project.slug} />
        <Form method="post">
          <input type="hidden" name="project" value={project.slug} />
          <button className="button" type="submit" disabled={busy || !!latest.pending}>
            {latest.pending ? 'Computing…' : 'Recompute now'}
          </button>
        </Form>
        {report ? (
          <span className="small muted">
            Computed {formatDateTime(latest.computedAt!)} from {report.answers.toLocaleString('en')} answers
            in {durationText(latest.seconds)} ·{' '}
            <a href={`/calibration/export?project=${encodeURIComponent(project.slug)}&format=csv`}>CSV</a> ·{' '}
            <a href={`/calibration/export?project=${encodeURIComponent(project.slug)}&format=json`}>JSON</a>
          </span>
        ) : null}
      </div>
      {!report ? (
        <section className="card empty-state">
          <h2>No quality report yet</h2>
          <p>
            A report is computed after every few hundred judgments (the project&apos;s quality settings say
            how many).
            {latest.pending
              ? ' One is being computed now; this page updates when it is ready.'
              : ' Compute one now to see the figures.'}
          </p>
        </section>
      ) : (
        <>
          <section className="card" aria-labelledby="consensus-h">
            <h2 id="consensus-h">Consensus method: {METHOD_NAMES[report.consensus.method]}</h2>
            <p>{report.consensus.reason}</p>
            {report.consensus.scores.length > 1 ? (
              <ul className="small">
                {report.consensus.scores.map((s) => (
                  <li key={s.method}>
                    {METHOD_NAMES[s.method]}: {percent(s.accuracy)} on {s.n} gold items [{percent(s.low)}–
                    {percent(s.high)}]
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
          <section className="card" aria-labelledby="agreement-h">
            <h2 id="agreement-h">Agreement</h2>
            <div className="grid grid-2">
              {report.agreement.map((a) => (
                <section key={a.axis} className="agreement-axis" aria-label={`Agreement on ${a.axis}`}>
                  <h3>
                    {a.axis}{' '}
                    <span className="small muted">
                      {a.units.toLocaleString('en')} units with two or more answers
                    </span>
                  </h3>
                  {a.fleissKappa.estimate === null || Number.isNaN(a.fleissKappa.estimate) ? (
                    <p className="small muted">
                      Undefined: every answer on this axis is the same (for safety, usually all ties), so
                      there is no disagreement to measure.
                    </p>
                  ) : (
                    <dl className="figures">
                      <Interval label="Fleiss' κ" value={a.fleissKappa} />
                      {(['nominal', 'ordinal', 'interval'] as const).map((level) =>
                        a.alpha[level] ? (
                          <Interval
                            key={level}
                            label={`Krippendorff's α, ${level}`}
                            value={a.alpha[level]!}
                          />
                        ) : null,
                      )}
                    </dl>
                  )}
                </section>
              ))}
            </div>
            <p className="small muted">
              95% bootstrap intervals over units. Nominal agreement is on the direction (A, tie, B); ordinal
              and interval use the 7-point scores. Above 0.8 is good agreement; below 0.67, treat conclusions
              with care.
            </p>
          </section>
          <section className="card" aria-labelledby="annotators-h">
            <h2 id="annotators-h">
              Annotators{' '}
              <span className="muted small">
                {rows.length} · {flagged} flagged · gold bar {percent(report.goldThreshold)}
              </span>
            </h2>
            <DataTable
              key={project.slug}
              data={rows}
              columns={columns}
              label="Annotators"
              initialSorting={[{ id: 'flags', desc: true }]}
              // pair-only figures mean nothing for sentiment labels
              initialHidden={
                report.projectType === 'sentiment'
                  ? ['left', 'length', 'tieRate', 'flagRate', 'flips', 'skipRate', 'reliability']
                  : ['tieRate', 'flagRate', 'skipRate', 'reliability']
              }
              empty={<p className="empty">Nobody has judged anything in this project yet.</p>}
            />
          </section>
        </>
      )}
    </div>
  );
}

function Interval({
  label,
  value,
}: {
  label: string;
  value: { estimate: number; low: number; high: number };
}) {
  return (
    <div className="figure-row">
      <dt>{label}</dt>
      <dd>
        <strong>{fixed(value.estimate, 3)}</strong>{' '}
        <span className="small muted">
          95% CI {fixed(value.low, 3)} to {fixed(value.high, 3)}
        </span>
      </dd>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
