/**
 * In-process pair predictions from a head and its featurizer (the ONNX scorer gives the same
 * numbers; this path serves training-time evaluation, where no ONNX file exists yet).
 */
import { encodePairs, type TrainingPair } from './dataset';
import type { PairSet } from './bradley-terry';
import type { Featurizer } from './featurize';
import { pairFromMembers, scoreRows, type LinearHead, type PairScore } from './head';
import type { Prediction } from './metrics';
import type { OnnxHeadScorer } from './onnx/session';

/** Pair predictions from per-text member scores (row-major [texts][k]). */
function combine(members: Float64Array, set: PairSet, k: number): PairScore[] {
  return Array.from({ length: set.a.length }, (_, i) =>
    pairFromMembers(
      members.subarray(set.a[i]! * k, set.a[i]! * k + k),
      members.subarray(set.b[i]! * k, set.b[i]! * k + k),
      k,
    ),
  );
}

/** Scores each pair: rewards, P(A ≻ B) and ensemble spread. */
export function scorePairs(
  head: LinearHead,
  featurizer: Featurizer,
  pairs: readonly TrainingPair[],
): PairScore[] {
  const { rows, pairs: set } = encodePairs(featurizer, pairs);
  return combine(scoreRows(head, rows), set, head.members);
}

/**
 * The predictive uncertainty used for routing and for the quintile report: binary entropy of the
 * ensemble's mean probability (in bits, 0 = certain, 1 = a coin flip). The members' spread alone
 * is a weak signal (bootstrap members agree on most pairs), so it is reported separately.
 */
export function predictiveUncertainty(probability: number): number {
  const p = Math.min(1 - 1e-12, Math.max(1e-12, probability));
  return -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

/** Predictions ready for pairMetrics. */
export function toPredictions(scores: readonly PairScore[], pairs: readonly TrainingPair[]): Prediction[] {
  return scores.map((s, i) => ({
    probability: s.probabilityA,
    uncertainty: predictiveUncertainty(s.probabilityA),
    target: pairs[i]!.target,
  }));
}

/** Like scorePairs, through the ONNX head (what production scoring uses). */
export async function scorePairsOnnx(
  scorer: OnnxHeadScorer,
  featurizer: Featurizer,
  pairs: readonly TrainingPair[],
): Promise<PairScore[]> {
  const { rows, pairs: set } = encodePairs(featurizer, pairs);
  return combine(await scorer.scoreRows(rows), set, scorer.members);
}
