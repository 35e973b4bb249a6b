import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  AnnotationBar,
  AnnotationPanels,
  EmptyQueue,
  SubmitSkip,
  type Panel,
} from '../components/annotation';
import { RouteErrorBoundary } from '../components/error-page';
import { SkipPanel } from '../components/skip-panel';
import { requireRole } from '../utils/auth.server';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { notFound } from '../utils/http.server';
import { currentItem, labelStats, skip, submit } from '../utils/label.server';
import { useCountdown } from '../utils/use-countdown';
import { UserInputError } from '../../tasks/errors';
import { labelFieldsFromForm, SubmitLabelSchema } from '../../tasks/sentiment-labels.schema';

export const meta: MetaFunction = () => [{ title: 'Label · Arbiter' }];

/** Keys 1–9 choose the first nine labels of a label set. */
const MAX_KEYED = 9;

const SHORTCUTS: [string, string][] = [
  ['1 … 9', 'Choose a label (the number shown next to it)'],
  ['Enter', 'Submit; with nothing chosen, accept the suggestion (when one is shown)'],
  ['S', 'Skip this item (choose a reason)'],
  ['G', 'Show or hide the guidelines'],
  ['?', 'Show or hide this legend'],
  ['Esc', 'Close panels'],
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const project = new URL(request.url).searchParams.get('project');
  const [item, stats] = await Promise.all([
    currentItem(user, project).catch((error: unknown) => {
      if (error instanceof UserInputError && error.code === 'not-found') throw notFound(error.message);
      throw error;
    }),
    labelStats(user),
  ]);
  return json({
    stats,
    item: item
      ? {
          assignmentId: item.assignmentId,
          submissionId: item.submissionId,
          project: {
            slug: item.project.slug,
            name: item.project.name,
            guidelines: item.project.guidelines,
            labels: item.project.labels,
          },
          text: item.text,
          language: item.language,
          isAudit: item.isAudit,
          blind: item.blind,
          prelabel: item.prelabel,
          expiresAt: item.expiresAt.toISOString(),
        }
      : null,
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const form = await readForm(request);
  const url = new URL(request.url);
  const project = url.searchParams.get('project');
  const back = (saved?: string) => {
    const params = new URLSearchParams();
    if (project) params.set('project', project);
    if (saved) params.set('saved', saved);
    const query = params.toString();
    return `/label${query ? `?${query}` : ''}`;
  };
  try {
    if (formString(form, 'intent') === 'skip') {
      await skip(user, {
        assignmentId: formString(form, 'assignmentId'),
        reason: formString(form, 'reason') as never,
        note: formString(form, 'note'),
      });
      return redirect(back());
    }
    const fields = labelFieldsFromForm(form);
    await submit(user, fields as never);
    return redirect(back(String(fields.label)));
  } catch (error) {
    return userErrorResponse(error);
  }
}

function Suggestion({
  item,
}: {
  item: NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['item']>;
}) {
  if (item.isAudit)
    return (
      <p className="suggestion" role="note">
        <span className="badge badge-accent">Audit</span> This label was accepted automatically. Label it
        yourself: the accepted label is hidden, so your answer checks it independently.
      </p>
    );
  if (item.blind)
    return (
      <p className="suggestion muted small" role="note">
        Suggestions are hidden in this project, so they cannot sway your judgment.
      </p>
    );
  if (!item.prelabel)
    return (
      <p className="suggestion muted small" role="note">
        No suggestion for this item yet.
      </p>
    );
  const percent = Math.round(item.prelabel.confidence * 100);
  return (
    <p className="suggestion" role="note">
      Suggested: <strong>{item.prelabel.label}</strong>{' '}
      <span className="muted">
        {item.prelabel.source === 'model'
          ? `(model, ${percent}% confident)`
          : item.prelabel.source === 'pretrained'
            ? `(pretrained model, ${percent}%: a hint, not yet measured on this project)`
            : `(word-list guess, strength ${percent}%: a hint, not a measured probability)`}
      </span>{' '}
      <span className="small muted">
        <kbd>Enter</kbd> accepts it
      </span>
    </p>
  );
}

export default function Label() {
  const { item, stats } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionErrors | undefined;
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const startedAt = useRef(0);
  const [choice, setChoice] = useState<string | null>(null);
  const [clientError, setClientError] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>('none');
  const remaining = useCountdown(item?.expiresAt);
  const busy = navigation.state !== 'idle';
  const labels = useMemo(() => item?.project.labels ?? [], [item]);
  const suggestion = item && !item.isAudit && !item.blind ? (item.prelabel?.label ?? null) : null;
  const saved = searchParams.get('saved');
  const error = clientError ?? result?.fieldErrors?.label ?? null;
  const formError = result?.formError ?? result?.fieldErrors?.assignmentId ?? result?.fieldErrors?.labelId;

  // A new item: clear the choice, restart the timer, focus the first label.
  useEffect(() => {
    setChoice(null);
    setClientError(null);
    setPanel('none');
    startedAt.current = Date.now();
    formRef.current?.querySelector<HTMLInputElement>('input[name="label"]')?.focus();
  }, [item?.assignmentId]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      const typing =
        target.tagName === 'TEXTAREA' ||
        (target.tagName === 'INPUT' && (target as HTMLInputElement).type === 'text');
      if (event.key === 'Escape') {
        setPanel('none');
        if (typing) target.blur();
        return;
      }
      if (typing || event.ctrlKey || event.metaKey || event.altKey || !item) return;
      const key = event.key.toLowerCase();
      const index = Number(key) - 1;
      if (/^[1-9]$/.test(key) && index < Math.min(labels.length, MAX_KEYED)) {
        setChoice(labels[index]!);
        setClientError(null);
        formRef.current?.querySelectorAll<HTMLInputElement>('input[name="label"]')[index]?.focus();
      } else if (key === 's') setPanel((p) => (p === 'skip' ? 'none' : 'skip'));
      else if (key === 'g') setPanel((p) => (p === 'guidelines' ? 'none' : 'guidelines'));
      else if (key === '?') setPanel((p) => (p === 'legend' ? 'none' : 'legend'));
      else if (key === 'enter' && panel !== 'skip' && target.tagName !== 'BUTTON' && target.tagName !== 'A') {
        const form = formRef.current;
        if (!choice && suggestion && form) {
          // check the suggested radio in the DOM too: the form is read now, before React re-renders
          const input = [...form.querySelectorAll<HTMLInputElement>('input[name="label"]')].find(
            (i) => i.value === suggestion,
          );
          if (input) input.checked = true;
          setChoice(suggestion);
        }
        form?.requestSubmit();
      } else return;
      event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [item, labels, panel, choice, suggestion]);

  function validate(event: FormEvent<HTMLFormElement>) {
    const form = event.currentTarget;
    (form.elements.namedItem('timeOnTaskMs') as HTMLInputElement).value = String(
      Date.now() - startedAt.current,
    );
    const parsed = SubmitLabelSchema.safeParse(labelFieldsFromForm(new FormData(form)));
    if (parsed.success) {
      setClientError(null);
      return;
    }
    event.preventDefault();
    setClientError(parsed.error.issues[0]!.message);
    form.querySelector<HTMLInputElement>('input[name="label"]')?.focus();
  }

  if (!item) {
    return (
      <EmptyQueue
        title="Nothing to label right now"
        done={`Labelled today: ${stats.today} · in total: ${stats.total}`}
        historyTo="/label/history"
        historyLabel="Review your recent labels"
      >
        Every item open to you has the labels it needs, was accepted from a confident model, or waits for
        someone with a language you have not listed. New items appear here as soon as a lead imports them or a
        retraining cycle sends uncertain ones back to people.
      </EmptyQueue>
    );
  }

  return (
    <div className="compare label-screen">
      <AnnotationBar
        title={item.project.name}
        badges={
          <>
            {item.language ? <span className="badge">{item.language}</span> : null}
            {item.isAudit ? <span className="badge badge-accent">Audit</span> : null}
          </>
        }
        counters={<span>Today {stats.today}</span>}
        reserved={remaining}
        unit="item"
        historyTo="/label/history"
        panel={panel}
        setPanel={setPanel}
      />
      {saved ? (
        <div className="alert alert-success small" role="status">
          Saved “{saved}”. <Link to="/label/history">Change it</Link>
        </div>
      ) : null}
      <AnnotationPanels
        panel={panel}
        setPanel={setPanel}
        shortcuts={SHORTCUTS}
        guidelines={item.project.guidelines}
      />

      <section className="card item-text" aria-label="Text to label">
        {/* untrusted text: rendered as text, in its own writing direction */}
        <p dir="auto">{item.text}</p>
      </section>

      <Form method="post" ref={formRef} onSubmit={validate} className="judge" replace>
        <input type="hidden" name="assignmentId" value={item.assignmentId} />
        <input type="hidden" name="labelId" value={item.submissionId} />
        <input type="hidden" name="timeOnTaskMs" defaultValue="" />
        {formError ? (
          <div className="alert alert-error" role="alert">
            {formError}
          </div>
        ) : null}
        <Suggestion item={item} />
        <fieldset
          className="scale"
          role="radiogroup"
          aria-labelledby="sentiment-legend"
          aria-describedby={error ? 'label-error' : undefined}
        >
          <legend id="sentiment-legend">
            <strong>Sentiment</strong>
          </legend>
          <div
            className="label-options"
            style={{ gridTemplateColumns: `repeat(${Math.min(labels.length, 5)}, 1fr)` }}
          >
            {labels.map((label, i) => (
              <label key={label} className={`scale-option${choice === label ? ' selected' : ''}`}>
                <input
                  type="radio"
                  name="label"
                  value={label}
                  checked={choice === label}
                  onChange={() => {
                    setChoice(label);
                    setClientError(null);
                  }}
                />
                <span className="scale-label">{label}</span>
                {i < MAX_KEYED ? <kbd aria-hidden="true">{i + 1}</kbd> : null}
                {suggestion === label ? <span className="small muted">suggested</span> : null}
              </label>
            ))}
          </div>
          {error ? (
            <div id="label-error" className="error small" role="alert">
              {error}
            </div>
          ) : null}
        </fieldset>
        <SubmitSkip busy={busy} onSkip={() => setPanel(panel === 'skip' ? 'none' : 'skip')} />
      </Form>

      {panel === 'skip' ? (
        <SkipPanel assignmentId={item.assignmentId} noun="item" onCancel={() => setPanel('none')} />
      ) : null}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
