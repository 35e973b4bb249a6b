/**
 * "Would active learning have saved labels here?": a simulation on the project's own judgments
 * (each pair's consensus plays the annotator), its progress, and its median learning curves.
 */
import { Form } from '@remix-run/react';
import { CheckboxGroup, Field } from '../form';
import { LineChartCard } from '../charts';
import { JobProgressBar } from '../project-progress';
import { usePollWhile } from '../../utils/use-poll';
import { formatPercent } from '../../utils/format';
import type { SimulationView } from '../../utils/models.server';

const STRATEGIES = ['uncertainty', 'ensemble', 'annotator-disagreement', 'diverse', 'hybrid'];

export function SimulationCard({
  projectSlug,
  simulation,
  decidedPairs,
  minimumPairs,
  errors,
}: {
  projectSlug: string;
  simulation: SimulationView | null;
  decidedPairs: number;
  minimumPairs: number;
  errors?: { fieldErrors: Record<string, string>; formError?: string };
}) {
  const running = simulation?.status === 'queued' || simulation?.status === 'running';
  usePollWhile(running, 2000);
  const pool = decidedPairs - Math.round(decidedPairs * 0.3);
  const result = simulation?.status === 'succeeded' ? simulation.result : null;
  // random first, then in the form's order (the stored result's key order is not kept)
  const names = result ? ['random', ...STRATEGIES].filter((n) => n in result.strategies) : [];
  const data = result
    ? result.strategies.random!.curve.map((p, i) => {
        const row: Record<string, number> = { labels: p.labels };
        for (const name of names)
          row[name] = Math.round((result.strategies[name]!.curve[i]?.median ?? 0) * 1000) / 10;
        return row;
      })
    : [];
  const values = data.flatMap((row) => names.map((n) => row[n]!));
  const yDomain: [number, number] = values.length
    ? [Math.max(0, Math.floor(Math.min(...values) - 3)), Math.min(100, Math.ceil(Math.max(...values) + 3))]
    : [0, 100];
  return (
    <section className="card stack" aria-labelledby="sim-h">
      <h2 id="sim-h">Simulate active learning on this project</h2>
      <p className="small muted" style={{ margin: 0 }}>
        Replays the {decidedPairs} pairs with a consensus as if people were answering them again: each
        strategy picks batches, the reward model retrains after each, and 30% of the pairs measure it. Random
        is always included: the savings are measured against it.
      </p>
      {decidedPairs < minimumPairs ? (
        <p style={{ margin: 0 }}>
          A simulation needs at least {minimumPairs} pairs with a consensus; this project has {decidedPairs}.
        </p>
      ) : (
        <Form method="post" className="form" aria-label="Simulate active learning">
          <input type="hidden" name="intent" value="simulate" />
          <input type="hidden" name="project" value={projectSlug} />
          <CheckboxGroup
            legend="Strategies to compare with random"
            name="strategy"
            options={STRATEGIES.map((s) => ({ value: s, label: s }))}
            selected={['uncertainty', 'hybrid']}
            error={errors?.fieldErrors.strategies}
          />
          <div className="row">
            <Field
              label="Budget (labels)"
              name="budget"
              type="number"
              min={20}
              max={pool}
              defaultValue={Math.min(pool, 300)}
              error={errors?.fieldErrors.budget}
            />
            <Field
              label="Batch (labels)"
              name="batch"
              type="number"
              min={5}
              defaultValue={Math.max(5, Math.round(Math.min(pool, 300) / 10))}
              error={errors?.fieldErrors.batch}
            />
            <Field
              label="Seeds"
              name="seeds"
              type="number"
              min={1}
              max={10}
              defaultValue={3}
              error={errors?.fieldErrors.seeds}
            />
          </div>
          {errors?.formError || errors?.fieldErrors.axis ? (
            <div className="error" role="alert">
              {errors.formError ?? errors.fieldErrors.axis}
            </div>
          ) : null}
          <div>
            <button type="submit" disabled={running}>
              Run the simulation
            </button>
          </div>
        </Form>
      )}
      {running ? (
        <div aria-live="polite">
          <p style={{ margin: 0 }}>
            {simulation!.status === 'queued'
              ? 'Waiting for a worker…'
              : `Simulating: ${simulation!.progress?.stage ?? 'starting'}…`}
          </p>
          <JobProgressBar
            label="Simulation progress"
            value={Math.round((simulation!.progress?.fraction ?? 0) * 100)}
          />
        </div>
      ) : null}
      {simulation?.status === 'failed' ? (
        <div className="alert alert-error" role="alert">
          The simulation failed: {simulation.error}
        </div>
      ) : null}
      {result ? (
        <>
          <LineChartCard
            title="Simulated learning curves"
            description={`Median held-out accuracy of ${result.seeds} seed(s) against labels collected; pool ${result.pool} pairs, ${result.test} held out.`}
            data={data}
            x="labels"
            xLabel="labels"
            lines={names.map((n) => ({ key: n, label: n }))}
            yDomain={yDomain}
            height={260}
          />
          <table aria-label="Simulation summary">
            <thead>
              <tr>
                <th scope="col">Strategy</th>
                <th scope="col">Accuracy at the budget</th>
                <th scope="col">Labels saved against random</th>
                <th scope="col">Never behind random beyond its spread</th>
              </tr>
            </thead>
            <tbody>
              {names.map((n) => {
                const s = result.strategies[n]!;
                return (
                  <tr key={n}>
                    <td>{n}</td>
                    <td>{formatPercent(s.final_accuracy)}</td>
                    <td>
                      {n === 'random'
                        ? '(reference)'
                        : s.savings_vs_random === null
                          ? 'never reaches random'
                          : formatPercent(s.savings_vs_random, 0)}
                    </td>
                    <td>{s.never_worse_than_random ? 'yes' : 'no'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
