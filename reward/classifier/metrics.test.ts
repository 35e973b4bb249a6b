import { describe, expect, it } from 'vitest';
import { autoAcceptAt, classifierMetrics, topLabelEce } from './metrics';

const labels = ['positive', 'negative', 'neutral'];
const p = (a: number, b: number, c: number) => Float64Array.from([a, b, c]);

describe('classifier metrics', () => {
  const predictions = [
    { probabilities: p(0.9, 0.05, 0.05), truth: 0 },
    { probabilities: p(0.6, 0.3, 0.1), truth: 1 },
    { probabilities: p(0.2, 0.7, 0.1), truth: 1 },
    { probabilities: p(0.1, 0.1, 0.8), truth: 2 },
    { probabilities: p(0.3, 0.3, 0.4), truth: 0 },
  ];

  it('computes accuracy, per-class precision and recall, macro-F1 and the confusion matrix by hand', () => {
    const m = classifierMetrics(predictions, labels, [0.5, 0.85]);
    expect(m.accuracy).toBeCloseTo(3 / 5);
    expect(m.confusion).toEqual([
      [1, 0, 1],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    // positive: P 1/2 R 1/2; negative: P 1/1 R 1/2; neutral: P 1/2 R 1/1
    expect(m.per_class.positive).toMatchObject({ precision: 0.5, recall: 0.5, support: 2 });
    expect(m.per_class.negative).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(m.per_class.neutral).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
    const f1 = (pr: number, re: number) => (2 * pr * re) / (pr + re);
    expect(m.macro_f1).toBeCloseTo((f1(0.5, 0.5) + f1(1, 0.5) + f1(0.5, 1)) / 3);
    expect(m.log_loss).toBeCloseTo(
      -(Math.log(0.9) + Math.log(0.3) + Math.log(0.7) + Math.log(0.8) + Math.log(0.3)) / 5,
    );
    expect(m.auto_accept).toEqual([
      { threshold: 0.5, share: 4 / 5, n: 4, accuracy: 3 / 4 },
      { threshold: 0.85, share: 1 / 5, n: 1, accuracy: 1 },
    ]);
  });

  it('averages F1 only over classes that occur in the data or the predictions', () => {
    const m = classifierMetrics([{ probabilities: p(0.9, 0.1, 0), truth: 0 }], labels);
    expect(m.macro_f1).toBe(1);
  });

  it('computes the top-label ECE as the share-weighted gap per confidence bin', () => {
    // bins: 0.9 → [0.9, 1.0) right; 0.6 → [0.6, 0.7) wrong; 0.7 → [0.7, 0.8) right;
    // 0.8 → [0.8, 0.9) right; 0.4 → [0.4, 0.5) wrong
    const expected =
      (Math.abs(1 - 0.9) + Math.abs(0 - 0.6) + Math.abs(1 - 0.7) + Math.abs(1 - 0.8) + 0.4) / 5;
    expect(topLabelEce(predictions)).toBeCloseTo(expected);
    expect(topLabelEce([])).toBe(0);
  });

  it('reports no accuracy for a threshold nothing reaches', () => {
    expect(autoAcceptAt(predictions, 0.99)).toEqual({ threshold: 0.99, share: 0, n: 0, accuracy: null });
  });
});
