/**
 * One annotator in one project: their figures over time (so drift shows), why they are flagged,
 * and the units where they disagreed with the others, each linked to its full history.
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { BarChartCard, LineChartCard } from '../components/charts';
import { requireRole } from '../utils/auth.server';
import { notFound } from '../utils/http.server';
import { formatDateTime } from '../utils/format';
import * as quality from '../utils/quality.server';
import { FLAG_TEXT, fixed, percent, pValueText } from '../utils/calibration-format';
import type { Disagreement } from '../../tasks/quality/disagreements';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.person.name ?? 'Annotator'} · Calibration · Arbiter` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, 'lead');
  const id = z.uuid().safeParse(params.annotatorId);
  const slug = new URL(request.url).searchParams.get('project') ?? '';
  const project = await quality.projectBySlug(slug);
  if (!id.success || !project) throw notFound('No such annotator or project.');
  const { report, computedAt } = await quality.latestReport(project.id);
  const annotator = report?.annotators.find((a) => a.annotator === id.data);
  if (!report || !annotator) {
    const person = await quality.person(id.data);
    if (!person) throw notFound('No such person.');
    return json({
      project: { slug: project.slug, name: project.name, type: project.type },
      person: { name: person.display_name, email: person.email },
      annotator: null,
      computedAt,
      disagreements: { compared: 0, rows: [] as Row[] },
    });
  }
  const disagreements = await quality.disagreements({
    projectId: project.id,
    annotatorId: id.data,
    type: project.type,
    limit: 200,
  });
  return json({
    project: { slug: project.slug, name: project.name, type: project.type },
    person: { name: annotator.name, email: annotator.email },
    annotator,
    computedAt,
    disagreements: {
      compared: disagreements.compared,
      rows: disagreements.rows.map((d) => ({
        ...d,
        at: d.at.toISOString(),
        link: project.type === 'preference' ? `/pairs/${d.unitId}` : `/items/${d.unitId}`,
      })),
    },
  });
}

type Row = Omit<Disagreement, 'at'> & { at: string; link: string | null };
const col = createColumnHelper<Row>();
const answerText = (a: string) => (a === 'a' ? 'A better' : a === 'b' ? 'B better' : a === 'tie' ? 'Tie' : a);
const columns = [
  col.accessor('text', {
    header: 'Unit',
    cell: ({ row: { original: d } }) => {
      const text = d.text.slice(0, 90) || 'Untitled';
      return d.link ? <Link to={d.link}>{text}</Link> : text;
    },
  }),
  col.accessor((d) => answerText(d.answer), { id: 'answer', header: 'Their answer' }),
  col.accessor((d) => answerText(d.majority), { id: 'majority', header: "Others' majority" }),
  col.accessor('others', { header: 'Others', meta: { numeric: true } }),
  col.accessor('rationale', { header: 'Rationale' }),
  col.accessor('at', { header: 'When', cell: (c) => formatDateTime(c.getValue()) }),
];

export default function AnnotatorPage() {
  const { project, person, annotator: a, computedAt, disagreements } = useLoaderData<typeof loader>();
  if (!a)
    return (
      <div className="page stack">
        <p className="small">
          <Link to={`/calibration?project=${encodeURIComponent(project.slug)}`}>
            ← Calibration: {project.name}
          </Link>
        </p>
        <PageHeader title={person.name} description={person.email} />
        <section className="card empty-state">
          <h2>No figures yet</h2>
          <p>
            {computedAt
              ? `The latest quality report (${formatDateTime(computedAt)}) has no answers from this person in ${project.name}.`
              : `${project.name} has no quality report yet; compute one on the calibration page.`}
          </p>
        </section>
      </div>
    );
  const weeks = a.weekly.map((w) => ({
    week: w.weekStart,
    agreement: w.agreement === null ? null : Math.round(w.agreement * 100),
    gold: w.goldAccuracy === null ? null : Math.round(w.goldAccuracy * 100),
    left: w.leftRate === null ? null : Math.round(w.leftRate * 100),
    ties: w.tieRate === null ? null : Math.round(w.tieRate * 100),
    volume: w.volume,
    seconds: w.medianTimeMs === null ? null : Math.round(w.medianTimeMs / 1000),
  }));
  return (
    <div className="page stack">
      <p className="small">
        <Link to={`/calibration?project=${encodeURIComponent(project.slug)}`}>
          ← Calibration: {project.name}
        </Link>
      </p>
      <PageHeader
        title={a.name}
        description={`${a.email} · ${a.volume.toLocaleString('en')} judgments · report of ${computedAt ? formatDateTime(computedAt) : 'never'}`}
      />
      {a.flags.length ? (
        <section className="alert alert-warning" aria-label="Flags">
          <strong>Flagged:</strong>
          <ul>
            {a.flags.map((f) => (
              <li key={f}>
                <strong>{FLAG_TEXT[f].label}</strong>: {FLAG_TEXT[f].why}
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p className="alert alert-success">No flags: nothing in this person&apos;s figures stands out.</p>
      )}
      <section className="card" aria-label="Figures">
        <div className="stats stats-wide">
          <Stat
            label="agreement with the others"
            value={percent(a.agreement.rate)}
            note={`of ${a.agreement.n}`}
          />
          <Stat
            label="gold accuracy"
            value={percent(a.gold.accuracy)}
            note={
              a.gold.n ? `[${percent(a.gold.low)}–${percent(a.gold.high)}] of ${a.gold.n}` : 'no gold yet'
            }
          />
          <Stat
            label="chose the left response"
            value={percent(a.position.leftRate)}
            note={a.position.pValue === null ? '' : `${pValueText(a.position.pValue)} (n ${a.position.n})`}
          />
          <Stat
            label="longer response, vs the others"
            value={
              a.length.excess === null ? '–' : `${a.length.excess >= 0 ? '+' : ''}${percent(a.length.excess)}`
            }
            note={
              a.length.n
                ? `${percent(a.length.rate)} vs ${percent(a.length.consensusRate)} (n ${a.length.n})`
                : ''
            }
          />
          <Stat label="ties" value={percent(a.tieRate)} />
          <Stat label="skips" value={percent(a.skipRate)} note={`${a.skips} skipped`} />
          <Stat label="flagged content" value={percent(a.flagRate)} />
          <Stat
            label="repeats answered differently"
            value={percent(a.consistency.flipRate)}
            note={a.consistency.n ? `of ${a.consistency.n}` : 'no repeats yet'}
          />
          <Stat
            label="median time"
            value={a.medianTimeMs === null ? '–' : `${Math.round(a.medianTimeMs / 1000)} s`}
          />
          <Stat label="reliability (Dawid-Skene)" value={fixed(a.reliability, 2)} />
        </div>
      </section>
      <div className="grid grid-2">
        <LineChartCard
          title="Agreement and gold accuracy per week"
          description="Percent. A falling line is drift."
          data={weeks}
          x="week"
          xLabel="Week of"
          lines={[
            { key: 'agreement', label: 'Agreement %' },
            { key: 'gold', label: 'Gold accuracy %' },
          ]}
          yDomain={[0, 100]}
        />
        <LineChartCard
          title="Left choices and ties per week"
          description="Percent. Left choices should stay near 50."
          data={weeks}
          x="week"
          xLabel="Week of"
          lines={[
            { key: 'left', label: 'Chose left %' },
            { key: 'ties', label: 'Ties %' },
          ]}
          yDomain={[0, 100]}
        />
        <BarChartCard
          title="Judgments per week"
          data={weeks.map((w) => ({ week: w.week, volume: w.volume }))}
          x="week"
          y="volume"
          yLabel="judgments"
        />
        <LineChartCard
          title="Median seconds per judgment"
          data={weeks}
          x="week"
          xLabel="Week of"
          lines={[{ key: 'seconds', label: 'Median s' }]}
        />
      </div>
      <section className="card" aria-labelledby="disagreements-h">
        <h2 id="disagreements-h">
          Disagreements{' '}
          <span className="muted small">
            {disagreements.rows.length} of {disagreements.compared} units with a majority among the others
          </span>
        </h2>
        <DataTable
          data={disagreements.rows}
          columns={columns}
          label="Disagreements"
          empty={
            <p className="empty">
              No disagreements: this person sided with the others&apos; majority every time.
            </p>
          }
        />
      </section>
    </div>
  );
}

function Stat({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div>
      <div className="stat">{value}</div>
      <div className="stat-label">{label}</div>
      {note ? <div className="small muted">{note}</div> : null}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
