/** A preference project's selection policy inside its settings form. */
import { useState } from 'react';
import { Field } from '../form';

export interface ActiveLearningView {
  policy: string;
  retrainEvery: number;
  axis: 'helpfulness' | 'safety';
  cap: number;
  exploration: number;
  /** every policy with what it does, for the select */
  policies: { name: string; description: string }[];
}

export function ActiveLearningFields({
  settings,
  fieldError,
}: {
  settings: ActiveLearningView;
  fieldError: (name: string) => string | undefined;
}) {
  const [policy, setPolicy] = useState(settings.policy);
  const chosen = settings.policies.find((p) => p.name === policy);
  return (
    <fieldset className="fieldset">
      <legend>Which pairs people see next</legend>
      <div className="field">
        <label htmlFor="alPolicy">Selection policy</label>
        <select
          id="alPolicy"
          name="alPolicy"
          value={policy}
          onChange={(e) => setPolicy(e.target.value)}
          aria-describedby="alPolicy-hint"
          style={{ width: 'auto' }}
        >
          {settings.policies.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <div className="hint" id="alPolicy-hint">
          {chosen ? (
            <strong>{chosen.description[0]!.toUpperCase() + chosen.description.slice(1)}. </strong>
          ) : null}
          Any policy but least-judged retrains the reward model as judgments arrive (the new version becomes
          the active one) and re-ranks the waiting pairs; pairs someone holds keep their place.
        </div>
        {fieldError('alPolicy') ? <div className="error">{fieldError('alPolicy')}</div> : null}
      </div>
      <div className="row">
        <Field
          label="Retrain every (judgments)"
          name="alRetrainEvery"
          type="number"
          min={5}
          max={100000}
          defaultValue={settings.retrainEvery}
          error={fieldError('alRetrainEvery')}
          hint="Also the batch a diverse policy spreads out."
        />
        <div className="field">
          <label htmlFor="alAxis">Rank by the model of</label>
          <select id="alAxis" name="alAxis" defaultValue={settings.axis}>
            <option value="helpfulness">helpfulness</option>
            <option value="safety">safety</option>
          </select>
        </div>
        <Field
          label="Most answers for a split pair"
          name="alCap"
          type="number"
          min={1}
          max={20}
          defaultValue={settings.cap}
          error={fieldError('alCap')}
          hint="Disagreement-aware policies ask again up to this."
        />
        <Field
          label="Exploration share"
          name="alExploration"
          type="number"
          min={0}
          max={0.5}
          step={0.01}
          defaultValue={settings.exploration}
          error={fieldError('alExploration')}
          hint="Hybrid: this share of each batch is random."
        />
      </div>
    </fieldset>
  );
}
