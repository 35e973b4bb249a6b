/**
 * The Bradley-Terry objective over text feature rows: pair i compares text a[i] with text b[i],
 * P(a ≻ b) = σ(w·x_a − w·x_b). Targets are soft (1 = a wins, 0 = b wins, 0.5 = tie as a
 * half-win each way); weights carry graded strength, annotator reliability and bootstrap counts.
 * The loss is the weighted mean cross-entropy plus λ/2·‖w‖², so λ means the same at any data size.
 */
import { minimize, type LbfgsOptions } from './lbfgs';
import { rowCount, type SparseRows } from './sparse';

export interface PairSet {
  a: Int32Array;
  b: Int32Array;
  target: Float64Array;
  weight: Float64Array;
}

/** log(1 + e^x) without overflow */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Text scores X·w for every row. */
export function rowScores(
  rows: SparseRows,
  w: Float64Array,
  out = new Float64Array(rowCount(rows)),
): Float64Array {
  const { rowPtr, indices, values } = rows;
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    for (let p = rowPtr[r]!; p < rowPtr[r + 1]!; p++) s += values[p]! * w[indices[p]!]!;
    out[r] = s;
  }
  return out;
}

/** The regularized objective for L-BFGS. Pairs with weight 0 cost nothing. */
export function btObjective(rows: SparseRows, pairs: PairSet, lambda: number) {
  const nRows = rowCount(rows);
  const scores = new Float64Array(nRows);
  const coef = new Float64Array(nRows);
  let total = 0;
  for (let i = 0; i < pairs.weight.length; i++) total += pairs.weight[i]!;
  const norm = total > 0 ? 1 / total : 0;
  return (w: Float64Array, grad: Float64Array): number => {
    rowScores(rows, w, scores);
    coef.fill(0);
    let loss = 0;
    for (let i = 0; i < pairs.a.length; i++) {
      const c = pairs.weight[i]!;
      if (c === 0) continue;
      const m = scores[pairs.a[i]!]! - scores[pairs.b[i]!]!;
      const y = pairs.target[i]!;
      loss += c * (y * softplus(-m) + (1 - y) * softplus(m));
      const g = c * (sigmoid(m) - y);
      coef[pairs.a[i]!]! += g;
      coef[pairs.b[i]!]! -= g;
    }
    let reg = 0;
    for (let j = 0; j < w.length; j++) {
      grad[j] = lambda * w[j]!;
      reg += w[j]! * w[j]!;
    }
    const { rowPtr, indices, values } = rows;
    for (let r = 0; r < nRows; r++) {
      const c = coef[r]! * norm;
      if (c === 0) continue;
      for (let p = rowPtr[r]!; p < rowPtr[r + 1]!; p++) grad[indices[p]!]! += c * values[p]!;
    }
    return loss * norm + 0.5 * lambda * reg;
  };
}

/** Fits w for one λ, starting from `start` (warm starts make a λ path cheap). */
export function fitBradleyTerry(
  rows: SparseRows,
  pairs: PairSet,
  lambda: number,
  start?: Float64Array,
  options: Partial<LbfgsOptions> = {},
): { w: Float64Array; iterations: number } {
  const result = minimize(btObjective(rows, pairs, lambda), start ?? new Float64Array(rows.dim), options);
  return { w: result.x, iterations: result.iterations };
}
