/**
 * The multinomial logistic (softmax) objective over text feature rows: row r has a target
 * distribution t_r over C classes (one-hot for one label, vote shares when annotators split) and a
 * weight. P(c | x) = softmax(W·x + b)_c. The loss is the weighted mean cross-entropy plus
 * λ/2·‖W‖² (biases are not penalized), so λ means the same at any data size.
 *
 * Two classes are fitted with one column, z = w·x + b and P(class 1) = σ(z), which is the same
 * model at half the arithmetic (softmax over [0, z]). `columns(C)` says how many columns a model
 * has. Parameters live in one vector: W row-major [dim][columns] (a feature's weights sit
 * together, as the ONNX head's Gather reads them), then one bias per column.
 */
import { minimize, type LbfgsOptions } from '../lbfgs';
import { rowCount, type SparseRows } from '../sparse';

export interface ClassTargets {
  classes: number;
  /** row-major [rows][classes]; each row sums to 1 */
  target: Float64Array;
  weight: Float64Array;
}

/** Free columns of a C-class model: 1 for two classes, C otherwise. */
export const columns = (classes: number): number => (classes === 2 ? 1 : classes);

/** Scores W·x + b of every row, row-major [rows][k] for k columns. */
export function rowScores(
  rows: SparseRows,
  params: Float64Array,
  k: number,
  out = new Float64Array(rowCount(rows) * k),
): Float64Array {
  const { rowPtr, indices, values } = rows;
  const biasAt = rows.dim * k;
  const n = rowCount(rows);
  // loop bounds are read once per row (`end`): re-reading rowPtr each step cost a third of the time
  if (k === 1) {
    const bias = params[biasAt]!;
    for (let r = 0; r < n; r++) {
      let s = bias;
      for (let p = rowPtr[r]!, end = rowPtr[r + 1]!; p < end; p++) s += values[p]! * params[indices[p]!]!;
      out[r] = s;
    }
    return out;
  }
  for (let r = 0; r < n; r++) {
    const base = r * k;
    for (let c = 0; c < k; c++) out[base + c] = params[biasAt + c]!;
    for (let p = rowPtr[r]!, end = rowPtr[r + 1]!; p < end; p++) {
      const v = values[p]!;
      const w = indices[p]! * k;
      for (let c = 0; c < k; c++) out[base + c]! += v * params[w + c]!;
    }
  }
  return out;
}

/**
 * Class probabilities, row-major [rows][C], from scores of `columns(C)` columns divided by
 * `temperature` (temperature scaling: T > 1 softens, T < 1 sharpens, the ranking never changes).
 */
export function probabilitiesFromScores(
  scores: Float64Array,
  classes: number,
  temperature = 1,
): Float64Array {
  const k = columns(classes);
  const n = scores.length / k;
  const out = new Float64Array(n * classes);
  for (let r = 0; r < n; r++) {
    if (k === 1) {
      const z = scores[r]! / temperature;
      const p1 = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      out[r * 2] = 1 - p1;
      out[r * 2 + 1] = p1;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, scores[r * k + c]! / temperature);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(scores[r * k + c]! / temperature - max);
      out[r * classes + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[r * classes + c]! /= sum;
  }
  return out;
}

/**
 * Weighted mean cross-entropy of `scores` / T against `targets` (no penalty): the validation loss
 * the λ path and the temperature are chosen on.
 */
export function crossEntropy(scores: Float64Array, targets: ClassTargets, temperature = 1): number {
  const probs = probabilitiesFromScores(scores, targets.classes, temperature);
  const C = targets.classes;
  let loss = 0;
  let total = 0;
  for (let r = 0; r < targets.weight.length; r++) {
    const w = targets.weight[r]!;
    total += w;
    for (let c = 0; c < C; c++) {
      const t = targets.target[r * C + c]!;
      if (t > 0) loss -= w * t * Math.log(Math.max(1e-15, probs[r * C + c]!));
    }
  }
  return total > 0 ? loss / total : 0;
}

/**
 * The regularized objective for L-BFGS. Rows with weight 0 cost nothing. One pass over the rows
 * computes each row's scores, its loss and its gradient coefficient, and scatters the gradient
 * while the row's features are still in cache: reading the feature arrays once instead of twice
 * per evaluation is most of the cost on large data.
 */
export function classObjective(
  rows: SparseRows,
  targets: ClassTargets,
  lambda: number,
  /** the weight the loss is normalized by, when `rows` are part of a larger set (helper.ts) */
  options: { totalWeight?: number } = {},
) {
  const C = targets.classes;
  const k = columns(C);
  const n = rowCount(rows);
  let total = options.totalWeight ?? 0;
  if (options.totalWeight === undefined) for (let r = 0; r < n; r++) total += targets.weight[r]!;
  const norm = total > 0 ? 1 / total : 0;
  const weightCount = rows.dim * k;
  const { rowPtr, indices, values } = rows;
  const target = targets.target;
  const weight = targets.weight;
  const score = new Float64Array(k);
  const coef = new Float64Array(k);
  return (params: Float64Array, grad: Float64Array): number => {
    let reg = 0;
    for (let j = 0; j < weightCount; j++) {
      grad[j] = lambda * params[j]!;
      reg += params[j]! * params[j]!;
    }
    for (let c = 0; c < k; c++) grad[weightCount + c] = 0;
    let loss = 0;
    if (k === 1) {
      const bias = params[weightCount]!;
      let biasGrad = 0;
      for (let r = 0; r < n; r++) {
        const c0 = weight[r]! * norm;
        if (c0 === 0) continue;
        const start = rowPtr[r]!;
        const end = rowPtr[r + 1]!;
        let z = bias;
        for (let p = start; p < end; p++) z += values[p]! * params[indices[p]!]!;
        // binary cross-entropy in the logit: t·softplus(−z) + (1 − t)·softplus(z)
        const t = target[r * 2 + 1]!;
        const e = Math.exp(-Math.abs(z));
        loss += c0 * ((z > 0 ? z : 0) + Math.log1p(e) - t * z);
        const g = c0 * ((z >= 0 ? 1 / (1 + e) : e / (1 + e)) - t);
        biasGrad += g;
        for (let p = start; p < end; p++) grad[indices[p]!]! += values[p]! * g;
      }
      grad[weightCount] = biasGrad;
      return loss + 0.5 * lambda * reg;
    }
    for (let r = 0; r < n; r++) {
      const c0 = weight[r]! * norm;
      if (c0 === 0) continue;
      const start = rowPtr[r]!;
      const end = rowPtr[r + 1]!;
      for (let c = 0; c < k; c++) score[c] = params[weightCount + c]!;
      for (let p = start; p < end; p++) {
        const v = values[p]!;
        const w = indices[p]! * k;
        for (let c = 0; c < k; c++) score[c]! += v * params[w + c]!;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, score[c]!);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(score[c]! - max);
      const logSum = max + Math.log(sum);
      for (let c = 0; c < k; c++) {
        const t = target[r * C + c]!;
        const logP = score[c]! - logSum;
        if (t > 0) loss -= c0 * t * logP;
        coef[c] = c0 * (Math.exp(logP) - t);
        grad[weightCount + c]! += coef[c]!;
      }
      for (let p = start; p < end; p++) {
        const v = values[p]!;
        const w = indices[p]! * k;
        for (let c = 0; c < k; c++) grad[w + c]! += v * coef[c]!;
      }
    }
    return loss + 0.5 * lambda * reg;
  };
}

/** Fits the parameters for one λ from `start` (warm starts make a λ path cheap). */
export function fitClassifier(
  rows: SparseRows,
  targets: ClassTargets,
  lambda: number,
  start?: Float64Array,
  options: Partial<LbfgsOptions> = {},
  /** builds the objective another way (helper.ts shares the rows with a second thread) */
  objective: typeof classObjective = classObjective,
): { params: Float64Array; iterations: number } {
  const k = columns(targets.classes);
  const size = rows.dim * k + k;
  const result = minimize(objective(rows, targets, lambda), start ?? new Float64Array(size), options);
  return { params: result.x, iterations: result.iterations };
}
