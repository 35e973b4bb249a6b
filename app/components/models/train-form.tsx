/**
 * "Train a new model": axis, which judgments (languages, domains, since), seed, and whether to
 * activate the result. Checked in the browser with the server's own schema before it is sent.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import { CheckboxGroup, Field, FormError } from '../form';
import {
  fieldErrors,
  MIN_DECIDED_JUDGMENTS,
  REWARD_AXIS_LABELS,
  trainModelInputFromForm,
  TrainModelSchema,
} from '../../../tasks/reward-training.schema';

export interface TrainFormProps {
  projectSlug: string;
  decided: { helpfulness: number; safety: number };
  facets: { languages: string[]; domains: string[] };
  /** activate by default when the project has no active model yet */
  activateByDefault: boolean;
  errors?: { fieldErrors: Record<string, string>; formError?: string };
}

export function TrainForm({ projectSlug, decided, facets, activateByDefault, errors }: TrainFormProps) {
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<Record<string, string> | null>(null);
  const fieldError = (name: string) => (clientErrors ?? errors?.fieldErrors ?? {})[name];
  const submitting = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'train';
  const firstAxis = decided.helpfulness >= decided.safety ? 'helpfulness' : 'safety';

  function validate(event: FormEvent<HTMLFormElement>) {
    const parsed = TrainModelSchema.safeParse(trainModelInputFromForm(new FormData(event.currentTarget)));
    if (parsed.success) return setClientErrors(null);
    event.preventDefault();
    const found = fieldErrors(parsed.error);
    setClientErrors(found);
    const first = event.currentTarget.elements.namedItem(Object.keys(found)[0] ?? '');
    if (first instanceof HTMLElement) first.focus();
  }

  return (
    <Form method="post" className="card form" aria-labelledby="train-h" onSubmit={validate} noValidate>
      <h2 id="train-h">Train a new model</h2>
      <p className="small muted" style={{ margin: 0 }}>
        Learns from the project’s judgments on one axis and holds out a fifth of the judged pairs to measure
        it. Training runs in the background; you can leave this page.
      </p>
      <FormError message={clientErrors ? undefined : errors?.formError} />
      <input type="hidden" name="intent" value="train" />
      <input type="hidden" name="project" value={projectSlug} />
      <div className="field">
        <label htmlFor="train-axis">Axis</label>
        <select
          id="train-axis"
          name="axis"
          defaultValue={firstAxis}
          aria-invalid={fieldError('axis') ? true : undefined}
          aria-describedby={fieldError('axis') ? 'train-axis-error' : 'train-axis-hint'}
        >
          {(['helpfulness', 'safety'] as const).map((axis) => (
            <option key={axis} value={axis}>
              {REWARD_AXIS_LABELS[axis]} ({decided[axis]} decided judgments)
            </option>
          ))}
        </select>
        <div id="train-axis-hint" className="hint">
          A model needs at least {MIN_DECIDED_JUDGMENTS} judgments that pick a winner (ties don’t count).
        </div>
        {fieldError('axis') ? (
          <div id="train-axis-error" className="error">
            {fieldError('axis')}
          </div>
        ) : null}
      </div>
      {facets.languages.length > 1 ? (
        <CheckboxGroup
          legend="Languages (none checked: all)"
          name="languages"
          options={facets.languages.map((l) => ({ value: l, label: l }))}
          selected={[]}
          error={fieldError('languages')}
        />
      ) : null}
      {facets.domains.length > 0 ? (
        <CheckboxGroup
          legend="Domains (none checked: all)"
          name="domains"
          options={facets.domains.map((d) => ({ value: d, label: d }))}
          selected={[]}
          error={fieldError('domains')}
        />
      ) : null}
      <Field
        label="Judgments made on or after"
        name="since"
        type="date"
        hint="Leave empty to use every judgment."
        error={fieldError('since')}
      />
      <Field
        label="Seed"
        name="seed"
        type="number"
        min={0}
        step={1}
        defaultValue={1}
        inputMode="numeric"
        hint="Fixes the held-out split and the training randomness: the same judgments and seed give the same model."
        error={fieldError('seed')}
      />
      <label className="check-line">
        <input type="checkbox" name="activate" defaultChecked={activateByDefault} /> Activate when done (score
        every pair with it)
      </label>
      <div>
        <button type="submit" className="button-primary" disabled={submitting}>
          {submitting ? 'Starting…' : 'Start training'}
        </button>
      </div>
    </Form>
  );
}
