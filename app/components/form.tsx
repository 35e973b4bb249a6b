import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';

interface DescribedProps {
  label: string;
  error?: string;
  hint?: ReactNode;
}

/** The label, hint and error around one control, wired up for screen readers. */
function Described({
  label,
  error,
  hint,
  control,
}: DescribedProps & { control: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = useId();
  const describedBy =
    [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control(id, describedBy)}
      {hint ? (
        <div id={`${id}-hint`} className="hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <div id={`${id}-error`} className="error">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** A labelled input with its hint and error wired up for screen readers. */
export function Field({
  label,
  error,
  hint,
  ...input
}: DescribedProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Described
      label={label}
      error={error}
      hint={hint}
      control={(id, describedBy) => (
        <input
          id={id}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          {...input}
          type={input.type ?? 'text'}
        />
      )}
    />
  );
}

/** Field's multi-line twin. */
export function TextAreaField({
  label,
  error,
  hint,
  ...textarea
}: DescribedProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Described
      label={label}
      error={error}
      hint={hint}
      control={(id, describedBy) => (
        <textarea
          id={id}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          {...textarea}
        />
      )}
    />
  );
}

/** A group of checkboxes sharing one name, e.g. roles. */
export function CheckboxGroup({
  legend,
  name,
  options,
  selected,
  error,
}: {
  legend: string;
  name: string;
  options: { value: string; label: string }[];
  selected: readonly string[];
  error?: string;
}) {
  const id = useId();
  return (
    <fieldset className="field" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      <div className="checks">
        {options.map((option) => (
          <label key={option.value}>
            <input
              type="checkbox"
              name={name}
              value={option.value}
              defaultChecked={selected.includes(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
      {error ? (
        <div id={`${id}-error`} className="error">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="alert alert-error" role="alert">
      {message}
    </div>
  );
}

/** "New password" and "New password again", as the account page and invite links ask for them. */
export function NewPasswordFields({
  name = 'password',
  errors,
  autoFocus,
}: {
  name?: string;
  errors: Record<string, string | undefined>;
  autoFocus?: boolean;
}) {
  return (
    <>
      <Field
        label="New password"
        name={name}
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        hint="At least 10 characters."
        error={errors[name]}
        autoFocus={autoFocus}
      />
      <Field
        label="New password again"
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        error={errors.confirm}
      />
    </>
  );
}
