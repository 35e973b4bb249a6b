/**
 * Held-out metrics for pairwise predictions: accuracy (ties excluded), log loss, expected
 * calibration error, and accuracy by uncertainty quintile (is the model right more often where it
 * is confident?). `probability` is the predicted P(A ≻ B); `target` is 1, 0 or 0.5 (tie).
 */

export interface Prediction {
  probability: number;
  /** higher = less sure; quintile 1 of the report is the lowest fifth */
  uncertainty: number;
  target: number;
}

export interface PairMetrics {
  n: number;
  /** pairs with a winner (ties cannot be right or wrong) */
  decided: number;
  accuracy: number;
  log_loss: number;
  ece: number;
  /** accuracy per fifth of the decided pairs, from most to least certain */
  accuracy_by_uncertainty_quintile: number[];
}

/** 1 for a right call, 0 for a wrong one, 0.5 when the model says exactly 0.5. */
function credit(p: number, target: number): number {
  if (p === 0.5) return 0.5;
  return p > 0.5 === target > 0.5 ? 1 : 0;
}

/**
 * Expected calibration error over `bins` equal-width bins of confidence max(p, 1 − p): the
 * weighted mean gap between confidence and accuracy. Decided pairs only.
 */
export function expectedCalibrationError(predictions: readonly Prediction[], bins = 10): number {
  const decided = predictions.filter((p) => p.target !== 0.5);
  if (decided.length === 0) return 0;
  const conf = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (const p of decided) {
    const c = Math.max(p.probability, 1 - p.probability);
    const bin = Math.min(bins - 1, Math.floor(((c - 0.5) / 0.5) * bins));
    conf[bin]! += c;
    hits[bin]! += credit(p.probability, p.target);
    count[bin]!++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b]) ece += (count[b]! / decided.length) * Math.abs(hits[b]! / count[b]! - conf[b]! / count[b]!);
  }
  return ece;
}

/** Accuracy in `groups` equal-count groups ordered by rising uncertainty (stable for ties). */
export function accuracyByUncertainty(predictions: readonly Prediction[], groups = 5): number[] {
  const decided = predictions
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.target !== 0.5)
    .sort((x, y) => x.p.uncertainty - y.p.uncertainty || x.i - y.i);
  const out: number[] = [];
  for (let g = 0; g < groups; g++) {
    const slice = decided.slice(
      Math.floor((g * decided.length) / groups),
      Math.floor(((g + 1) * decided.length) / groups),
    );
    out.push(
      slice.length ? slice.reduce((s, { p }) => s + credit(p.probability, p.target), 0) / slice.length : NaN,
    );
  }
  return out;
}

/** All the pairwise metrics at once. */
export function pairMetrics(predictions: readonly Prediction[]): PairMetrics {
  const decided = predictions.filter((p) => p.target !== 0.5);
  const eps = 1e-12;
  let loss = 0;
  for (const p of predictions) {
    const q = Math.min(1 - eps, Math.max(eps, p.probability));
    loss -= p.target * Math.log(q) + (1 - p.target) * Math.log(1 - q);
  }
  return {
    n: predictions.length,
    decided: decided.length,
    accuracy: decided.length
      ? decided.reduce((s, p) => s + credit(p.probability, p.target), 0) / decided.length
      : NaN,
    log_loss: predictions.length ? loss / predictions.length : NaN,
    ece: expectedCalibrationError(predictions),
    accuracy_by_uncertainty_quintile: accuracyByUncertainty(predictions),
  };
}
