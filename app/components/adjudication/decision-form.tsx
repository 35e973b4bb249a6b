/** The decision on a disputed pair (both axes) or item (its label), with a note and "promote to gold". */
import { Form } from '@remix-run/react';
import { FormError } from '../form';
import { AB_SCALE } from '../../utils/calibration-format';
import { formatDateTime } from '../../utils/format';

interface Decision {
  helpfulness: number | null;
  safety: number | null;
  label: string | null;
  note: string;
  updated_at: string;
  display_name: string | null;
}

export type DisputedUnit =
  | { kind: 'pair'; id: string; decision: Decision | null }
  | { kind: 'item'; id: string; labelSet: string[]; decision: Decision | null };

function ScaleChoice({
  name,
  legend,
  defaultValue,
  error,
}: {
  name: string;
  legend: string;
  defaultValue?: number | null;
  error?: string;
}) {
  return (
    <fieldset className="scale" aria-describedby={error ? `${name}-error` : undefined}>
      <legend>
        <strong>{legend}</strong>
      </legend>
      <div className="scale-options">
        {AB_SCALE.map((option) => (
          <label key={option.value} className="scale-option">
            <input
              type="radio"
              name={name}
              value={option.value}
              defaultChecked={defaultValue === option.value}
            />
            <span className="scale-label">{option.label}</span>
          </label>
        ))}
      </div>
      {error ? (
        <div id={`${name}-error`} className="error small" role="alert">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}

export function DecisionForm({
  projectSlug,
  unit,
  errors,
  busy,
}: {
  projectSlug: string;
  unit: DisputedUnit;
  errors?: { fieldErrors: Record<string, string>; formError?: string };
  busy: boolean;
}) {
  return (
    <section className="card" aria-labelledby="decision-h">
      <h2 id="decision-h">Decision</h2>
      {unit.decision ? (
        <p className="alert alert-success">
          Decided by {unit.decision.display_name ?? 'someone'} on {formatDateTime(unit.decision.updated_at)}
          {unit.decision.note ? `: ${unit.decision.note}` : ''}. Deciding again replaces it.
        </p>
      ) : null}
      <Form method="post" className="form form-wide" key={unit.id}>
        <input type="hidden" name="project" value={projectSlug} />
        <input type="hidden" name="unitId" value={unit.id} />
        {unit.kind === 'pair' ? (
          <>
            <ScaleChoice
              name="helpfulness"
              legend="Helpfulness"
              defaultValue={unit.decision?.helpfulness}
              error={errors?.fieldErrors.helpfulness}
            />
            <ScaleChoice
              name="safety"
              legend="Safety"
              defaultValue={unit.decision?.safety ?? 0}
              error={errors?.fieldErrors.safety}
            />
          </>
        ) : (
          <fieldset className="scale">
            <legend>
              <strong>Label</strong>
            </legend>
            <div className="label-options scale-options">
              {unit.labelSet.map((label) => (
                <label key={label} className="scale-option">
                  <input
                    type="radio"
                    name="label"
                    value={label}
                    defaultChecked={unit.decision?.label === label}
                  />
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
        )}
        <label className="field">
          <span>Note (why)</span>
          <textarea name="note" rows={2} maxLength={2000} defaultValue={unit.decision?.note ?? ''} />
        </label>
        <label className="check-line">
          <input type="checkbox" name="promoteToGold" /> Promote to gold (the decision becomes its expected
          answer)
        </label>
        <FormError message={errors?.formError} />
        <div>
          <button className="button button-primary" type="submit" disabled={busy}>
            Save decision
          </button>
        </div>
      </Form>
    </section>
  );
}
