/**
 * One honest safety-classifier run: hold out whole prompt+response texts with a fixed seed, train
 * every head on the rest, measure on the held-out part, and choose the risk threshold whose
 * held-out recall of unsafe responses reaches the target. `arbiter safety train` and the app's
 * retraining job both call this, so they report the same numbers.
 */
import { classifierText } from '../classifier/input';
import { classifierSnapshotId, splitExamples } from '../classifier/run';
import type { TextExample } from '../classifier/train';
import type { SafetyManifest } from './artefact';
import { safetyMetrics, thresholdForRecall, type SafetyMetrics } from './metrics';
import { predictSafety } from './predict';
import {
  DEFAULT_SAFETY_OPTIONS,
  trainSafetyClassifier,
  type SafetyExample,
  type SafetyHeadInfo,
  type SafetyTrainOptions,
  type TrainedSafetyClassifier,
} from './train';

export interface SafetyRunOptions extends Partial<SafetyTrainOptions> {
  seed: number;
  /** share of texts held out for the metrics and the threshold; 0 trains on everything */
  testFraction: number;
  /** the recall of unsafe responses the threshold is chosen for */
  targetRecall: number;
  sources: string[];
}

export interface SafetyRunMetrics {
  train_examples: number;
  test_examples: number;
  /** held-out metrics at the chosen threshold; null when nothing was held out */
  test: SafetyMetrics | null;
  /** what always answering the majority class of the training data scores on the test texts */
  majority_baseline_accuracy: number | null;
  heads: SafetyHeadInfo[];
  skipped: TrainedSafetyClassifier['skipped'];
  train_seconds: number;
}

export interface SafetyRunResult {
  model: TrainedSafetyClassifier;
  manifest: SafetyManifest;
  metrics: SafetyRunMetrics;
}

/** A threshold when nothing is held out to choose one on: an even chance of harm. */
const FALLBACK_THRESHOLD = 0.5;

/** Per label, the features that raise its logit most. */
function topFeatures(model: TrainedSafetyClassifier, count: number) {
  const { head, featureNames, labels } = model;
  const K = head.members;
  const out: Record<string, { feature: string; weight: number }[]> = {};
  labels.forEach((label, k) => {
    const scored: { feature: string; weight: number }[] = [];
    for (const [slot, name] of featureNames) {
      const w = head.weights[slot * K + k]!;
      if (w > 0) scored.push({ feature: name, weight: w });
    }
    scored.sort((a, b) => b.weight - a.weight || (a.feature < b.feature ? -1 : 1));
    out[label] = scored.slice(0, count);
  });
  return out;
}

/** The truth a labelled example states, for the metrics. */
export function truthOf(e: SafetyExample, categories: readonly string[]) {
  return {
    unsafe: e.unsafe >= 0.5,
    categories: e.unsafe >= 0.5 ? categories.filter((c) => (e.categories?.[c] ?? 0) >= 0.5) : [],
  };
}

/** Splits like the text classifier does: whole texts held out, fragments kept out of training. */
function split(examples: readonly SafetyExample[], testFraction: number, seed: number) {
  const tagged = examples.map((e, i) => ({
    text: classifierText(e.prompt, e.response),
    target: [1],
    weight: 1,
    i,
  }));
  const { train, test } = splitExamples(tagged as TextExample[], testFraction, seed);
  const back = (part: TextExample[]) => part.map((t) => examples[(t as (typeof tagged)[number]).i]!);
  return { train: back(train), test: back(test) };
}

export function trainAndEvaluateSafety(
  examples: readonly SafetyExample[],
  categories: readonly string[],
  options: SafetyRunOptions,
): SafetyRunResult {
  const { train, test } = split(examples, options.testFraction, options.seed);
  const model = trainSafetyClassifier(train, categories, { ...DEFAULT_SAFETY_OPTIONS, ...options });
  let testMetrics: SafetyMetrics | null = null;
  let majority: number | null = null;
  let threshold = FALLBACK_THRESHOLD;
  if (test.length) {
    options.onProgress?.('evaluate', 0);
    const predictions = predictSafety(model.head, model.featurizer, model.labels, test);
    const truth = test.map((e) => truthOf(e, categories));
    threshold =
      thresholdForRecall(
        predictions.map((p) => p.risk),
        truth.map((t) => t.unsafe),
        options.targetRecall,
      ) ?? FALLBACK_THRESHOLD;
    testMetrics = safetyMetrics(predictions, truth, model.labels.slice(1), threshold);
    const unsafeShare = train.filter((e) => e.unsafe >= 0.5).length / train.length;
    majority = unsafeShare >= 0.5 ? testMetrics.unsafe_share : 1 - testMetrics.unsafe_share;
  }
  const metrics: SafetyRunMetrics = {
    train_examples: train.length,
    test_examples: test.length,
    test: testMetrics,
    majority_baseline_accuracy: majority,
    heads: model.heads,
    skipped: model.skipped,
    train_seconds: model.seconds,
  };
  const snapshotExamples: TextExample[] = examples.map((e) => ({
    text: classifierText(e.prompt, e.response),
    target: [e.unsafe, ...categories.map((c) => e.categories?.[c] ?? -1)],
    weight: e.weight,
  }));
  const manifest: SafetyManifest = {
    format: 'arbiter-safety-classifier',
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    labels: model.labels,
    featurizer: model.featurizer.config,
    dim: model.head.dim,
    threshold,
    targetRecall: options.targetRecall,
    heads: model.heads,
    skipped: model.skipped,
    snapshot: {
      id: classifierSnapshotId(snapshotExamples),
      examples: examples.length,
      sources: options.sources,
    },
    metrics: metrics as unknown as Record<string, unknown>,
    topFeatures: topFeatures(model, 15),
  };
  return { model, manifest, metrics };
}
