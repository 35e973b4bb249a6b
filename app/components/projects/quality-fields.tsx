/** A project's quality control inside its settings form: gold, repeats, adjudication, consensus. */
import { Field } from '../form';

export interface QualityView {
  goldRate: number;
  /** preference projects only (sentiment items are not repeated) */
  repeatRate: number | null;
  goldThreshold: number;
  adjudicateBelow: number;
  consensusMethod: string;
  reliabilityWeights: boolean;
  refreshEvery: number;
}

const METHODS = [
  { value: 'auto', label: 'Automatic: chosen by validation on gold items' },
  { value: 'majority', label: 'Majority vote' },
  { value: 'dawid-skene', label: 'Dawid-Skene (per-annotator confusion matrices)' },
  { value: 'one-coin', label: 'One-coin Dawid-Skene (one accuracy per annotator)' },
];

export function QualityFields({
  settings,
  fieldError,
}: {
  settings: QualityView;
  fieldError: (name: string) => string | undefined;
}) {
  return (
    <fieldset className="fieldset">
      <legend>Quality control</legend>
      <div className="row">
        <Field
          label="Gold rate"
          name="goldRate"
          type="number"
          step="0.01"
          min={0}
          max={0.5}
          defaultValue={settings.goldRate}
          error={fieldError('goldRate')}
          hint="Share of assignments that are gold items (marked on a pair's or item's page); annotators cannot tell them apart."
        />
        {settings.repeatRate !== null ? (
          <Field
            label="Repeat rate"
            name="repeatRate"
            type="number"
            step="0.01"
            min={0}
            max={0.5}
            defaultValue={settings.repeatRate}
            error={fieldError('repeatRate')}
            hint="Share of assignments that bring back one of the person's own earlier pairs, sides swapped, to measure self-consistency."
          />
        ) : null}
        <Field
          label="Gold accuracy threshold"
          name="goldThreshold"
          type="number"
          step="0.05"
          min={0}
          max={1}
          defaultValue={settings.goldThreshold}
          error={fieldError('goldThreshold')}
          hint="An annotator is flagged when even the top of their gold-accuracy interval is below this."
        />
      </div>
      <div className="row">
        <Field
          label="Adjudicate below"
          name="adjudicateBelow"
          type="number"
          step="0.05"
          min={0}
          max={1}
          defaultValue={settings.adjudicateBelow}
          error={fieldError('adjudicateBelow')}
          hint="A unit goes to adjudication when its leading answer has less than this share of the judgments."
        />
        <Field
          label="Refresh the report every (answers)"
          name="qualityRefreshEvery"
          type="number"
          min={10}
          max={1000000}
          defaultValue={settings.refreshEvery}
          error={fieldError('qualityRefreshEvery')}
        />
      </div>
      <div className="field">
        <label htmlFor="consensusMethod">Consensus method</label>
        <select
          id="consensusMethod"
          name="consensusMethod"
          defaultValue={settings.consensusMethod}
          style={{ width: 'auto' }}
        >
          {METHODS.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
        <div className="hint">
          Automatic uses majority vote unless a model of annotator error scores strictly better on at least 20
          gold items; the calibration page says which method is in use and why.
        </div>
        {fieldError('consensusMethod') ? <div className="error">{fieldError('consensusMethod')}</div> : null}
      </div>
      <input type="hidden" name="reliabilityWeights" value="" />
      <label className="check-line">
        <input
          type="checkbox"
          name="reliabilityWeights"
          value="on"
          defaultChecked={settings.reliabilityWeights}
        />{' '}
        Weight judgments by annotator reliability (Dawid-Skene, from the latest quality report) in consensus
        and in reward and sentiment training
      </label>
    </fieldset>
  );
}
