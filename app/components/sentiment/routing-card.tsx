/** Where a sentiment project's items are: with people, accepted, audited, held out. */
import type { SentimentOverview } from '../../utils/sentiment.server';
import { formatCount } from '../../utils/format';
import { BarChartCard } from '../charts';

export function RoutingCard({
  routing,
  threshold,
  activeModel,
}: {
  routing: SentimentOverview['routing'];
  threshold: number;
  activeModel: SentimentOverview['activeModel'];
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
            : 'No trained model yet: the word-list (VADER) guesses are shown as hints and order the queue, but nothing is accepted without a person until a retraining cycle trains a model.'}
        </p>
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
