/**
 * Held-out metrics for a classifier: accuracy, macro-F1, top-label expected calibration error, log
 * loss, per-class precision/recall/F1, the confusion matrix, and what auto-accepting above a
 * confidence threshold would do (how many items it takes, how many of those it gets right). These
 * are the numbers `arbiter sentiment eval` reports and the retraining cycles record.
 */

export interface ClassPrediction {
  /** the model's distribution over the classes, in label order */
  probabilities: ArrayLike<number>;
  /** index of the true class */
  truth: number;
}

export interface AutoAcceptPoint {
  threshold: number;
  /** share of items whose confidence is at least the threshold */
  share: number;
  n: number;
  /** accuracy among those items (null when there are none) */
  accuracy: number | null;
}

export interface ClassifierMetrics {
  n: number;
  accuracy: number;
  macro_f1: number;
  ece: number;
  log_loss: number;
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  /** rows: true class, columns: predicted class, both in label order */
  confusion: number[][];
  auto_accept: AutoAcceptPoint[];
}

/** Thresholds reported by default: where a routing threshold is usually set. */
export const AUTO_ACCEPT_THRESHOLDS = [0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99];

/** argmax (the first class wins ties) and its probability. */
export function topLabel(probabilities: ArrayLike<number>): { index: number; confidence: number } {
  let index = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c]! > probabilities[index]!) index = c;
  return { index, confidence: probabilities[index]! };
}

/**
 * Top-label ECE over `bins` equal-width bins of confidence in [0, 1]: the share-weighted mean gap
 * between a bin's mean confidence and its accuracy.
 */
export function topLabelEce(predictions: readonly ClassPrediction[], bins = 10): number {
  if (predictions.length === 0) return 0;
  const conf = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (const p of predictions) {
    const { index, confidence } = topLabel(p.probabilities);
    const bin = Math.min(bins - 1, Math.floor(confidence * bins));
    conf[bin]! += confidence;
    hits[bin]! += index === p.truth ? 1 : 0;
    count[bin]!++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b])
      ece += (count[b]! / predictions.length) * Math.abs(hits[b]! / count[b]! - conf[b]! / count[b]!);
  }
  return ece;
}

/** What auto-accepting every item with confidence ≥ threshold would take and get right. */
export function autoAcceptAt(predictions: readonly ClassPrediction[], threshold: number): AutoAcceptPoint {
  let n = 0;
  let right = 0;
  for (const p of predictions) {
    const { index, confidence } = topLabel(p.probabilities);
    if (confidence >= threshold) {
      n++;
      right += index === p.truth ? 1 : 0;
    }
  }
  return {
    threshold,
    share: predictions.length ? n / predictions.length : 0,
    n,
    accuracy: n ? right / n : null,
  };
}

/**
 * Every metric at once; `labels` names the classes in order. Macro-F1 averages over the classes
 * that occur in the data or in the predictions.
 */
export function classifierMetrics(
  predictions: readonly ClassPrediction[],
  labels: readonly string[],
  thresholds: readonly number[] = AUTO_ACCEPT_THRESHOLDS,
): ClassifierMetrics {
  const C = labels.length;
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  let loss = 0;
  for (const p of predictions) {
    confusion[p.truth]![topLabel(p.probabilities).index]!++;
    loss -= Math.log(Math.max(1e-15, p.probabilities[p.truth]!));
  }
  const perClass: ClassifierMetrics['per_class'] = {};
  let f1Sum = 0;
  let present = 0;
  let right = 0;
  labels.forEach((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[label] = { precision, recall, f1, support };
    // a class that is neither in the data nor ever predicted says nothing about the model
    if (support + predicted > 0) {
      f1Sum += f1;
      present++;
    }
    right += tp;
  });
  const n = predictions.length;
  return {
    n,
    accuracy: n ? right / n : 0,
    macro_f1: present ? f1Sum / present : 0,
    ece: topLabelEce(predictions),
    log_loss: n ? loss / n : 0,
    per_class: perClass,
    confusion,
    auto_accept: thresholds.map((t) => autoAcceptAt(predictions, t)),
  };
}
