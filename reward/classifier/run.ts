/**
 * One honest classifier training run: hold out whole texts with a fixed seed (and drop their
 * fragments from training, see containment.ts), train on the rest, measure on the held-out part,
 * and describe the model in a manifest. `arbiter sentiment train` and the app's retraining cycles
 * both call this, so they report the same numbers.
 */
import { createHash } from 'node:crypto';
import type { FeaturizerConfig } from '../featurizer-config';
import { createRng, shuffled } from '../rng';
import type { ClassifierManifest, ClassifierTask } from './artefact';
import { containers, wholeTextSplit } from './containment';
import { classifierMetrics, type ClassifierMetrics } from './metrics';
import { predictTexts } from './predict';
import {
  trainClassifier,
  type ClassifierTrainOptions,
  type TextExample,
  type TrainedClassifier,
} from './train';

export interface ClassifierRunOptions {
  task: ClassifierTask;
  seed: number;
  /** share of texts held out for the metrics; 0 trains on everything and reports no test metrics */
  testFraction: number;
  featurizer: FeaturizerConfig;
  train?: Partial<ClassifierTrainOptions>;
  sources: string[];
  onProgress?: (stage: string, fraction: number) => void;
}

export interface ClassifierRunMetrics {
  train_examples: number;
  test_examples: number;
  /** held-out metrics; null when nothing was held out */
  test: ClassifierMetrics | null;
  /** what always answering the most frequent training label scores on the same test texts */
  majority_baseline_accuracy: number | null;
  lambda: number;
  temperature: number;
  train_seconds: number;
  /** 2 when a helper thread shared the work (see train.ts on reproducing a model) */
  train_threads: number;
  lambda_path: TrainedClassifier['lambdaPath'];
}

export interface ClassifierRunResult {
  model: TrainedClassifier;
  manifest: ClassifierManifest;
  metrics: ClassifierRunMetrics;
}

/** The most probable class of a target distribution (the first wins ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** A stable id of the exact training data. */
export function classifierSnapshotId(examples: readonly TextExample[]): string {
  const hash = createHash('sha256');
  for (const e of examples) hash.update(JSON.stringify([e.text, e.target, e.weight]));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Splits examples into (train, test): the test part is whole texts only, about `testFraction` of
 * the examples counting the fragments it removes from training. Seeded; both keep input order.
 */
export function splitExamples(
  examples: readonly TextExample[],
  testFraction: number,
  seed: number,
): { train: TextExample[]; test: TextExample[] } {
  if (testFraction <= 0) return { train: [...examples], test: [] };
  const texts = [...new Set(examples.map((e) => e.text))];
  const order = shuffled(
    texts.map((_, i) => i),
    createRng(seed ^ 0x7e57),
  );
  const { train, valid } = wholeTextSplit(containers(texts), order, texts.length, testFraction);
  const trainTexts = new Set(train.map((i) => texts[i]!));
  const testTexts = new Set(valid.map((i) => texts[i]!));
  return {
    train: examples.filter((e) => trainTexts.has(e.text)),
    test: examples.filter((e) => testTexts.has(e.text)),
  };
}

/** Per class, the features with the largest weights in its column. */
function topFeatures(
  model: TrainedClassifier,
  count: number,
): Record<string, { feature: string; weight: number }[]> {
  const { head, featureNames, labels } = model;
  const C = head.members;
  const out: Record<string, { feature: string; weight: number }[]> = {};
  labels.forEach((label, c) => {
    const scored: { feature: string; weight: number }[] = [];
    for (const [slot, name] of featureNames) {
      // softmax ignores what all classes share, so a feature's evidence for a class is its weight
      // there less its mean weight (a class-1 cue can carry a raw weight > 0 for class 2 too)
      let mean = 0;
      for (let k = 0; k < C; k++) mean += head.weights[slot * C + k]!;
      const w = head.weights[slot * C + c]! - mean / C;
      if (w > 0) scored.push({ feature: name, weight: w });
    }
    scored.sort((a, b) => b.weight - a.weight || (a.feature < b.feature ? -1 : 1));
    out[label] = scored.slice(0, count);
  });
  return out;
}

/** Held-out metrics of a trained classifier on labelled examples (hard truth: each target's argmax). */
export function evaluateClassifier(
  model: TrainedClassifier,
  examples: readonly TextExample[],
): ClassifierMetrics {
  const probs = predictTexts(
    model.head,
    model.featurizer,
    examples.map((e) => e.text),
  );
  const C = model.labels.length;
  return classifierMetrics(
    examples.map((e, i) => ({ probabilities: probs.subarray(i * C, i * C + C), truth: argmax(e.target) })),
    model.labels,
  );
}

/** Trains on the train split and measures on the held-out split. Deterministic for a seed. */
export function trainAndEvaluateClassifier(
  examples: readonly TextExample[],
  labels: readonly string[],
  options: ClassifierRunOptions,
): ClassifierRunResult {
  const { train, test } = splitExamples(examples, options.testFraction, options.seed);
  const model = trainClassifier(train, labels, options.featurizer, {
    seed: options.seed,
    ...options.train,
    onProgress: options.onProgress,
  });
  let testMetrics: ClassifierMetrics | null = null;
  let majority: number | null = null;
  if (test.length) {
    options.onProgress?.('evaluate', 0);
    testMetrics = evaluateClassifier(model, test);
    const counts = new Array<number>(labels.length).fill(0);
    for (const e of train) counts[argmax(e.target)]!++;
    const mostCommon = argmax(counts);
    majority = test.filter((e) => argmax(e.target) === mostCommon).length / test.length;
  }
  const metrics: ClassifierRunMetrics = {
    train_examples: train.length,
    test_examples: test.length,
    test: testMetrics,
    majority_baseline_accuracy: majority,
    lambda: model.lambda,
    temperature: model.temperature,
    train_seconds: model.seconds,
    train_threads: model.threads,
    lambda_path: model.lambdaPath,
  };
  const manifest: ClassifierManifest = {
    format: 'arbiter-text-classifier',
    formatVersion: 1,
    task: options.task,
    createdAt: new Date().toISOString(),
    labels: [...labels],
    featurizer: options.featurizer,
    dim: model.head.dim,
    temperature: model.temperature,
    lambda: model.lambda,
    snapshot: { id: classifierSnapshotId(examples), examples: examples.length, sources: options.sources },
    metrics: metrics as unknown as Record<string, unknown>,
    topFeatures: topFeatures(model, 15),
  };
  return { model, manifest, metrics };
}
