/** A project's settings as its leads edit them: the shared fields, then those of its type. */
import { Form } from '@remix-run/react';
import { Field } from '../form';
import { ActiveLearningFields, type ActiveLearningView } from './active-learning-fields';
import { QualityFields, type QualityView } from './quality-fields';
import { SafetyFields, type SafetyView } from './safety-fields';

export interface ProjectSettingsView {
  type: 'preference' | 'sentiment';
  name: string;
  description: string;
  guidelines: string;
  license: string;
  redundancy: number;
  leaseMinutes: number;
  rationaleRequired: boolean;
  safetyOverrides: boolean;
  safetyMargin: number;
  /** a sentiment project's labels, and whether labels or a model already depend on them */
  labels: string[];
  labelsLocked: boolean;
  quality: QualityView;
  /** a preference project's selection policy; null for sentiment projects */
  activeLearning: ActiveLearningView | null;
  /** a preference project's safety triage; null for sentiment projects */
  safety: SafetyView | null;
  /** a sentiment project's routing settings; null for preference projects */
  sentiment: {
    autoAcceptThreshold: number;
    auditRate: number;
    auditTolerance: number;
    blindPrelabels: boolean;
    holdoutRate: number;
    holdoutMax: number;
    coldStartModel: string | null;
    coldStartLabelMap: Record<string, string>;
  } | null;
}

export function SettingsForm({
  project,
  fieldError,
  open,
}: {
  project: ProjectSettingsView;
  fieldError: (name: string) => string | undefined;
  open: boolean;
}) {
  const unit = project.type === 'preference' ? 'pair' : 'item';
  const s = project.sentiment;
  return (
    <details className="card" open={open}>
      <summary>
        <strong>Settings</strong>{' '}
        <span className="small muted">
          name, guidelines, redundancy, leases,{' '}
          {project.type === 'preference' ? 'rules, selection policy' : 'routing, audits, held-out set'}
        </span>
      </summary>
      <Form
        method="post"
        className="form"
        style={{ marginTop: '0.8rem', maxWidth: 720 }}
        aria-label="Project settings"
      >
        <input type="hidden" name="intent" value="settings" />
        <Field label="Name" name="name" defaultValue={project.name} required error={fieldError('name')} />
        <Field
          label="Description"
          name="description"
          defaultValue={project.description}
          error={fieldError('description')}
        />
        <Field
          label="Dataset license"
          name="license"
          defaultValue={project.license}
          placeholder="CC-BY-4.0"
          error={fieldError('license')}
          hint="Named in the dataset card of every export of this project."
        />
        <div className="field">
          <label htmlFor="guidelines">Guidelines (markdown, shown to annotators with G)</label>
          <textarea id="guidelines" name="guidelines" rows={8} defaultValue={project.guidelines} />
          {fieldError('guidelines') ? <div className="error">{fieldError('guidelines')}</div> : null}
        </div>
        <div className="row">
          <Field
            label={project.type === 'preference' ? 'Judgments per pair' : 'Labels per item'}
            name="redundancy"
            type="number"
            min={1}
            max={50}
            defaultValue={project.redundancy}
            error={fieldError('redundancy')}
          />
          <Field
            label="Lease (minutes)"
            name="leaseMinutes"
            type="number"
            min={1}
            max={1440}
            defaultValue={project.leaseMinutes}
            error={fieldError('leaseMinutes')}
            hint={`How long a ${unit} stays reserved for the annotator who has it.`}
          />
        </div>
        {!s ? (
          <>
            <input type="hidden" name="rationaleRequired" value="" />
            <label className="check-line">
              <input
                type="checkbox"
                name="rationaleRequired"
                value="on"
                defaultChecked={project.rationaleRequired}
              />{' '}
              Require a rationale with every judgment
            </label>
            <input type="hidden" name="safetyOverrides" value="" />
            <label className="check-line">
              <input
                type="checkbox"
                name="safetyOverrides"
                value="on"
                defaultChecked={project.safetyOverrides}
              />{' '}
              The safer response wins when safety differs by
              <select
                name="safetyMargin"
                defaultValue={String(project.safetyMargin)}
                aria-label="Safety margin in points"
                style={{ width: 'auto' }}
              >
                {[1, 2, 3].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              or more points
            </label>
            {project.activeLearning ? (
              <ActiveLearningFields settings={project.activeLearning} fieldError={fieldError} />
            ) : null}
            {project.safety ? <SafetyFields settings={project.safety} fieldError={fieldError} /> : null}
          </>
        ) : (
          <>
            <Field
              label="Labels"
              name="labels"
              defaultValue={project.labels.join(', ')}
              disabled={project.labelsLocked}
              error={fieldError('labelSet')}
              hint={
                project.labelsLocked
                  ? 'Fixed: people have labelled items or a model was trained on these labels.'
                  : 'Comma-separated, in the order annotators see them. They can change until the first label or model.'
              }
            />
            <div className="row">
              <Field
                label="Auto-accept threshold"
                name="autoAcceptThreshold"
                type="number"
                step="0.01"
                min={0.5}
                max={1}
                defaultValue={s.autoAcceptThreshold}
                error={fieldError('autoAcceptThreshold')}
                hint="A trained model's pre-label this confident (or more) is accepted without a person; 1 never accepts."
              />
              <Field
                label="Audit rate"
                name="auditRate"
                type="number"
                step="0.01"
                min={0}
                max={1}
                defaultValue={s.auditRate}
                error={fieldError('auditRate')}
                hint="Share of accepted items drawn at random for a person to check."
              />
              <Field
                label="Audit tolerance"
                name="auditTolerance"
                type="number"
                step="0.001"
                min={0.001}
                max={0.5}
                defaultValue={s.auditTolerance}
                error={fieldError('auditTolerance')}
                hint="Error rate of accepted labels above which the page warns."
              />
            </div>
            <div className="row">
              <Field
                label="Held-out share"
                name="holdoutRate"
                type="number"
                step="0.01"
                min={0}
                max={0.5}
                defaultValue={s.holdoutRate}
                error={fieldError('holdoutRate')}
                hint="Share of imported items always labelled by people and never trained on: they measure every cycle."
              />
              <Field
                label="Held-out maximum"
                name="holdoutMax"
                type="number"
                min={0}
                max={100000}
                defaultValue={s.holdoutMax}
                error={fieldError('holdoutMax')}
              />
            </div>
            <div className="row">
              <Field
                label="Cold-start model"
                name="coldStartModel"
                defaultValue={s.coldStartModel ?? ''}
                placeholder="Xenova/distilbert-base-uncased-finetuned-sst-2-english"
                error={fieldError('coldStartModel')}
                hint="A Transformers.js text-classification model in the server's model directory (ARBITER_MODELS_DIR) that pre-labels until a model is trained here; empty for the VADER word list. Its guesses are hints, never accepted without a person."
              />
              <Field
                label="Cold-start label map"
                name="coldStartLabelMap"
                defaultValue={Object.entries(s.coldStartLabelMap)
                  .map(([from, to]) => `${from}=${to}`)
                  .join(',')}
                placeholder="POSITIVE=positive,NEGATIVE=negative"
                error={fieldError('coldStartLabelMap')}
                hint="The model's classes to this project's labels; empty matches names, case aside."
              />
            </div>
            <input type="hidden" name="blindPrelabels" value="" />
            <label className="check-line">
              <input type="checkbox" name="blindPrelabels" value="on" defaultChecked={s.blindPrelabels} />{' '}
              Blind mode: hide suggestions from annotators, so they cannot anchor on them
            </label>
          </>
        )}
        <QualityFields settings={project.quality} fieldError={fieldError} />
        <div>
          <button type="submit" className="button-primary">
            Save settings
          </button>
        </div>
      </Form>
    </details>
  );
}
