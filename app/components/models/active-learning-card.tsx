/**
 * The project's active learning on /models: which policy picks the next pairs, when the queue was
 * last re-ranked and with what, and the learning curve of the model against judgments collected.
 */
import { Form, Link } from '@remix-run/react';
import { LineChartCard } from '../charts';
import { usePollWhile } from '../../utils/use-poll';
import { formatDateTime, formatPercent } from '../../utils/format';
import type { ActiveLearningStatus } from '../../../tasks/active-learning/status';
import type { ModelVersionView } from '../../utils/models.server';

export function ActiveLearningCard({
  status,
  versions,
  projectSlug,
}: {
  status: ActiveLearningStatus;
  versions: readonly ModelVersionView[];
  projectSlug: string;
}) {
  usePollWhile(status.pending !== null, 2000);
  const curve = versions
    .filter(
      (v) => v.status === 'ready' && v.axis === status.axis && v.judgments !== null && v.accuracy !== null,
    )
    .sort((a, b) => a.judgments! - b.judgments!)
    .map((v) => ({
      judgments: v.judgments!,
      accuracy: Math.round(v.accuracy! * 1000) / 10,
      version: v.version,
    }));
  const last = status.last;
  return (
    <section className="card stack" aria-labelledby="al-h">
      <h2 id="al-h">Which pairs people see next</h2>
      <p style={{ margin: 0 }}>
        Selection policy <strong>{status.policy}</strong>: {status.description}.{' '}
        {status.enabled ? (
          <>
            The {status.axis} model retrains after every {status.retrainEvery} judgments and re-ranks the
            queue ({status.judgmentsSince} of {status.retrainEvery} since the last time).
          </>
        ) : (
          <>
            The queue is breadth-first and nothing retrains on its own. Choose another policy in the{' '}
            <Link to={`/projects/${projectSlug}`}>project’s settings</Link> to turn the loop on.
          </>
        )}
      </p>
      {status.pending ? (
        <div className="alert" role="status" aria-live="polite">
          {status.pending.status === 'queued'
            ? 'A re-ranking of the queue is waiting for a worker…'
            : `Re-ranking the queue${status.pending.stage ? ` (${status.pending.stage})` : ''}…`}
        </div>
      ) : null}
      {last ? (
        <p className="small" style={{ margin: 0 }}>
          Last re-ranked {formatDateTime(last.at)}
          {last.modelVersion !== null
            ? ` with version ${last.modelVersion}`
            : ' before any model (a seeded random order)'}{' '}
          at {last.judgments} judgments, in {last.seconds.toFixed(1)} s: {last.ranked} of {last.candidates}{' '}
          open pairs still need answers; {last.reasked} asked again because their answers split,{' '}
          {last.stopped} stopped early on a clear consensus, {last.skippedLeased} held by annotators left as
          they were.
        </p>
      ) : (
        <p className="small muted" style={{ margin: 0 }}>
          The queue has not been re-ranked yet.
        </p>
      )}
      <Form method="post" className="row">
        <input type="hidden" name="intent" value="refresh-queue" />
        <input type="hidden" name="project" value={projectSlug} />
        <button type="submit" disabled={status.pending !== null}>
          Re-rank the queue now
        </button>
        <span className="small muted">with the active model, without retraining</span>
      </Form>
      {curve.length >= 2 ? (
        <LineChartCard
          title="Learning curve"
          description={`Held-out accuracy of each ${status.axis} version against the judgments it was trained on (each version holds out its own 20%).`}
          data={curve}
          x="judgments"
          xLabel="judgments"
          lines={[{ key: 'accuracy', label: 'held-out accuracy (%)' }]}
        />
      ) : (
        <p className="small muted" style={{ margin: 0 }}>
          The learning curve appears once two {status.axis} versions are trained
          {curve.length === 1
            ? ` (version ${curve[0]!.version}: ${formatPercent(curve[0]!.accuracy / 100)})`
            : ''}
          .
        </p>
      )}
    </section>
  );
}
