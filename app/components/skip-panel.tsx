/** The skip form of the annotation screens: why (a radio group of reasons), an optional note, confirm or cancel. */
import { Form } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { SKIP_REASONS } from '../../tasks/judgments.schema';

export function SkipPanel({
  assignmentId,
  noun,
  onCancel,
}: {
  assignmentId: string;
  /** "pair" or "item": what is being skipped */
  noun: string;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLInputElement>('input[name="reason"]')?.focus();
  }, []);
  return (
    <Form method="post" ref={ref} className="card skip-panel" aria-label={`Skip this ${noun}`} replace>
      <input type="hidden" name="intent" value="skip" />
      <input type="hidden" name="assignmentId" value={assignmentId} />
      <fieldset className="field">
        <legend>Why are you skipping?</legend>
        {Object.entries(SKIP_REASONS).map(([value, label]) => (
          <label key={value} className="check-line">
            <input type="radio" name="reason" value={value} required /> {label}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="skip-note">Note (optional)</label>
        <input id="skip-note" type="text" name="note" maxLength={500} />
      </div>
      <div className="row">
        <button type="submit" className="button-primary">
          Skip {noun}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Form>
  );
}
