/**
 * Trains a Bradley-Terry ensemble: dense features standardized on the training texts, the L2
 * strength chosen on an inner validation split (a warm-started λ path), then K members fitted
 * on Poisson bootstrap reweightings of the training pairs. Seeded: same data, config and seed →
 * the same weights to the bit.
 */
import { fitBradleyTerry, rowScores, sigmoid, softplus, type PairSet } from './bradley-terry';
import { encodePairs, subsetPairs, type TrainingPair } from './dataset';
import { createFeaturizer, type Featurizer } from './featurize';
import type { FeaturizerConfig } from './featurizer-config';
import type { LinearHead } from './head';
import { createRng, shuffled, type Rng } from './rng';
import { rowCount, type SparseRows } from './sparse';

export interface TrainOptions {
  members: number;
  seed: number;
  /** candidate L2 strengths, tried from strongest to weakest */
  lambdas: number[];
  validationFraction: number;
  /** the λ search runs on at most this many pairs (it only needs to rank λs) */
  maxSearchPairs: number;
  maxIterations: number;
  /** bootstrap members start from the chosen fit, so they need far fewer iterations */
  memberIterations: number;
  /**
   * Standardized dense features are multiplied by this before fitting, which divides their L2
   * penalty by its square: a few dozen well-understood features should not be shrunk as hard as
   * hundreds of thousands of sparse n-grams.
   */
  denseBoost: number;
  /** exponent of the Naive-Bayes evidence scaling of hashed features; 0 turns it off */
  evidencePower: number;
  onProgress?: (stage: string, fraction: number) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  members: 5,
  seed: 1,
  lambdas: [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6],
  denseBoost: 4,
  evidencePower: 0.5,
  validationFraction: 0.2,
  maxSearchPairs: 20_000,
  maxIterations: 100,
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

/** Mean and 1/std of each dense slot over the rows the pairs use; hashed slots stay as they are. */
function fitScaling(rows: SparseRows, hashDim: number, pairs: PairSet, boost: number): Scaling {
  const dense = rows.dim - hashDim;
  const used = new Uint8Array(rowCount(rows));
  for (let i = 0; i < pairs.a.length; i++) used[pairs.a[i]!] = used[pairs.b[i]!] = 1;
  const sum = new Float64Array(dense);
  const sq = new Float64Array(dense);
  let n = 0;
  for (let r = 0; r < used.length; r++) {
    if (!used[r]) continue;
    n++;
    for (let p = rows.rowPtr[r]!; p < rows.rowPtr[r + 1]!; p++) {
      const j = rows.indices[p]! - hashDim;
      if (j >= 0) {
        sum[j]! += rows.values[p]!;
        sq[j]! += rows.values[p]! ** 2;
      }
    }
  }
  const mean = new Float64Array(dense);
  const scale = new Float64Array(dense);
  for (let j = 0; j < dense; j++) {
    mean[j] = n ? sum[j]! / n : 0;
    const variance = n ? sq[j]! / n - mean[j]! ** 2 : 0;
    // a constant feature carries nothing; scale 0 keeps it out of the model
    scale[j] = variance > 1e-12 ? boost / Math.sqrt(variance) : 0;
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

/**
 * Renumbers the features that occur in `rows` to [0, used): on small data most of the hash space
 * is empty, and L-BFGS's vector work is proportional to the dimension it is given.
 */
function compact(rows: SparseRows): { indices: Int32Array; original: Int32Array } {
  const slot = new Int32Array(rows.dim).fill(-1);
  const original: number[] = [];
  const indices = new Int32Array(rows.indices.length);
  // first pass in index order keeps the renumbering monotone, so rows stay sorted
  const present = new Uint8Array(rows.dim);
  for (let p = 0; p < rows.indices.length; p++) present[rows.indices[p]!] = 1;
  for (let j = 0; j < rows.dim; j++) {
    if (present[j]) {
      slot[j] = original.length;
      original.push(j);
    }
  }
  for (let p = 0; p < rows.indices.length; p++) indices[p] = slot[rows.indices[p]!]!;
  return { indices, original: Int32Array.from(original) };
}

/**
 * Temperature scaling: the T > 0 that minimizes the validation log loss of σ(margin / T).
 * A weakly regularized model is sharper than its accuracy warrants; dividing by T calibrates it
 * without changing any ranking. Golden-section search on log T (the loss is unimodal in it).
 */
function fitTemperature(scores: Float64Array, pairs: PairSet): number {
  const loss = (logT: number) => {
    const t = Math.exp(logT);
    let total = 0;
    for (let i = 0; i < pairs.a.length; i++) {
      const m = (scores[pairs.a[i]!]! - scores[pairs.b[i]!]!) / t;
      const y = pairs.target[i]!;
      total += pairs.weight[i]! * (y * softplus(-m) + (1 - y) * softplus(m));
    }
    return total;
  };
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

function validate(rows: SparseRows, w: Float64Array, pairs: PairSet): { logLoss: number; accuracy: number } {
  const scores = rowScores(rows, w);
  let loss = 0;
  let total = 0;
  let right = 0;
  let decided = 0;
  for (let i = 0; i < pairs.a.length; i++) {
    const m = scores[pairs.a[i]!]! - scores[pairs.b[i]!]!;
    const y = pairs.target[i]!;
    const c = pairs.weight[i]!;
    loss += c * (y * softplus(-m) + (1 - y) * softplus(m));
    total += c;
    if (y !== 0.5) {
      decided++;
      right += sigmoid(m) > 0.5 === y > 0.5 ? 1 : 0;
    }
  }
  return { logLoss: total ? loss / total : 0, accuracy: decided ? right / decided : 0 };
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
  const { indices: compactIndices, original } = compact(encoded.rows);
  // scaling is fitted on the pairs a fit may see, never on the pairs it is validated on
  const prepare = (set: PairSet) => {
    const scaling = fitScaling(encoded.rows, hashDim, set, opt.denseBoost);
    if (opt.evidencePower > 0) scaling.evidence = fitEvidence(encoded.rows, hashDim, set, opt.evidencePower);
    const scaled = scaledRows(encoded.rows, hashDim, scaling);
    return { scaling, rows: { ...scaled, dim: original.length, indices: compactIndices } };
  };
  const rng = createRng(opt.seed);

  // λ path on an inner split, strongest first so each fit warm-starts the next
  const order = shuffled(
    Array.from({ length: pairs.length }, (_, i) => i),
    rng,
  ).slice(0, Math.max(2, Math.min(pairs.length, opt.maxSearchPairs)));
  const nValidation = Math.max(1, Math.round(order.length * opt.validationFraction));
  const searchValidation = subsetPairs(encoded.pairs, order.slice(0, nValidation));
  const searchTrain = subsetPairs(encoded.pairs, order.slice(nValidation));
  const search = prepare(searchTrain);
  const lambdaPath: LambdaPoint[] = [];
  let start: Float64Array | undefined;
  let best: { lambda: number; loss: number; w: Float64Array } = {
    lambda: opt.lambdas[0]!,
    loss: Infinity,
    w: new Float64Array(original.length),
  };
  let worse = 0;
  for (const [i, lambda] of opt.lambdas.entries()) {
    progress('choose L2 strength', i / opt.lambdas.length);
    const { w } = fitBradleyTerry(search.rows, searchTrain, lambda, start, {
      maxIterations: opt.maxIterations,
    });
    start = w;
    const v = validate(search.rows, w, searchValidation);
    lambdaPath.push({ lambda, validation_log_loss: v.logLoss, validation_accuracy: v.accuracy });
    if (v.logLoss < best.loss) {
      best = { lambda, loss: v.logLoss, w };
      worse = 0;
    } else if (++worse === 2) {
      break; // the validation loss is unimodal along the path: past the minimum, stop paying for fits
    }
  }
  const temperature = fitTemperature(rowScores(search.rows, best.w), searchValidation);
  const { rows, scaling } = prepare(encoded.pairs);
  // the loss is a mean, so the penalty that was right for the search's n is too strong for more
  // pairs by about n_search / n (the λ ∝ 1/n rule of thumb); only matters past maxSearchPairs
  const lambda = best.lambda * Math.min(1, searchTrain.a.length / (pairs.length - nValidation));

  const k = opt.members;
  const weights = new Float32Array(featurizer.dim * k);
  const bias = new Float32Array(k);
  for (let m = 0; m < k; m++) {
    progress('train members', m / k);
    const boot: PairSet = { ...encoded.pairs, weight: Float64Array.from(encoded.pairs.weight) };
    if (k > 1) for (let i = 0; i < boot.weight.length; i++) boot.weight[i]! *= poisson1(rng);
    const { w } = fitBradleyTerry(rows, boot, lambda, best.w, { maxIterations: opt.memberIterations });
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
