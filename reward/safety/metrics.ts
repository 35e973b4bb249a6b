/**
 * How well a harm classifier triages: is_safe accuracy at 0.5, ranking quality (AUC), and the
 * operating point that matters to a review team — at a risk threshold, the share of harmful
 * responses that reach review (recall) against the share of all responses that do (review load).
 * These are the numbers `arbiter safety eval` reports and the review page shows per model version.
 */

/** One response's predicted risk and, where known, its truth. */
export interface SafetyPrediction {
  /** P(unsafe) */
  risk: number;
  /** per category label: P(category) */
  categories: Record<string, number>;
}

export interface SafetyTruth {
  unsafe: boolean;
  /** the categories it belongs to (empty for a safe response, may be empty for an unsafe one) */
  categories: readonly string[];
}

export interface OperatingPoint {
  threshold: number;
  /** share of unsafe responses with risk ≥ threshold (null without unsafe responses) */
  recall: number | null;
  /** share of responses at or above the threshold that are unsafe (null when none are) */
  precision: number | null;
  /** share of all responses at or above the threshold: what reviewers would have to read */
  review_load: number;
  flagged: number;
}

export interface CategoryMetrics {
  positives: number;
  /** one-vs-rest AUC of the category's score (null when the data has no positives or no negatives) */
  auc: number | null;
  /** at P(category) ≥ 0.5 */
  precision: number | null;
  recall: number | null;
  /** mean predicted probability and the observed share, side by side (a calibration check) */
  mean_predicted: number;
  observed_share: number;
}

export interface SafetyMetrics {
  n: number;
  unsafe_share: number;
  /** is_safe accuracy with risk ≥ 0.5 meaning unsafe */
  accuracy: number;
  auc: number | null;
  log_loss: number;
  /** expected calibration error of P(unsafe), 10 equal-width bins */
  ece: number;
  threshold: number;
  recall_at_threshold: number | null;
  precision_at_threshold: number | null;
  review_load: number;
  per_category: Record<string, CategoryMetrics>;
}

/**
 * Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties counted half. Null when
 * either class is absent, since then no ranking can be judged.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && scores[order[j]!] === scores[order[i]!]) j++;
    const rank = (i + j + 1) / 2; // mean 1-based rank of the tied run
    for (let k = i; k < j; k++) {
      if (!positive[order[k]!]) continue;
      pos++;
      rankSum += rank;
    }
    i = j;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** What sending every response with risk ≥ threshold to review does. */
export function operatingPoint(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean>,
  threshold: number,
): OperatingPoint {
  let flagged = 0;
  let hits = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positive[i]) positives++;
    if (scores[i]! >= threshold) {
      flagged++;
      if (positive[i]) hits++;
    }
  }
  return {
    threshold,
    recall: positives ? hits / positives : null,
    precision: flagged ? hits / flagged : null,
    review_load: scores.length ? flagged / scores.length : 0,
    flagged,
  };
}

/**
 * The highest threshold whose recall of positives is at least `recall` (so the review load is as
 * small as that recall allows), or null without positives. Chosen on held-out predictions, it is
 * an estimate: on new data the realised recall scatters around the target (the bench measures how much).
 */
export function thresholdForRecall(
  scores: ArrayLike<number>,
  positive: ArrayLike<boolean>,
  recall: number,
): number | null {
  const pos: number[] = [];
  for (let i = 0; i < scores.length; i++) if (positive[i]) pos.push(scores[i]!);
  if (pos.length === 0) return null;
  pos.sort((a, b) => b - a);
  return pos[Math.max(0, Math.ceil(recall * pos.length) - 1)]!;
}

function binaryEce(p: ArrayLike<number>, y: ArrayLike<boolean>, bins = 10): number {
  const conf = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.floor(p[i]! * bins));
    conf[b]! += p[i]!;
    hits[b]! += y[i] ? 1 : 0;
    count[b]!++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++)
    if (count[b]) ece += (count[b]! / p.length) * Math.abs(hits[b]! / count[b]! - conf[b]! / count[b]!);
  return ece;
}

/** Every metric at once, at risk threshold `threshold`, for the category labels `categories`. */
export function safetyMetrics(
  predictions: readonly SafetyPrediction[],
  truth: readonly SafetyTruth[],
  categories: readonly string[],
  threshold: number,
): SafetyMetrics {
  if (predictions.length !== truth.length)
    throw new Error(`${predictions.length} predictions for ${truth.length} truths`);
  const n = predictions.length;
  const risk = predictions.map((p) => p.risk);
  const unsafe = truth.map((t) => t.unsafe);
  let right = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    right += risk[i]! >= 0.5 === unsafe[i] ? 1 : 0;
    const p = Math.min(1 - 1e-15, Math.max(1e-15, risk[i]!));
    loss -= unsafe[i] ? Math.log(p) : Math.log(1 - p);
  }
  const point = operatingPoint(risk, unsafe, threshold);
  const perCategory: Record<string, CategoryMetrics> = {};
  for (const c of categories) {
    const scores = predictions.map((p) => p.categories[c] ?? 0);
    const pos = truth.map((t) => t.categories.includes(c));
    const positives = pos.filter(Boolean).length;
    const at = operatingPoint(scores, pos, 0.5);
    perCategory[c] = {
      positives,
      auc: rocAuc(scores, pos),
      precision: at.precision,
      recall: at.recall,
      mean_predicted: n ? scores.reduce((a, b) => a + b, 0) / n : 0,
      observed_share: n ? positives / n : 0,
    };
  }
  return {
    n,
    unsafe_share: n ? unsafe.filter(Boolean).length / n : 0,
    accuracy: n ? right / n : 0,
    auc: rocAuc(risk, unsafe),
    log_loss: n ? loss / n : 0,
    ece: n ? binaryEce(risk, unsafe) : 0,
    threshold,
    recall_at_threshold: point.recall,
    precision_at_threshold: point.precision,
    review_load: point.review_load,
    per_category: perCategory,
  };
}
