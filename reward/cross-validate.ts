/**
 * k-fold cross-validation of the reward model: seeded fold assignment, one ensemble per fold
 * trained on the other folds, in-process scoring of the held-out fold.
 */
import type { TrainingPair } from './dataset';
import type { FeaturizerConfig } from './featurizer-config';
import { expectedCalibrationError, pairMetrics, type Prediction } from './metrics';
import { scorePairs, toPredictions } from './predict';
import { createRng, shuffled } from './rng';
import { lengthBaselineAccuracy } from './run';
import { trainRewardModel, type TrainOptions } from './train';

export interface CrossValidationOptions {
  folds: number;
  seed: number;
  featurizer: FeaturizerConfig;
  train?: Partial<TrainOptions>;
  onProgress?: (stage: string, fraction: number) => void;
}

export interface CrossValidationReport {
  folds: number;
  pairs: number;
  accuracy_mean: number;
  accuracy_folds: number[];
  ece_mean: number;
  ece_folds: number[];
  /**
   * ECE of all out-of-fold predictions together. Per-fold ECE on a few hundred pairs is biased
   * upwards by binning noise (a perfectly calibrated model scores ~0.05 on 150 pairs), so this is
   * the calibration figure to judge a small set by.
   */
  ece_pooled: number;
  log_loss_mean: number;
  /** accuracy per uncertainty quintile, averaged over folds (most certain first) */
  accuracy_by_uncertainty_quintile: number[];
  length_baseline_accuracy: number;
  /** total training time over all folds */
  train_seconds: number;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Runs the folds; deterministic for a seed. */
export function crossValidate(
  pairs: readonly TrainingPair[],
  options: CrossValidationOptions,
): CrossValidationReport {
  const order = shuffled(
    pairs.map((_, i) => i),
    createRng(options.seed),
  );
  const accuracy: number[] = [];
  const ece: number[] = [];
  const logLoss: number[] = [];
  const quintiles: number[][] = [];
  const pooled: Prediction[] = [];
  let seconds = 0;
  for (let f = 0; f < options.folds; f++) {
    const test = order.filter((_, i) => i % options.folds === f).map((i) => pairs[i]!);
    const train = order.filter((_, i) => i % options.folds !== f).map((i) => pairs[i]!);
    const model = trainRewardModel(train, options.featurizer, {
      ...options.train,
      seed: options.seed + f,
      onProgress: (stage, fraction) =>
        options.onProgress?.(`fold ${f + 1}/${options.folds}: ${stage}`, (f + fraction) / options.folds),
    });
    seconds += model.seconds;
    const predictions = toPredictions(scorePairs(model.head, model.featurizer, test), test);
    pooled.push(...predictions);
    const metrics = pairMetrics(predictions);
    accuracy.push(metrics.accuracy);
    ece.push(metrics.ece);
    logLoss.push(metrics.log_loss);
    quintiles.push(metrics.accuracy_by_uncertainty_quintile);
  }
  return {
    folds: options.folds,
    pairs: pairs.length,
    accuracy_mean: mean(accuracy),
    accuracy_folds: accuracy,
    ece_mean: mean(ece),
    ece_folds: ece,
    ece_pooled: expectedCalibrationError(pooled),
    log_loss_mean: mean(logLoss),
    accuracy_by_uncertainty_quintile: quintiles[0]!.map((_, q) => mean(quintiles.map((r) => r[q]!))),
    length_baseline_accuracy: lengthBaselineAccuracy(pairs) ?? NaN,
    train_seconds: seconds,
  };
}
