/** "Score a pair": type a prompt and two responses, see what the chosen model version makes of them. */
import { useFetcher } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import { FormError, TextAreaField } from '../form';
import { formatNumber, formatPercent } from '../../utils/format';
import { fieldErrors, ScorePairSchema } from '../../../tasks/reward-training.schema';

export type ScoreResult =
  | {
      ok: true;
      intent: 'score';
      score: { rewardA: number; rewardB: number; probabilityA: number; uncertainty: number; spread: number };
    }
  | { ok: false; fieldErrors: Record<string, string>; formError?: string };

export function ScorePair({
  projectSlug,
  version,
}: {
  projectSlug: string;
  version: { id: string; version: number; axis: string } | null;
}) {
  const fetcher = useFetcher<ScoreResult>();
  const [clientErrors, setClientErrors] = useState<Record<string, string> | null>(null);
  const serverErrors = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  const errors = clientErrors ?? serverErrors?.fieldErrors ?? {};
  const score = fetcher.data?.ok && fetcher.state === 'idle' ? fetcher.data.score : null;

  function validate(event: FormEvent<HTMLFormElement>) {
    const form = new FormData(event.currentTarget);
    const parsed = ScorePairSchema.safeParse(Object.fromEntries(form));
    if (parsed.success) return setClientErrors(null);
    event.preventDefault();
    const found = fieldErrors(parsed.error);
    setClientErrors(found);
    const first = event.currentTarget.elements.namedItem(Object.keys(found)[0] ?? '');
    if (first instanceof HTMLElement) first.focus();
  }

  return (
    <fetcher.Form
      method="post"
      className="card form"
      aria-labelledby="score-h"
      onSubmit={validate}
      noValidate
    >
      <h2 id="score-h">Score a pair</h2>
      {version ? (
        <p className="small muted" style={{ margin: 0 }}>
          With version {version.version} ({version.axis}). Choose another version in the table to compare.
        </p>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          Train a model first: scoring needs a ready version.
        </p>
      )}
      {version ? (
        <>
          <FormError
            message={
              clientErrors ? undefined : (serverErrors?.formError ?? serverErrors?.fieldErrors.modelId)
            }
          />
          <input type="hidden" name="intent" value="score" />
          <input type="hidden" name="project" value={projectSlug} />
          <input type="hidden" name="modelId" value={version.id} />
          <TextAreaField
            label="Prompt"
            name="prompt"
            rows={2}
            error={errors.prompt}
            hint="The user's message (optional)."
          />
          <TextAreaField label="Response A" name="a" rows={4} error={errors.a} />
          <TextAreaField label="Response B" name="b" rows={4} error={errors.b} />
          <div>
            <button type="submit" disabled={fetcher.state !== 'idle'}>
              {fetcher.state === 'idle' ? 'Score' : 'Scoring…'}
            </button>
          </div>
        </>
      ) : null}
      <div aria-live="polite">
        {score ? (
          <dl className="props" aria-label="Score">
            <dt>Reward of A</dt>
            <dd>{formatNumber(score.rewardA, 3)}</dd>
            <dt>Reward of B</dt>
            <dd>{formatNumber(score.rewardB, 3)}</dd>
            <dt>P(A better than B)</dt>
            <dd>
              <strong>{formatPercent(score.probabilityA)}</strong>
            </dd>
            <dt>Uncertainty</dt>
            <dd>
              {formatNumber(score.uncertainty, 3)} bits{' '}
              <span className="muted small">(0 = certain, 1 = a coin flip)</span>
            </dd>
            <dt>Ensemble spread</dt>
            <dd>{formatNumber(score.spread, 3)}</dd>
          </dl>
        ) : null}
      </div>
    </fetcher.Form>
  );
}
