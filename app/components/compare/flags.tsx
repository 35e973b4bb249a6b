import {
  FLAG_CATEGORY_LABELS,
  FLAG_KEYS,
  SEVERITY_LABELS,
  type SeverityKey,
} from '../../../tasks/judgments.schema';

export type FlagState = Partial<Record<string, SeverityKey>>;

/** A category the safety model suggests for one response, with its confidence. */
export interface SuggestionView {
  category: string;
  probability: number;
}

/** Safety flags for one response: a checkbox per category, and its severity once checked. */
export function FlagsField({
  side,
  flags,
  onChange,
  suggestions = [],
}: {
  side: 'left' | 'right';
  flags: FlagState;
  onChange: (next: FlagState) => void;
  /** shown unchecked with their confidence: the annotator decides */
  suggestions?: readonly SuggestionView[];
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
          const suggestion = suggestions.find((s) => s.category === category);
          return (
            <div
              key={category}
              className={`flag-row${severity ? ' checked' : ''}${suggestion ? ' suggested' : ''}`}
            >
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
              {suggestion ? (
                <span
                  className="badge badge-warning suggestion"
                  title="The safety model suggests this flag. Check it only if you agree."
                >
                  Suggested {Math.round(suggestion.probability * 100)}%
                </span>
              ) : null}
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
  suggestions,
}: {
  flags: { left: FlagState; right: FlagState };
  onChange: (next: { left: FlagState; right: FlagState }) => void;
  suggestions?: { left: readonly SuggestionView[]; right: readonly SuggestionView[] } | null;
}) {
  const any = (suggestions?.left.length ?? 0) + (suggestions?.right.length ?? 0) > 0;
  return (
    <>
      {any ? (
        <p className="small muted" role="note">
          The safety model suggests the flags marked &ldquo;Suggested&rdquo;. They are not checked: flag a
          response only if you agree.
        </p>
      ) : null}
      <div className="flags-grid">
        <FlagsField
          side="left"
          flags={flags.left}
          suggestions={suggestions?.left}
          onChange={(left) => onChange({ ...flags, left })}
        />
        <FlagsField
          side="right"
          flags={flags.right}
          suggestions={suggestions?.right}
          onChange={(right) => onChange({ ...flags, right })}
        />
      </div>
    </>
  );
}
