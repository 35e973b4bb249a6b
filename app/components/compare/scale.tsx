import { SCALE } from '../../../tasks/judgments.schema';

/** One axis of the 7-point comparison scale as a radio group ("Helpfulness", "Safety"). */
export function ScaleField({
  axis,
  name,
  question,
  keys,
  value,
  onChange,
  error,
}: {
  axis: string;
  name: string;
  question: string;
  keys: string[];
  value: number | null;
  onChange: (value: number) => void;
  error?: string;
}) {
  return (
    <fieldset className="scale" aria-describedby={error ? `${name}-error` : undefined}>
      <legend>
        <strong>{axis}</strong> <span className="muted small">{question}</span>
      </legend>
      <div className="scale-options">
        {SCALE.map((option, i) => (
          <label key={option.value} className={`scale-option${value === option.value ? ' selected' : ''}`}>
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <span className="scale-label">{option.label}</span>
            <kbd aria-hidden="true">{keys[i]}</kbd>
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
