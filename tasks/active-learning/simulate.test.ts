import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { embeddingLookup } from './diversity';
import { labelsToReach, summarizeStrategies, type SeedCurve } from './report';
import { runSimulation } from './run';
import { parseStrategy, simulateRun, type FittedModel, type LabelledUnit, type Learner } from './simulate';

/**
 * A one-dimensional threshold problem: unit x in [0, 1) is class 1 when x > 0.37. The model puts
 * its threshold halfway between the largest labelled 0 and the smallest labelled 1, so each label
 * near the boundary halves the uncertainty (uncertainty sampling is a binary search here) while
 * random labels close in slowly.
 */
function thresholdLearner(n = 400): Learner & { fits: number } {
  const rng = createRng(7);
  const xs = Array.from({ length: n }, () => rng());
  const test = Array.from({ length: 1000 }, (_, i) => i / 1000);
  const truth = (x: number) => (x > 0.37 ? 1 : 0);
  const learner = {
    fits: 0,
    ids: xs.map((_, i) => `x${i}`),
    outcomes: 2,
    testSize: test.length,
    truth: (i: number) => truth(xs[i]!),
    embedding: embeddingLookup(Float32Array.from(xs), 1),
    embeddingDims: 1,
    fit(labelled: readonly LabelledUnit[]): FittedModel {
      learner.fits++;
      let lo = 0;
      let hi = 1;
      for (const { index, votes } of labelled) {
        const x = xs[index]!;
        if (votes[1]! > votes[0]!) hi = Math.min(hi, x);
        else lo = Math.max(lo, x);
      }
      const t = (lo + hi) / 2;
      const p1 = (x: number) => 1 / (1 + Math.exp(-(x - t) * 60));
      const probabilities = Float64Array.from(xs.flatMap((x) => [1 - p1(x), p1(x)]));
      const accuracy = test.filter((x) => (x > t ? 1 : 0) === truth(x)).length / test.length;
      return { probabilities, members: null, memberCount: 1, accuracy };
    },
  };
  return learner;
}

const options = { budget: 40, batch: 5, seed: 1, noise: 0, redundancy: 1 };

describe('the simulator', () => {
  it('spends exactly the budget in batches and retrains after each one', () => {
    const learner = thresholdLearner();
    const curve = simulateRun(learner, parseStrategy('random'), options);
    expect(curve.map((p) => p.labels)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    expect(learner.fits).toBe(8);
    expect(curve.at(-1)!.units).toBe(40); // redundancy 1: forty distinct units
  });

  it('is deterministic for a seed', () => {
    const a = simulateRun(thresholdLearner(), parseStrategy('hybrid'), options);
    const b = simulateRun(thresholdLearner(), parseStrategy('hybrid'), options);
    expect(a).toEqual(b);
  });

  it('lets uncertainty sampling beat random where it should (a threshold is a binary search)', () => {
    const report = runSimulation('preference', thresholdLearner(), {
      ...options,
      strategies: ['random', 'uncertainty'],
      seeds: [1, 2, 3],
    });
    const u = report.strategies.uncertainty!;
    const r = report.strategies.random!;
    expect(u.final_accuracy).toBeGreaterThan(r.final_accuracy);
    expect(u.savings_vs_random).toBeGreaterThan(0.5);
    // top-k batches can trail early (five picks near one guess of the threshold); from the middle
    // of the budget on, the binary search is ahead at every point
    u.curve.slice(4).forEach((p, i) => expect(p.median).toBeGreaterThanOrEqual(r.curve[i + 4]!.median));
    expect(r.runs).toHaveLength(3);
  });

  it('has the simulated annotator answer wrongly about the share asked for', () => {
    const learner = thresholdLearner(2000);
    let wrong = 0;
    const noisy = {
      ...learner,
      fit: (labelled: readonly LabelledUnit[]) => {
        wrong = labelled.filter(({ index, votes }) => votes[learner.truth(index)] === 0).length;
        return learner.fit(labelled, 1);
      },
    };
    simulateRun(noisy, parseStrategy('random'), { ...options, budget: 1000, batch: 1000, noise: 0.2 });
    expect(wrong / 1000).toBeGreaterThan(0.16);
    expect(wrong / 1000).toBeLessThan(0.24);
  });

  it('asks a unit again when its answers split, only under disagreement-aware strategies', () => {
    const run = (name: string) =>
      simulateRun(thresholdLearner(), parseStrategy(name), { ...options, noise: 0.3 });
    // with a wrong answer the model contradicts, annotator-disagreement re-asks: fewer distinct units
    expect(run('annotator-disagreement').at(-1)!.units).toBeLessThan(40);
    expect(run('uncertainty').at(-1)!.units).toBe(40);
  });

  it('names unknown strategies and hybrid signals', () => {
    expect(() => parseStrategy('clever')).toThrow(/no strategy "clever"/);
    expect(() => parseStrategy('hybrid-without-luck')).toThrow(/has no signal "luck"/);
    expect(parseStrategy('hybrid-without-diversity').settings.without).toEqual(['diversity']);
  });

  it('refuses a request it cannot run, naming the option', () => {
    const learner = thresholdLearner();
    const request = { ...options, strategies: ['random'], seeds: [1] };
    expect(() => runSimulation('preference', learner, { ...request, strategies: ['hybrid'] })).toThrow(
      /include random/,
    );
    expect(() => runSimulation('preference', learner, { ...request, batch: 0 })).toThrow(
      /whole number from 1/,
    );
    expect(() => runSimulation('preference', learner, { ...request, noise: 1 })).toThrow(/share from 0/);
  });
});

describe('the simulation report', () => {
  it('interpolates the labels at which a curve reaches a target', () => {
    const curve = [
      { labels: 100, value: 0.6 },
      { labels: 200, value: 0.7 },
      { labels: 300, value: 0.72 },
    ];
    expect(labelsToReach(curve, 0.65)).toBeCloseTo(150, 10);
    expect(labelsToReach(curve, 0.5)).toBe(100);
    expect(labelsToReach(curve, 0.8)).toBeNull();
  });

  it('measures savings against random’s median full-budget accuracy, and flags a strategy that falls behind', () => {
    const seedRuns = (values: number[][]): SeedCurve[] =>
      values.map((v, s) => ({
        seed: s + 1,
        seconds: 1,
        curve: v.map((accuracy, i) => ({ labels: (i + 1) * 100, accuracy, units: 0 })),
      }));
    const summary = summarizeStrategies(
      {
        random: seedRuns([
          [0.6, 0.65, 0.7, 0.72],
          [0.6, 0.66, 0.69, 0.7],
          [0.62, 0.64, 0.7, 0.74],
        ]),
        good: seedRuns([
          [0.62, 0.72, 0.75, 0.76],
          [0.61, 0.71, 0.74, 0.75],
          [0.63, 0.73, 0.76, 0.77],
        ]),
        bad: seedRuns([
          [0.5, 0.55, 0.6, 0.65],
          [0.5, 0.56, 0.61, 0.66],
          [0.51, 0.55, 0.6, 0.65],
        ]),
      },
      400,
    );
    // random's median final accuracy is 0.72; good's median curve reaches it at 200 labels
    expect(summary.good!.labels_to_random_final).toBeCloseTo(200, 6);
    expect(summary.good!.savings_vs_random).toBeCloseTo(0.5, 6);
    expect(summary.good!.never_worse_than_random).toBe(true);
    expect(summary.bad!.savings_vs_random).toBeNull();
    expect(summary.bad!.never_worse_than_random).toBe(false);
    expect(summary.bad!.worst_gap_vs_random).toBeCloseTo(0.1, 6);
    expect(summary.random!.curve[0]).toMatchObject({ labels: 100, median: 0.6, min: 0.6, max: 0.62 });
  });
});
