import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { createColumnHelper } from '@tanstack/react-table';
import { DataTable } from '../components/data-table';
import { Markdown } from '../components/markdown';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { decide, item, queue, recentDecisions } from '../utils/review.server';
import { pairsWithResponse } from '../utils/pairs.server';
import { formatDateTime } from '../utils/format';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { FLAG_CATEGORY_LABELS, SEVERITY_LABELS } from '../../tasks/judgments.schema';
import { ProjectPicker } from '../components/project-picker';
import { SafetyModels } from '../components/review/safety-models';
import {
  enqueueSafetyTraining,
  safetyModelPanel,
  safetyProjects,
  trainingCounts,
} from '../utils/safety.server';
import { actorOf } from '../utils/accounts.server';

export const meta: MetaFunction = () => [{ title: 'Safety review · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'safety_reviewer');
  const url = new URL(request.url);
  const items = await queue(50);
  const wanted = z.uuid().safeParse(url.searchParams.get('response'));
  const selectedId = wanted.success ? wanted.data : items[0]?.responseId;
  const projects = await safetyProjects();
  const project = projects.find((p) => p.slug === url.searchParams.get('project')) ?? projects[0] ?? null;
  const [selected, decided, pairIds, panel, counts] = await Promise.all([
    selectedId ? item(selectedId) : null,
    recentDecisions(10),
    selectedId ? pairsWithResponse(selectedId) : [],
    project ? safetyModelPanel(project) : null,
    project ? trainingCounts(project.id) : null,
  ]);
  return json({
    projects,
    project,
    panel: panel
      ? {
          job: panel.job,
          versions: panel.versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
        }
      : null,
    counts,
    items: items.map((i) => ({ ...i, firstFlaggedAt: i.firstFlaggedAt.toISOString() })),
    pairIds,
    selected: selected
      ? { ...selected, reviews: selected.reviews.map((r) => ({ ...r, at: r.at.toISOString() })) }
      : null,
    decided: decided.map((d) => ({ ...d, created_at: d.created_at.toISOString() })),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const reviewer = await requireRole(request, 'safety_reviewer');
  const form = await readForm(request);
  const url = new URL(request.url);
  if (formString(form, 'intent') === 'retrain') {
    const projects = await safetyProjects();
    const project = projects.find((p) => p.slug === url.searchParams.get('project')) ?? projects[0];
    if (!project) return json({ formError: 'There is no preference project to train a safety model for.' });
    await enqueueSafetyTraining(project.id, {
      ...actorOf(reviewer, context),
      userId: reviewer.id,
      email: reviewer.email,
    });
    return redirect(`/review?project=${encodeURIComponent(project.slug)}&training=1#safety-model`);
  }
  // one row per category decided on: an annotators' flag, or a category the model suggested
  const rows = form.getAll('row').filter((v): v is string => typeof v === 'string');
  try {
    await decide(reviewer.id, {
      responseId: formString(form, 'responseId'),
      decisions: rows.map((row) => ({
        flagId: formString(form, `flagId.${row}`) || null,
        decision: formString(form, `decision.${row}`) as never,
        category: formString(form, `category.${row}`) as never,
        severity: formString(form, `severity.${row}`) as never,
      })),
      note: formString(form, 'note'),
    });
    return redirect('/review?saved=1');
  } catch (error) {
    return userErrorResponse(error);
  }
}

/** The real response, blurred, kept from screen readers and keyboard focus (inert) until revealed. */
function BlurredText({ text }: { text: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.setAttribute('inert', ''), []);
  return (
    <div ref={ref} className="blurred-content" aria-hidden="true" data-testid="blurred-response">
      <Markdown text={text} />
    </div>
  );
}

type Decided = ReturnType<typeof useLoaderData<typeof loader>>['decided'][number];
const decidedCol = createColumnHelper<Decided>();
const decidedColumns = [
  decidedCol.accessor('created_at', { header: 'When', cell: (c) => formatDateTime(c.getValue()) }),
  decidedCol.accessor('decision', { header: 'Decision' }),
  decidedCol.accessor((d) => (d.category ? FLAG_CATEGORY_LABELS[d.category] : ''), {
    id: 'category',
    header: 'Category',
  }),
  decidedCol.accessor('severity', { header: 'Severity' }),
  decidedCol.accessor('reviewer', { header: 'Reviewer' }),
  decidedCol.display({
    id: 'actions',
    header: '',
    enableHiding: false,
    cell: ({ row }) => <Link to={`?response=${row.original.response_id}`}>Open</Link>,
  }),
];

const DECISIONS = [
  { value: 'confirmed', label: 'Confirm' },
  { value: 'dismissed', label: 'Dismiss' },
  { value: 'escalated', label: 'Escalate to a lead' },
] as const;

export default function Review() {
  const { items, selected, decided, pairIds, projects, project, panel, counts } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionErrors | undefined;
  const decisionError = result?.formError ?? Object.values(result?.fieldErrors ?? {})[0];
  const [params] = useSearchParams();
  const [revealed, setRevealed] = useState(false);
  useEffect(() => setRevealed(false), [selected?.responseId]);
  const alreadyReviewed = (selected?.reviews.length ?? 0) > 0;
  return (
    <div className="page stack">
      <PageHeader
        title="Safety review"
        description="Responses flagged high or critical, flagged by two or more annotators, or scored at or above the risk threshold by the safety model, riskiest first. Content stays hidden until you choose to see it."
      />
      {params.get('saved') ? (
        <div className="alert alert-success" role="status">
          Decision saved.
        </div>
      ) : null}
      <div className="review-layout">
        <section className="card" aria-labelledby="queue-h">
          <h2 id="queue-h">Waiting ({items.length})</h2>
          {items.length === 0 ? (
            <p className="empty">Nothing is waiting for review.</p>
          ) : (
            <ul className="review-queue">
              {items.map((i) => (
                <li
                  key={i.responseId}
                  className={i.responseId === selected?.responseId ? 'current' : undefined}
                >
                  <Link
                    to={`?response=${i.responseId}`}
                    aria-current={i.responseId === selected?.responseId ? 'true' : undefined}
                  >
                    {i.worst ? (
                      <span
                        className={`badge ${i.worst === 'critical' || i.worst === 'high' ? 'badge-danger' : ''}`}
                      >
                        {i.worst}
                      </span>
                    ) : (
                      <span
                        className="badge badge-warning"
                        title="Nobody flagged it: the safety model sent it"
                      >
                        unflagged
                      </span>
                    )}{' '}
                    {i.risk !== null ? (
                      <span className="badge" title="The safety model's P(unsafe)">
                        risk {Math.round(i.risk * 100)}%
                      </span>
                    ) : null}{' '}
                    {i.escalated ? <span className="badge badge-accent">escalated</span> : null}{' '}
                    {i.prompt.slice(0, 90)}
                  </Link>
                  <div className="small muted">
                    {i.projectName} ·{' '}
                    {i.sentByModel
                      ? 'sent by the model'
                      : `${i.annotators} annotator${i.annotators === 1 ? '' : 's'}`}{' '}
                    · {formatDateTime(i.firstFlaggedAt)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        {selected ? (
          <section className="stack" aria-label="Flagged response">
            <div className="card">
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <h2>Conversation</h2>
                <span className="small">
                  {pairIds.map((id, i) => (
                    <Link key={id} to={`/pairs/${id}`} style={{ marginLeft: '0.6rem' }}>
                      Pair history{pairIds.length > 1 ? ` ${i + 1}` : ''}
                    </Link>
                  ))}
                </span>
              </div>
              {selected.messages.map((m, i) => (
                <div key={i} className={`turn turn-${m.role}`}>
                  <div className="turn-role">{m.role}</div>
                  <Markdown text={m.content} />
                </div>
              ))}
            </div>
            <div className="card">
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <h2>
                  {selected.categories.some((c) => c.flagId)
                    ? 'Flagged response'
                    : 'Response sent by the model'}
                </h2>
                <button type="button" onClick={() => setRevealed((v) => !v)} aria-expanded={revealed}>
                  {revealed ? 'Hide response' : 'Reveal response'}
                </button>
              </div>
              {selected.risk ? (
                <p className="small">
                  Safety model v{selected.risk.version}: risk <b>{Math.round(selected.risk.value * 100)}%</b>{' '}
                  (the threshold is {Math.round(selected.risk.threshold * 100)}%)
                </p>
              ) : null}
              {revealed ? (
                <div className="revealed" aria-label="Response content">
                  <Markdown text={selected.text} />
                </div>
              ) : (
                <div className="blurred" aria-label="Hidden response">
                  <BlurredText text={selected.text} />
                  <p className="small muted">Blurred until you reveal it: it may contain harmful content.</p>
                </div>
              )}
            </div>
            <Form
              key={selected.responseId}
              method="post"
              className="card form-wide"
              aria-label="Review decision"
            >
              <h2>Decision</h2>
              {alreadyReviewed ? (
                <p className="alert">
                  This response was reviewed before; a new decision is added to its history.
                </p>
              ) : null}
              {decisionError ? (
                <div className="alert alert-error" role="alert">
                  {decisionError}
                </div>
              ) : null}
              <input type="hidden" name="responseId" value={selected.responseId} />
              {selected.categories.map((c, row) => (
                <fieldset key={`${c.flagId ?? 'model'}:${c.category}`} className="field">
                  <legend>
                    {c.flagId
                      ? `${FLAG_CATEGORY_LABELS[c.category]}: flagged ${c.count}×, worst ${c.worst}`
                      : `${FLAG_CATEGORY_LABELS[c.category]}: suggested by the model`}
                    {c.probability !== null ? ` (model ${Math.round(c.probability * 100)}%)` : ''}
                  </legend>
                  <input type="hidden" name="row" value={row} />
                  <input type="hidden" name={`flagId.${row}`} value={c.flagId ?? ''} />
                  <div className="checks">
                    {DECISIONS.map((d) => (
                      <label key={d.value}>
                        <input type="radio" name={`decision.${row}`} value={d.value} required />{' '}
                        {d.value === 'dismissed' && !c.flagId ? 'Dismiss (not harmful)' : d.label}
                      </label>
                    ))}
                  </div>
                  <div className="row">
                    <label className="small">
                      Category{' '}
                      <select name={`category.${row}`} defaultValue={c.category} style={{ width: 'auto' }}>
                        {Object.entries(FLAG_CATEGORY_LABELS).map(([value, label]) => (
                          <option key={value} value={value}>
                            {label}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label className="small">
                      Severity{' '}
                      <select name={`severity.${row}`} defaultValue={c.worst} style={{ width: 'auto' }}>
                        {Object.entries(SEVERITY_LABELS).map(([value, label]) => (
                          <option key={value} value={value}>
                            {label}
                          </option>
                        ))}
                      </select>
                    </label>
                  </div>
                  {c.rationales.length ? (
                    <ul className="small muted">
                      {c.rationales.map((r, i) => (
                        <li key={i}>
                          <Markdown text={r} />
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </fieldset>
              ))}
              <div className="field">
                <label htmlFor="review-note">Note (optional)</label>
                <textarea id="review-note" name="note" rows={2} maxLength={2000} />
              </div>
              <div>
                <button type="submit" className="button-primary">
                  Save decision
                </button>
              </div>
            </Form>
            {selected.reviews.length ? (
              <div className="card">
                <h2>History of this response</h2>
                <ul className="small">
                  {selected.reviews.map((r, i) => (
                    <li key={i}>
                      {r.decision}{' '}
                      {r.category
                        ? `${FLAG_CATEGORY_LABELS[r.category as keyof typeof FLAG_CATEGORY_LABELS]} (${r.severity})`
                        : ''}{' '}
                      by {r.reviewer}, {formatDateTime(r.at)}
                      {r.note ? ` — ${r.note}` : ''}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </section>
        ) : (
          <div className="card empty">Select a response on the left.</div>
        )}
      </div>
      <section className="card stack" aria-labelledby="safety-model-h" id="safety-model">
        <h2 id="safety-model-h">Safety model</h2>
        {project && panel && counts ? (
          <>
            <ProjectPicker projects={projects} current={project.slug} />
            {params.get('imported') ? (
              <div className="alert alert-success" role="status">
                Imported {params.get('imported')} labelled responses ({params.get('unsafe')} unsafe). Retrain
                the model to learn from them.
              </div>
            ) : null}
            {params.get('labelError') ? (
              <div className="alert alert-error" role="alert">
                {params.get('labelError')}
              </div>
            ) : null}
            <SafetyModels project={project.slug} versions={panel.versions} job={panel.job} counts={counts} />
          </>
        ) : (
          <p className="empty">Safety triage needs a preference project; there is none yet.</p>
        )}
      </section>
      <section className="card" aria-labelledby="decided-h">
        <h2 id="decided-h">Recently decided</h2>
        {decided.length === 0 ? (
          <p className="empty">No decisions yet.</p>
        ) : (
          <DataTable data={decided} columns={decidedColumns} label="Recently decided" pageSize={25} />
        )}
      </section>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
