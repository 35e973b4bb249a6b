/**
 * Adjudication (leads and safety reviewers): the project's disputed pairs or items, least
 * agreement first; every judgment and rationale side by side; a decision that becomes the unit's
 * final answer and may be promoted to gold. After a decision the next dispute opens.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { PageHeader } from '../components/layout';
import { ProjectPicker } from '../components/project-picker';
import { RouteErrorBoundary } from '../components/error-page';
import { Markdown } from '../components/markdown';
import { DecisionForm } from '../components/adjudication/decision-form';
import { requireRole } from '../utils/auth.server';
import { formString, invalid, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { formatDateTime } from '../utils/format';
import * as quality from '../utils/quality.server';
import { FLAG_CATEGORY_LABELS } from '../../tasks/judgments.schema';
import { abScoreText } from '../utils/calibration-format';

export const meta: MetaFunction = () => [{ title: 'Adjudicate · Arbiter' }];

const PAGE = 25;
const Query = z.object({
  project: z.string().optional(),
  // a malformed value is ignored like any other filter, not a ZodError (a 500; found by fuzzing),
  // and a page far past the end would be an OFFSET out of PostgreSQL's range
  unit: z.uuid().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  decided: z.enum(['0', '1']).catch('0'),
  saved: z.enum(['1']).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'lead', 'safety_reviewer');
  const url = new URL(request.url);
  const q = Query.parse(Object.fromEntries(url.searchParams));
  const projects = await quality.projects();
  const project = projects.find((p) => p.slug === q.project) ?? projects[0];
  if (!project) return json({ projects: [], project: null, below: 0, list: null, selected: null, q });
  const below = await quality.threshold(project.id);
  const options = {
    projectId: project.id,
    below,
    includeDecided: q.decided === '1',
    limit: PAGE,
    offset: (q.page - 1) * PAGE,
  };
  const list =
    project.type === 'preference'
      ? { kind: 'pair' as const, ...(await quality.pairDisputes(options)) }
      : { kind: 'item' as const, ...(await quality.itemDisputes(options)) };
  const firstId = list.kind === 'pair' ? list.rows[0]?.pairId : list.rows[0]?.itemId;
  const unitId = q.unit ?? firstId;
  let selected = null;
  if (unitId && list.kind === 'pair') {
    const dispute = await quality.pairDispute(unitId);
    if (dispute && dispute.history.project.slug === project.slug)
      selected = {
        kind: 'pair' as const,
        id: unitId,
        messages: dispute.history.messages,
        a: dispute.history.a.text,
        b: dispute.history.b.text,
        judgments: dispute.history.judgments.map((j) => ({ ...j, createdAt: j.createdAt.toISOString() })),
        flags: dispute.history.flags,
        decision: dispute.decision,
      };
  } else if (unitId) {
    const dispute = await quality.itemDispute(unitId);
    if (dispute && dispute.item.project_id === project.id)
      selected = {
        kind: 'item' as const,
        id: unitId,
        text: dispute.item.text,
        labelSet: dispute.item.label_set,
        prelabel: dispute.item.prelabel,
        labels: dispute.labels.map((l) => ({ ...l, created_at: l.created_at.toISOString() })),
        decision: dispute.decision,
      };
  }
  return json({ projects, project, below, list, selected, q });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead', 'safety_reviewer');
  const form = await readForm(request);
  const projectSlug = formString(form, 'project');
  const project = await quality.projectBySlug(projectSlug);
  if (!project) return invalid('project', `No project "${projectSlug}".`, 404);
  const actor = { id: user.id, email: user.email };
  const unitId = formString(form, 'unitId');
  const promoteToGold = form.get('promoteToGold') === 'on';
  try {
    if (project.type === 'preference')
      await quality.decidePair({
        projectId: project.id,
        pairId: unitId,
        decision: {
          helpfulness: formString(form, 'helpfulness') || undefined,
          safety: formString(form, 'safety') || undefined,
          note: formString(form, 'note'),
          promoteToGold,
        },
        actor,
      });
    else
      await quality.decideItem({
        projectId: project.id,
        itemId: unitId,
        decision: { label: formString(form, 'label'), note: formString(form, 'note'), promoteToGold },
        actor,
      });
  } catch (error) {
    return userErrorResponse(error);
  }
  return redirect(`/adjudicate?project=${encodeURIComponent(project.slug)}&saved=1`);
}

const scoreText = abScoreText;
const pct = (share: number) => `${Math.round(share * 100)}%`;

export default function AdjudicatePage() {
  const { projects, project, below, list, selected, q } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrors>();
  const busy = useNavigation().state !== 'idle';
  if (!project || !list)
    return (
      <div className="page stack">
        <PageHeader title="Adjudicate" description="No projects yet." />
      </div>
    );
  const pages = Math.max(1, Math.ceil(list.total / PAGE));
  const link = (extra: Record<string, string>) =>
    `/adjudicate?${new URLSearchParams({ project: project.slug, decided: q.decided, page: String(q.page), ...extra })}`;
  return (
    <div className="page stack">
      <PageHeader
        title="Adjudicate"
        description={`Units whose leading answer has less than ${pct(below)} of the judgments (set in the project's quality settings). Your decision becomes the final answer.`}
      />
      {q.saved ? (
        <p className="alert alert-success" role="status">
          Decision saved; it is the final answer now.{' '}
          {list.total ? 'The next dispute is open below.' : 'No disputes are left in this project.'}
        </p>
      ) : null}
      <ProjectPicker projects={projects} current={project.slug}>
        <label className="check-line">
          <input
            type="checkbox"
            name="decided"
            value="1"
            defaultChecked={q.decided === '1'}
            onChange={(e) => e.currentTarget.form?.requestSubmit()}
          />
          Include decided
        </label>
      </ProjectPicker>
      <div className="review-layout">
        <section className="card" aria-labelledby="disputes-h">
          <h2 id="disputes-h">
            Disputes <span className="muted small">{list.total}</span>
          </h2>
          {list.total === 0 ? (
            <p className="empty">
              No disputed {list.kind === 'pair' ? 'pairs' : 'items'}: every unit with two or more answers has
              a clear leading answer.
            </p>
          ) : (
            <ul className="review-queue" aria-label="Disputes">
              {list.kind === 'pair'
                ? list.rows.map((r) => (
                    <li key={r.pairId} className={selected?.id === r.pairId ? 'current' : undefined}>
                      <Link
                        to={link({ unit: r.pairId })}
                        aria-current={selected?.id === r.pairId ? 'true' : undefined}
                      >
                        <span className="clamp-2">{r.prompt || 'Untitled prompt'}</span>
                      </Link>
                      <div className="small muted">
                        {r.judgments} judgments · helpfulness {pct(r.helpfulnessAgreement)} · safety{' '}
                        {pct(r.safetyAgreement)}
                        {r.decided ? ' · decided' : ''}
                      </div>
                    </li>
                  ))
                : list.rows.map((r) => (
                    <li key={r.itemId} className={selected?.id === r.itemId ? 'current' : undefined}>
                      <Link
                        to={link({ unit: r.itemId })}
                        aria-current={selected?.id === r.itemId ? 'true' : undefined}
                      >
                        <span className="clamp-2">{r.text}</span>
                      </Link>
                      <div className="small muted">
                        {Object.entries(r.counts)
                          // most labels first, then alphabetical, so the same counts always read the same
                          .sort(([la, a], [lb, b]) => b - a || la.localeCompare(lb))
                          .map(([label, n]) => `${label} ${n}`)
                          .join(' · ')}
                        {r.decided ? ' · decided' : ''}
                      </div>
                    </li>
                  ))}
            </ul>
          )}
          {pages > 1 ? (
            <nav className="pager" aria-label="Pages">
              {q.page > 1 ? <Link to={link({ page: String(q.page - 1) })}>← Previous</Link> : <span />}
              <span className="small muted">
                Page {q.page} of {pages}
              </span>
              {q.page < pages ? <Link to={link({ page: String(q.page + 1) })}>Next →</Link> : <span />}
            </nav>
          ) : null}
        </section>
        {selected ? (
          <section className="stack" aria-label="Dispute">
            {selected.kind === 'pair' ? (
              <>
                <section className="card" aria-label="Conversation">
                  {selected.messages.map((m, i) => (
                    <div key={i} className={`turn turn-${m.role}`}>
                      <div className="turn-role">{m.role}</div>
                      <Markdown text={m.content} />
                    </div>
                  ))}
                </section>
                <div className="responses">
                  <section className="response" aria-label="Response A">
                    <h2>Response A</h2>
                    <Markdown text={selected.a} />
                  </section>
                  <section className="response" aria-label="Response B">
                    <h2>Response B</h2>
                    <Markdown text={selected.b} />
                  </section>
                </div>
                <section className="card" aria-labelledby="judgments-h">
                  <h2 id="judgments-h">Judgments ({selected.judgments.length})</h2>
                  <p className="small">
                    <Link to={`/pairs/${selected.id}`}>Pair history</Link>
                  </p>
                  <div className="grid grid-2">
                    {selected.judgments.map((j) => (
                      <article key={j.id} className="card" aria-label={`Judgment by ${j.annotator}`}>
                        <strong>{j.annotator}</strong>
                        <div>Helpfulness: {scoreText(j.helpfulness)}</div>
                        <div>Safety: {scoreText(j.safety)}</div>
                        <div className="small muted">
                          saw {j.shownLeft.toUpperCase()} on the left · {formatDateTime(j.createdAt)}
                          {j.timeOnTaskMs !== null ? ` · ${Math.round(j.timeOnTaskMs / 1000)} s` : ''}
                        </div>
                        {j.bothUnacceptable ? (
                          <span className="badge badge-danger">both unacceptable</span>
                        ) : null}
                        <p>{j.rationale || <span className="muted">No rationale.</span>}</p>
                        {selected.flags
                          .filter((f) => f.annotator === j.annotator)
                          .map((f, i) => (
                            <div key={i} className="small">
                              flagged {f.response.toUpperCase()}:{' '}
                              {FLAG_CATEGORY_LABELS[f.category as keyof typeof FLAG_CATEGORY_LABELS]} (
                              {f.severity})
                            </div>
                          ))}
                      </article>
                    ))}
                  </div>
                </section>
              </>
            ) : (
              <>
                <section className="card" aria-label="Item">
                  <p className="item-text">{selected.text}</p>
                  {selected.prelabel ? (
                    <p className="small muted">Model pre-label: {selected.prelabel}</p>
                  ) : null}
                  <p className="small">
                    <Link to={`/items/${selected.id}`}>Item history</Link>
                  </p>
                </section>
                <section className="card" aria-labelledby="labels-h">
                  <h2 id="labels-h">Labels ({selected.labels.length})</h2>
                  <ul>
                    {selected.labels.map((l) => (
                      <li key={l.id}>
                        <strong>{l.display_name ?? 'Unknown'}</strong>: {l.label}{' '}
                        <span className="small muted">
                          ({l.source}, {formatDateTime(l.created_at)})
                        </span>
                      </li>
                    ))}
                  </ul>
                </section>
              </>
            )}
            <DecisionForm projectSlug={project.slug} unit={selected} errors={errors} busy={busy} />
          </section>
        ) : (
          <section className="card">
            <p className="empty">Choose a dispute on the left.</p>
          </section>
        )}
      </div>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
