/**
 * A trained reward head: K linear members over one sparse feature space. Member k scores a text
 * as r_k(x) = Σ_j x_j · W[j, k] + b_k. The ensemble reward is the members' mean, and the members'
 * spread is the model's uncertainty. The ONNX graph (reward/onnx/) computes exactly this.
 */
import { rowCount, type SparseRows } from './sparse';

export interface LinearHead {
  /** input dimension: hashed features plus dense feature slots */
  dim: number;
  /** ensemble size K */
  members: number;
  /** row-major [dim][members]: the K weights of feature j sit together, as the ONNX Gather reads them */
  weights: Float32Array;
  /** one bias per member (Bradley-Terry ignores it; it only shifts the reported reward) */
  bias: Float32Array;
}

/**
 * Member scores for each row, row-major [rows][members]. Accumulates in float64 from the float32
 * weights, so it matches onnxruntime's float32 arithmetic to about 1e-6 on typical rows.
 */
export function scoreRows(head: LinearHead, rows: SparseRows): Float64Array {
  const n = rowCount(rows);
  const k = head.members;
  const out = new Float64Array(n * k);
  const { weights, bias } = head;
  for (let r = 0; r < n; r++) {
    const base = r * k;
    for (let m = 0; m < k; m++) out[base + m] = bias[m]!;
    for (let p = rows.rowPtr[r]!; p < rows.rowPtr[r + 1]!; p++) {
      const v = rows.values[p]!;
      const w = rows.indices[p]! * k;
      for (let m = 0; m < k; m++) out[base + m]! += v * weights[w + m]!;
    }
  }
  return out;
}

export interface PairScore {
  /** mean member reward of A and of B */
  rewardA: number;
  rewardB: number;
  /** mean over members of σ(r_k(A) − r_k(B)) */
  probabilityA: number;
  /** standard deviation of the members' probabilities: how much the ensemble disagrees */
  uncertainty: number;
}

/** Combines member scores of A and B (as returned by scoreRows) into one pair prediction. */
export function pairFromMembers(a: ArrayLike<number>, b: ArrayLike<number>, members: number): PairScore {
  let ra = 0;
  let rb = 0;
  let mean = 0;
  const probs = new Float64Array(members);
  for (let m = 0; m < members; m++) {
    ra += a[m]!;
    rb += b[m]!;
    probs[m] = 1 / (1 + Math.exp(-(a[m]! - b[m]!)));
    mean += probs[m]!;
  }
  mean /= members;
  let variance = 0;
  for (let m = 0; m < members; m++) variance += (probs[m]! - mean) ** 2;
  return {
    rewardA: ra / members,
    rewardB: rb / members,
    probabilityA: mean,
    uncertainty: members > 1 ? Math.sqrt(variance / members) : 0,
  };
}
