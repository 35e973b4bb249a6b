/**
 * The multi-label harm classifier: one calibrated binary head for "unsafe" and one per harm
 * category (one-vs-rest), each trained by the shared text classifier (../classifier/train.ts) on
 * the prompt and the response, then stacked into one multi-label head whose columns are logits
 * (the ONNX graph applies a sigmoid per column). Measured on BeaverTails in docs/experiments.
 */
import type { FeaturizerConfig } from '../featurizer-config';
import type { LinearHead } from '../head';
import { classifierText } from '../classifier/input';
import {
  DEFAULT_CLASSIFIER_FEATURIZER,
  trainClassifier,
  type ClassifierTrainOptions,
  type TextExample,
  type TrainedClassifier,
} from '../classifier/train';
import type { Featurizer } from '../featurize';

/** The name of the first column: P(the response is unsafe). */
export const UNSAFE_LABEL = 'unsafe';

/**
 * The text classifier's featurizer plus the prompt's word n-grams in their own namespace at 0.7
 * of the response's weight. BeaverTails 5-fold CV (docs/experiments/2026-12-01-safety-classifier.md):
 * the prompt block is worth about 1.4 points of accuracy and the 0.7 weight another 0.7; prompt
 * trigrams, the dense features and prompt-word × stance crosses did not help.
 */
export const SAFETY_FEATURIZER: FeaturizerConfig = {
  ...DEFAULT_CLASSIFIER_FEATURIZER,
  promptNgrams: [1, 2],
  promptWeight: 0.7,
};

/** One labelled response to a prompt. */
export interface SafetyExample {
  prompt: string;
  response: string;
  /** P(unsafe) as the labels say: 0 or 1, or a share of votes */
  unsafe: number;
  /**
   * per category, whether (or how likely) the response belongs to it; categories left out count as
   * 0. null when only "unsafe" is known: the example then trains the unsafe head only.
   */
  categories: Record<string, number> | null;
  /** reviewer decisions 1, annotators' unreviewed flags less (tasks/safety/dataset.ts) */
  weight: number;
}

export interface SafetyTrainOptions {
  seed: number;
  featurizer: FeaturizerConfig;
  /**
   * Weight classes to equal total mass in each head's fit; Platt scaling on the out-of-fold scores
   * with the real (unweighted) targets then makes the probabilities mean the real class shares.
   * Balanced fits ranked better on BeaverTails (AUC 0.815 against 0.807).
   */
  balanced: boolean;
  /** a category head is trained only with at least this many positive examples */
  minPositives: number;
  /** passed to every head's trainer */
  train: Partial<ClassifierTrainOptions>;
  onProgress?: (stage: string, fraction: number) => void;
}

export const DEFAULT_SAFETY_OPTIONS: SafetyTrainOptions = {
  seed: 1,
  featurizer: SAFETY_FEATURIZER,
  balanced: true,
  minPositives: 5,
  train: {},
};

export interface SafetyHeadInfo {
  label: string;
  positives: number;
  examples: number;
  lambda: number;
  temperature: number;
  /** Platt scaling of the raw logit, fitted on out-of-fold scores against unweighted targets */
  plattA: number;
  plattB: number;
}

export interface TrainedSafetyClassifier {
  featurizer: Featurizer;
  /** column order of `head`: "unsafe", then the categories that had enough positives */
  labels: string[];
  /** one logit column per label */
  head: LinearHead;
  heads: SafetyHeadInfo[];
  /** categories without a head, and why */
  skipped: { label: string; reason: string }[];
  featureNames: Map<number, string>;
  examples: number;
  seconds: number;
}

/**
 * Platt scaling: (a, b) minimizing the weighted cross-entropy of σ(a·s + b) against targets plus
 * a ridge `ridge`·((a − 1)² + b²), by Newton's method on the two parameters. The scores come in
 * temperature-scaled, so a = 1, b = 0 is the trainer's own calibration and the ridge keeps a small
 * or separable validation set from pulling far from it; with thousands of rows the data decide.
 */
export function fitPlatt(
  s: ArrayLike<number>,
  target: ArrayLike<number>,
  w: ArrayLike<number>,
  ridge = 1,
): { a: number; b: number } {
  // Platt's (1999) smoothed targets: a hard 1 becomes (N₊ + 1)/(N₊ + 2) and a hard 0 becomes
  // 1/(N₋ + 2), so scores that separate the classes cannot drive the slope to infinity
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < s.length; i++) {
    positives += w[i]! * target[i]!;
    negatives += w[i]! * (1 - target[i]!);
  }
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const p = Array.from({ length: s.length }, (_, i) => lo + (hi - lo) * target[i]!);
  const z = s;
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = ridge * 2 * (a - 1);
    let gb = ridge * 2 * b;
    let haa = ridge * 2;
    let hab = 0;
    let hbb = ridge * 2;
    for (let i = 0; i < z.length; i++) {
      const q = 1 / (1 + Math.exp(-(a * z[i]! + b)));
      const r = w[i]! * (q - p[i]!);
      const h = w[i]! * q * (1 - q);
      ga += r * z[i]!;
      gb += r;
      haa += h * z[i]! * z[i]!;
      hab += h * z[i]!;
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

/** Trains one binary head; returns its logit column (the softmax pair [−z/2, +z/2] turned into z). */
function trainHead(
  label: string,
  examples: readonly { text: string; p: number; weight: number }[],
  options: SafetyTrainOptions,
  seed: number,
  extra: Partial<ClassifierTrainOptions>,
): { model: TrainedClassifier; info: SafetyHeadInfo; column: Float32Array; bias: number } {
  let mass = 0;
  let positive = 0;
  for (const e of examples) {
    mass += e.weight;
    positive += e.weight * e.p;
  }
  const share = positive / mass;
  const balanced = options.balanced && share > 0 && share < 1;
  const textExamples: TextExample[] = examples.map((e) => ({
    text: e.text,
    target: [1 - e.p, e.p],
    // a soft target splits its weight between the classes' scales in proportion
    weight: balanced ? e.weight * (e.p * (0.5 / share) + (1 - e.p) * (0.5 / (1 - share))) : e.weight,
  }));
  const model = trainClassifier(textExamples, ['no', label], options.featurizer, {
    ...options.train,
    ...extra,
    seed,
  });
  const { head, validation } = model;
  // out-of-fold raw logits against the unweighted targets: undo the balancing factor per row
  const rows = validation.targets.weight.length;
  const p = new Float64Array(rows);
  const w = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    p[r] = validation.targets.target[r * 2 + 1]!;
    const factor = balanced ? p[r]! * (0.5 / share) + (1 - p[r]!) * (0.5 / (1 - share)) : 1;
    w[r] = validation.targets.weight[r]! / factor;
  }
  const scaled = validation.scores.map((z) => z / model.temperature);
  const { a, b } = fitPlatt(scaled, p, w);
  // the exported pair [−z/2, +z/2] is the temperature-scaled logit, the scale Platt was fitted in
  const scale = a;
  const column = new Float32Array(head.dim);
  for (let j = 0; j < head.dim; j++) column[j] = scale * (head.weights[j * 2 + 1]! - head.weights[j * 2]!);
  const bias = scale * (head.bias[1]! - head.bias[0]!) + b;
  return {
    model,
    column,
    bias,
    info: {
      label,
      positives: examples.filter((e) => e.p >= 0.5).length,
      examples: examples.length,
      lambda: model.lambda,
      temperature: model.temperature,
      plattA: a,
      plattB: b,
    },
  };
}

/** Trains the unsafe head and a head per category in `categories` that has enough positives. */
export function trainSafetyClassifier(
  examples: readonly SafetyExample[],
  categories: readonly string[],
  options: Partial<SafetyTrainOptions> = {},
): TrainedSafetyClassifier {
  const opt = { ...DEFAULT_SAFETY_OPTIONS, ...options };
  const started = performance.now();
  const progress = opt.onProgress ?? (() => {});
  const usable = examples.filter((e) => e.weight > 0);
  const unsafeCount = usable.filter((e) => e.unsafe >= 0.5).length;
  if (unsafeCount === 0 || unsafeCount === usable.length)
    throw new Error(
      `the safety classifier needs both safe and unsafe examples; got ${unsafeCount} unsafe of ${usable.length}`,
    );
  const texts = usable.map((e) => classifierText(e.prompt, e.response));
  const jobs = 1 + categories.length;
  const step =
    (i: number) =>
    (stage: string, fraction: number): void =>
      progress(`${i === 0 ? UNSAFE_LABEL : categories[i - 1]}: ${stage}`, (i + fraction) / jobs);

  const unsafe = trainHead(
    UNSAFE_LABEL,
    usable.map((e, i) => ({ text: texts[i]!, p: e.unsafe, weight: e.weight })),
    opt,
    opt.seed,
    { onProgress: step(0) },
  );
  const trained = [unsafe];
  const skipped: TrainedSafetyClassifier['skipped'] = [];
  categories.forEach((category, c) => {
    // a safe response belongs to no category; an unsafe one with unknown categories says nothing here
    const rows: { text: string; p: number; weight: number }[] = [];
    usable.forEach((e, i) => {
      if (e.categories === null && e.unsafe >= 0.5) return;
      rows.push({
        text: texts[i]!,
        p: e.unsafe < 0.5 ? 0 : (e.categories?.[category] ?? 0),
        weight: e.weight,
      });
    });
    const positives = rows.filter((r) => r.p >= 0.5).length;
    if (positives < opt.minPositives) {
      skipped.push({
        label: category,
        reason: `${positives} positive example${positives === 1 ? '' : 's'}; a head needs ${opt.minPositives}`,
      });
      return;
    }
    // category heads use one validation split rather than inner 5-fold: eight heads at a fifth of the cost
    trained.push(
      trainHead(category, rows, opt, opt.seed + 1 + c, { innerFoldsUpTo: 0, onProgress: step(c + 1) }),
    );
  });

  const K = trained.length;
  const dim = unsafe.model.head.dim;
  const weights = new Float32Array(dim * K);
  const bias = new Float32Array(K);
  trained.forEach((t, k) => {
    for (let j = 0; j < dim; j++) weights[j * K + k] = t.column[j]!;
    bias[k] = t.bias;
  });
  const featureNames = new Map<number, string>();
  for (const t of trained)
    for (const [slot, name] of t.model.featureNames)
      if (!featureNames.has(slot)) featureNames.set(slot, name);
  progress('done', 1);
  return {
    featurizer: unsafe.model.featurizer,
    labels: trained.map((t) => t.info.label),
    head: { dim, members: K, weights, bias },
    heads: trained.map((t) => t.info),
    skipped,
    featureNames,
    examples: usable.length,
    seconds: (performance.now() - started) / 1000,
  };
}
