import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { Markdown } from '../components/markdown';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { formatDateTime } from '../utils/format';
import { notFound } from '../utils/http.server';
import { pairHistory } from '../utils/pairs.server';
import { FLAG_CATEGORY_LABELS } from '../../tasks/judgments.schema';
import { GoldCard, type GoldView } from '../components/gold-card';
import * as quality from '../utils/quality.server';
import { hasRole } from '../../tasks/roles';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';

export const meta: MetaFunction = () => [{ title: 'Pair history · Arbiter' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'lead', 'safety_reviewer', 'researcher', 'admin');
  const id = z.uuid().safeParse(params.pairId);
  const history = id.success ? await pairHistory(id.data) : null;
  if (!history) throw notFound('No such pair.');
  const gold = await quality.goldOfPair(history.pair.id);
  return json({
    ...history,
    canManageGold: hasRole(user, 'lead'),
    gold: gold ? ({ ...(gold.expected as object), tolerance: gold.tolerance } as GoldView) : null,
    judgments: history.judgments.map((j) => ({
      ...j,
      createdAt: j.createdAt.toISOString(),
      updatedAt: j.updatedAt.toISOString(),
    })),
    reviews: history.reviews.map((r) => ({ ...r, at: r.at.toISOString() })),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead');
  const id = z.uuid().safeParse(params.pairId);
  const history = id.success ? await pairHistory(id.data) : null;
  if (!history) throw notFound('No such pair.');
  const project = await quality.projectBySlug(history.project.slug);
  if (!project) throw notFound('No such project.');
  const form = await readForm(request);
  const actor = { id: user.id, email: user.email };
  try {
    if (formString(form, 'intent') === 'unmark-gold')
      await quality.unmarkGold({ projectId: project.id, pairId: history.pair.id, actor });
    else
      await quality.markPairGold({
        projectId: project.id,
        pairId: history.pair.id,
        answer: {
          helpfulness: formString(form, 'helpfulness') || undefined,
          match: formString(form, 'match') || undefined,
          tolerance: formString(form, 'match') === 'points' ? formString(form, 'tolerance') : 0,
        },
        actor,
      });
  } catch (error) {
    return userErrorResponse(error);
  }
  return redirect(`/pairs/${history.pair.id}`);
}

/** A canonical score in words: negative favours A. */
function scoreText(score: number): string {
  if (score === 0) return 'Tie';
  const strength = ['slightly better', 'better', 'much better'][Math.abs(score) - 1];
  return `${score < 0 ? 'A' : 'B'} ${strength}`;
}

type JudgmentRow = ReturnType<typeof useLoaderData<typeof loader>>['judgments'][number];
const jc = createColumnHelper<JudgmentRow>();
const judgmentColumns = [
  jc.accessor('annotator', { header: 'Annotator' }),
  jc.accessor((j) => scoreText(j.helpfulness), { id: 'helpfulness', header: 'Helpfulness' }),
  jc.accessor((j) => scoreText(j.safety), { id: 'safety', header: 'Safety' }),
  jc.accessor((j) => j.shownLeft.toUpperCase(), { id: 'shownLeft', header: 'Shown left' }),
  jc.accessor('rationale', {
    header: 'Rationale',
    cell: ({ row: { original: j } }) => (
      <>
        {j.bothUnacceptable ? <span className="badge badge-danger">both unacceptable</span> : null}{' '}
        {j.rationale}
      </>
    ),
  }),
  jc.accessor((j) => (j.timeOnTaskMs === null ? null : Math.round(j.timeOnTaskMs / 1000)), {
    id: 'seconds',
    header: 'Seconds',
    meta: { numeric: true },
  }),
  jc.accessor('createdAt', {
    header: 'When',
    cell: ({ row: { original: j } }) => (
      <>
        {formatDateTime(j.createdAt)}
        {j.revision > 1 ? (
          <div className="small muted">
            edited {j.revision - 1}×, last {formatDateTime(j.updatedAt)}
          </div>
        ) : null}
      </>
    ),
  }),
];

export default function PairPage() {
  const { pair, project, messages, a, b, judgments, flags, reviews, consensus, gold, canManageGold } =
    useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrors>();
  const reference = pair.reference as { preferred?: 'a' | 'b'; source?: string } | null;
  return (
    <div className="page stack">
      <p className="small">
        <Link to={`/projects/${project.slug}`}>← {project.name}</Link>
      </p>
      <PageHeader
        title="Pair history"
        description={`${pair.judgmentCount} of ${project.redundancy} judgments · ${pair.leaseCount} open lease(s) · ${pair.status}`}
      />
      <section className="card" aria-label="Conversation">
        {messages.map((m, i) => (
          <div key={i} className={`turn turn-${m.role}`}>
            <div className="turn-role">{m.role}</div>
            <Markdown text={m.content} />
          </div>
        ))}
      </section>
      <div className="responses">
        {(['a', 'b'] as const).map((key) => {
          const response = key === 'a' ? a : b;
          return (
            <section key={key} className="response" aria-label={`Response ${key.toUpperCase()}`}>
              <h2>
                Response {key.toUpperCase()}{' '}
                {response.model ? <span className="badge">{response.model}</span> : null}{' '}
                {reference?.preferred === key ? (
                  <span className="badge badge-accent">preferred in {reference.source}</span>
                ) : null}
              </h2>
              <Markdown text={response.text} />
            </section>
          );
        })}
      </div>
      {consensus ? (
        <section className="card" aria-labelledby="consensus-h">
          <h2 id="consensus-h">Consensus</h2>
          <div className="stats">
            <div>
              <div className="stat">
                {consensus.preference.preferred === 'tie'
                  ? 'Tie'
                  : consensus.preference.preferred.toUpperCase()}
              </div>
              <div className="stat-label">preferred ({consensus.preference.basis})</div>
            </div>
            <div>
              <div className="stat">{consensus.helpfulness.mean.toFixed(2)}</div>
              <div className="stat-label">helpfulness mean, {consensus.helpfulness.level}</div>
            </div>
            <div>
              <div className="stat">{consensus.safety.mean.toFixed(2)}</div>
              <div className="stat-label">safety mean, {consensus.safety.level}</div>
            </div>
          </div>
        </section>
      ) : null}
      <GoldCard gold={gold} canManage={canManageGold} errors={errors?.fieldErrors} />
      <section className="card" aria-labelledby="judgments-h">
        <h2 id="judgments-h">Judgments</h2>
        {judgments.length === 0 ? (
          <p className="empty">No judgments yet.</p>
        ) : (
          <DataTable data={judgments} columns={judgmentColumns} label="Judgments" />
        )}
      </section>
      <section className="card" aria-labelledby="safety-h">
        <h2 id="safety-h">Flags and safety reviews</h2>
        {flags.length === 0 && reviews.length === 0 ? <p className="empty">No flags.</p> : null}
        <ul>
          {flags.map((f, i) => (
            <li key={`f${i}`}>
              {f.annotator} flagged response {f.response.toUpperCase()}:{' '}
              {FLAG_CATEGORY_LABELS[f.category as keyof typeof FLAG_CATEGORY_LABELS]} ({f.severity})
            </li>
          ))}
          {reviews.map((r, i) => (
            <li key={`r${i}`}>
              {r.reviewer} {r.decision} response {r.response.toUpperCase()}
              {r.category
                ? `: ${FLAG_CATEGORY_LABELS[r.category as keyof typeof FLAG_CATEGORY_LABELS]} (${r.severity})`
                : ''}
              , {formatDateTime(r.at)}
              {r.note ? ` — ${r.note}` : ''}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
