/** The new-project form of the projects page: name, slug, type, and a sentiment project's labels. */
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field } from '../form';

export function NewProjectForm({
  errors,
  values,
  open,
}: {
  errors: Record<string, string>;
  /** what was typed before a failed submission */
  values: Record<string, string>;
  open: boolean;
}) {
  const navigation = useNavigation();
  const [type, setType] = useState<'preference' | 'sentiment'>(
    values.type === 'sentiment' ? 'sentiment' : 'preference',
  );
  return (
    <details className="card" open={open}>
      <summary>
        <strong>New project</strong>{' '}
        <span className="small muted">preference comparisons or sentiment labeling</span>
      </summary>
      <Form method="post" className="form" style={{ marginTop: '0.8rem' }} aria-label="New project">
        <input type="hidden" name="intent" value="create" />
        <Field
          label="Name"
          name="name"
          required
          maxLength={120}
          defaultValue={values.name}
          error={errors.name}
        />
        <Field
          label="Slug"
          name="slug"
          defaultValue={values.slug}
          required
          pattern="[a-z0-9][a-z0-9-]{0,62}"
          error={errors.slug}
          hint="Lowercase letters, digits and dashes; used in addresses and on the command line."
        />
        <div className="field">
          <label htmlFor="new-type">Type</label>
          <select
            id="new-type"
            name="type"
            value={type}
            onChange={(e) => setType(e.target.value as typeof type)}
          >
            <option value="preference">Preference: compare two responses</option>
            <option value="sentiment">Sentiment: label short texts</option>
          </select>
        </div>
        {type === 'sentiment' ? (
          <Field
            label="Labels"
            name="labels"
            defaultValue={values.labels || 'positive, negative, neutral'}
            error={errors.labelSet}
            hint="Comma-separated, in the order annotators see them (keys 1–9). The word-list pre-labels work when they include positive and negative."
          />
        ) : null}
        <Field
          label={type === 'sentiment' ? 'Labels per item' : 'Judgments per pair'}
          name="redundancy"
          type="number"
          min={1}
          max={50}
          defaultValue={type === 'sentiment' ? 1 : 3}
          error={errors.redundancy}
        />
        <Field
          label="Description"
          name="description"
          defaultValue={values.description}
          error={errors.description}
        />
        <div>
          <button type="submit" className="button-primary" disabled={navigation.state === 'submitting'}>
            Create project
          </button>
        </div>
      </Form>
    </details>
  );
}
