/** A preference project's safety triage inside its settings form: suggestions, thresholds, category map. */
import { Field, TextAreaField } from '../form';

export interface SafetyView {
  suggestions: boolean;
  suggestThreshold: number;
  /** null: the active model's own threshold */
  riskThreshold: number | null;
  targetRecall: number;
  categoryMap: Record<string, string | null>;
}

export function SafetyFields({
  settings,
  fieldError,
}: {
  settings: SafetyView;
  fieldError: (name: string) => string | undefined;
}) {
  return (
    <fieldset className="fieldset">
      <legend>Safety triage</legend>
      <input type="hidden" name="safetySuggestions" value="" />
      <label className="check-line">
        <input type="checkbox" name="safetySuggestions" value="on" defaultChecked={settings.suggestions} />{' '}
        Show the safety model&apos;s suggested flags to annotators (unchecked, with their confidence); switch
        off to avoid anchoring
      </label>
      <div className="row">
        <Field
          label="Suggest flags from"
          name="safetySuggestThreshold"
          type="number"
          step="0.05"
          min={0.05}
          max={1}
          defaultValue={settings.suggestThreshold}
          error={fieldError('safetySuggestThreshold')}
          hint="A category is suggested when the model's probability for it is at least this."
        />
        <Field
          label="Risk threshold"
          name="safetyRiskThreshold"
          type="number"
          step="0.01"
          min={0}
          max={1}
          defaultValue={settings.riskThreshold ?? ''}
          placeholder="the model's"
          error={fieldError('safetyRiskThreshold')}
          hint="Responses at or above this P(unsafe) go to safety review even when nobody flagged them. Empty: the threshold the active model chose for the target recall."
        />
        <Field
          label="Target recall"
          name="safetyTargetRecall"
          type="number"
          step="0.01"
          min={0.5}
          max={1}
          defaultValue={settings.targetRecall}
          error={fieldError('safetyTargetRecall')}
          hint="When a model is trained, its threshold is chosen so this share of held-out unsafe responses reaches review."
        />
      </div>
      <TextAreaField
        label="Category map (imported data → flag categories)"
        name="safetyCategoryMap"
        rows={6}
        defaultValue={JSON.stringify(settings.categoryMap, null, 1)}
        error={fieldError('safetyCategoryMap')}
        hint="JSON: each source category of imported safety data (BeaverTails names by default) to one of violence, self_harm, sexual, hate_harassment, illegal_weapons, privacy, dangerous_advice, other, or null (unsafe, no category). Takes effect at the next retraining."
      />
    </fieldset>
  );
}
