/**
 * One honest training run: split the pairs into train and held-out test with a fixed seed, train
 * the ensemble on the train part only, measure it on the test part (accuracy, ECE, accuracy by
 * uncertainty quintile, the length baseline, a learning curve), and describe it in a manifest.
 * The CLI and the app's training job both call this, so they report the same numbers.
 */
import { createHash } from 'node:crypto';
import { type ModelManifest } from './artefact';
import type { TrainingPair } from './dataset';
import { DENSE_FEATURE_NAMES } from './dense-features';
import type { FeaturizerConfig } from './featurizer-config';
import { pairMetrics, accuracyByUncertainty, type PairMetrics } from './metrics';
import { scorePairs, toPredictions } from './predict';
import { createRng, shuffled } from './rng';
import { trainRewardModel, type TrainedModel, type TrainOptions } from './train';

export type RewardAxis = 'helpfulness' | 'safety';

export interface RunOptions {
  axis: RewardAxis;
  seed: number;
  /** share of pairs held out for the metrics; 0 trains on everything and reports no test metrics */
  testFraction: number;
  featurizer: FeaturizerConfig;
  train?: Partial<TrainOptions>;
  sources: string[];
  learningCurve?: boolean;
  onProgress?: (stage: string, fraction: number) => void;
}

export interface CurvePoint {
  pairs: number;
  accuracy: number;
  log_loss: number;
}

export interface RunMetrics {
  train_pairs: number;
  test_pairs: number;
  test: (PairMetrics & { accuracy_by_spread_quintile: number[] }) | null;
  /** "the longer response wins" on the same test pairs */
  length_baseline_accuracy: number | null;
  lambda: number;
  temperature: number;
  train_seconds: number;
  learning_curve: CurvePoint[];
}

export interface RunResult {
  model: TrainedModel;
  manifest: ModelManifest;
  metrics: RunMetrics;
}

/** A stable id of the exact training data (order-sensitive: the split depends on order too). */
export function snapshotId(pairs: readonly TrainingPair[]): string {
  const hash = createHash('sha256');
  for (const p of pairs) hash.update(JSON.stringify([p.prompt, p.a, p.b, p.target, p.weight]));
  return hash.digest('hex').slice(0, 16);
}

/** Accuracy of "the longer response wins" on decided pairs (equal lengths count half). */
export function lengthBaselineAccuracy(pairs: readonly TrainingPair[]): number | null {
  const decided = pairs.filter((p) => p.target !== 0.5);
  if (!decided.length) return null;
  let right = 0;
  for (const p of decided) {
    if (p.a.length === p.b.length) right += 0.5;
    else if (p.a.length > p.b.length === p.target > 0.5) right += 1;
  }
  return right / decided.length;
}

/** Splits pairs into (train, test) with `seed`; both keep the input order. */
export function splitPairs<T>(
  pairs: readonly T[],
  testFraction: number,
  seed: number,
): { train: T[]; test: T[] } {
  const nTest = Math.round(pairs.length * testFraction);
  const testIds = new Set(
    shuffled(
      pairs.map((_, i) => i),
      createRng(seed ^ 0x7e57),
    ).slice(0, nTest),
  );
  return { train: pairs.filter((_, i) => !testIds.has(i)), test: pairs.filter((_, i) => testIds.has(i)) };
}

function topFeatures(model: TrainedModel, count: number): { feature: string; weight: number }[] {
  const { head, featurizer, featureNames } = model;
  const k = head.members;
  const scored: { feature: string; weight: number }[] = [];
  for (let j = 0; j < head.dim; j++) {
    let w = 0;
    for (let m = 0; m < k; m++) w += head.weights[j * k + m]!;
    w /= k;
    if (w === 0) continue;
    const name = featurizer.denseName(j) ?? featureNames.get(j);
    if (name) scored.push({ feature: featurizer.denseName(j) ? `[${name}]` : name, weight: w });
  }
  scored.sort((a, b) => b.weight - a.weight);
  return [...scored.slice(0, count), ...scored.slice(-count).filter((f) => f.weight < 0)];
}

/** Trains on the train split and measures on the held-out split. Deterministic for a seed. */
export function trainAndEvaluate(pairs: readonly TrainingPair[], options: RunOptions): RunResult {
  const { train, test } = splitPairs(pairs, options.testFraction, options.seed);
  const trainOptions = { seed: options.seed, ...options.train, onProgress: options.onProgress };
  const model = trainRewardModel(train, options.featurizer, trainOptions);
  let testMetrics: RunMetrics['test'] = null;
  const curve: CurvePoint[] = [];
  if (test.length) {
    options.onProgress?.('evaluate', 0);
    const scores = scorePairs(model.head, model.featurizer, test);
    const predictions = toPredictions(scores, test);
    testMetrics = {
      ...pairMetrics(predictions),
      accuracy_by_spread_quintile: accuracyByUncertainty(
        predictions.map((p, i) => ({ ...p, uncertainty: scores[i]!.uncertainty })),
      ),
    };
    if (options.learningCurve) {
      // single-member fits at the chosen λ: the curve shows whether more labels would still help
      // nested random subsets (seeded), so a curve over concatenated files is not one file's curve
      const curveOrder = shuffled(train, createRng(options.seed ^ 0xc0ffee));
      for (const fraction of [0.125, 0.25, 0.5]) {
        const subset = curveOrder.slice(0, Math.max(2, Math.round(train.length * fraction)));
        options.onProgress?.('learning curve', fraction);
        const small = trainRewardModel(subset, options.featurizer, {
          ...trainOptions,
          onProgress: undefined,
          members: 1,
        });
        const m = pairMetrics(toPredictions(scorePairs(small.head, small.featurizer, test), test));
        curve.push({ pairs: subset.length, accuracy: m.accuracy, log_loss: m.log_loss });
      }
      curve.push({ pairs: train.length, accuracy: testMetrics.accuracy, log_loss: testMetrics.log_loss });
    }
  }
  const metrics: RunMetrics = {
    train_pairs: train.length,
    test_pairs: test.length,
    test: testMetrics,
    length_baseline_accuracy: test.length ? lengthBaselineAccuracy(test) : null,
    lambda: model.lambda,
    temperature: model.temperature,
    train_seconds: model.seconds,
    learning_curve: curve,
  };
  const manifest: ModelManifest = {
    format: 'arbiter-reward-model',
    formatVersion: 1,
    axis: options.axis,
    createdAt: new Date().toISOString(),
    featurizer: options.featurizer,
    dim: model.head.dim,
    members: model.head.members,
    snapshot: { id: snapshotId(pairs), pairs: pairs.length, sources: options.sources },
    metrics: metrics as unknown as Record<string, unknown>,
    topFeatures: topFeatures(model, 15),
    denseFeatureNames: options.featurizer.dense ? [...DENSE_FEATURE_NAMES] : [],
  };
  return { model, manifest, metrics };
}
