/**
 * In-process pair predictions from a head and its featurizer (the ONNX scorer gives the same
 * numbers; this path serves training-time evaluation, where no ONNX file exists yet).
 */
import { encodePairs, type TrainingPair } from './dataset';
import type { Featurizer } from './featurize';
import { pairFromMembers, scoreRows, type LinearHead, type PairScore } from './head';
import type { Prediction } from './metrics';
import type { OnnxHeadScorer } from './onnx/session';

/** Scores each pair: rewards, P(A ≻ B) and ensemble spread. */
export function scorePairs(
  head: LinearHead,
  featurizer: Featurizer,
  pairs: readonly TrainingPair[],
): PairScore[] {
  const { rows, pairs: set } = encodePairs(featurizer, pairs);
  const members = scoreRows(head, rows);
  const k = head.members;
  return Array.from({ length: pairs.length }, (_, i) =>
    pairFromMembers(
      members.subarray(set.a[i]! * k, set.a[i]! * k + k),
      members.subarray(set.b[i]! * k, set.b[i]! * k + k),
      k,
    ),
  );
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
  const members = await scorer.scoreRows(rows);
  const k = scorer.members;
  return Array.from({ length: pairs.length }, (_, i) =>
    pairFromMembers(
      members.subarray(set.a[i]! * k, set.a[i]! * k + k),
      members.subarray(set.b[i]! * k, set.b[i]! * k + k),
      k,
    ),
  );
}
