/**
 * Trains a Bradley-Terry ensemble: dense features standardized on the training texts, the L2
 * strength chosen on an inner validation split (a warm-started λ path), then K members fitted
 * on Poisson bootstrap reweightings of the training pairs. Seeded: same data, config and seed →
 * the same weights to the bit.
 */
import { fitBradleyTerry, rowScores, sigmoid, softplus, type PairSet } from './bradley-terry';
import { encodePairs, restrictRows, subsetPairs, type TrainingPair } from './dataset';
import { createFeaturizer, type Featurizer } from './featurize';
import type { FeaturizerConfig } from './featurizer-config';
import type { LinearHead } from './head';
import { createRng, shuffled, type Rng } from './rng';
import { compactColumns, rowCount, type SparseRows } from './sparse';

export interface TrainOptions {
  members: number;
  seed: number;
  /** candidate L2 strengths, tried from strongest to weakest */
  lambdas: number[];
  validationFraction: number;
  /** up to this many search pairs, λ and the temperature come from inner k-fold instead of one split */
  innerFoldsUpTo: number;
  innerFolds: number;
  /** the λ search runs on at most this many pairs (it only needs to rank λs) */
  maxSearchPairs: number;
  /** per fit on the λ path (warm starts from the previous λ: a rough fit ranks λs as well) */
  maxIterations: number;
  /** bootstrap members start from the chosen fit, so they need far fewer iterations */
  memberIterations: number;
  /**
   * Standardized dense features are multiplied by this before fitting, which divides their L2
   * penalty by its square: a few dozen well-understood features should not be shrunk as hard as
   * hundreds of thousands of sparse n-grams.
   */
  denseBoost: number;
  /** no standardized dense value of a training text may exceed this many units (see fitScaling) */
  denseZCap: number;
  /** the λ path stops after this many steps clearly (0.005) worse than the best validation loss */
  patience: number;
  /** exponent of the Naive-Bayes evidence scaling of hashed features; 0 turns it off */
  evidencePower: number;
  onProgress?: (stage: string, fraction: number) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  members: 5,
  seed: 1,
  lambdas: [1, 3e-1, 1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6],
  denseBoost: 4,
  denseZCap: 2,
  patience: 2,
  evidencePower: 0.5,
  validationFraction: 0.2,
  innerFoldsUpTo: 2_500,
  innerFolds: 5,
  maxSearchPairs: 10_000,
  maxIterations: 30,
  memberIterations: 40,
};

export interface LambdaPoint {
  lambda: number;
  validation_log_loss: number;
  validation_accuracy: number;
}

export interface TrainedModel {
  featurizer: Featurizer;
  head: LinearHead;
  lambda: number;
  /** the members' margins are divided by this (fitted on the inner validation split) */
  temperature: number;
  lambdaPath: LambdaPoint[];
  /** a readable n-gram for hashed slots seen in training */
  featureNames: Map<number, string>;
  trainPairs: number;
  seconds: number;
}

/** log 2 less a little: a validation loss above this has learned nothing worth keeping. */
const CHANCE_LOSS = Math.LN2 - 0.01;

/** Poisson(1) draw: the bootstrap count of one pair. */
function poisson1(rng: Rng): number {
  const limit = Math.exp(-1);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

interface Scaling {
  mean: Float64Array;
  scale: Float64Array;
  /** per hashed slot: |log-count ratio|^power between winning and losing texts, or null (off) */
  evidence: Float64Array | null;
}

/**
 * Naive-Bayes feature scaling (Wang & Manning's NBSVM, for pairs): each hashed slot is scaled by
 * how lopsided its mass is between winning and losing responses in the training pairs. On small
 * data this acts as a data-driven prior: the L2 penalty shrinks uninformative n-grams harder.
 */
function fitEvidence(rows: SparseRows, hashDim: number, pairs: PairSet, power: number): Float64Array {
  const win = new Float64Array(hashDim);
  const lose = new Float64Array(hashDim);
  const add = (r: number, into: Float64Array, c: number) => {
    for (let p = rows.rowPtr[r]!; p < rows.rowPtr[r + 1]!; p++) {
      const j = rows.indices[p]!;
      if (j < hashDim) into[j]! += c * Math.abs(rows.values[p]!);
    }
  };
  for (let i = 0; i < pairs.a.length; i++) {
    const c = pairs.weight[i]!;
    const y = pairs.target[i]!;
    add(pairs.a[i]!, win, c * y);
    add(pairs.a[i]!, lose, c * (1 - y));
    add(pairs.b[i]!, lose, c * y);
    add(pairs.b[i]!, win, c * (1 - y));
  }
  const alpha = 1;
  let winTotal = 0;
  let loseTotal = 0;
  for (let j = 0; j < hashDim; j++) {
    winTotal += win[j]! + alpha;
    loseTotal += lose[j]! + alpha;
  }
  const out = new Float64Array(hashDim);
  for (let j = 0; j < hashDim; j++) {
    const ratio = Math.log((win[j]! + alpha) / winTotal) - Math.log((lose[j]! + alpha) / loseTotal);
    out[j] = Math.abs(ratio) ** power;
  }
  return out;
}

/**
 * Mean and scale of each dense slot over the rows the pairs use; hashed slots stay as they are.
 * The scale is 1/std, capped so that no training row lands more than `zCap` from the mean: a rare
 * feature (a heading in one text of thousands, a 700-letter "word") would otherwise get a huge
 * standardized value, a tiny effective penalty, and the power to make one pair's margin absurd.
 */
function fitScaling(rows: SparseRows, hashDim: number, pairs: PairSet, boost: number, zCap: number): Scaling {
  const dense = rows.dim - hashDim;
  const used = new Uint8Array(rowCount(rows));
  for (let i = 0; i < pairs.a.length; i++) used[pairs.a[i]!] = used[pairs.b[i]!] = 1;
  const sum = new Float64Array(dense);
  const sq = new Float64Array(dense);
  let n = 0;
  const each = (visit: (j: number, v: number) => void) => {
    for (let r = 0; r < used.length; r++) {
      if (!used[r]) continue;
      for (let p = rows.rowPtr[r]!; p < rows.rowPtr[r + 1]!; p++) {
        const j = rows.indices[p]! - hashDim;
        if (j >= 0) visit(j, rows.values[p]!);
      }
    }
  };
  for (let r = 0; r < used.length; r++) n += used[r]!;
  each((j, v) => {
    sum[j]! += v;
    sq[j]! += v * v;
  });
  const mean = new Float64Array(dense);
  for (let j = 0; j < dense; j++) mean[j] = n ? sum[j]! / n : 0;
  const maxDeviation = new Float64Array(dense);
  each((j, v) => {
    maxDeviation[j] = Math.max(maxDeviation[j]!, Math.abs(v - mean[j]!));
  });
  const scale = new Float64Array(dense);
  for (let j = 0; j < dense; j++) {
    const variance = n ? sq[j]! / n - mean[j]! ** 2 : 0;
    // a constant feature carries nothing; scale 0 keeps it out of the model
    scale[j] = variance > 1e-12 ? boost * Math.min(1 / Math.sqrt(variance), zCap / maxDeviation[j]!) : 0;
  }
  return { mean, scale, evidence: null };
}

function scaledRows(rows: SparseRows, hashDim: number, scaling: Scaling): SparseRows {
  // reads the original (uncompacted) indices: scaling is indexed by real feature slots
  const values = Float32Array.from(rows.values);
  for (let p = 0; p < values.length; p++) {
    const j = rows.indices[p]! - hashDim;
    if (j >= 0) values[p] = (values[p]! - scaling.mean[j]!) * scaling.scale[j]!;
    else if (scaling.evidence) values[p] = values[p]! * scaling.evidence[rows.indices[p]!]!;
  }
  return { ...rows, values };
}

/** Validation margins pooled over the inner splits, with what each pair asserts. */
interface Margins {
  margin: Float64Array;
  target: Float64Array;
  weight: Float64Array;
}

function marginsOf(rows: SparseRows, w: Float64Array, pairs: PairSet): Margins {
  const scores = rowScores(rows, w);
  return {
    margin: Float64Array.from(pairs.a, (a, i) => scores[a]! - scores[pairs.b[i]!]!),
    target: pairs.target,
    weight: pairs.weight,
  };
}

function concatMargins(parts: Margins[]): Margins {
  const cat = (pick: (m: Margins) => Float64Array) => {
    const out = new Float64Array(parts.reduce((n, m) => n + pick(m).length, 0));
    let at = 0;
    for (const m of parts) {
      out.set(pick(m), at);
      at += pick(m).length;
    }
    return out;
  };
  return { margin: cat((m) => m.margin), target: cat((m) => m.target), weight: cat((m) => m.weight) };
}

function scoreMargins(m: Margins, temperature = 1): { logLoss: number; accuracy: number } {
  let loss = 0;
  let total = 0;
  let right = 0;
  let decided = 0;
  for (let i = 0; i < m.margin.length; i++) {
    const z = m.margin[i]! / temperature;
    const y = m.target[i]!;
    const c = m.weight[i]!;
    loss += c * (y * softplus(-z) + (1 - y) * softplus(z));
    total += c;
    if (y !== 0.5) {
      decided++;
      right += sigmoid(z) > 0.5 === y > 0.5 ? 1 : 0;
    }
  }
  return { logLoss: total ? loss / total : 0, accuracy: decided ? right / decided : 0 };
}

/**
 * Temperature scaling: the T > 0 that minimizes the validation log loss of σ(margin / T).
 * A weakly regularized model is sharper than its accuracy warrants (and a strongly regularized
 * one blunter); dividing by T calibrates it without changing any ranking. Golden-section search
 * on log T (the loss is unimodal in it).
 */
function fitTemperature(m: Margins): number {
  const loss = (logT: number) => scoreMargins(m, Math.exp(logT)).logLoss;
  let lo = Math.log(0.25);
  let hi = Math.log(8);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 40; i++) {
    const x1 = hi - phi * (hi - lo);
    const x2 = lo + phi * (hi - lo);
    if (loss(x1) <= loss(x2)) hi = x2;
    else lo = x1;
  }
  return Math.exp((lo + hi) / 2);
}

/** Trains the ensemble on `pairs` (all of them: hold out test data before calling). */
export function trainRewardModel(
  pairs: readonly TrainingPair[],
  config: FeaturizerConfig,
  options: Partial<TrainOptions> = {},
): TrainedModel {
  const opt = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (pairs.length < 2) throw new Error(`needs at least 2 preference pairs to train, got ${pairs.length}`);
  const started = performance.now();
  const progress = opt.onProgress ?? (() => {});
  const featurizer = createFeaturizer(config);
  const featureNames = new Map<number, string>();
  progress('featurize', 0);
  const encoded = encodePairs(featurizer, pairs, featureNames, (done, total) =>
    progress('featurize', done / total),
  );
  const hashDim = featurizer.hashDim;
  const { indices: compactIndices, original } = compactColumns(encoded.rows);
  // scaling is fitted on the pairs a fit may see, never on the pairs it is validated on
  const prepare = (set: PairSet) => {
    const scaling = fitScaling(encoded.rows, hashDim, set, opt.denseBoost, opt.denseZCap);
    if (opt.evidencePower > 0) scaling.evidence = fitEvidence(encoded.rows, hashDim, set, opt.evidencePower);
    const scaled = scaledRows(encoded.rows, hashDim, scaling);
    return { scaling, rows: { ...scaled, dim: original.length, indices: compactIndices } };
  };
  const rng = createRng(opt.seed);

  // λ path, strongest first so each fit warm-starts the next. Small data: inner k-fold, so λ and
  // the temperature are chosen on out-of-fold margins of every search pair rather than on a
  // fifth of them (a few hundred pairs make a noisy judge). Large data: one held-out split.
  const order = shuffled(
    Array.from({ length: pairs.length }, (_, i) => i),
    rng,
  ).slice(0, Math.max(2, Math.min(pairs.length, opt.maxSearchPairs)));
  const inner = order.length <= opt.innerFoldsUpTo;
  const folds = inner
    ? Math.min(opt.innerFolds, order.length)
    : Math.max(2, Math.round(1 / opt.validationFraction));
  const splits = (inner ? [...Array(folds).keys()] : [0]).map((f) => {
    const trainIds = order.filter((_, i) => i % folds !== f);
    const all = subsetPairs(encoded.pairs, trainIds);
    const restricted = restrictRows(prepare(all).rows, [
      all,
      subsetPairs(
        encoded.pairs,
        order.filter((_, i) => i % folds === f),
      ),
    ]);
    return { rows: restricted.rows, train: restricted.sets[0]!, validation: restricted.sets[1]! };
  });
  const lambdaPath: LambdaPoint[] = [];
  const starts: (Float64Array | undefined)[] = splits.map(() => undefined);
  let best: { lambda: number; loss: number; margins: Margins | null; ws: Float64Array[] } = {
    lambda: opt.lambdas[0]!,
    loss: Infinity,
    margins: null,
    ws: [],
  };
  let worse = 0;
  for (const [i, lambda] of opt.lambdas.entries()) {
    progress('choose L2 strength', i / opt.lambdas.length);
    const ws = splits.map((split, f) => {
      const { w } = fitBradleyTerry(split.rows, split.train, lambda, starts[f], {
        maxIterations: opt.maxIterations,
      });
      starts[f] = w;
      return w;
    });
    const margins = concatMargins(splits.map((split, f) => marginsOf(split.rows, ws[f]!, split.validation)));
    const v = scoreMargins(margins);
    lambdaPath.push({ lambda, validation_log_loss: v.logLoss, validation_accuracy: v.accuracy });
    if (v.logLoss < best.loss) {
      best = { lambda, loss: v.logLoss, margins, ws };
      worse = 0;
    } else if (best.loss < CHANCE_LOSS && v.logLoss > best.loss + 0.005 && ++worse === opt.patience) {
      // clearly past the minimum: stop paying for fits. A flat stretch does not count: at strong λ
      // the loss can sit still (dense features alone) before the n-grams start to pay. Nor does a
      // best that has learned nothing: on hard pairs (what active learning picks) the strong end
      // sits at chance and gets slightly worse before weaker λs find the signal
      break;
    }
  }
  const temperature = fitTemperature(best.margins!);
  // the members start from the mean of the inner fits (all live in the same compact space)
  const start = new Float64Array(original.length);
  for (const w of best.ws) for (let j = 0; j < start.length; j++) start[j]! += w[j]! / best.ws.length;
  const { rows, scaling } = prepare(encoded.pairs);
  // the loss is a mean, so the penalty that was right for an inner fit's n is too strong for more
  // pairs by about n_inner / n (the λ ∝ 1/n rule of thumb)
  const lambda = best.lambda * Math.min(1, splits[0]!.train.a.length / pairs.length);

  const k = opt.members;
  const weights = new Float32Array(featurizer.dim * k);
  const bias = new Float32Array(k);
  for (let m = 0; m < k; m++) {
    progress('train members', m / k);
    const boot: PairSet = { ...encoded.pairs, weight: Float64Array.from(encoded.pairs.weight) };
    if (k > 1) for (let i = 0; i < boot.weight.length; i++) boot.weight[i]! *= poisson1(rng);
    const { w } = fitBradleyTerry(rows, boot, lambda, start, { maxIterations: opt.memberIterations });
    // fold the dense scaling back in, so the head reads raw featurizer output
    let offset = 0;
    for (let c = 0; c < rows.dim; c++) {
      const j = original[c]!;
      const d = j - featurizer.hashDim;
      const raw = d >= 0 ? w[c]! * scaling.scale[d]! : w[c]! * (scaling.evidence ? scaling.evidence[j]! : 1);
      if (d >= 0) offset -= raw * scaling.mean[d]!;
      weights[j * k + m] = raw / temperature;
    }
    bias[m] = offset / temperature;
  }
  progress('train members', 1);
  return {
    featurizer,
    head: { dim: featurizer.dim, members: k, weights, bias },
    lambda,
    temperature,
    lambdaPath,
    featureNames,
    trainPairs: pairs.length,
    seconds: (performance.now() - started) / 1000,
  };
}
