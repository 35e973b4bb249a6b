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
import { formString, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { FLAG_CATEGORY_LABELS, SEVERITY_LABELS } from '../../tasks/judgments.schema';

export const meta: MetaFunction = () => [{ title: 'Safety review · Arbiter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'safety_reviewer');
  const items = await queue(50);
  const wanted = z.uuid().safeParse(new URL(request.url).searchParams.get('response'));
  const selectedId = wanted.success ? wanted.data : items[0]?.responseId;
  const [selected, decided, pairIds] = await Promise.all([
    selectedId ? item(selectedId) : null,
    recentDecisions(10),
    selectedId ? pairsWithResponse(selectedId) : [],
  ]);
  return json({
    items: items.map((i) => ({ ...i, firstFlaggedAt: i.firstFlaggedAt.toISOString() })),
    pairIds,
    selected: selected
      ? { ...selected, reviews: selected.reviews.map((r) => ({ ...r, at: r.at.toISOString() })) }
      : null,
    decided: decided.map((d) => ({ ...d, created_at: d.created_at.toISOString() })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const reviewer = await requireRole(request, 'safety_reviewer');
  const form = await request.formData();
  const flagIds = form.getAll('flagId').filter((v): v is string => typeof v === 'string');
  try {
    await decide(reviewer.id, {
      responseId: formString(form, 'responseId'),
      decisions: flagIds.map((flagId) => ({
        flagId,
        decision: formString(form, `decision.${flagId}`) as never,
        category: formString(form, `category.${flagId}`) as never,
        severity: formString(form, `severity.${flagId}`) as never,
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
  const { items, selected, decided, pairIds } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionErrors | undefined;
  const [params] = useSearchParams();
  const [revealed, setRevealed] = useState(false);
  useEffect(() => setRevealed(false), [selected?.responseId]);
  const alreadyReviewed = (selected?.reviews.length ?? 0) > 0;
  return (
    <div className="page stack">
      <PageHeader
        title="Safety review"
        description="Responses flagged high or critical, or by two or more annotators. Content stays hidden until you choose to see it."
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
                    <span
                      className={`badge ${i.worst === 'critical' || i.worst === 'high' ? 'badge-danger' : ''}`}
                    >
                      {i.worst}
                    </span>{' '}
                    {i.escalated ? <span className="badge badge-accent">escalated</span> : null}{' '}
                    {i.prompt.slice(0, 90)}
                  </Link>
                  <div className="small muted">
                    {i.projectName} · {i.annotators} annotator{i.annotators === 1 ? '' : 's'} ·{' '}
                    {formatDateTime(i.firstFlaggedAt)}
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
                <h2>Flagged response</h2>
                <button type="button" onClick={() => setRevealed((v) => !v)} aria-expanded={revealed}>
                  {revealed ? 'Hide response' : 'Reveal response'}
                </button>
              </div>
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
            <Form method="post" className="card form-wide" aria-label="Review decision">
              <h2>Decision</h2>
              {alreadyReviewed ? (
                <p className="alert">
                  This response was reviewed before; a new decision is added to its history.
                </p>
              ) : null}
              {result?.formError || Object.values(result?.fieldErrors ?? {})[0] ? (
                <div className="alert alert-error" role="alert">
                  {result?.formError ?? Object.values(result?.fieldErrors ?? {})[0]}
                </div>
              ) : null}
              <input type="hidden" name="responseId" value={selected.responseId} />
              {selected.categories.map((c) => (
                <fieldset key={c.flagId} className="field">
                  <legend>
                    {FLAG_CATEGORY_LABELS[c.category]}: flagged {c.count}×, worst {c.worst}
                  </legend>
                  <input type="hidden" name="flagId" value={c.flagId} />
                  <div className="checks">
                    {DECISIONS.map((d) => (
                      <label key={d.value}>
                        <input type="radio" name={`decision.${c.flagId}`} value={d.value} required />{' '}
                        {d.label}
                      </label>
                    ))}
                  </div>
                  <div className="row">
                    <label className="small">
                      Category{' '}
                      <select
                        name={`category.${c.flagId}`}
                        defaultValue={c.category}
                        style={{ width: 'auto' }}
                      >
                        {Object.entries(FLAG_CATEGORY_LABELS).map(([value, label]) => (
                          <option key={value} value={value}>
                            {label}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label className="small">
                      Severity{' '}
                      <select name={`severity.${c.flagId}`} defaultValue={c.worst} style={{ width: 'auto' }}>
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
