/** Where a sentiment project's items are: with people, accepted, audited, held out; and what pre-labels them. */
import type { SentimentOverview } from '../../utils/sentiment.server';
import { formatCount, formatDateTime } from '../../utils/format';
import { usePollWhile } from '../../utils/use-poll';
import { BarChartCard } from '../charts';
import { JobProgressBar } from '../project-progress';

function coldStartText(coldStart: SentimentOverview['coldStart']): string {
  const who =
    coldStart.model && !coldStart.problem
      ? `the pretrained model ${coldStart.model}`
      : 'the word list (VADER)';
  return `No trained model yet: ${who} guesses are shown as hints and order the queue, but nothing is accepted without a person until a retraining cycle trains a model.`;
}

/** The newest re-pre-labeling pass (after a new cold start): its progress, or what it did. */
function PrelabelJob({ job }: { job: NonNullable<SentimentOverview['prelabelJob']> }) {
  const active = job.status === 'queued' || job.status === 'running';
  usePollWhile(active);
  if (active)
    return (
      <div role="status">
        <p className="small">
          {job.status === 'queued'
            ? 'Pre-labeling the waiting items again: queued for the background worker.'
            : `Pre-labeling the waiting items again: ${formatCount(job.progress?.done ?? 0)} of ${formatCount(job.progress?.total ?? 0)}.`}
        </p>
        <JobProgressBar
          label="Pre-labeling progress"
          value={job.progress?.done ?? 0}
          max={Math.max(1, job.progress?.total ?? 1)}
        />
      </div>
    );
  if (job.status === 'failed')
    return (
      <p className="alert alert-error" role="alert">
        Pre-labeling the waiting items again failed: {job.error}
      </p>
    );
  const r = job.result;
  return (
    <>
      {r?.note ? (
        <p className="alert alert-warning" role="alert">
          {r.note}
        </p>
      ) : null}
      <p className="small muted">
        Last re-pre-labeled {job.finishedAt ? formatDateTime(job.finishedAt) : ''} by {r?.by ?? 'nothing'}
        {r?.routing
          ? `: ${formatCount(r.routing.human)} to people, ${formatCount(r.routing.auto)} accepted.`
          : '.'}
      </p>
    </>
  );
}

export function RoutingCard({
  routing,
  threshold,
  activeModel,
  coldStart,
  prelabelJob,
}: {
  routing: SentimentOverview['routing'];
  threshold: number;
  activeModel: SentimentOverview['activeModel'];
  coldStart: SentimentOverview['coldStart'];
  prelabelJob: SentimentOverview['prelabelJob'];
}) {
  const bars = [
    { route: 'Waiting', items: routing.human_open },
    { route: 'Labelled', items: routing.human_done },
    { route: 'Accepted', items: routing.auto },
    { route: 'To audit', items: routing.audit_pending },
    { route: 'Audited', items: routing.audit_done },
  ];
  return (
    <>
      <section className="card" aria-labelledby="routing-h">
        <h2 id="routing-h">Routing</h2>
        <p className="small muted">
          {activeModel
            ? `Model v${activeModel.version} pre-labels new items; those it is at least ${Math.round(threshold * 100)}% sure of are accepted without a person, and a random share of those is audited.`
            : coldStartText(coldStart)}
        </p>
        {!activeModel && coldStart.model && coldStart.problem ? (
          <p className="alert alert-warning" role="alert">
            The cold-start model {coldStart.model} cannot be used ({coldStart.problem}); the word list
            pre-labels instead.
          </p>
        ) : null}
        {prelabelJob ? <PrelabelJob job={prelabelJob} /> : null}
        <div className="stats">
          <div>
            <div className="stat">{formatCount(routing.items)}</div>
            <div className="stat-label">items</div>
          </div>
          <div>
            <div className="stat">{formatCount(routing.human_labels)}</div>
            <div className="stat-label">labels from people</div>
          </div>
          <div>
            <div className="stat">
              {formatCount(routing.holdout_labelled)} / {formatCount(routing.holdout)}
            </div>
            <div className="stat-label">held-out items labelled</div>
          </div>
        </div>
      </section>
      <BarChartCard
        title="Items by route"
        description="Waiting for people, labelled by people, accepted from the model, drawn for audit, audited."
        data={bars}
        x="route"
        y="items"
        yLabel="Items"
      />
    </>
  );
}
