import { describe, expect, it } from 'vitest';
import { operatingPoint, rocAuc, safetyMetrics, thresholdForRecall } from './metrics';

describe('safety metrics', () => {
  it('computes AUC by rank sums, ties counted half, null without both classes', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 10);
    expect(rocAuc([0.5, 0.5], [false, true])).toBe(0.5);
    expect(rocAuc([0.1, 0.9], [true, false])).toBe(0);
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNull();
  });

  it('chooses the highest threshold that reaches the recall, and reports its load', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    const unsafe = [true, true, false, true, false, true, false, false, true, false];
    // five unsafe; 80% recall needs four of them: the fourth-highest unsafe score is 0.4
    expect(thresholdForRecall(scores, unsafe, 0.8)).toBe(0.4);
    expect(operatingPoint(scores, unsafe, 0.4)).toEqual({
      threshold: 0.4,
      recall: 0.8,
      precision: 4 / 6,
      review_load: 0.6,
      flagged: 6,
    });
    // full recall reaches down to the lowest unsafe score
    expect(thresholdForRecall(scores, unsafe, 1)).toBe(0.1);
    expect(
      thresholdForRecall(
        scores,
        unsafe.map(() => false),
        0.9,
      ),
    ).toBeNull();
  });

  it('reports accuracy at 0.5, per-category AUC and calibration side by side', () => {
    const m = safetyMetrics(
      [
        { risk: 0.9, categories: { violence: 0.8, privacy: 0.1 } },
        { risk: 0.7, categories: { violence: 0.2, privacy: 0.6 } },
        { risk: 0.4, categories: { violence: 0.3, privacy: 0.2 } },
        { risk: 0.1, categories: { violence: 0.05, privacy: 0.05 } },
      ],
      [
        { unsafe: true, categories: ['violence'] },
        { unsafe: true, categories: ['privacy'] },
        { unsafe: true, categories: [] },
        { unsafe: false, categories: [] },
      ],
      ['violence', 'privacy'],
      0.4,
    );
    expect(m.n).toBe(4);
    expect(m.accuracy).toBe(0.75);
    expect(m.auc).toBe(1);
    expect(m.recall_at_threshold).toBe(1);
    expect(m.review_load).toBe(0.75);
    expect(m.per_category.violence).toMatchObject({ positives: 1, auc: 1, precision: 1, recall: 1 });
    expect(m.per_category.privacy).toMatchObject({ positives: 1, auc: 1, observed_share: 0.25 });
    expect(() => safetyMetrics([], [{ unsafe: true, categories: [] }], [], 0.5)).toThrow(/0 predictions/);
  });
});
