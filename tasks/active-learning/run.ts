/**
 * A whole simulation: every strategy on every seed over the same pool and held-out set, then the
 * report (median curves, spread, savings against random). The CLI and the app's simulation job
 * both call this.
 */
import type { TrainingPair } from '../../reward/dataset';
import { DEFAULT_FEATURIZER } from '../../reward/featurizer-config';
import { DEFAULT_CLASSIFIER_FEATURIZER } from '../../reward/classifier/train';
import type { TrainOptions } from '../../reward/train';
import { UserInputError } from '../errors';
import { preferenceLearner, sentimentLearner, type SentimentUnit } from './learners';
import { summarizeStrategies, type SeedCurve, type StrategySummary } from './report';
import { parseStrategy, simulateRun, type Learner, type SimulationOptions } from './simulate';

/**
 * The simulator retrains dozens of times per run, so the reward model's λ search uses a decade
 * grid and 3 inner folds instead of the app's half-decade grid and 5 folds (3× faster, the same
 * model family and features; measured on PKU: the curves' medians move by under a point).
 */
export const SIMULATION_REWARD_TRAINING: Partial<TrainOptions> = {
  lambdas: [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
  innerFolds: 3,
};

export interface SimulationRequest {
  strategies: string[];
  budget: number;
  batch: number;
  seeds: number[];
  noise: number;
  redundancy: number;
}

export interface SimulationReport {
  task: 'preference' | 'sentiment';
  pool: number;
  test: number;
  budget: number;
  batch: number;
  seeds: number[];
  noise: number;
  redundancy: number;
  /** random's median accuracy at the full budget: what savings are measured against */
  random_final_accuracy: number;
  strategies: Record<string, StrategySummary & { runs: SeedCurve[] }>;
  seconds: number;
}

export function checkRequest(request: SimulationRequest, poolSize: number): void {
  if (!request.strategies.includes('random'))
    throw new UserInputError('must include random: savings are measured against it.', '--strategies');
  for (const name of request.strategies) parseStrategy(name);
  if (!Number.isInteger(request.budget) || request.budget < 1)
    throw new UserInputError(`must be a whole number of labels ≥ 1; got ${request.budget}.`, '--budget');
  if (request.budget > poolSize * Math.max(1, request.redundancy) * 5)
    throw new UserInputError(
      `${request.budget} labels are more than the pool of ${poolSize} units can take; lower it.`,
      '--budget',
    );
  if (!Number.isInteger(request.batch) || request.batch < 1 || request.batch > request.budget)
    throw new UserInputError(`must be a whole number from 1 to the budget; got ${request.batch}.`, '--batch');
  if (!(request.noise >= 0 && request.noise < 1))
    throw new UserInputError(`must be a share from 0 to below 1; got ${request.noise}.`, '--noise');
}

/** Runs every strategy × seed on one learner and summarizes; `onRun` hears each finished batch. */
export function runSimulation(
  task: SimulationReport['task'],
  learner: Learner,
  request: SimulationRequest,
  onBatch?: (done: number, total: number, label: string) => void,
): SimulationReport {
  checkRequest(request, learner.ids.length);
  const started = performance.now();
  const batchesPerRun = Math.ceil(request.budget / request.batch);
  const total = batchesPerRun * request.seeds.length * request.strategies.length;
  let done = 0;
  const runs: Record<string, SeedCurve[]> = {};
  for (const name of request.strategies) {
    const strategy = parseStrategy(name);
    runs[name] = request.seeds.map((seed) => {
      const t = performance.now();
      const options: SimulationOptions = { ...request, seed };
      const curve = simulateRun(learner, strategy, options, () =>
        onBatch?.(++done, total, `${name} seed ${seed}`),
      );
      return { seed, curve, seconds: (performance.now() - t) / 1000 };
    });
  }
  const summaries = summarizeStrategies(runs, request.budget);
  const strategies: SimulationReport['strategies'] = {};
  for (const name of request.strategies) strategies[name] = { ...summaries[name]!, runs: runs[name]! };
  return {
    task,
    pool: learner.ids.length,
    test: learner.testSize,
    budget: request.budget,
    batch: request.batch,
    seeds: request.seeds,
    noise: request.noise,
    redundancy: request.redundancy,
    random_final_accuracy: summaries.random!.final_accuracy,
    strategies,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The reward-model learner the simulator uses (pool and held-out split drawn with `splitSeed`). */
export function preferenceSimulationLearner(
  pairs: readonly TrainingPair[],
  options: { test?: readonly TrainingPair[]; testFraction: number; splitSeed: number },
): Learner {
  if (pairs.length < 4)
    throw new UserInputError(`needs at least 4 pairs to simulate, got ${pairs.length}`, '--data');
  return preferenceLearner(pairs, {
    ...options,
    featurizer: DEFAULT_FEATURIZER,
    train: SIMULATION_REWARD_TRAINING,
  });
}

/** The sentiment learner the simulator uses. */
export function sentimentSimulationLearner(
  units: readonly SentimentUnit[],
  labels: readonly string[],
  options: { test?: readonly SentimentUnit[]; testFraction: number; splitSeed: number },
): Learner {
  if (units.length < 4)
    throw new UserInputError(`needs at least 4 texts to simulate, got ${units.length}`, '--data');
  return sentimentLearner(units, {
    ...options,
    labels,
    featurizer: DEFAULT_CLASSIFIER_FEATURIZER,
    train: {},
  });
}
