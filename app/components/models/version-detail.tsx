/** One model version: its held-out metrics, learning curve, calibration by certainty, and features. */
import { BarChartCard, LineChartCard } from '../charts';
import type { ModelVersionView } from '../../utils/models.server';
import { formatDateTime, formatNumber, formatPercent } from '../../utils/format';

function Metric({ value, label, hint }: { value: string; label: string; hint?: string }) {
  return (
    <div>
      <div className="stat">{value}</div>
      <div className="stat-label">{label}</div>
      {hint ? <div className="small muted">{hint}</div> : null}
    </div>
  );
}

const QUINTILE_LABELS = ['most certain', '2nd', '3rd', '4th', 'least certain'];

function FeatureList({
  title,
  features,
}: {
  title: string;
  features: { feature: string; weight: number }[];
}) {
  return (
    <div>
      <h3>{title}</h3>
      {features.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <table className="data" aria-label={title}>
          <thead>
            <tr>
              <th>Feature</th>
              <th className="num">Weight</th>
            </tr>
          </thead>
          <tbody>
            {features.map((f, i) => (
              <tr key={`${i}-${f.feature}`}>
                <td>
                  <code>{f.feature}</code>
                </td>
                <td className="num">{formatNumber(f.weight, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function describeFilter(filter: ModelVersionView['filter']): string {
  if (!filter) return 'all judgments';
  const parts = [
    filter.languages.length ? `languages ${filter.languages.join(', ')}` : null,
    filter.domains.length ? `domains ${filter.domains.join(', ')}` : null,
    filter.since ? `since ${filter.since}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'all judgments';
}

export function VersionDetail({ version: v }: { version: ModelVersionView }) {
  const title = `Version ${v.version} · ${v.axis}`;
  const positive = v.topFeatures.filter((f) => f.weight > 0).slice(0, 10);
  const negative = v.topFeatures
    .filter((f) => f.weight < 0)
    .sort((a, b) => a.weight - b.weight)
    .slice(0, 10);
  return (
    <section className="card stack" aria-labelledby="version-detail-h">
      <div className="card-head">
        <div>
          <h2 id="version-detail-h">{title}</h2>
          <p className="small muted" style={{ margin: 0 }}>
            {v.status === 'ready' ? 'Trained' : 'Started'} {formatDateTime(v.createdAt)}
            {v.createdBy ? ` by ${v.createdBy}` : ''} on {describeFilter(v.filter)}
            {v.judgments !== null ? ` (${v.judgments} judgments)` : ''}.
          </p>
        </div>
        {v.isActive ? <span className="badge badge-success">active</span> : null}
      </div>
      {v.status === 'training' ? <p>This version is still training.</p> : null}
      {v.status === 'failed' ? (
        <div className="alert alert-error" role="alert">
          Training failed{v.error ? `: ${v.error}` : '.'}
        </div>
      ) : null}
      {v.status === 'ready' ? (
        <>
          <div className="stats stats-wide" role="group" aria-label="Held-out metrics">
            <Metric
              value={formatPercent(v.accuracy)}
              label="held-out accuracy"
              hint={`“longer reply wins” gets ${formatPercent(v.lengthBaseline)}`}
            />
            <Metric value={formatNumber(v.ece, 3)} label="calibration error (ECE)" />
            <Metric value={formatNumber(v.logLoss, 3)} label="log loss" />
            <Metric
              value={String(v.testPairs ?? '—')}
              label="held-out pairs"
              hint={`${v.trainPairs ?? '—'} trained on`}
            />
          </div>
          <div className="grid-2">
            <LineChartCard
              title="Learning curve"
              description="Held-out accuracy (%) when trained on part of the training pairs: still rising means more judgments would help."
              data={v.learningCurve.map((p) => ({
                pairs: p.pairs,
                accuracy: Math.round(p.accuracy * 1000) / 10,
              }))}
              x="pairs"
              xLabel="training pairs"
              lines={[{ key: 'accuracy', label: 'Accuracy (%)' }]}
              yDomain={[0, 100]}
            />
            <BarChartCard
              title="Accuracy by model certainty"
              description="Held-out accuracy (%) in five equal groups, from the pairs the model is surest about to the least sure."
              data={v.quintiles.map((q, i) => ({
                group: QUINTILE_LABELS[i] ?? String(i + 1),
                accuracy: q === null ? 0 : Math.round(q * 1000) / 10,
              }))}
              x="group"
              y="accuracy"
              yLabel="Accuracy (%)"
              yDomain={[0, 100]}
            />
          </div>
          <div className="grid-2">
            <FeatureList title="Features that raise the reward most" features={positive} />
            <FeatureList title="Features that lower the reward most" features={negative} />
          </div>
          <dl className="props small">
            <dt>L2 strength (λ)</dt>
            <dd>{v.lambda ?? '—'}</dd>
            <dt>Temperature</dt>
            <dd>{formatNumber(v.temperature, 3)}</dd>
            <dt>Seed</dt>
            <dd>{v.seed ?? '—'}</dd>
            <dt>Training time</dt>
            <dd>{v.trainSeconds === null ? '—' : `${formatNumber(v.trainSeconds, 1)} s`}</dd>
            <dt>Training data snapshot</dt>
            <dd>
              <code>{v.snapshotId ?? '—'}</code>
            </dd>
          </dl>
        </>
      ) : null}
    </section>
  );
}
