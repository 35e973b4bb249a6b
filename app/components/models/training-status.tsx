/** A training run's live status: waiting, the current step with a progress bar, done, or failed. */
import { JobProgressBar } from '../project-progress';
import { usePollWhile } from '../../utils/use-poll';
import { Link } from '@remix-run/react';
import type { TrainingJobView } from '../../utils/models.server';
import { formatPercent } from '../../utils/format';
import { REWARD_AXIS_LABELS, stageLabel } from '../../../tasks/reward-training.schema';

export function TrainingStatus({ job, projectSlug }: { job: TrainingJobView; projectSlug: string }) {
  usePollWhile(job.status === 'queued' || job.status === 'running');
  const axis = REWARD_AXIS_LABELS[job.axis as keyof typeof REWARD_AXIS_LABELS] ?? job.axis;
  const progress = job.progress ?? {};
  const percent = Math.round((progress.overall ?? 0) * 100);
  const result = job.result ?? {};
  return (
    <section className="card" aria-labelledby="training-status-h" aria-live="polite">
      <h2 id="training-status-h">Training a {axis.toLowerCase()} model</h2>
      {job.status === 'queued' ? <p>Waiting for a worker…</p> : null}
      {job.status === 'running' ? (
        <div>
          <p>
            {progress.stage ? `${stageLabel(progress.stage)}…` : 'Starting…'}
            {progress.judgments ? (
              <span className="muted">
                {' '}
                ({progress.judgments} judgments on {progress.pairs} pairs)
              </span>
            ) : null}
          </p>
          <JobProgressBar label="Training progress" value={percent} />
        </div>
      ) : null}
      {job.status === 'succeeded' ? (
        <div className="alert alert-success" role="status">
          Version {result.version} is ready: {formatPercent(result.accuracy ?? null)} held-out accuracy.
          {result.activated
            ? ' It is now the active model, and every pair has been scored with it.'
            : ''}{' '}
          <Link to={`/models?project=${projectSlug}&version=${result.modelId}`}>
            Show version {result.version}
          </Link>
        </div>
      ) : null}
      {job.status === 'failed' || job.status === 'cancelled' ? (
        <div className="alert alert-error" role="alert">
          Training failed: {job.error ?? 'the job was cancelled.'}
        </div>
      ) : null}
    </section>
  );
}
