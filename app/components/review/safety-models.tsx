/**
 * The review page's "Safety model" panel: per model version, its pre-flags against reviewers'
 * decisions (precision, recall at the threshold, the review load), how often annotators kept its
 * suggestions, its held-out numbers from training, and the retrain button with the job's progress.
 */
import { Form } from '@remix-run/react';
import type { SafetyModelMeasurement } from '../../../tasks/safety/measure';
import { formatDateTime } from '../../utils/format';

/** A version as the loader sends it (dates as ISO strings). */
export type SafetyVersionView = Omit<SafetyModelMeasurement, 'createdAt'> & { createdAt: string };

export interface SafetyJobView {
  status: string;
  progress: { stage?: string; fraction?: number } | null;
  error: string | null;
  createdAt: string;
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `${Math.round(v * 100)}%`;

function Match({ m }: { m: SafetyVersionView['live'] }) {
  if (m.decided === 0) return <span className="muted">no decisions yet</span>;
  return (
    <>
      {pct(m.precision)} / {pct(m.recall)}
      <div className="small muted">
        {m.decided} decided, {m.harmful} harmful
      </div>
    </>
  );
}

export function SafetyModels({
  project,
  versions,
  job,
  counts,
}: {
  /** the project's slug (where the label upload goes) */
  project: string;
  versions: SafetyVersionView[];
  job: SafetyJobView | null;
  counts: { reviewed: number; imported: number; flagged: number; unflagged: number; unsafe: number };
}) {
  const busy = job?.status === 'queued' || job?.status === 'running';
  const total = counts.reviewed + counts.imported + counts.flagged + counts.unflagged;
  return (
    <div className="stack">
      <p className="small muted">
        Pre-flags are responses at or above the risk threshold. <b>Precision / recall</b> compare them with
        safety reviewers&apos; decisions: recall is the share of confirmed-harmful responses the threshold
        would have sent to review. <b>Live</b> counts decisions made after the version was trained; <b>all</b>{' '}
        includes the decisions it learned from. Reviewers only see what was flagged or sent, so recall among
        decided responses can look better than it is.
      </p>
      {versions.length === 0 ? (
        <p className="empty">No safety model yet. Train one from the decisions and labels below.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-label="Safety model versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Threshold</th>
                <th scope="col">Review load</th>
                <th scope="col">Live precision / recall</th>
                <th scope="col">All precision / recall</th>
                <th scope="col">Suggestions kept</th>
                <th scope="col">Held out at training</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.modelId}>
                  <td>
                    v{v.version} {v.isActive ? <span className="badge badge-accent">active</span> : null}
                    <div className="small muted">{formatDateTime(v.createdAt)}</div>
                  </td>
                  <td>{pct(v.threshold)}</td>
                  <td>
                    {pct(v.reviewLoad)}
                    <div className="small muted">of {v.scored} scored</div>
                  </td>
                  <td>
                    <Match m={v.live} />
                  </td>
                  <td>
                    <Match m={v.all} />
                  </td>
                  <td>
                    {v.suggestions.shown
                      ? `${v.suggestions.accepted} of ${v.suggestions.shown} (${pct(v.suggestions.accepted / v.suggestions.shown)})`
                      : '–'}
                  </td>
                  <td>
                    {v.heldOut ? (
                      <>
                        accuracy {pct(v.heldOut.accuracy)}, AUC {v.heldOut.auc?.toFixed(2) ?? '–'}
                        <div className="small muted">
                          recall {pct(v.heldOut.recall)} at load {pct(v.heldOut.reviewLoad)}, n ={' '}
                          {v.heldOut.n}
                        </div>
                      </>
                    ) : (
                      <span className="small muted">too few examples to hold any out</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Form method="post" className="row">
        <input type="hidden" name="intent" value="retrain" />
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Training…' : versions.length ? 'Retrain the safety model' : 'Train the safety model'}
        </button>
        <span className="small muted">
          Learns from {total} responses: {counts.reviewed} reviewed, {counts.imported} imported with labels,{' '}
          {counts.flagged} flagged and not yet reviewed, {counts.unflagged} judged without a flag (
          {counts.unsafe} unsafe in all).
        </span>
      </Form>
      <Form
        method="post"
        action={`/review/labels?project=${encodeURIComponent(project)}`}
        encType="multipart/form-data"
        className="row"
        aria-label="Import labelled responses"
      >
        <label className="field">
          <span>Labelled responses (BeaverTails CSV or JSONL, up to 64 MB)</span>
          <input type="file" name="labels" accept=".csv,.jsonl,.json,.gz" required />
        </label>
        <button type="submit" className="button">
          Import labels
        </button>
        <span className="small muted">
          Rows with prompt, response, category and is_safe; their categories go through the project&apos;s
          category map (Settings).
        </span>
      </Form>
      {job ? (
        <p className={`small ${job.status === 'failed' ? 'alert alert-error' : 'muted'}`} aria-live="polite">
          Last training {job.status}
          {busy && job.progress?.stage
            ? `: ${job.progress.stage}${typeof job.progress.fraction === 'number' && job.progress.fraction <= 1 ? ` (${pct(job.progress.fraction)})` : ''}`
            : ''}
          {job.status === 'failed' && job.error ? `: ${job.error}` : ''} · started{' '}
          {formatDateTime(job.createdAt)}
        </p>
      ) : null}
    </div>
  );
}
