/**
 * Retraining cycles: "is the loop working?" as a chart of held-out accuracy before and after each
 * cycle, the cycles as a table, and the form that starts the next one with its live progress.
 */
import { JobProgressBar } from '../project-progress';
import { Form, useNavigation } from '@remix-run/react';
import { usePollWhile } from '../../utils/use-poll';
import { createColumnHelper } from '@tanstack/react-table';
import type { SentimentOverview } from '../../utils/sentiment.server';
import { formatDateTime, formatNumber, formatPercent } from '../../utils/format';
import { LineChartCard } from '../charts';
import { DataTable } from '../data-table';
import { FormError } from '../form';

type Cycle = SentimentOverview['cycles'][number];
const col = createColumnHelper<Cycle>();
const SOURCE: Record<string, string> = {
  lexicon: 'word list',
  pretrained: 'pretrained model',
  model: 'model',
};
const columns = [
  col.accessor('number', { header: 'Cycle', meta: { numeric: true } }),
  col.accessor('createdAt', { header: 'When', cell: (c) => formatDateTime(c.getValue()) }),
  col.accessor((c) => (c.beforeSource ? SOURCE[c.beforeSource] : 'nothing'), {
    id: 'beforeSource',
    header: 'Before',
  }),
  col.accessor('before', {
    header: 'Accuracy before',
    cell: (c) => formatPercent(c.getValue()),
    meta: { numeric: true },
  }),
  col.accessor('after', {
    header: 'Accuracy after',
    cell: (c) => formatPercent(c.getValue()),
    meta: { numeric: true },
  }),
  col.accessor('afterF1', {
    header: 'Macro-F1 after',
    cell: (c) => formatNumber(c.getValue(), 3),
    meta: { numeric: true },
  }),
  col.accessor('afterEce', {
    header: 'ECE after',
    cell: (c) => formatNumber(c.getValue(), 3),
    meta: { numeric: true },
  }),
  col.accessor('holdout', { header: 'Held-out items', meta: { numeric: true } }),
  col.accessor('humanLabels', { header: 'Labels trained on', meta: { numeric: true } }),
  col.accessor('auditLabels', { header: 'Audits', meta: { numeric: true } }),
  col.accessor((c) => (c.status === 'failed' ? `failed: ${c.error ?? ''}` : (c.decision ?? c.status)), {
    id: 'decision',
    header: 'Outcome',
  }),
];

const STAGES: Record<string, string> = {
  load: 'Reading the labels',
  'measure the current model': 'Measuring the current model on the held-out set',
  featurize: 'Reading the texts',
  'choose L2 strength': 'Choosing the regularization',
  train: 'Training',
  save: 'Saving the model',
  'measure the new model': 'Measuring the new model on the held-out set',
  're-route items': 'Re-routing the items that wait for people',
};

function CycleStatus({ job }: { job: NonNullable<SentimentOverview['job']> }) {
  usePollWhile(job.status === 'queued' || job.status === 'running');
  const stage = job.progress?.stage;
  const percent = Math.round((job.progress?.fraction ?? 0) * 100);
  return (
    <div aria-live="polite">
      {job.status === 'queued' ? <p>Waiting for a worker…</p> : null}
      {job.status === 'running' ? (
        <div>
          <p>{stage ? `${STAGES[stage] ?? stage}…` : 'Starting…'}</p>
          <JobProgressBar label="Cycle progress" value={percent} />
        </div>
      ) : null}
      {job.status === 'succeeded' ? (
        <div className="alert alert-success" role="status">
          Cycle {job.result?.cycle} finished. {job.result?.decision}
        </div>
      ) : null}
      {job.status === 'failed' ? (
        <div className="alert alert-error" role="alert">
          The cycle failed: {job.error}
        </div>
      ) : null}
    </div>
  );
}

export function CyclesCard({
  cycles,
  job,
  canRun,
  error,
}: {
  cycles: SentimentOverview['cycles'];
  job: SentimentOverview['job'];
  canRun: boolean;
  error?: string;
}) {
  const navigation = useNavigation();
  const running = job?.status === 'queued' || job?.status === 'running';
  const done = cycles.filter((c) => c.status === 'done');
  const chart = done.map((c) => ({
    cycle: c.number,
    before: c.before === null ? NaN : Math.round(c.before * 1000) / 10,
    after: c.after === null ? NaN : Math.round(c.after * 1000) / 10,
  }));
  return (
    <section className="stack" aria-labelledby="cycles-h">
      <h2 id="cycles-h">Retraining cycles</h2>
      <p className="muted small" style={{ marginTop: 0 }}>
        A cycle trains a classifier on the labels people gave (held-out items excluded), measures the model
        that pre-labeled before it and the new one on the same held-out labels, activates the new one if it is
        at least as accurate, and re-routes every item still waiting for people.
      </p>
      <div className="grid-2">
        <LineChartCard
          title="Is the loop working?"
          description="Held-out accuracy (%) of the pre-labeler before each cycle and of the model it trained."
          data={chart}
          x="cycle"
          xLabel="Cycle"
          lines={[
            { key: 'before', label: 'Before' },
            { key: 'after', label: 'After' },
          ]}
          yDomain={[0, 100]}
        />
        <div className="card">
          <h3>Run a cycle</h3>
          {job ? <CycleStatus job={job} /> : null}
          {canRun ? (
            <Form method="post" className="form" aria-label="Run a retraining cycle">
              <input type="hidden" name="intent" value="cycle" />
              <FormError message={error} />
              <div className="field">
                <label htmlFor="activate">Activate the new model</label>
                <select id="activate" name="activate" defaultValue="if-better">
                  <option value="if-better">If it is at least as accurate on the held-out set</option>
                  <option value="always">Always</option>
                  <option value="never">Never (measure only)</option>
                </select>
              </div>
              <div>
                <button
                  type="submit"
                  className="button-primary"
                  disabled={running || navigation.state === 'submitting'}
                >
                  {running ? 'A cycle is running…' : 'Run a retraining cycle'}
                </button>
              </div>
            </Form>
          ) : (
            <p className="small muted">Leads, researchers and admins can run cycles.</p>
          )}
        </div>
      </div>
      {cycles.length === 0 ? (
        <div className="card empty">No cycles yet. Run the first once people have labelled some items.</div>
      ) : (
        <DataTable
          data={cycles}
          columns={columns}
          label="Retraining cycles"
          initialSorting={[{ id: 'number', desc: true }]}
          initialHidden={['afterF1', 'afterEce', 'auditLabels']}
        />
      )}
    </section>
  );
}
