/**
 * A sentiment item's page: its text, every label with who gave it, the pre-label, the final label
 * and where it came from, and (for leads) marking it as gold with its expected label.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { notFound } from '../utils/http.server';
import { formatDateTime } from '../utils/format';
import { formString, invalid, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import * as quality from '../utils/quality.server';
import { hasRole } from '../../tasks/roles';

export const meta: MetaFunction = () => [{ title: 'Item · Arbiter' }];

async function load(itemId: string | undefined) {
  const id = z.uuid().safeParse(itemId);
  const dispute = id.success ? await quality.itemDispute(id.data) : null;
  if (!dispute) throw notFound('No such item.');
  return dispute;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'lead', 'safety_reviewer', 'researcher', 'admin');
  const { item, labels, decision } = await load(params.itemId);
  const project = await quality.projectById(item.project_id);
  return json({
    item,
    project: { slug: project.slug, name: project.name },
    labels: labels.map((l) => ({ ...l, created_at: l.created_at.toISOString() })),
    decision,
    canManageGold: hasRole(user, 'lead'),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead');
  const { item } = await load(params.itemId);
  const form = await readForm(request);
  const actor = { id: user.id, email: user.email };
  try {
    if (formString(form, 'intent') === 'unmark-gold')
      await quality.unmarkGold({ projectId: item.project_id, itemId: item.id, actor });
    else {
      const label = formString(form, 'label');
      if (!label) return invalid('label', 'Choose the expected label.');
      await quality.markItemGold({ projectId: item.project_id, itemId: item.id, label, actor });
    }
  } catch (error) {
    return userErrorResponse(error);
  }
  return redirect(`/items/${item.id}`);
}

const SOURCES: Record<string, string> = {
  human: "the annotators' plurality",
  auto: 'the accepted pre-label',
  audit: "the auditor's label",
  adjudicated: 'an adjudication',
  gold: 'its gold answer',
  tie: 'none yet: the labels tied (adjudicate it)',
};

export default function ItemPage() {
  const { item, project, labels, decision, canManageGold } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrors>();
  return (
    <div className="page stack">
      <p className="small">
        <Link to={`/projects/${project.slug}`}>← {project.name}</Link>
      </p>
      <PageHeader
        title="Item history"
        description={`${labels.length} label(s) · final label: ${item.final_label ?? 'none yet'}${item.final_source ? ` (from ${SOURCES[item.final_source] ?? item.final_source})` : ''}`}
      />
      <section className="card" aria-label="Text">
        <p className="item-text">{item.text}</p>
        {item.prelabel ? (
          <p className="small muted">
            Model pre-label: {item.prelabel} ({Math.round((item.confidence ?? 0) * 100)}% confident)
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="labels-h">
        <h2 id="labels-h">Labels</h2>
        {labels.length === 0 ? (
          <p className="empty">No labels yet.</p>
        ) : (
          <ul>
            {labels.map((l) => (
              <li key={l.id}>
                <strong>{l.display_name ?? 'Unknown'}</strong>: {l.label}{' '}
                <span className="small muted">
                  ({l.source}, {formatDateTime(l.created_at)})
                </span>
              </li>
            ))}
          </ul>
        )}
        {decision ? (
          <p className="alert alert-success">
            Adjudicated as <strong>{decision.label}</strong> by {decision.display_name ?? 'someone'}
            {decision.note ? `: ${decision.note}` : ''}.
          </p>
        ) : null}
      </section>
      {item.is_gold || canManageGold ? (
        <section className="card" aria-labelledby="gold-h">
          <h2 id="gold-h">Gold</h2>
          {item.is_gold ? (
            <>
              <p>
                Gold item. Expected label: <strong>{item.final_label}</strong>. It is mixed into
                annotators&apos; queues at the project&apos;s gold rate and scores each label given to it.
              </p>
              {canManageGold ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="unmark-gold" />
                  <button className="button" type="submit">
                    Remove from gold
                  </button>
                </Form>
              ) : null}
            </>
          ) : (
            <Form method="post" className="form form-wide">
              <input type="hidden" name="intent" value="mark-gold" />
              <fieldset className="scale">
                <legend>
                  <strong>Expected label</strong>
                </legend>
                <div className="label-options scale-options">
                  {item.label_set.map((label) => (
                    <label key={label} className="scale-option">
                      <input type="radio" name="label" value={label} />
                      <span className="scale-label">{label}</span>
                    </label>
                  ))}
                </div>
                {errors?.fieldErrors.label ? (
                  <div className="error small" role="alert">
                    {errors.fieldErrors.label}
                  </div>
                ) : null}
              </fieldset>
              <div>
                <button className="button button-primary" type="submit">
                  Mark as gold
                </button>
              </div>
            </Form>
          )}
        </section>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
