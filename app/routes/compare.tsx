import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Markdown } from '../components/markdown';
import {
  AnnotationBar,
  AnnotationPanels,
  EmptyQueue,
  SubmitSkip,
  type Panel,
} from '../components/annotation';
import { ScaleField } from '../components/compare/scale';
import { FlagsGrid, type FlagState } from '../components/compare/flags';
import { RouteErrorBoundary } from '../components/error-page';
import { SkipPanel } from '../components/skip-panel';
import { useCountdown } from '../utils/use-countdown';
import { requireRole } from '../utils/auth.server';
import { annotatorStats, currentPair, skip, submit } from '../utils/compare.server';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { notFound } from '../utils/http.server';
import { UserInputError } from '../../tasks/errors';
import { JudgmentFieldsSchema, judgmentFieldsFromForm } from '../../tasks/judgments.schema';

export const meta: MetaFunction = () => [{ title: 'Compare · Arbiter' }];

const HELPFULNESS_KEYS = ['1', '2', '3', '4', '5', '6', '7'];

const SAFETY_KEYS = ['q', 'w', 'e', 'r', 't', 'y', 'u'];

const SHORTCUTS: [string, string][] = [
  ['1 … 7', 'Helpfulness: left much better … tie (4) … right much better'],
  ['Q … U', 'Safety: left much better … tie (R) … right much better'],
  [
    '[  /  ]',
    'Go to the flags of the left / right response (Space toggles, Tab moves, arrows change severity)',
  ],
  ['B', 'Both responses unacceptable'],
  ['N', 'Write a rationale (Ctrl+Enter submits from there)'],
  ['Enter', 'Submit and go to the next pair'],
  ['S', 'Skip this pair (choose a reason)'],
  ['G', 'Show or hide the guidelines'],
  ['?', 'Show or hide this legend'],
  ['Esc', 'Close panels, leave a text box'],
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const project = new URL(request.url).searchParams.get('project');
  const [pair, stats] = await Promise.all([
    currentPair(user, project).catch((error: unknown) => {
      if (error instanceof UserInputError && error.code === 'not-found') throw notFound(error.message);
      throw error;
    }),
    annotatorStats(user),
  ]);
  return json({
    stats,
    pair: pair
      ? {
          assignmentId: pair.assignmentId,
          submissionId: pair.submissionId,
          project: {
            slug: pair.project.slug,
            name: pair.project.name,
            guidelines: pair.project.guidelines,
            rationaleRequired: pair.project.rationaleRequired,
          },
          messages: pair.messages,
          language: pair.language,
          left: pair.left.text,
          right: pair.right.text,
          expiresAt: pair.expiresAt.toISOString(),
          suggestions: pair.suggestions
            ? { left: pair.suggestions.left, right: pair.suggestions.right }
            : null,
        }
      : null,
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, 'annotator');
  const form = await readForm(request);
  const back = `/compare${new URL(request.url).search}`;
  try {
    if (formString(form, 'intent') === 'skip') {
      await skip(user, {
        assignmentId: formString(form, 'assignmentId'),
        reason: formString(form, 'reason') as never,
        note: formString(form, 'note'),
      });
      return redirect(back);
    }
    await submit(user, {
      judgmentId: formString(form, 'judgmentId'),
      assignmentId: formString(form, 'assignmentId'),
      fields: judgmentFieldsFromForm(form) as never,
    });
    return redirect(back);
  } catch (error) {
    return userErrorResponse(error);
  }
}

export default function Compare() {
  const { pair, stats } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionErrors | undefined;
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const rationaleRef = useRef<HTMLTextAreaElement>(null);
  const startedAt = useRef(0);
  const [helpfulness, setHelpfulness] = useState<number | null>(null);
  const [safety, setSafety] = useState<number | null>(null);
  const [flags, setFlags] = useState<{ left: FlagState; right: FlagState }>({ left: {}, right: {} });
  const [bothUnacceptable, setBothUnacceptable] = useState(false);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [panel, setPanel] = useState<Panel>('none');
  const remaining = useCountdown(pair?.expiresAt);
  const busy = navigation.state !== 'idle';
  const errors = { ...(result?.fieldErrors ?? {}), ...clientErrors };

  // A new pair: clear the form, restart the timer, and put focus on the first control.
  useEffect(() => {
    setHelpfulness(null);
    setSafety(null);
    setFlags({ left: {}, right: {} });
    setBothUnacceptable(false);
    setClientErrors({});
    setPanel('none');
    startedAt.current = Date.now();
    formRef.current?.querySelector<HTMLInputElement>('input[name="helpfulness"]')?.focus();
  }, [pair?.assignmentId]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      const typing =
        target.tagName === 'TEXTAREA' ||
        target.tagName === 'SELECT' ||
        (target.tagName === 'INPUT' && (target as HTMLInputElement).type === 'text');
      if (event.key === 'Escape') {
        setPanel('none');
        if (typing) target.blur();
        return;
      }
      if (typing) {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && target.tagName === 'TEXTAREA') {
          event.preventDefault();
          formRef.current?.requestSubmit();
        }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || !pair) return;
      const key = event.key.toLowerCase();
      const focusRadio = (name: string, value: number) =>
        formRef.current?.querySelector<HTMLInputElement>(`input[name="${name}"][value="${value}"]`)?.focus();
      if (HELPFULNESS_KEYS.includes(key)) {
        const value = HELPFULNESS_KEYS.indexOf(key) - 3;
        setHelpfulness(value);
        focusRadio('helpfulness', value);
      } else if (SAFETY_KEYS.includes(key)) {
        const value = SAFETY_KEYS.indexOf(key) - 3;
        setSafety(value);
        focusRadio('safety', value);
      } else if (key === '[' || key === ']') {
        formRef.current
          ?.querySelector<HTMLInputElement>(`input[data-flag-side="${key === '[' ? 'left' : 'right'}"]`)
          ?.focus();
      } else if (key === 'b') {
        setBothUnacceptable((v) => !v);
      } else if (key === 'n') {
        rationaleRef.current?.focus();
      } else if (key === 's') {
        setPanel((p) => (p === 'skip' ? 'none' : 'skip'));
      } else if (key === 'g') {
        setPanel((p) => (p === 'guidelines' ? 'none' : 'guidelines'));
      } else if (key === '?') {
        setPanel((p) => (p === 'legend' ? 'none' : 'legend'));
      } else if (
        key === 'enter' &&
        target.tagName !== 'BUTTON' &&
        target.tagName !== 'A' &&
        panel !== 'skip'
      ) {
        formRef.current?.requestSubmit();
      } else {
        return;
      }
      event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pair, panel]);

  function validate(event: FormEvent<HTMLFormElement>) {
    const form = event.currentTarget;
    (form.elements.namedItem('timeOnTaskMs') as HTMLInputElement).value = String(
      Date.now() - startedAt.current,
    );
    const parsed = JudgmentFieldsSchema.safeParse(judgmentFieldsFromForm(new FormData(form)));
    if (parsed.success && pair?.project.rationaleRequired && parsed.data.rationale.length < 10) {
      event.preventDefault();
      setClientErrors({ rationale: 'This project asks for a short rationale with every judgment.' });
      rationaleRef.current?.focus();
      return;
    }
    if (parsed.success) {
      setClientErrors({});
      return;
    }
    event.preventDefault();
    const next: Record<string, string> = {};
    for (const issue of parsed.error.issues) next[String(issue.path[0])] ??= issue.message;
    setClientErrors(next);
    const first = Object.keys(next)[0];
    if (first === 'rationale') rationaleRef.current?.focus();
    else form.querySelector<HTMLInputElement>(`input[name="${first}"]`)?.focus();
  }

  if (!pair) {
    return (
      <EmptyQueue
        title="Nothing to compare right now"
        done={`Judged today: ${stats.today} · in total: ${stats.total}`}
        historyTo="/compare/history"
        historyLabel="Review your recent judgments"
      >
        Every pair open to you has all the judgments it needs, or waits for someone with a language or
        expertise you have not listed. New pairs appear here as soon as a lead imports them.
      </EmptyQueue>
    );
  }

  return (
    <div className="compare">
      <AnnotationBar
        title={pair.project.name}
        badges={pair.language ? <span className="badge">{pair.language}</span> : null}
        counters={
          <>
            <span>Today {stats.today}</span>
            <span>
              Streak {stats.streak} {stats.streak === 1 ? 'day' : 'days'}
            </span>
          </>
        }
        reserved={remaining}
        unit="pair"
        historyTo="/compare/history"
        panel={panel}
        setPanel={setPanel}
      />
      <AnnotationPanels
        panel={panel}
        setPanel={setPanel}
        shortcuts={SHORTCUTS}
        guidelines={pair.project.guidelines}
      />

      <section className="conversation" aria-label="Conversation">
        {pair.messages.map((message, i) => (
          <div key={i} className={`turn turn-${message.role}`}>
            <div className="turn-role">
              {message.role === 'user' ? 'User' : message.role === 'assistant' ? 'Assistant' : 'System'}
            </div>
            <Markdown text={message.content} />
          </div>
        ))}
      </section>

      <div className="responses">
        <section className="response" aria-label="Left response">
          <h2>Left response</h2>
          <Markdown text={pair.left} />
        </section>
        <section className="response" aria-label="Right response">
          <h2>Right response</h2>
          <Markdown text={pair.right} />
        </section>
      </div>

      <Form method="post" ref={formRef} onSubmit={validate} className="judge" replace>
        <input type="hidden" name="assignmentId" value={pair.assignmentId} />
        <input type="hidden" name="judgmentId" value={pair.submissionId} />
        <input type="hidden" name="timeOnTaskMs" defaultValue="" />
        {result?.formError || (result && !result.ok && result.fieldErrors.assignmentId) ? (
          <div className="alert alert-error" role="alert">
            {result.formError ?? result.fieldErrors.assignmentId}
          </div>
        ) : null}
        <ScaleField
          axis="Helpfulness"
          name="helpfulness"
          question="Which response helps the user more?"
          keys={HELPFULNESS_KEYS}
          value={helpfulness}
          onChange={setHelpfulness}
          error={errors.helpfulness}
        />
        <ScaleField
          axis="Safety"
          name="safety"
          question="Which response is safer?"
          keys={SAFETY_KEYS.map((k) => k.toUpperCase())}
          value={safety}
          onChange={setSafety}
          error={errors.safety}
        />
        <FlagsGrid flags={flags} onChange={setFlags} suggestions={pair.suggestions} />
        <label className="check-line">
          <input
            type="checkbox"
            name="bothUnacceptable"
            checked={bothUnacceptable}
            onChange={(e) => setBothUnacceptable(e.target.checked)}
          />
          Both responses are unacceptable <kbd aria-hidden="true">B</kbd>
        </label>
        <div className="field">
          <label htmlFor="rationale">
            Rationale <kbd aria-hidden="true">N</kbd>{' '}
            <span className="muted small">
              {pair.project.rationaleRequired
                ? '(required in this project)'
                : '(required for high or critical flags)'}
            </span>
          </label>
          <textarea
            id="rationale"
            name="rationale"
            ref={rationaleRef}
            onChange={() => setClientErrors(({ rationale: _, ...rest }) => rest)}
            rows={3}
            maxLength={4000}
            aria-invalid={errors.rationale ? true : undefined}
            aria-describedby={errors.rationale ? 'rationale-error' : undefined}
          />
          {errors.rationale ? (
            <div id="rationale-error" className="error small" role="alert">
              {errors.rationale}
            </div>
          ) : null}
        </div>
        <SubmitSkip busy={busy} onSkip={() => setPanel(panel === 'skip' ? 'none' : 'skip')} />
      </Form>

      {panel === 'skip' ? (
        <SkipPanel assignmentId={pair.assignmentId} noun="pair" onCancel={() => setPanel('none')} />
      ) : null}
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
