import {
  FLAG_CATEGORY_LABELS,
  FLAG_KEYS,
  SEVERITY_LABELS,
  type SeverityKey,
} from '../../../tasks/judgments.schema';

export type FlagState = Partial<Record<string, SeverityKey>>;

/** Safety flags for one response: a checkbox per category, and its severity once checked. */
export function FlagsField({
  side,
  flags,
  onChange,
}: {
  side: 'left' | 'right';
  flags: FlagState;
  onChange: (next: FlagState) => void;
}) {
  return (
    <fieldset className="flags">
      <legend>
        Flags for the {side} response <kbd aria-hidden="true">{side === 'left' ? '[' : ']'}</kbd>
      </legend>
      <div className="flag-list">
        {FLAG_KEYS.map((category) => {
          const severity = flags[category];
          const label = FLAG_CATEGORY_LABELS[category];
          return (
            <div key={category} className={`flag-row${severity ? ' checked' : ''}`}>
              <label>
                <input
                  type="checkbox"
                  name={`flag.${side}.${category}`}
                  checked={!!severity}
                  data-flag-side={side}
                  onChange={(e) =>
                    onChange({ ...flags, [category]: e.target.checked ? 'medium' : undefined })
                  }
                />
                {label}
              </label>
              {severity ? (
                <select
                  name={`severity.${side}.${category}`}
                  aria-label={`Severity of ${label.toLowerCase()} in the ${side} response`}
                  value={severity}
                  onChange={(e) => onChange({ ...flags, [category]: e.target.value as SeverityKey })}
                >
                  {Object.entries(SEVERITY_LABELS).map(([value, text]) => (
                    <option key={value} value={value}>
                      {text}
                    </option>
                  ))}
                </select>
              ) : null}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

/** Both responses' flags side by side, as the compare and edit forms show them. */
export function FlagsGrid({
  flags,
  onChange,
}: {
  flags: { left: FlagState; right: FlagState };
  onChange: (next: { left: FlagState; right: FlagState }) => void;
}) {
  return (
    <div className="flags-grid">
      <FlagsField side="left" flags={flags.left} onChange={(left) => onChange({ ...flags, left })} />
      <FlagsField side="right" flags={flags.right} onChange={(right) => onChange({ ...flags, right })} />
    </div>
  );
}
