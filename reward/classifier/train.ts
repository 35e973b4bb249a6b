/**
 * Trains a text classifier: hashed n-gram features (reward/featurize.ts), Naive-Bayes evidence
 * scaling of each feature (NBSVM, generalized to C classes), a multinomial logistic model whose L2
 * strength comes from a warm-started λ path on held-out examples, and temperature scaling fitted on
 * the same held-out predictions so the reported confidence means what it says. Seeded: the same
 * examples, config, seed and thread count (helper.ts) give the same weights to the bit. Sentiment
 * labeling uses it; the safety pre-flags will too.
 */
import { createFeaturizer, type Featurizer } from '../featurize';
import { DEFAULT_FEATURIZER, type FeaturizerConfig } from '../featurizer-config';
import type { LinearHead } from '../head';
import { createRng, shuffled } from '../rng';
import { compactColumns, selectRows, toRows, type SparseRows, type SparseVector } from '../sparse';
import { containers, wholeTextFolds, wholeTextSplit } from './containment';
import { availableParallelism } from 'node:os';
import { TrainingHelper } from './helper';
import { featurizeText } from './input';
import {
  classObjective,
  columns,
  crossEntropy,
  fitClassifier,
  rowScores,
  type ClassTargets,
} from './softmax';

/**
 * Word uni- and bigrams with negation marking, VADER lexicon pseudo-words and character 4-grams
 * inside words (at half weight) in 2^20 hashed slots, no hand-written reward features. Measured on
 * SST-2 (README): negation marking is worth about a point of accuracy, character 4-grams about one
 * more (they share evidence between "charming" and "charm", and cover misspellings), the lexicon a
 * few tenths (far more on a demo-sized project). Character 3-grams and 3–5-grams were worse (the
 * latter at twice the time), 5-grams about the same; word trigrams were not worth their cost.
 */
export const DEFAULT_CLASSIFIER_FEATURIZER: FeaturizerConfig = {
  ...DEFAULT_FEATURIZER,
  hashBits: 20,
  dense: false,
  negation: true,
  lexicon: true,
  charNgrams: [4, 4],
  charWeight: 0.5,
};

/** One labelled text: `target` is a distribution over the classes (one-hot, or annotators' vote shares). */
export interface TextExample {
  text: string;
  target: readonly number[];
  /** annotator reliability, audit weight, …; 1 when unknown */
  weight: number;
}

export interface ClassifierTrainOptions {
  seed: number;
  /** candidate L2 strengths, tried from strongest to weakest */
  lambdas: number[];
  /** up to this many (distinct) texts, λ and the temperature come from inner k-fold instead of one split */
  innerFoldsUpTo: number;
  innerFolds: number;
  /** share of the search texts held out (with their fragments) for λ and the temperature above innerFoldsUpTo */
  validationFraction: number;
  /** the λ search runs on at most this many texts (it only needs to rank λs) */
  maxSearchExamples: number;
  /** per fit on the λ path (each warm-starts from the previous λ) */
  maxIterations: number;
  /** the final fit on all examples starts from the chosen search fit */
  finalIterations: number;
  /** L-BFGS correction pairs kept (each costs two vectors of the model's size per step) */
  history: number;
  /** the path stops after this many steps clearly (0.002) worse than the best validation loss */
  patience: number;
  /** exponent of the Naive-Bayes evidence scaling; 0 turns it off */
  evidencePower: number;
  /** threads for featurizing and for the loss and gradient (a helper thread when 2) */
  threads: number;
  /** the helper thread starts from this many distinct texts */
  parallelFrom: number;
  onProgress?: (stage: string, fraction: number) => void;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierTrainOptions = {
  seed: 1,
  lambdas: [3e-3, 3e-4, 3e-5, 3e-6, 1e-6],
  innerFoldsUpTo: 2_500,
  innerFolds: 5,
  validationFraction: 0.2,
  maxSearchExamples: 40_000,
  maxIterations: 40,
  finalIterations: 60,
  history: 8,
  patience: 2,
  evidencePower: 0.5,
  threads: Math.min(2, availableParallelism()),
  parallelFrom: 20_000,
};

export interface ClassifierLambdaPoint {
  lambda: number;
  /** after temperature scaling with `temperature` */
  validation_log_loss: number;
  validation_accuracy: number;
  temperature: number;
}

export interface TrainedClassifier {
  featurizer: Featurizer;
  labels: string[];
  /** C columns of logits (`members` = classes); softmax of a row's logits is its class distribution */
  head: LinearHead;
  lambda: number;
  temperature: number;
  lambdaPath: ClassifierLambdaPoint[];
  /** a readable n-gram for hashed slots seen in training */
  featureNames: Map<number, string>;
  /** examples after merging identical texts */
  distinctTexts: number;
  trainExamples: number;
  seconds: number;
  /** 2 when the helper thread took half the work (results then differ from one thread's by rounding) */
  threads: number;
  /**
   * The chosen λ's out-of-fold (or held-out) raw scores before temperature scaling, row-major, one
   * column for two classes (the logit) and C otherwise, with their targets: for a caller that
   * recalibrates (the safety heads fit Platt scaling on unweighted targets).
   */
  validation: { scores: Float64Array; targets: ClassTargets };
}

/**
 * Identical texts become one row whose target is the weight-averaged target and whose weight is
 * the sum: the loss is unchanged, the arithmetic is not repeated, and a duplicate can no longer sit
 * on both sides of a validation split.
 */
function mergeTexts(examples: readonly TextExample[], classes: number) {
  const index = new Map<string, number>();
  const texts: string[] = [];
  const sums: number[][] = [];
  const weights: number[] = [];
  for (const e of examples) {
    if (!(e.weight > 0)) continue;
    let i = index.get(e.text);
    if (i === undefined) {
      i = texts.length;
      index.set(e.text, i);
      texts.push(e.text);
      sums.push(new Array<number>(classes).fill(0));
      weights.push(0);
    }
    for (let c = 0; c < classes; c++) sums[i]![c]! += e.weight * e.target[c]!;
    weights[i]! += e.weight;
  }
  const target = new Float64Array(texts.length * classes);
  texts.forEach((_, i) => {
    for (let c = 0; c < classes; c++) target[i * classes + c] = sums[i]![c]! / weights[i]!;
  });
  return { texts, targets: { classes, target, weight: Float64Array.from(weights) } satisfies ClassTargets };
}

function subsetTargets(t: ClassTargets, ids: readonly number[]): ClassTargets {
  const C = t.classes;
  const target = new Float64Array(ids.length * C);
  const weight = new Float64Array(ids.length);
  ids.forEach((id, i) => {
    for (let c = 0; c < C; c++) target[i * C + c] = t.target[id * C + c]!;
    weight[i] = t.weight[id]!;
  });
  return { classes: C, target, weight };
}

/**
 * Naive-Bayes evidence per feature column: max over classes of |log(share in class c / share in the
 * other classes)|^power, from the rows `ids` only. Features that do not tell the classes apart get
 * a small scale, so the L2 penalty shrinks them harder (a data-driven prior that helps most when
 * labels are few).
 */
function fitEvidence(rows: SparseRows, targets: ClassTargets, ids: readonly number[], power: number) {
  const C = targets.classes;
  const dim = rows.dim;
  const mass = new Float64Array(dim * C);
  for (const r of ids) {
    const w = targets.weight[r]!;
    for (let p = rows.rowPtr[r]!; p < rows.rowPtr[r + 1]!; p++) {
      const v = Math.abs(rows.values[p]!) * w;
      const base = rows.indices[p]! * C;
      for (let c = 0; c < C; c++) mass[base + c]! += v * targets.target[r * C + c]!;
    }
  }
  const alpha = 1;
  const classTotal = new Float64Array(C);
  for (let j = 0; j < dim; j++) for (let c = 0; c < C; c++) classTotal[c]! += mass[j * C + c]! + alpha;
  const all = classTotal.reduce((a, b) => a + b, 0);
  const evidence = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    let rowMass = 0;
    for (let c = 0; c < C; c++) rowMass += mass[j * C + c]! + alpha;
    let best = 0;
    for (let c = 0; c < C; c++) {
      const inClass = (mass[j * C + c]! + alpha) / classTotal[c]!;
      const outClass = (rowMass - mass[j * C + c]! - alpha) / (all - classTotal[c]!);
      best = Math.max(best, Math.abs(Math.log(inClass / outClass)));
      if (C === 2) break; // the two one-vs-rest ratios are the same number
    }
    evidence[j] = best ** power;
  }
  return evidence;
}

function scaled(rows: SparseRows, evidence: Float64Array | null): SparseRows {
  if (!evidence) return rows;
  const values = Float32Array.from(rows.values);
  for (let p = 0; p < values.length; p++) values[p] = values[p]! * evidence[rows.indices[p]!]!;
  return { ...rows, values };
}

/** Multiclass temperature: argmin of the validation cross-entropy of softmax(z / T), by golden section on log T. */
function fitTemperature(scores: Float64Array, targets: ClassTargets): number {
  const loss = (logT: number) => crossEntropy(scores, targets, Math.exp(logT));
  let lo = Math.log(0.2);
  let hi = Math.log(10);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 40; i++) {
    const x1 = hi - phi * (hi - lo);
    const x2 = lo + phi * (hi - lo);
    if (loss(x1) <= loss(x2)) hi = x2;
    else lo = x1;
  }
  return Math.exp((lo + hi) / 2);
}

function accuracyOf(scores: Float64Array, targets: ClassTargets): number {
  const C = targets.classes;
  const k = columns(C);
  let right = 0;
  let total = 0;
  for (let r = 0; r < targets.weight.length; r++) {
    let predicted = 0;
    if (k === 1) predicted = scores[r]! > 0 ? 1 : 0;
    else for (let c = 1; c < C; c++) if (scores[r * k + c]! > scores[r * k + predicted]!) predicted = c;
    let truth = 0;
    for (let c = 1; c < C; c++) if (targets.target[r * C + c]! > targets.target[r * C + truth]!) truth = c;
    right += targets.weight[r]! * (predicted === truth ? 1 : 0);
    total += targets.weight[r]!;
  }
  return total ? right / total : 0;
}

/** Trains on all `examples` (hold test data out before calling). `labels` names the classes in order. */
export function trainClassifier(
  examples: readonly TextExample[],
  labels: readonly string[],
  config: FeaturizerConfig,
  options: Partial<ClassifierTrainOptions> = {},
): TrainedClassifier {
  const opt = { ...DEFAULT_CLASSIFIER_OPTIONS, ...options };
  const C = labels.length;
  if (C < 2) throw new Error(`a classifier needs at least 2 classes, got ${C}`);
  for (const [i, e] of examples.entries()) {
    if (e.target.length !== C)
      throw new Error(`example ${i} has a target over ${e.target.length} classes, expected ${C}`);
  }
  const started = performance.now();
  const progress = opt.onProgress ?? (() => {});
  const { texts, targets } = mergeTexts(examples, C);
  if (texts.length < 2) throw new Error(`needs at least 2 labelled texts to train, got ${texts.length}`);

  const featurizer = createFeaturizer(config);
  const featureNames = new Map<number, string>();
  // a second thread pays on large data only: starting it costs a few hundred milliseconds
  const helper = opt.threads > 1 && texts.length >= opt.parallelFrom ? TrainingHelper.start() : null;
  try {
    return train(helper);
  } finally {
    helper?.close();
  }

  function train(helper: TrainingHelper | null): TrainedClassifier {
    progress('featurize', 0);
    let vectors: SparseVector[] = [];
    if (helper)
      vectors = helper.featurize(
        config,
        texts,
        (t, names) => featurizeText(featurizer, t, names),
        featureNames,
      );
    else
      for (let i = 0; i < texts.length; i++) {
        vectors.push(featurizeText(featurizer, texts[i]!, featureNames));
        if ((i + 1) % 5000 === 0) progress('featurize', (i + 1) / texts.length);
      }
    const full = toRows(vectors, featurizer.dim);
    vectors = [];
    const objective: typeof classObjective = helper ? (r, t, l) => helper.objective(r, t, l) : classObjective;
    const { indices, original } = compactColumns(full);
    const rows: SparseRows = { ...full, dim: original.length, indices };
    const k = columns(C);
    const rng = createRng(opt.seed);
    const power = opt.evidencePower;

    // λ path, strongest first, each fit warm-starting the next. Small data: inner k-fold, so λ and
    // the temperature are judged on out-of-fold predictions of every whole text; large data: one
    // split within at most maxSearchExamples texts. Either way validation holds whole texts only and
    // their fragments stay out of training (containment.ts).
    const order = shuffled(
      Array.from({ length: texts.length }, (_, i) => i),
      rng,
    );
    const containedBy = containers(texts);
    const inner = texts.length <= opt.innerFoldsUpTo;
    const parts = inner
      ? wholeTextFolds(containedBy, order, Math.max(2, Math.min(opt.innerFolds, texts.length)))
      : [
          wholeTextSplit(
            containedBy,
            order,
            Math.min(texts.length, opt.maxSearchExamples),
            opt.validationFraction,
          ),
        ];
    const splits = parts
      .filter((part) => part.train.length > 0 && part.valid.length > 0)
      .map(({ train: trainIds, valid: validIds }) => {
        const evidence = power > 0 ? fitEvidence(rows, targets, trainIds, power) : null;
        return {
          train: {
            rows: scaled(selectRows(rows, trainIds), evidence),
            targets: subsetTargets(targets, trainIds),
          },
          valid: {
            rows: scaled(selectRows(rows, validIds), evidence),
            targets: subsetTargets(targets, validIds),
          },
        };
      });
    if (splits.length === 0)
      throw new Error(
        'every labelled text is a fragment of another one, so none can be held out for validation',
      );
    const validTargets: ClassTargets = {
      classes: C,
      target: Float64Array.from(splits.flatMap((s) => [...s.valid.targets.target])),
      weight: Float64Array.from(splits.flatMap((s) => [...s.valid.targets.weight])),
    };
    const lambdaPath: ClassifierLambdaPoint[] = [];
    const starts: (Float64Array | undefined)[] = splits.map(() => undefined);
    let best = {
      lambda: opt.lambdas[opt.lambdas.length - 1]!,
      loss: Infinity,
      scores: new Float64Array(0),
      fits: [] as Float64Array[],
      temperature: 1,
    };
    let worse = 0;
    // The path always starts at the strongest λ, even where that only fits the class prior: the
    // warm-started chain of capped fits regularizes like early stopping, and skipping the strong end
    // cost 0.3–0.5 points on SST-2 dev for a 5% saving in time. Steps of a decade lost nothing
    // against half-decades there and take 40% less time.
    for (const [i, lambda] of opt.lambdas.entries()) {
      progress('choose L2 strength', i / opt.lambdas.length);
      const fits = splits.map((split, f) => {
        const { params } = fitClassifier(
          split.train.rows,
          split.train.targets,
          lambda,
          starts[f],
          { maxIterations: opt.maxIterations, history: opt.history },
          objective,
        );
        starts[f] = params;
        return params;
      });
      const scores = new Float64Array(validTargets.weight.length * k);
      let at = 0;
      splits.forEach((split, f) => {
        const s = rowScores(split.valid.rows, fits[f]!, k);
        scores.set(s, at);
        at += s.length;
      });
      // judged after temperature scaling: a weak penalty's overconfidence is what the temperature
      // fixes, so raw log loss would punish exactly the fits that rank texts best
      const temperature = fitTemperature(scores, validTargets);
      const loss = crossEntropy(scores, validTargets, temperature);
      lambdaPath.push({
        lambda,
        validation_log_loss: loss,
        validation_accuracy: accuracyOf(scores, validTargets),
        temperature,
      });
      if (loss < best.loss) {
        best = { lambda, loss, scores, fits, temperature };
        worse = 0;
      } else if (loss > best.loss + 0.002 && ++worse === opt.patience) {
        break;
      }
    }
    const temperature = best.temperature;

    progress('train', 0);
    const allIds = Array.from({ length: texts.length }, (_, i) => i);
    const evidence = power > 0 ? fitEvidence(rows, targets, allIds, power) : null;
    const start = new Float64Array(rows.dim * k + k);
    for (const w of best.fits) for (let j = 0; j < start.length; j++) start[j]! += w[j]! / best.fits.length;
    // The final fit keeps the chosen λ although it sees more texts (the λ ∝ 1/n rule of thumb would
    // weaken it): the temperature was measured for this λ, and a weaker penalty made the final model
    // more confident than its calibration said (SST-2: 94% instead of 96% correct above 0.9 for one
    // seed in three) for about 0.3 points of accuracy.
    const lambda = best.lambda;
    const { params } = fitClassifier(
      scaled(rows, evidence),
      targets,
      lambda,
      start,
      { maxIterations: opt.finalIterations, history: opt.history },
      objective,
    );
    progress('train', 1);

    // Fold the evidence scaling and the temperature into the exported weights, so the head reads raw
    // featurizer output and its softmax is the calibrated distribution. Two classes export as
    // [−z/2, +z/2]: the softmax of that pair is [1 − σ(z), σ(z)].
    const dim = featurizer.dim;
    const weights = new Float32Array(dim * C);
    const bias = new Float32Array(C);
    for (let col = 0; col < rows.dim; col++) {
      const j = original[col]!;
      const e = evidence ? evidence[col]! : 1;
      if (k === 1) {
        const w = (params[col]! * e) / temperature;
        weights[j * 2] = -w / 2;
        weights[j * 2 + 1] = w / 2;
      } else for (let c = 0; c < C; c++) weights[j * C + c] = (params[col * k + c]! * e) / temperature;
    }
    const biasAt = rows.dim * k;
    if (k === 1) {
      bias[0] = -params[biasAt]! / temperature / 2;
      bias[1] = params[biasAt]! / temperature / 2;
    } else for (let c = 0; c < C; c++) bias[c] = params[biasAt + c]! / temperature;

    return {
      featurizer,
      labels: [...labels],
      head: { dim, members: C, weights, bias },
      lambda,
      temperature,
      lambdaPath,
      featureNames,
      distinctTexts: texts.length,
      trainExamples: examples.length,
      seconds: (performance.now() - started) / 1000,
      threads: helper ? 2 : 1,
      validation: { scores: best.scores, targets: validTargets },
    };
  }
}
