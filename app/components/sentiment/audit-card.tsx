/**
 * What the audits say about accepted labels: the error rate per confidence band with its 95%
 * Wilson interval, a warning when it exceeds the tolerance, and a one-click better threshold.
 */
import { Form } from '@remix-run/react';
import type { SentimentOverview } from '../../utils/sentiment.server';
import { formatPercent } from '../../utils/format';

const interval = (r: { estimate: number; low: number; high: number }, n: number) =>
  n === 0 ? '—' : `${formatPercent(r.estimate)} (${formatPercent(r.low)}–${formatPercent(r.high)})`;

export function AuditCard({
  audits,
  canManage,
}: {
  audits: SentimentOverview['audits'];
  canManage: boolean;
}) {
  const { overall, status, tolerance } = audits;
  return (
    <section className="card" aria-labelledby="audit-h">
      <h2 id="audit-h">Audits of accepted labels</h2>
      <p className="small muted">
        Error rate among audited items, with 95% Wilson intervals, by the model’s confidence. Tolerance:{' '}
        {formatPercent(tolerance)} wrong.
      </p>
      {status === 'exceeds' || status === 'may-exceed' ? (
        <div className="alert alert-error" role="alert">
          <p style={{ marginTop: 0 }}>
            <strong>
              {status === 'exceeds'
                ? 'Accepted labels are wrong more often than the tolerance allows.'
                : 'Accepted labels may be wrong more often than the tolerance allows.'}
            </strong>{' '}
            {overall.wrong} of {overall.audited} audits disagreed:{' '}
            {interval(overall.errorRate, overall.audited)}. {audits.suggestion}
          </p>
          {canManage && audits.suggestedThreshold !== null ? (
            <Form method="post" className="row">
              <input type="hidden" name="intent" value="settings" />
              <input type="hidden" name="autoAcceptThreshold" value={audits.suggestedThreshold} />
              <button type="submit">Raise the threshold to {audits.suggestedThreshold}</button>
            </Form>
          ) : null}
        </div>
      ) : null}
      {status === 'no-audits' ? (
        <p className="empty">
          No audits yet. They appear once a trained model accepts items and people check the ones drawn for
          audit.
        </p>
      ) : (
        <table className="data" aria-label="Audit error rate by confidence">
          <thead>
            <tr>
              <th>Confidence</th>
              <th className="num">Accepted</th>
              <th className="num">Audited</th>
              <th className="num">Wrong</th>
              <th>Error rate (95% interval)</th>
            </tr>
          </thead>
          <tbody>
            {audits.bands.map((b) => (
              <tr key={b.from}>
                <td>
                  {b.from.toFixed(2)}–{b.to.toFixed(2)}
                </td>
                <td className="num">{b.accepted}</td>
                <td className="num">{b.audited}</td>
                <td className="num">{b.wrong}</td>
                <td>{interval(b.errorRate, b.audited)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">All ≥ {audits.threshold}</th>
              <td className="num">{overall.accepted}</td>
              <td className="num">{overall.audited}</td>
              <td className="num">{overall.wrong}</td>
              <td>
                <strong>{interval(overall.errorRate, overall.audited)}</strong>
              </td>
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}
